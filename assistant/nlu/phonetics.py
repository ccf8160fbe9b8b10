"""How words sound: moved to assistant/lang/sounds.py.

The old names stay importable from here while other branches still use them.
"""
from __future__ import annotations

from ..lang.sounds import (fuzzy_pinyin, pinyin, pinyin_similarity,  # noqa: F401  moved to assistant/lang
                           sound_key, spoken_form, syllable_similarity)
