"""Say numbers, times, durations, percentages and dates the way people do, in en and zh.

Replies are spoken by a TTS engine, so "15:05" must become "three oh five PM" or
"下午三点零五分" here rather than being left to the voice to guess.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..lang import (MONTHS_EN, number_to_words_en, number_to_words_zh, ordinal_suffix_en,
                    weekday_to_words)
from ..lang import number_to_words_en as en_number  # noqa: F401  moved to assistant/lang (old name kept)
from ..lang import number_to_words_zh as zh_number  # noqa: F401  moved to assistant/lang (old name kept)


def _zh_hour(h12: int) -> str:
    return "两" if h12 == 2 else number_to_words_zh(h12)


def say_time(hour: int, minute: int, lang: str) -> str:
    """A clock time as spoken: "three fifteen PM", "seven oh five AM" / "下午三点十五分"."""
    if lang == "zh":
        if hour < 5:
            period = "凌晨"
        elif hour < 8:
            period = "早上"
        elif hour < 12:
            period = "上午"
        elif hour < 13:
            period = "中午"
        elif hour < 18:
            period = "下午"
        else:
            period = "晚上"
        h12 = hour % 12 or 12
        if minute == 0:
            tail = ""
        elif minute == 30:
            tail = "半"
        elif minute < 10:
            tail = "零" + number_to_words_zh(minute) + "分"
        else:
            tail = number_to_words_zh(minute) + "分"
        return f"{period}{_zh_hour(h12)}点{tail}"
    if minute == 0 and hour == 0:
        return "midnight"
    if minute == 0 and hour == 12:
        return "twelve noon"
    h12 = hour % 12 or 12
    suffix = "AM" if hour < 12 else "PM"
    hour_words = number_to_words_en(h12)
    if minute == 0:
        return f"{hour_words} {suffix}"
    if minute < 10:
        return f"{hour_words} oh {number_to_words_en(minute)} {suffix}"
    return f"{hour_words} {number_to_words_en(minute)} {suffix}"


def say_hhmm(value: str, lang: str) -> str:
    hour, minute = (int(p) for p in value.split(":"))
    return say_time(hour, minute, lang)


def say_duration(seconds: int | float, lang: str) -> str:
    """A length of time: "4 minutes 10 seconds" / "4分10秒", "5 minutes" / "5分钟"."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if lang == "zh":
        parts = []
        if hours:
            parts.append(f"{hours}小时")
        if minutes:
            parts.append(f"{minutes}分" if secs else f"{minutes}分钟")
        if secs or not parts:
            parts.append(f"{secs}秒")
        return "".join(parts)
    parts = []
    for value, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")):
        if value:
            parts.append(f"{value} {unit}{'' if value == 1 else 's'}")
    if not parts:
        return "0 seconds"
    return " ".join(parts)


def name_duration(seconds: int, lang: str) -> str:
    """A duration used as a name: "5 minute" (timer) / "5分钟"."""
    if lang == "zh":
        return say_duration(seconds, lang)
    text = say_duration(seconds, lang)
    # "5 minutes" -> "5 minute", "1 hour 30 minutes" -> "1 hour 30 minute"
    return text[:-1] if text.endswith("s") else text


def say_percent(level: int | float, lang: str) -> str:
    level = int(round(level))
    if lang == "zh":
        return "百分之百" if level == 100 else "百分之" + number_to_words_zh(level)
    return f"{level} percent"


def say_date(day: dt.date, lang: str) -> str:
    """"Wednesday, November 25th" / "11月25日，星期三"."""
    weekday = weekday_to_words(day.weekday(), lang)
    if lang == "zh":
        return f"{day.month}月{day.day}日，{weekday}"
    return f"{weekday}, {MONTHS_EN[day.month - 1]} {ordinal_suffix_en(day.day)}"


def say_day(offset: int, lang: str, today: dt.date | None = None) -> str:
    """A day offset relative to today: "today", "tomorrow" / "今天", "明天", or the weekday."""
    names = {"en": {0: "today", 1: "tomorrow", 2: "the day after tomorrow", -1: "yesterday"},
             "zh": {0: "今天", 1: "明天", 2: "后天", -1: "昨天"}}
    if offset in names[lang]:
        return names[lang][offset]
    if today is not None:
        day = today + dt.timedelta(days=offset)
        weekday = weekday_to_words(day.weekday(), lang)
        return weekday if lang == "zh" else "on " + weekday
    return f"{offset}天后" if lang == "zh" else f"in {offset} days"


# A spoken enumeration stops here and counts the rest: nobody listens to 8,000 items read
# out (83 KB of speech), and the reply would hold the speaker for an hour.
READ_OUT_MAX = 10


def say_list(items: list[str], lang: str, limit: int | None = None) -> str:
    """Join items for speech: "milk, eggs and bread" / "牛奶、鸡蛋和面包".

    With `limit`, at most that many are named and the rest counted:
    "milk, eggs and 8337 more" / "牛奶、鸡蛋，还有8337个"."""
    items = [i for i in items if i]
    if limit is not None and len(items) > limit:
        more = len(items) - limit
        if lang == "zh":
            return "、".join(items[:limit]) + f"，还有{more}个"
        return ", ".join(items[:limit]) + f" and {more} more"
    if lang == "zh":
        if len(items) <= 1:
            return "".join(items)
        return "、".join(items[:-1]) + "和" + items[-1]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def say_degrees(value: float, lang: str) -> str:
    value = int(round(value))
    if lang == "zh":
        return f"零下{-value}度" if value < 0 else f"{value}度"
    return f"minus {-value} degrees" if value < 0 else f"{value} degree{'' if value == 1 else 's'}"


def say_number(value: Any, lang: str) -> str:
    """A count in words below a thousand ("twenty five" / "二十五"), digits above; booleans as
    "true"/"false" (an action's result may be one)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 1000:
        return number_to_words_zh(value) if lang == "zh" else number_to_words_en(value)
    return str(value)


# language code -> its name, per reply language
LANGUAGE_NAMES = {"en": {"en": "English", "zh": "Chinese"}, "zh": {"en": "英文", "zh": "中文"}}


def say_language(code: Any, lang: str) -> str:
    """ "en" -> "English" / "英文"; an unknown code as given."""
    return LANGUAGE_NAMES[lang].get(str(code), str(code))


def say_month_day(value: Any, lang: str) -> str:
    """ "MM-DD" (or "YYYY-MM-DD") as "May 5th" / "5月5日", without the weekday."""
    month, day = (int(p) for p in str(value).split("-")[-2:])
    if lang == "en":
        return say_date(dt.date(dt.date.today().year, month, day), lang).split(", ")[-1]
    return f"{month}月{day}日"
