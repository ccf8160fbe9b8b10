"""The plain data that flows one way through the pipeline.

Stages only see these dataclasses, never each other's internals, so an engine
(ASR, matcher, TTS) can be swapped without touching the stage next to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .lang import LANGS

LANGUAGES = LANGS  # the pair is written once, in assistant/lang
SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Utterance:
    """One spoken command: float32 mono samples in [-1, 1] at `sample_rate`."""

    audio: np.ndarray
    sample_rate: int = SAMPLE_RATE
    source: str = ""

    @property
    def duration(self) -> float:
        return len(self.audio) / float(self.sample_rate) if self.sample_rate else 0.0


@dataclass(frozen=True)
class Transcript:
    text: str
    lang: str
    confidence: float = 0.0
    alternatives: tuple[str, ...] = ()


@dataclass
class Match:
    """What the understanding stage made of a text; `intent` is None for "no intent"."""

    intent: str | None
    slots: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0
    lang: str = "en"
    template: str | None = None
    text: str = ""
    explain: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "lang": self.lang, "intent": self.intent,
                "slots": self.slots, "score": round(float(self.score), 4)}


@dataclass
class Reply:
    text: str
    lang: str = "en"
    audio_path: str | None = None
    end_session: bool = True
    # False when the reply says the command was not understood or has no skill ("didn't catch
    # that", "can't do that yet"): front ends such as the Wyoming server report it as not handled
    handled: bool = True
