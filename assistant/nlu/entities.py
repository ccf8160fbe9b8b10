"""Typed values found in text before matching: durations, times, days, levels, numbers,
languages, list items.

The finder replaces each span by an `Entity`, so "set a timer for five minutes" and
"set a timer for 90 seconds" both look like "set a timer for <duration>" to the matcher,
and slot values come out already normalised (seconds, "HH:MM", day offset, 0-100).
Templates' literal words go through the same finder, so both sides always agree.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..lang import (
    EN_ORDINALS,
    EN_TENS,
    EN_UNITS,
    LANGS,
    WORDS_TO_MONTH_EN,
    WORDS_TO_WEEKDAY_EN,
    WORDS_TO_WEEKDAY_ZH,
    ZH_NUM,
)
from ..lang import words_to_number_en as en_number
from ..lang import words_to_number_zh as zh_number
from .normalize import Token, normalize, tokenize
from .values import ValueIndex, word_key


@dataclass(frozen=True)
class Entity:
    """A recognised value standing for one or more words; `type` is a slot type or "list:NAME"."""

    type: str
    value: Any
    raw: str
    period: str = ""  # "am"/"pm" carried by a day word such as "明早" or "tomorrow morning"


Item = Token | Entity

# ---------------------------------------------------------------------------------------- English
_EN_DUR_UNITS = {
    "second": 1,
    "seconds": 1,
    "sec": 1,
    "secs": 1,
    "minute": 60,
    "minutes": 60,
    "min": 60,
    "mins": 60,
    "hour": 3600,
    "hours": 3600,
    "hr": 3600,
    "hrs": 3600,
}
_EN_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tomorrows": 1, "yesterday": -1}
_WEEKDAYS = list(WORDS_TO_WEEKDAY_EN)  # "monday" ... "sunday", by date.weekday()
_EN_PERIODS = {"morning": "am", "afternoon": "pm", "evening": "pm", "night": "pm", "tonight": "pm"}
LEVEL_WORDS = {
    "max": 100,
    "maximum": 100,
    "full": 100,
    "highest": 100,
    "brightest": 100,
    "loudest": 100,
    "minimum": 1,
    "min": 1,
    "lowest": 1,
    "dimmest": 1,
    "quietest": 1,
    "最亮": 100,
    "最大": 100,
    "最高": 100,
    "最强": 100,
    "最响": 100,
    "最暗": 1,
    "最低": 1,
    "最小": 1,
    "最弱": 1,
}
_LANGUAGES = {
    "english": "en",
    "chinese": "zh",
    "mandarin": "zh",
    "putonghua": "zh",
    "中文": "zh",
    "汉语": "zh",
    "普通话": "zh",
    "国语": "zh",
    "华语": "zh",
    "英文": "en",
    "英语": "en",
}


def _en_amount(w: list[str], i: int) -> tuple[float, int] | None:
    """A count before a unit: a number, "a"/"an", or "N and a half"."""
    if i < len(w) and w[i] in ("a", "an"):
        value, j = 1.0, i + 1
    else:
        got = en_number(w, i)
        if got is None:
            return None
        value, j = float(got[0]), got[1]
    if w[j : j + 3] == ["and", "a", "half"]:
        value, j = value + 0.5, j + 3
    return value, j


def _en_duration(w: list[str], i: int) -> tuple[int, int] | None:
    total, j, found = 0.0, i, False
    while j < len(w):
        k = j + 1 if (found and w[j] == "and") else j
        if (
            w[k : k + 2] in (["half", "an"], ["half", "a"])
            and k + 2 < len(w)
            and w[k + 2] in _EN_DUR_UNITS
        ):
            total += 0.5 * _EN_DUR_UNITS[w[k + 2]]
            j, found = k + 3, True
            continue
        if k < len(w) and w[k] == "half" and k + 1 < len(w) and w[k + 1] in _EN_DUR_UNITS:
            total += 0.5 * _EN_DUR_UNITS[w[k + 1]]
            j, found = k + 2, True
            continue
        q = k + 1 if (k < len(w) and w[k] == "a" and w[k + 1 : k + 2] == ["quarter"]) else k
        if q < len(w) and w[q] == "quarter":
            rest = w[q + 1 : q + 4]
            if rest[:3] == ["of", "an", "hour"]:
                total += 900
                j, found = q + 4, True
                continue
            if rest[:1] == ["hour"]:
                total += 900
                j, found = q + 2, True
                continue
        got = _en_amount(w, k)
        if got is None or got[1] >= len(w) or w[got[1]] not in _EN_DUR_UNITS:
            break
        value, u = got
        unit = _EN_DUR_UNITS[w[u]]
        u += 1
        if w[u : u + 3] == ["and", "a", "half"]:
            value += 0.5
            u += 3
        total += value * unit
        j, found = u, True
    return (int(round(total)), j) if found else None


_MONTHS = WORDS_TO_MONTH_EN
_ORD_UNITS = EN_ORDINALS


def _en_ordinal(w: list[str], i: int) -> tuple[int, int] | None:
    """1-31 from "twenty second", "22nd" (split as "22 nd"), "fifth"."""
    if i >= len(w):
        return None
    if w[i].isdigit() and w[i + 1 : i + 2] and w[i + 1] in ("st", "nd", "rd", "th"):
        return int(w[i]), i + 2
    if (
        w[i] in ("twenty", "thirty")
        and i + 1 < len(w)
        and w[i + 1] in _ORD_UNITS
        and _ORD_UNITS[w[i + 1]] < 10
    ):
        return EN_TENS[w[i]] + _ORD_UNITS[w[i + 1]], i + 2
    if w[i] in _ORD_UNITS:
        return _ORD_UNITS[w[i]], i + 1
    return None


def _en_date(w: list[str], i: int) -> tuple[str, int] | None:
    """ "MM-DD" for "the twenty second of may", "april sixteenth", "may 22", "22 may"."""
    j = i + 1 if i < len(w) and w[i] == "the" else i
    got = _en_ordinal(w, j) or (_small(w, j) if j < len(w) and w[j].isdigit() else None)
    if got:
        k = got[1] + (1 if w[got[1] : got[1] + 1] == ["of"] else 0)
        if k < len(w) and w[k] in _MONTHS and 1 <= got[0] <= 31:
            return f"{_MONTHS[w[k]]:02d}-{got[0]:02d}", k + 1
        return None
    if (
        i < len(w)
        and w[i] in _MONTHS
        and w[i] != "may"
        or w[i : i + 1] == ["may"]
        and i + 1 < len(w)
        and (
            w[i + 1] in _ORD_UNITS or w[i + 1].isdigit() or w[i + 1] in ("twenty", "thirty", "the")
        )
    ):
        k = i + 1 + (1 if w[i + 1 : i + 2] == ["the"] else 0)
        day = _en_ordinal(w, k) or (_small(w, k) if k < len(w) and w[k].isdigit() else None)
        if day and 1 <= day[0] <= 31:
            return f"{_MONTHS[w[i]]:02d}-{day[0]:02d}", day[1]
    return None


def _hhmm(h: int, m: int, period: str = "") -> str | None:
    if period == "am" and h == 12:
        h = 0
    elif period == "pm" and h < 12:
        h += 12
    if not (0 <= h <= 24 and 0 <= m < 60):
        return None
    return f"{h % 24:02d}:{m:02d}"


def _en_period(w: list[str], j: int) -> tuple[str, int]:
    """ "am"/"pm" from what follows a time ("pm", "in the evening", "at night", "tonight")."""
    if j < len(w) and w[j] in ("am", "pm"):
        return w[j], j + 1
    if w[j : j + 2] == ["in", "the"] and j + 2 < len(w) and w[j + 2] in _EN_PERIODS:
        return _EN_PERIODS[w[j + 2]], j + 3
    if w[j : j + 2] == ["at", "night"]:
        return "pm", j + 2
    if w[j : j + 2] in (["this", "morning"], ["this", "afternoon"], ["this", "evening"]):
        return _EN_PERIODS[w[j + 1]], j + 2
    if j < len(w) and w[j] == "tonight":
        return "pm", j + 1
    return "", j


def _small(w: list[str], i: int) -> tuple[int, int] | None:
    got = en_number(w, i)
    if got is None or not float(got[0]).is_integer():
        return None
    return int(got[0]), got[1]


def _en_time(w: list[str], i: int) -> tuple[str, int, bool] | None:
    """(HH:MM, end, explicit) for a time starting at w[i]; explicit = had am/pm/o'clock/colon."""
    if i >= len(w):
        return None
    if w[i] in ("noon", "midday"):
        return "12:00", i + 1, True
    if w[i] == "midnight":
        return "00:00", i + 1, True
    clock = re.match(r"^(\d{1,2}):(\d{2})$", w[i])
    if clock:
        period, j = _en_period(w, i + 1)
        value = _hhmm(int(clock.group(1)), int(clock.group(2)), period)
        return (value, j, True) if value else None
    # half past six, quarter to seven, ten past five, twenty minutes to eight
    minutes: int | None = None
    j = i
    if w[i] == "half" and w[i + 1 : i + 2] == ["past"]:
        minutes, j = 30, i + 1
    elif w[i] == "quarter" or w[i : i + 2] == ["a", "quarter"]:
        minutes, j = 15, i + (2 if w[i] == "a" else 1)
    else:
        got = _small(w, i)
        if got and got[1] < len(w) and w[got[1]] in ("past", "after", "to", "minutes", "minute"):
            minutes, j = got
            if w[j] in ("minutes", "minute"):
                j += 1
    if minutes is not None and j < len(w) and w[j] in ("past", "after", "to"):
        hour = _small(w, j + 1)
        if hour and 0 < hour[0] <= 12:
            h, m = (hour[0], minutes) if w[j] != "to" else ((hour[0] - 1) or 12, 60 - minutes)
            period, end = _en_period(w, hour[1])
            value = _hhmm(h, m, period)
            return (value, end, True) if value else None
        return None
    got = _small(w, i)
    if got is None:
        return None
    h, j = got
    m, explicit = 0, False
    if j < len(w) and w[j] == "oclock":
        j, explicit = j + 1, True
    else:
        mins = _small(w, j)
        if mins and 0 <= mins[0] < 60 and (mins[0] >= 10 or w[j] == "oh"):
            m, j = mins[0], mins[1]
        elif w[j : j + 2] and w[j] == "oh" and (after_oh := _small(w, j + 1)):
            m, j = after_oh
    period, end = _en_period(w, j)
    explicit = explicit or bool(period)
    if not explicit and not (i > 0 and w[i - 1] in ("at", "until", "till", "by")):
        return None
    if h > 24:
        return None
    value = _hhmm(h, m, period)
    return (value, end, explicit) if value else None


