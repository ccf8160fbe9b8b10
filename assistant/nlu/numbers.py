"""Number words: moved to assistant/lang/words.py (`words_to_number_en`, `words_to_number_zh`).

The old names stay importable from here while other branches still use them.
"""
from __future__ import annotations

from ..lang.words import (EN_SCALES, EN_TENS, EN_UNITS, ZH_DIGITS,  # noqa: F401  moved to assistant/lang
                          ZH_NUM, ZH_SCALES)
from ..lang.words import words_to_number_en as en_number  # noqa: F401  moved to assistant/lang
from ..lang.words import words_to_number_zh as zh_number  # noqa: F401  moved to assistant/lang
