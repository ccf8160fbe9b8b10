"""Whisper often writes Mandarin in traditional characters; the rest of the product reads simplified."""
from __future__ import annotations

import zhconv


def to_simplified(text: str) -> str:
    return zhconv.convert(text, "zh-cn")