def _en_day(w: list[str], i: int, today: _dt.date | None) -> tuple[int, str, int] | None:
    if i >= len(w):
        return None
    j, offset = i, None
    if w[i] in _EN_DAYS:
        offset, j = _EN_DAYS[w[i]], i + 1
        period = "pm" if w[i] == "tonight" else ""
    elif w[i : i + 3] == ["day", "after", "tomorrow"]:
        offset, j, period = 2, i + 3, ""
    elif (
        w[i : i + 2] == ["this", "morning"]
        or w[i : i + 2] == ["this", "evening"]
        or w[i : i + 2] == ["this", "afternoon"]
    ):
        return 0, _EN_PERIODS[w[i + 1]], i + 2
    else:
        k = i + 1 if w[i] in ("next", "this", "on", "the") and i + 1 < len(w) else i
        day = w[k].rstrip("s") if w[k].endswith(("days", "weekends")) else w[k]
        base = today or _dt.date.today()
        if day == "weekend":
            offset = weekend_offset(base, w[i] == "next")
        elif day in _WEEKDAYS and w[i] != "the":
            offset = (_WEEKDAYS.index(day) - base.weekday()) % 7
            if w[i] == "next" and offset == 0:
                offset = 7
        else:
            return None
        j, period = k + 1, ""
    if j < len(w) and w[j] in ("morning", "afternoon", "evening", "night"):
        period, j = _EN_PERIODS[w[j]], j + 1
    return offset, period, j


