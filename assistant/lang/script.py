"""Which script a text is written in, and traditional -> simplified Chinese.

One character class for "Chinese" everywhere: the CJK unified ideographs, extension A and
the compatibility ideographs. (Before, the NLU and the wake-phrase matcher each had their
own range; they disagreed only on rare characters that no recogniser writes.)
"""
from __future__ import annotations

import re
from functools import lru_cache

CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_RANGES}]")


def is_cjk(ch: str) -> bool:
    """The (first) character is a Chinese character."""
    return bool(CJK.match(ch))


def has_cjk(text: str) -> bool:
    """Any Chinese character in the text."""
    return bool(CJK.search(text or ""))


def detect_lang(text: str) -> str:
    """"zh" when the text has any Chinese character, else "en".

    Recognisers put Latin names inside Chinese sentences ("播放 Taylor Swift 的歌"),
    never the reverse, so one Han character is enough evidence.
    """
    return "zh" if has_cjk(text) else "en"


def cjk_only(text: str) -> str:
    """The Chinese characters of a text, in order (Latin words, digits and punctuation dropped)."""
    return "".join(CJK.findall(text))


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional characters as simplified ("計時器" -> "计时器"); Whisper writes either.

    A text without Chinese characters is returned unchanged (zhconv would only turn its
    「」 into “”), which also keeps the conversion off English transcripts.
    """
    if not CJK.search(text):
        return text
    import zhconv  # a large table: loaded on the first Chinese text
    return str(zhconv.convert(text, "zh-cn"))
