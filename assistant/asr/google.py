"""Google's free web recogniser (the speech API SpeechRecognition's recognize_google uses):
optional, online.

The request is the one SpeechRecognition builds (FLAC from its AudioData, the same URL and key),
but it goes through assistant.web, so it has one deadline for the whole call (`[google] timeout`)
and a size cap: with no network, or a server that trickles, it fails with one clear line, never
hangs. For "auto" it asks in both languages and keeps the more confident answer.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import speech_recognition as sr

from ..errors import NetworkError, RecognizerError
from ..lang import LANGS, to_simplified
from ..types import Transcript, Utterance
from ..web import Limits, fetch
from .srbridge import to_audio_data

LOCALES = {"en": "en-US", "zh": "zh-CN"}
ENDPOINT = "http://www.google.com/speech-api/v2/recognize"
PUBLIC_KEY = (
    "AIzaSyBOti4mM-6x9WDnZIjIeyEU21OpBXqWBgw"  # SpeechRecognition's default key for this API
)
MAX_ANSWER_BYTES = 1 << 20


def best_result(answer: str) -> dict[str, Any] | None:
    """The first result with alternatives from the API's answer (one JSON object per line), or
    None."""
    for line in answer.splitlines():
        if not line.strip():
            continue
        results = json.loads(line).get("result") or []
        if results and isinstance(results[0], dict) and results[0].get("alternative"):
            return results[0]
    return None


class GoogleRecognizer:
    name = "google"

    def __init__(self, timeout: float = 5.0, key: str | None = None, endpoint: str = ENDPOINT):
        self.limits = Limits(deadline=timeout, max_bytes=MAX_ANSWER_BYTES)
        self.key = key
        self.endpoint = endpoint

    def _ask(self, data: sr.AudioData, lang: str) -> tuple[str, float]:
        query = urllib.parse.urlencode(
            {
                "client": "chromium",
                "lang": LOCALES[lang],
                "key": self.key or PUBLIC_KEY,
                "pFilter": 0,
            }
        )
        rate = max(data.sample_rate, 8000)  # the API's lowest rate
        flac = data.get_flac_data(
            convert_rate=None if rate == data.sample_rate else rate, convert_width=2
        )
        try:
            answer = fetch(
                "POST",
                f"{self.endpoint}?{query}",
                body=flac,
                headers={"Content-Type": f"audio/x-flac; rate={rate}"},
                limits=self.limits,
            )
            result = best_result(answer.body.decode("utf-8", errors="replace"))
        except NetworkError as exc:
            raise RecognizerError(
                f"Google's web recogniser is unreachable (no network?): {exc}"
            ) from None
        except (ValueError, AttributeError):
            raise RecognizerError(
                "Google's web recogniser gave an answer that is not its JSON"
            ) from None
        if result is None:
            return "", 0.0
        best = result["alternative"][0]
        return str(best.get("transcript", "")), float(best.get("confidence", 0.5))

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        data = to_audio_data(utterance)
        tries = [lang] if lang in LOCALES else list(LANGS)
        best = ("", 0.0, tries[0])
        for code in tries:
            text, conf = self._ask(data, code)
            if text and conf >= best[1]:
                best = (text, conf, code)
        text, conf, code = best
        if code == "zh":
            text = to_simplified(text)
        return Transcript(text=text.strip(), lang=code, confidence=conf)
