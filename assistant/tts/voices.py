"""Choosing a system voice for a language across espeak-ng, SAPI5 and NSSpeech.

On espeak-ng the plain `cmn` voice reads Chinese characters as English letter names;
`cmn-latn-pinyin` is the one that speaks Mandarin, so it is asked for by id first.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable

HINTS = {
    "en": (
        "en-us",
        "en_us",
        "english",
        "en-gb",
        "en_gb",
        "david",
        "zira",
        "alex",
        "samantha",
        "en",
    ),
    "zh": (
        "cmn-latn-pinyin",
        "zh-cn",
        "zh_cn",
        "chinese",
        "mandarin",
        "huihui",
        "ting-ting",
        "tingting",
        "yaoyao",
        "kangkang",
        "meijia",
        "cmn",
        "zh",
    ),
}


def _languages(voice: Any) -> str:
    langs = getattr(voice, "languages", None) or []
    out = []
    for item in langs:
        out.append(item.decode("utf-8", "ignore") if isinstance(item, bytes) else str(item))
    return " ".join(out).lower()


def pick_voice(voices: Iterable[Any], lang: str, preferred: str | None = None) -> str | None:
    """The id of the best voice for `lang`, or None when the system has none for it."""
    voices = list(voices)
    if preferred:
        for v in voices:
            if v.id == preferred or v.id.endswith("/" + preferred):
                return v.id
    for hint in HINTS.get(lang, ()):
        for v in voices:
            label = f"{v.id} {getattr(v, 'name', '')} {_languages(v)}".lower()
            if hint in label:
                return v.id
    return None
