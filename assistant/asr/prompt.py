"""Biasing the recogniser with the loaded intents' own words.

Measured on real coffee orders, listing the domain's values in Whisper's `initial_prompt`
raised verbatim slot recovery from 89.8% to 98.2%. Whisper's prompt window is 224 tokens
and the longest prompts start to make it hear commands in noise, so keep it short.
"""
from __future__ import annotations

MAX_CHARS = {"en": 240, "zh": 90}
SEPARATOR = {"en": ", ", "zh": "，"}


def build_prompt(words: list[str], lang: str) -> str | None:
    """The most useful words first, joined, cut to the language's budget; None when empty."""
    limit, sep = MAX_CHARS.get(lang, 200), SEPARATOR.get(lang, ", ")
    picked: list[str] = []
    size = 0
    seen: set[str] = set()
    for word in words:
        word = word.strip()
        if not word or word in seen:
            continue
        if size + len(word) + len(sep) > limit:
            break
        picked.append(word)
        seen.add(word)
        size += len(word) + len(sep)
    if not picked:
        return None
    return sep.join(picked) + ("." if lang == "en" else "。")
