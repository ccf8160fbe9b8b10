"""Short sounds that tell the user what the speaker is doing, made from numbers at run time.

"listening" (a rising two-note blip) when the wake phrase, Enter or a follow-up opens the
microphone; "done" (falling) when a listening window closes with nothing said; "error"
(a low double buzz) when a command could not be handled. Each is under 0.3 s so it never
hides the start of what the user says next, and the project ships no binary sound files.
"""

from __future__ import annotations

from functools import cache

import numpy as np

RATE = 22050
NAMES = ("listening", "done", "error")


def _note(freq: float, seconds: float, amp: float = 0.35) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    attack = np.minimum(1.0, t / 0.006)
    release = np.minimum(1.0, (seconds - t) / 0.025)
    tone = np.sin(2 * np.pi * freq * t) + 0.2 * np.sin(2 * np.pi * 2 * freq * t)
    return (amp * attack * release * tone).astype(np.float32)


def _gap(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


@cache
def earcon(name: str) -> tuple[np.ndarray, int]:
    """The named earcon as (float32 samples, sample rate); cached, so made once per process."""
    if name == "listening":
        audio = np.concatenate([_note(660.0, 0.07), _gap(0.015), _note(990.0, 0.09)])
    elif name == "done":
        audio = np.concatenate([_note(880.0, 0.07), _gap(0.015), _note(587.0, 0.09)])
    elif name == "error":
        audio = np.concatenate([_note(220.0, 0.09, 0.3), _gap(0.04), _note(196.0, 0.12, 0.3)])
    else:
        raise KeyError(f"unknown earcon {name!r}: use one of {', '.join(NAMES)}")
    audio.setflags(write=False)
    return audio, RATE
