"""Number words in both languages ("forty five", "二十五", "两百") to int/float.

Kept apart from the entity finders because the dialog layer and the entity
grammar both need them, and they are the fiddliest part to get right.
"""
from __future__ import annotations

import re

EN_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
           "seventy": 70, "eighty": 80, "ninety": 90}
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")


def _num(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def en_number(words: list[str], i: int) -> tuple[int | float, int] | None:
    """The number starting at words[i] and the index after it, or None.

    "oh" only counts inside a number ("seven oh five"), never alone.
    """
    n = len(words)
    if i >= n:
        return None
    if _DIGITS.match(words[i]):
        return _num(words[i]), i + 1
    total, current, j, seen = 0, 0, i, False
    last_kind = ""
    while j < n:
        w = words[j]
        if w in EN_UNITS and w != "oh" and last_kind not in ("unit", "teen"):
            v = EN_UNITS[w]
            current += v
            last_kind = "teen" if v >= 10 else "unit"
        elif w in EN_TENS and last_kind in ("", "scale"):
            current += EN_TENS[w]
            last_kind = "tens"
        elif w in EN_SCALES and (seen or w == "hundred"):
            scale = EN_SCALES[w]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
            last_kind = "scale"
        elif w == "and" and last_kind == "scale" and j + 1 < n and (words[j + 1] in EN_UNITS or words[j + 1] in EN_TENS):
            j += 1
            continue
        elif w == "a" and not seen and j + 1 < n and words[j + 1] in ("hundred", "thousand"):
            current = 1
            last_kind = "unit"
        else:
            break
        seen = True
        j += 1
    if not seen:
        return None
    value: int | float = total + current
    if j + 1 < n and words[j] == "point" and (words[j + 1] in EN_UNITS or words[j + 1].isdigit()):
        frac, k = "", j + 1
        while k < n and (words[k] in EN_UNITS and EN_UNITS[words[k]] < 10 or words[k].isdigit()):
            frac += str(EN_UNITS.get(words[k], words[k]))
            k += 1
        value, j = _num(f"{value}.{frac}"), k
    return value, j


ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
ZH_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
ZH_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千万]+)"


def zh_number(text: str) -> int | float | None:
    """Value of a Chinese numeral ("二十五", "两百零五", "十") or digits; None if not a number."""
    if not text:
        return None
    if _DIGITS.match(text):
        return _num(text)
    if any(ch not in ZH_DIGITS and ch not in ZH_SCALES for ch in text):
        return None
    if all(ch in ZH_DIGITS for ch in text) and len(text) > 1:   # digit by digit: 一二三
        return int("".join(str(ZH_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        else:
            scale = ZH_SCALES[ch]
            if scale == 10000:
                total = (total + section + (digit or 0)) * scale
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * scale
                digit = None
    return total + section + (digit or 0)
