"""The fixed rule that splits every development set into a tuning half and a check half.

Failures are looked at on the tuning half only; both halves are reported, and the gap
between them says whether a change learned the language or the sentences.
A line's half depends only on its own key (text or file name), so it never moves when
lines are added, removed or reordered.
"""

from __future__ import annotations

import zlib

HALVES = ("tune", "check")


def half(key: str) -> str:
    """ "tune" or "check" for a line's key (its text, or a recording's file name)."""
    return HALVES[zlib.crc32(key.encode("utf-8")) % 2]
