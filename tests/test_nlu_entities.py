"""Entity parsers on the tricky cases users and recognisers produce, in both languages."""

import datetime as dt

import pytest

from assistant.nlu.entities import (
    parse_date,
    parse_day,
    parse_duration,
    parse_language,
    parse_level,
    parse_number,
    parse_time,
)
from assistant.lang import detect_lang
from assistant.lang import words_to_number_zh as zh_number
from assistant.nlu.normalize import normalize


@pytest.mark.parametrize(
    "text,lang,want",
    [
        ("five minutes", "en", 300),
        ("an hour and a half", "en", 5400),
        ("half an hour", "en", 1800),
        ("90 seconds", "en", 90),
        ("1 hour and 15 minutes", "en", 4500),
        ("two and a half minutes", "en", 150),
        ("a quarter of an hour", "en", 900),
        ("forty five minutes", "en", 2700),
        ("for 10 mins", "en", 600),
        ("五分钟", "zh", 300),
        ("一个半小时", "zh", 5400),
        ("半个小时", "zh", 1800),
        ("三十秒", "zh", 30),
        ("两分钟", "zh", 120),
        ("1分30秒", "zh", 90),
        ("三分半", "zh", 210),
        ("一刻钟", "zh", 900),
        ("两个小时二十分钟", "zh", 8400),
        ("五分鐘", "zh", 300),
        ("十 分 钟", "zh", 600),
    ],
)
def test_duration(text, lang, want):
    assert parse_duration(text, lang) == want


@pytest.mark.parametrize(
    "text,lang,want",
    [
        ("7 am", "en", "07:00"),
        ("7am", "en", "07:00"),
        ("half past six in the evening", "en", "18:30"),
        ("quarter to seven", "en", "06:45"),
        ("10:30 pm", "en", "22:30"),
        ("ten thirty p.m.", "en", "22:30"),
        ("noon", "en", "12:00"),
        ("midnight", "en", "00:00"),
        ("12 am", "en", "00:00"),
        ("at seven", "en", "07:00"),
        ("seven", "en", "07:00"),
        ("five o'clock", "en", "05:00"),
        ("twenty past nine at night", "en", "21:20"),
        ("下午三点半", "zh", "15:30"),
        ("明早七点", "zh", "07:00"),
        ("晚上十点", "zh", "22:00"),
        ("早上6:30", "zh", "06:30"),
        ("七点一刻", "zh", "07:15"),
        ("中午十二点", "zh", "12:00"),
        ("下午两点", "zh", "14:00"),
        ("凌晨三点", "zh", "03:00"),
        ("晚上八点四十五分", "zh", "20:45"),
        ("明晚九点", "zh", "21:00"),
        ("下午三點半", "zh", "15:30"),
    ],
)
def test_time(text, lang, want):
    assert parse_time(text, lang) == want


def test_time_absent_and_a_bit_is_not_one_oclock():
    assert parse_time("声音大一点", "zh") is None
    assert parse_time("turn it up", "en") is None


@pytest.mark.parametrize(
    "text,lang,want",
    [
        ("today", "en", 0),
        ("tomorrow", "en", 1),
        ("the day after tomorrow", "en", 2),
        ("tonight", "en", 0),
        ("tomorrow morning", "en", 1),
        ("今天", "zh", 0),
        ("明天", "zh", 1),
        ("后天", "zh", 2),
        ("大后天", "zh", 3),
        ("明早", "zh", 1),
        ("今晚", "zh", 0),
        ("後天", "zh", 2),
    ],
)
def test_day(text, lang, want):
    assert parse_day(text, lang) == want


def test_weekday_is_relative_to_today():
    monday = dt.date(2024, 1, 1)
    assert parse_day("friday", "en", today=monday) == 4
    assert parse_day("星期三", "zh", today=monday) == 2
    assert parse_day("monday", "en", today=monday) == 0
    assert parse_day("next monday", "en", today=monday) == 7


