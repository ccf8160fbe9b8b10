"""Language utilities, one home for each: the two languages, Chinese script, how words
sound, and number / month / weekday words both ways.

* `script`: CJK detection (one character range), language detection, traditional -> simplified;
* `sounds`: pinyin (per character, and a text in context), the English sound keys, syllable
  similarity;
* `words`:  `number_to_words_en/zh`, `words_to_number_en/zh`, ordinals, month and weekday names.

zhconv and pypinyin are loaded on first use, so importing this package is cheap.
"""
from __future__ import annotations

LANGS = ("en", "zh")
"""The languages the assistant speaks and understands (the one place this pair is written)."""

from .script import CJK, CJK_RANGES, cjk_only, detect_lang, has_cjk, is_cjk, to_simplified  # noqa: E402
from .sounds import (fuzzy_pinyin, latin_sound, pinyin, pinyin_similarity, pinyin_syllables,  # noqa: E402
                     sound_key, spoken_form, syllable_similarity)
from .words import (EN_ORDINALS, EN_SCALES, EN_TENS, EN_UNITS, MONTHS_EN, WEEKDAYS_EN,  # noqa: E402
                    WEEKDAYS_ZH, WORDS_TO_MONTH_EN, WORDS_TO_WEEKDAY_EN, WORDS_TO_WEEKDAY_ZH,
                    ZH_DIGITS, ZH_NUM, ZH_SCALES, number_to_words, number_to_words_en,
                    number_to_words_zh, ordinal_suffix_en, weekday_to_words, words_to_number_en,
                    words_to_number_zh)

__all__ = [
    "LANGS", "CJK", "CJK_RANGES", "cjk_only", "detect_lang", "has_cjk", "is_cjk", "to_simplified",
    "fuzzy_pinyin", "latin_sound", "pinyin", "pinyin_similarity", "pinyin_syllables", "sound_key",
    "spoken_form", "syllable_similarity",
    "EN_ORDINALS", "EN_SCALES", "EN_TENS", "EN_UNITS", "MONTHS_EN", "WEEKDAYS_EN", "WEEKDAYS_ZH",
    "WORDS_TO_MONTH_EN", "WORDS_TO_WEEKDAY_EN", "WORDS_TO_WEEKDAY_ZH", "ZH_DIGITS", "ZH_NUM",
    "ZH_SCALES", "number_to_words", "number_to_words_en", "number_to_words_zh", "ordinal_suffix_en",
    "weekday_to_words", "words_to_number_en", "words_to_number_zh",
]