def weekend_offset(base: _dt.date, next_one: bool = False) -> int:
    """Days from `base` to the weekend ("this weekend", "周末"): its Saturday, or today when the
    weekend is already here; "next weekend" / "下周末" is the one after."""
    offset = 0 if base.weekday() >= 5 else 5 - base.weekday()
    return offset + 7 if next_one else offset


def _en_level(w: list[str], i: int) -> tuple[int, int] | None:
    got = en_number(w, i)
    if got and got[1] < len(w) and w[got[1]] in ("percent", "per", "pc"):
        j = got[1] + (2 if w[got[1]] == "per" and w[got[1] + 1 : got[1] + 2] == ["cent"] else 1)
        return max(0, min(100, int(round(got[0])))), j
    return None


# ---------------------------------------------------------------------------------------- Chinese
_ZP = {
    "凌晨": "am",
    "早上": "am",
    "早晨": "am",
    "上午": "am",
    "清晨": "am",
    "早": "am",
    "中午": "noon",
    "下午": "pm",
    "傍晚": "pm",
    "晚上": "pm",
    "夜里": "pm",
    "夜晚": "pm",
    "晚": "pm",
    "半夜": "night",
}
_ZH_DAY = {
    "大后天": 3,
    "后天": 2,
    "明天": 1,
    "明日": 1,
    "今天": 0,
    "今日": 0,
    "昨天": -1,
    "明早": 1,
    "明晚": 1,
    "今晚": 0,
    "今早": 0,
    "今夜": 0,
    "明儿": 1,
}
_ZH_DAY_PERIOD = {"明早": "am", "明晚": "pm", "今晚": "pm", "今早": "am", "今夜": "pm"}
_ZH_WEEK = WORDS_TO_WEEKDAY_ZH
_N = ZH_NUM
_ZH_PERIOD_RE = "|".join(sorted(_ZP, key=len, reverse=True))
_ZH_RE = re.compile(
    rf"(?P<date>(?P<mon>{ZH_NUM})月(?P<mday>{ZH_NUM})[号日])"
    rf"|(?P<week>(?:下个?|这个?|本)?(?:(?:星期|礼拜|周)[一二三四五六日天末]|礼拜天))"
    rf"|(?P<day>{'|'.join(sorted(_ZH_DAY, key=len, reverse=True))})(?P<dayp>{_ZH_PERIOD_RE})?"
    rf"|(?P<time>(?P<tp>{_ZH_PERIOD_RE})?(?P<th>{_N})(?:点|:|：|点钟)(?P<tm>一刻|三刻|半|整|{_N}分?)?钟?"
    rf"|(?P<tp2>{_ZH_PERIOD_RE})(?P<th2>\d{{1,2}}):(?P<tm2>\d{{2}}))"
    rf"|(?P<dur>(?:(?:{_N})个?半?(?:小时|钟头|个钟)|半个?(?:小时|钟头))(?:{_N}分钟?)?(?:{_N}秒钟?)?"
    rf"|(?:{_N})(?:分钟|分(?=半|{_N}秒))半?(?:钟)?(?:{_N}秒钟?)?|半分钟|(?:{_N})刻钟|(?:{_N})秒钟?)"
    rf"|(?P<level>百分之(?P<lv>{_N})|(?P<lv2>{_N}) ?percent"
    rf"|(?P<lvw>最亮|最大|最高|最强|最响|最暗|最低|最小|最弱))"
    rf"|(?P<num>{_N})"
)
_CLASSIFIERS = set("个首杯只张份次遍些下点会起样直共定切般边件位段集部本项条")


