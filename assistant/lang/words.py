"""Number, month and weekday words in English and Chinese, in both directions.

Each name says its direction: `number_to_words_en(23)` -> "twenty-three" (what a reply
says), `words_to_number_en(["twenty", "three"], 0)` -> (23, 2) (what a command meant).
The NLU, the JSGF grammar export, the dialog's spoken replies and the sample checker all
read the same tables here.
"""
from __future__ import annotations

import re

# ------------------------------------------------------------------------ number -> words
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ZH_DIGIT_CHARS = "零一二三四五六七八九"


def number_to_words_en(n: int) -> str:
    """A whole number as English words: "fifteen", "twenty-three", "one hundred five",
    "minus three", "twelve thousand four"; a billion or more stays in digits."""
    if n < 0:
        return "minus " + number_to_words_en(-n)
    if n >= 1_000_000_000:
        return str(n)
    if n >= 1_000_000:
        millions, rest = divmod(n, 1_000_000)
        return number_to_words_en(millions) + " million" + (
            " " + number_to_words_en(rest) if rest else "")
    if n >= 1000:
        thousands, rest = divmod(n, 1000)
        return number_to_words_en(thousands) + " thousand" + (
            " " + number_to_words_en(rest) if rest else "")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("-" + _ONES[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    return _ONES[hundreds] + " hundred" + (" " + number_to_words_en(rest) if rest else "")


def number_to_words_zh(n: int) -> str:
    """A whole number in Chinese characters: 十五, 二十三, 一百零五, 一千零五十, 两万三千, 负三;
    a hundred million or more stays in digits."""
    if n < 0:
        return "负" + number_to_words_zh(-n)
    if n >= 100_000_000:
        return str(n)
    if n >= 10_000:
        wan, rest = divmod(n, 10_000)
        head = ("两" if wan == 2 else _zh_under_10000(wan)) + "万"
        return head + _zh_tail(rest, 1000)
    if n >= 1000:
        return _zh_under_10000(n)
    if n < 10:
        return _ZH_DIGIT_CHARS[n]
    if n < 20:
        return "十" + (_ZH_DIGIT_CHARS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _ZH_DIGIT_CHARS[tens] + "十" + (_ZH_DIGIT_CHARS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return _ZH_DIGIT_CHARS[hundreds] + "百"
    return _ZH_DIGIT_CHARS[hundreds] + "百" + ("零" if rest < 10 else "") + (
        number_to_words_zh(rest) if rest >= 20 or rest < 10 else "一" + number_to_words_zh(rest))


def _zh_under_10000(n: int) -> str:
    if n < 1000:
        return number_to_words_zh(n)
    thousands, rest = divmod(n, 1000)
    return ("两" if thousands == 2 else _ZH_DIGIT_CHARS[thousands]) + "千" + _zh_tail(rest, 100)


def _zh_tail(rest: int, unit: int) -> str:
    """What follows a 千 or 万: nothing, 零 before a number that skips a place, or the rest."""
    if rest == 0:
        return ""
    if rest >= unit:
        return _zh_under_10000(rest)
    return "零" + ("一" + number_to_words_zh(rest) if 10 <= rest < 20 else number_to_words_zh(rest))


def number_to_words(n: int, lang: str) -> str:
    return number_to_words_zh(n) if lang == "zh" else number_to_words_en(n)


# ------------------------------------------------------------------------ words -> number
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


def words_to_number_en(words: list[str], i: int) -> tuple[int | float, int] | None:
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
        elif (w == "and" and last_kind == "scale" and j + 1 < n
              and (words[j + 1] in EN_UNITS or words[j + 1] in EN_TENS)):
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
ZH_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千万]+)"   # a numeral, as a regex


def words_to_number_zh(text: str) -> int | float | None:
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


# ------------------------------------------------------------------------ ordinals (en)
EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30}
"""Ordinal word -> number; "twenty second" is EN_TENS + an ordinal below ten."""


def ordinal_suffix_en(n: int) -> str:
    """25 -> "25th", 22 -> "22nd" (how a date's day is written for the voice)."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


# ------------------------------------------------------------------------ months
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
"""Month names by number - 1 (month -> words: MONTHS_EN[month - 1])."""

WORDS_TO_MONTH_EN = {m.lower(): i + 1 for i, m in enumerate(MONTHS_EN)}
WORDS_TO_MONTH_EN.update({m[:3]: n for m, n in list(WORDS_TO_MONTH_EN.items())} | {"sept": 9})
"""A month word as heard ("may", "sept", "dec") -> its number 1-12."""


# ------------------------------------------------------------------------ weekdays
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Weekday names by `date.weekday()` (Monday = 0)."""
WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")
"""The character after 星期 by `date.weekday()`."""

WORDS_TO_WEEKDAY_EN = {d.lower(): i for i, d in enumerate(WEEKDAYS_EN)}
"""A weekday word ("friday") -> `date.weekday()`."""
WORDS_TO_WEEKDAY_ZH = {c: i for i, c in enumerate(WEEKDAYS_ZH)} | {"天": 6}
"""The character after 星期 / 礼拜 / 周 (日 and 天 are both Sunday) -> `date.weekday()`."""


def weekday_to_words(weekday: int, lang: str) -> str:
    """`date.weekday()` as spoken: "Wednesday" / "星期三"."""
    return "星期" + WEEKDAYS_ZH[weekday] if lang == "zh" else WEEKDAYS_EN[weekday]
