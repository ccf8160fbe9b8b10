"""The alert chime, made from numbers at run time so the project ships no binary sound files."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

RATE = 22050


@lru_cache(maxsize=1)
def alert_sound() -> tuple[np.ndarray, int]:
    """Three rising two-tone pings (~1.2 s), soft attack and decay so they do not click."""
    parts = []
    for base in (880.0, 988.0, 1175.0):
        t = np.arange(int(0.32 * RATE)) / RATE
        envelope = np.minimum(1.0, t / 0.01) * np.exp(-t * 9.0)
        tone = 0.6 * np.sin(2 * np.pi * base * t) + 0.25 * np.sin(2 * np.pi * base * 2 * t)
        parts.append((0.5 * envelope * tone).astype(np.float32))
        parts.append(np.zeros(int(0.08 * RATE), dtype=np.float32))
    return np.concatenate(parts), RATE