def _zh_duration(s: str) -> int:
    total = 0.0
    m = re.match(rf"(?:({_N})个?(半)?|(半)个?)(?:小时|钟头|个钟)", s)
    if m:
        hours = (zh_number(m.group(1)) or 0) if m.group(1) else 0
        total += 3600 * (hours + (0.5 if m.group(2) or m.group(3) else 0))
        s = s[m.end() :]
    m = re.match(rf"({_N})刻钟", s)
    if m:
        total += 900 * (zh_number(m.group(1)) or 0)
        s = s[m.end() :]
    if s.startswith("半分钟"):
        return int(total + 30)
    m = re.match(rf"({_N})(?:分钟|分)(半)?(?:钟)?", s)
    if m:
        total += 60 * (zh_number(m.group(1)) or 0) + (30 if m.group(2) else 0)
        s = s[m.end() :]
    m = re.match(rf"({_N})秒", s)
    if m:
        total += zh_number(m.group(1)) or 0
    return int(round(total))


def _zh_time(h: int | float | None, minute: str | None, period: str) -> str | None:
    if h is None or not float(h).is_integer():
        return None
    h = int(h)
    m: int | float = 0
    if minute:
        if minute == "半":
            m = 30
        elif minute == "一刻":
            m = 15
        elif minute == "三刻":
            m = 45
        elif minute != "整":
            m = zh_number(minute.rstrip("分")) or 0
    if period == "noon":
        period = "pm" if h < 11 else ""
    elif period == "night":
        period = "pm" if h >= 9 else "am"
        if h == 12:
            h, period = 0, ""
    return _hhmm(h, int(m), period)


