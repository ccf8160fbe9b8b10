"""The conversation layer: session context, follow-ups, reply language and wording.

`Dialog` is imported on first use, so skills can use `dialog.texts` and
`dialog.locale` without a circular import through this package.
"""
from __future__ import annotations

__all__ = ["Dialog"]


def __getattr__(name: str):
    if name == "Dialog":
        from .dialog import Dialog
        return Dialog
    raise AttributeError(name)
