"""Speech recognition behind one small protocol; each engine is one module."""
from __future__ import annotations

from typing import Protocol

from ..types import Transcript, Utterance


class Recognizer(Protocol):
    """Turns one utterance into text in English or Chinese.

    `lang` is "auto" (the engine decides between en and zh only), "en" or "zh".
    Engines raise RecognizerError / ModelError with a one-line message on failure.
    """

    name: str

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript: ...