# ---------------------------------------------------------------------------------------- finder
def find(
    tokens: list[Token],
    lang: str,
    lists: ValueIndex | None = None,
    today: _dt.date | None = None,
    placeholders: Iterable[str] = (),
) -> list[Item]:
    """Replace every entity span of a tokenised text by an Entity."""
    items = _find_zh(tokens, lists, today) if lang == "zh" else _find_en(tokens, lists, today)
    return _apply_periods(items)


_EN_TRIGGERS = (
    set(EN_UNITS)
    | set(EN_TENS)
    | set(_MONTHS)
    | set(_ORD_UNITS)
    | set(_EN_DUR_UNITS)
    | set(_EN_DAYS)
    | set(_WEEKDAYS)
    | set(LEVEL_WORDS)
    | set(_LANGUAGES)
    | {w + "s" for w in _WEEKDAYS}
    | {"noon", "midday", "midnight", "percent", "day", "weekend", "weekends"}
)


def _find_en(tokens: list[Token], lists: ValueIndex | None, today: _dt.date | None) -> list[Item]:
    w = [t.text for t in tokens]
    firsts = lists.firsts if lists is not None else frozenset()
    if not any(
        x in _EN_TRIGGERS or x in firsts or word_key(x) in firsts or x[:1].isdigit() for x in w
    ):
        return list(tokens)  # nothing here can start an entity: skip the finders
    out: list[Item] = []
    i = 0

    def raw(a: int, b: int) -> str:
        return " ".join(t.raw for t in tokens[a:b])

    while i < len(w):
        word = w[i]
        got_date = (
            _en_date(w, i)
            if (
                word in _MONTHS
                or word in _ORD_UNITS
                or word in ("the", "twenty", "thirty")
                or word[0].isdigit()
            )
            else None
        )
        if got_date:
            out.append(Entity("date", got_date[0], raw(i, got_date[1])))
            i = got_date[1]
            continue
        got_d = (
            _en_duration(w, i)
            if (
                word[0].isdigit()
                or word in EN_UNITS
                or word in EN_TENS
                or word in ("a", "an", "half", "quarter")
            )
            else None
        )
        if got_d:
            out.append(Entity("duration", got_d[0], raw(i, got_d[1])))
            i = got_d[1]
            continue
        got_l = _en_level(w, i)
        if got_l:
            out.append(Entity("level", got_l[0], raw(i, got_l[1])))
            i = got_l[1]
            continue
        got_t = _en_time(w, i)
        if got_t:
            out.append(Entity("time", got_t[0], raw(i, got_t[1]), "explicit" if got_t[2] else ""))
            i = got_t[1]
            continue
        got_day = _en_day(w, i, today)
        if got_day:
            out.append(Entity("day", got_day[0], raw(i, got_day[2]), got_day[1]))
            i = got_day[2]
            continue
        if word in LEVEL_WORDS:
            out.append(Entity("level", LEVEL_WORDS[word], tokens[i].raw))
            i += 1
            continue
        if word in _LANGUAGES:
            out.append(Entity("language", _LANGUAGES[word], tokens[i].raw))
            i += 1
            continue
        hit = lists.match(w, i, "en") if lists else None
        if hit:
            out.append(Entity("list:" + hit[0], hit[1], raw(i, hit[2])))
            i = hit[2]
            continue
        got_n = en_number(w, i)
        if got_n and w[i] != "a":
            out.append(Entity("number", got_n[0], raw(i, got_n[1])))
            i = got_n[1]
            continue
        out.append(tokens[i])
        i += 1
    return out


