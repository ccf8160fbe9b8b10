"""Deciding English or Chinese from a recogniser's language probabilities.

Whisper base misnames the language of one- or two-syllable commands (停 -> English,
你好 -> Thai, 嗨 -> Japanese). The product only speaks two languages, so the choice is
made between those two alone, with the Chinese-script relatives folded into Chinese.
"""

from __future__ import annotations

# Whisper language codes whose probability mass is really "Chinese speech" for our purpose.
ZH_CODES = ("zh", "yue")


def pick_en_zh(probs: dict[str, float] | list[tuple[str, float]]) -> tuple[str, float]:
    """The more likely of English and Chinese, with its share of the two-way probability."""
    table = dict(probs)
    en = table.get("en", 0.0)
    zh = sum(table.get(code, 0.0) for code in ZH_CODES)
    total = en + zh
    if total <= 0:
        return "en", 0.5
    return ("zh", zh / total) if zh > en else ("en", en / total)
