"""Google's free web recogniser through SpeechRecognition: optional, online.

With no network it fails within a few seconds with one clear line, never hangs.
For "auto" it asks in both languages and keeps the more confident answer.
"""
from __future__ import annotations

import speech_recognition as sr

from ..errors import RecognizerError
from ..types import Transcript, Utterance
from .chinese import to_simplified
from .srbridge import to_audio_data

LOCALES = {"en": "en-US", "zh": "zh-CN"}


class GoogleRecognizer:
    name = "google"

    def __init__(self, timeout: float = 5.0, key: str | None = None):
        self._recognizer = sr.Recognizer()
        self._recognizer.operation_timeout = timeout
        self.key = key

    def _ask(self, data: sr.AudioData, lang: str) -> tuple[str, float]:
        try:
            result = self._recognizer.recognize_google(data, key=self.key, language=LOCALES[lang], show_all=True)
        except sr.RequestError as exc:
            raise RecognizerError(f"Google's web recogniser is unreachable (no network?): {exc}") from None
        except sr.UnknownValueError:
            return "", 0.0
        except OSError as exc:
            raise RecognizerError(f"Google's web recogniser is unreachable (no network?): {exc}") from None
        if not isinstance(result, dict) or not result.get("alternative"):
            return "", 0.0
        best = result["alternative"][0]
        return str(best.get("transcript", "")), float(best.get("confidence", 0.5))

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        data = to_audio_data(utterance)
        tries = [lang] if lang in LOCALES else ["en", "zh"]
        best = ("", 0.0, tries[0])
        for code in tries:
            text, conf = self._ask(data, code)
            if text and conf >= best[1]:
                best = (text, conf, code)
        text, conf, code = best
        if code == "zh":
            text = to_simplified(text)
        return Transcript(text=text.strip(), lang=code, confidence=conf)