def _find_zh(tokens: list[Token], lists: ValueIndex | None, today: _dt.date | None) -> list[Item]:
    # Work on the joined string for the regular expressions, mapping back to tokens by offsets.
    text = ""
    starts: list[int] = []
    for t in tokens:
        if (
            text
            and t.text[0].isascii()
            and t.text[0].isalnum()
            and text[-1].isascii()
            and text[-1].isalnum()
        ):
            text += " "
        starts.append(len(text))
        text += t.text
    out: list[Item] = []
    index = 0

    def emit_tokens(upto: int) -> None:
        nonlocal index
        while index < len(tokens) and starts[index] < upto:
            out.append(tokens[index])
            index += 1

    def skip_tokens(upto: int) -> str:
        nonlocal index
        raw = ""
        while index < len(tokens) and starts[index] < upto:
            raw += tokens[index].raw
            index += 1
        return raw

    words = [t.text for t in tokens]
    k = 0
    while k < len(tokens):
        s = starts[k]
        hit = lists.match(words, k, "zh") if lists else None
        if hit:
            emit_tokens(s)
            out.append(
                Entity(
                    "list:" + hit[0],
                    hit[1],
                    skip_tokens(starts[hit[2]] if hit[2] < len(tokens) else len(text) + 1),
                )
            )
            k = hit[2]
            continue
        if words[k] in _LANGUAGES:
            emit_tokens(s)
            out.append(Entity("language", _LANGUAGES[words[k]], skip_tokens(s + 1)))
            k += 1
            continue
        two = "".join(words[k : k + 2]) if k + 1 < len(tokens) else ""
        three = "".join(words[k : k + 3])
        if two in _LANGUAGES or three in _LANGUAGES:
            size = 2 if two in _LANGUAGES else 3
            emit_tokens(s)
            out.append(
                Entity(
                    "language",
                    _LANGUAGES["".join(words[k : k + size])],
                    skip_tokens(starts[k + size] if k + size < len(tokens) else len(text) + 1),
                )
            )
            k += size
            continue
        m = _ZH_RE.match(text, s)
        ent = _zh_entity(m, text, today) if m else None
        if m is None or ent is None:
            k += 1
            continue
        end = m.end()
        # do not cut a Latin word or digits in half
        emit_tokens(s)
        out.append(Entity(ent[0], ent[1], skip_tokens(end), ent[2]))
        while k < len(tokens) and starts[k] < end:
            k += 1
    emit_tokens(len(text) + 1)
    return out


def _zh_entity(m: re.Match, text: str, today: _dt.date | None) -> tuple[str, Any, str] | None:
    g = m.groupdict()
    if g["date"]:
        mon, mday = zh_number(g["mon"]), zh_number(g["mday"])
        if mon and mday and 1 <= mon <= 12 and 1 <= mday <= 31:
            return "date", f"{int(mon):02d}-{int(mday):02d}", ""
        return None
    if g["week"]:
        base = today or _dt.date.today()
        if g["week"].endswith("末"):  # 周末, 这个周末, 下周末
            return "day", weekend_offset(base, g["week"].startswith("下")), ""
        target = _ZH_WEEK[g["week"][-1]]
        offset = (target - base.weekday()) % 7
        if g["week"].startswith("下"):
            offset = offset + 7 if offset == 0 or "个" in g["week"] else offset
        return "day", offset, ""
    if g["day"]:
        period = _ZH_DAY_PERIOD.get(g["day"], "") or _ZP.get(g["dayp"] or "", "")
        if m.group("dayp") and _ZP.get(g["dayp"]) in ("noon", "night"):
            period = _ZP[g["dayp"]]
        return "day", _ZH_DAY[g["day"]], period
    if g["time"]:
        if g["th2"] is not None:
            value = _zh_time(int(g["th2"]), g["tm2"], _ZP[g["tp2"]])
            return ("time", value, "explicit") if value else None
        hour = g["th"]
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end() : m.end() + 1]
        if (
            not g["tp"]
            and not g["tm"]
            and (hour in ("一", "两", "几") or before in "大小高低亮暗快慢响轻多少强弱声")
            and (
                hour == "一"
                or after not in ("钟", "整", "")
                or before in "大小高低亮暗快慢响轻多少强弱声"
            )
        ):
            return None
        value = _zh_time(zh_number(hour), g["tm"], _ZP.get(g["tp"] or "", ""))
        return ("time", value, "explicit" if g["tp"] else "") if value else None
    if g["dur"]:
        seconds = _zh_duration(g["dur"])
        return ("duration", seconds, "") if seconds > 0 else None
    if g["level"]:
        if g["lvw"]:
            return "level", LEVEL_WORDS[g["lvw"]], ""
        level = zh_number(g["lv"] or g["lv2"])
        return ("level", max(0, min(100, int(round(level)))), "") if level is not None else None
    if g["num"]:
        num = g["num"]
        after = text[m.end() : m.end() + 1]
        if len(num) == 1 and not num.isdigit() and (after in _CLASSIFIERS or num == "一"):
            return None
        if num in ("万", "千", "百"):
            return None
        number = zh_number(num)
        return ("number", number, "") if number is not None else None
    return None


