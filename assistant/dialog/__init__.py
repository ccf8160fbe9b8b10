"""The conversation layer: session context, follow-ups, reply language and error handling.

Wording lives in `assistant.phrases` (shared with the skills), so this package imports the
skills and nothing imports it back: no lazy import is needed to break a cycle.
"""
from __future__ import annotations

from .dialog import Dialog

__all__ = ["Dialog"]
