"""pocketsphinx through SpeechRecognition: English that works with no download at all.

It is the fallback when the Whisper model is missing, and the small-CPU choice on a Pi.
Its bundled acoustic model is English only, so Chinese is refused clearly rather than
transcribed as English nonsense.
"""
from __future__ import annotations

import speech_recognition as sr

from ..errors import RecognizerError
from ..types import Transcript, Utterance
from .srbridge import to_audio_data


class SphinxRecognizer:
    name = "sphinx"

    def __init__(self, grammar: str | None = None, keywords: list[tuple[str, float]] | None = None):
        try:
            import pocketsphinx  # noqa: F401
        except ImportError:
            raise RecognizerError("pocketsphinx is not installed: pip install pocketsphinx") from None
        self._recognizer = sr.Recognizer()
        self.grammar = grammar
        self.keywords = keywords

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        if lang == "zh":
            raise RecognizerError("pocketsphinx only has an English model here: use --asr whisper for Chinese")
        try:
            text = self._recognizer.recognize_sphinx(to_audio_data(utterance), language="en-US",
                                                     keyword_entries=self.keywords, grammar=self.grammar)
        except sr.UnknownValueError:
            text = ""
        except sr.RequestError as exc:
            raise RecognizerError(f"pocketsphinx failed: {exc}") from None
        return Transcript(text=str(text).strip(), lang="en", confidence=0.5 if text else 0.0)