@pytest.mark.parametrize(
    "today,want_this,want_next",
    [(dt.date(2024, 1, 2), 4, 11), (dt.date(2024, 1, 6), 0, 7), (dt.date(2024, 1, 7), 0, 7)],
)
def test_the_weekend_is_its_saturday_or_today_once_it_has_begun(today, want_this, want_next):
    """Tuesday, Saturday, Sunday: "this weekend" is the coming Saturday, or today."""
    for text in ("this weekend", "over the weekend", "周末", "这个周末", "本周末"):
        assert parse_day(text, "auto", today=today) == want_this, text
    for text in ("next weekend", "下周末"):
        assert parse_day(text, "auto", today=today) == want_next, text


@pytest.mark.parametrize(
    "text,lang,want",
    [
        ("forty five", "en", 45),
        ("one hundred and five", "en", 105),
        ("3.5", "en", 3.5),
        ("twenty-one", "en", 21),
        ("two thousand twenty four", "en", 2024),
        ("一", "zh", 1),
        ("二十五", "zh", 25),
        ("两百", "zh", 200),
        ("十", "zh", 10),
        ("一百零五", "zh", 105),
        ("三千", "zh", 3000),
        ("12", "zh", 12),
    ],
)
def test_number(text, lang, want):
    assert parse_number(text, lang) == want


@pytest.mark.parametrize(
    "text,lang,want",
    [
        ("30 percent", "en", 30),
        ("30%", "en", 30),
        ("fifty percent", "en", 50),
        ("百分之三十", "zh", 30),
        ("百分之百", "zh", 100),
        ("60%", "zh", 60),
        ("40", "en", 40),
        ("七十", "zh", 70),
        ("150", "en", None),
    ],
)
def test_level(text, lang, want):
    assert parse_level(text, lang) == want


@pytest.mark.parametrize(
    "text,lang,want",
    [
        ("the twenty second of may", "en", "05-22"),
        ("april sixteenth", "en", "04-16"),
        ("may 22", "en", "05-22"),
        ("22nd may", "en", "05-22"),
        ("december the 5th", "en", "12-05"),
        ("五月二十号", "zh", "05-20"),
        ("12月25日", "zh", "12-25"),
        ("十月一号", "zh", "10-01"),
    ],
)
def test_date(text, lang, want):
    assert parse_date(text, lang) == want


def test_not_dates():
    assert parse_date("may i", "en") is None and parse_date("播放五月天", "zh") is None
    assert parse_duration("twenty second", "en") == 20


@pytest.mark.parametrize(
    "text,want",
    [
        ("chinese", "zh"),
        ("Mandarin", "zh"),
        ("english", "en"),
        ("英文", "en"),
        ("中文", "zh"),
        ("普通话", "zh"),
        ("英语", "en"),
    ],
)
def test_language(text, want):
    assert parse_language(text) == want


def test_zh_numerals_digit_by_digit():
    assert zh_number("一二三") == 123
    assert zh_number("零") == 0
    assert zh_number("abc") is None


def test_detect_lang_and_normalisation():
    assert detect_lang("播放 Taylor Swift 的歌") == "zh"
    assert detect_lang("turn on the TV") == "en"
    assert normalize("請 打 開 客 廳 的 燈 吧", "zh") == "打开客厅灯"
    assert normalize("ＡＢＣ１２３", "en") == "ABC 123"
    assert normalize("What's the time, please?", "en").lower() == "what is the time"
    assert normalize("um hey can you turn it up", "en") == "turn it up"
    assert normalize("嗯", "zh") == "嗯"  # only a filler: kept, not emptied


def test_parsers_never_raise_on_odd_input():
    for odd in ["", " ", "🙂", "\x00\x01", "%%%", "9" * 500, "百分之", "点点点", "at", "half past"]:
        for fn in (parse_duration, parse_time, parse_day, parse_number, parse_level):
            fn(odd, "en")
            fn(odd, "zh")
            fn(odd, "auto")