def _apply_periods(items: list[Item]) -> list[Item]:
    """A day word's period ("明早", "tomorrow morning") fixes a following bare hour
    ("七点" -> 07:00)."""
    period = next(
        (it.period for it in items if isinstance(it, Entity) and it.type == "day" and it.period), ""
    )
    if not period:
        return items
    out: list[Item] = []
    for it in items:
        if isinstance(it, Entity) and it.type == "time" and it.period != "explicit":
            h, m = map(int, it.value.split(":"))
            value = _zh_time(h, str(m) if m else None, period) if h <= 12 else it.value
            if value:
                it = Entity("time", value, it.raw, "explicit")
        out.append(it)
    return out


# ---------------------------------------------------------------------------------------- public
def _first(
    text: str, lang: str, types: tuple[str, ...], today: _dt.date | None = None
) -> Entity | None:
    if not isinstance(text, str):
        return None
    if lang not in LANGS:
        from ..lang import detect_lang

        lang = detect_lang(text)
    items = find(tokenize(normalize(text, lang), lang), lang, today=today)
    for t in types:
        for it in items:
            if isinstance(it, Entity) and it.type == t:
                return it
    return None


def parse_duration(text: str, lang: str = "auto") -> int | None:
    """Seconds in "five minutes", "an hour and a half", "一个半小时", "90 seconds"; None if
    absent."""
    ent = _first(text, lang, ("duration",))
    return ent.value if ent else None


def parse_time(text: str, lang: str = "auto") -> str | None:
    """ "HH:MM" (24 h) in "7 am", "half past six in the evening", "下午三点半"; a bare hour
    counts."""
    ent = _first(text, lang, ("time",))
    if ent:
        return ent.value
    if isinstance(text, str):
        items = find(tokenize(normalize(text, lang if lang in LANGS else "en"), lang), lang)
        nums = [it for it in items if isinstance(it, Entity) and it.type == "number"]
        if len(nums) == 1 and float(nums[0].value).is_integer() and 0 <= nums[0].value <= 24:
            return f"{int(nums[0].value) % 24:02d}:00"
    return None


def parse_day(text: str, lang: str = "auto", today: _dt.date | None = None) -> int | None:
    """Day offset from today: "today" 0, "tomorrow" 1, "后天" 2, a weekday its next occurrence."""
    ent = _first(text, lang, ("day",), today)
    return ent.value if ent else None


def parse_date(text: str, lang: str = "auto") -> str | None:
    """ "MM-DD" in "the twenty second of may", "april 16th", "五月二十号"; None if absent."""
    ent = _first(text, lang, ("date",))
    return ent.value if ent else None


def parse_number(text: str, lang: str = "auto") -> int | float | None:
    """ "forty five" -> 45, "二十五" -> 25, "3.5" -> 3.5; None if there is no number."""
    ent = _first(text, lang, ("number", "level"))
    if ent is None and isinstance(text, str):  # a lone "一" or "两" answers "how many?"
        return zh_number(normalize(text, "zh").strip())
    return ent.value if ent else None


def parse_level(text: str, lang: str = "auto") -> int | None:
    """0-100 from "30 percent", "百分之三十" or a bare number in range; None otherwise."""
    ent = _first(text, lang, ("level", "number"))
    if ent is None or not (0 <= ent.value <= 100):
        return None
    return int(round(ent.value))


def parse_language(text: str, lang: str = "auto") -> str | None:
    """ "en" / "zh" for a language name in either language."""
    ent = _first(text, lang, ("language",))
    return ent.value if ent else None
