"""Clock, chat, system and the dialog's own rules (language, fallback, apologies)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from assistant.dialog import Dialog
from assistant.lang import number_to_words_zh as zh_number
from assistant.phrases.locale import say_date, say_duration, say_percent, say_time
from helpers_dialog import ZONE, Clock, m, settings_for


@pytest.mark.parametrize(
    "hour,minute,en,zh",
    [
        (15, 15, "three fifteen PM", "下午三点十五分"),
        (7, 5, "seven oh five AM", "早上七点零五分"),
        (7, 0, "seven AM", "早上七点"),
        (0, 0, "midnight", "凌晨十二点"),
        (12, 0, "twelve noon", "中午十二点"),
        (14, 30, "two thirty PM", "下午两点半"),
        (21, 42, "nine forty-two PM", "晚上九点四十二分"),
        (10, 20, "ten twenty AM", "上午十点二十分"),
    ],
)
def test_times_are_said_naturally(hour, minute, en, zh):
    assert say_time(hour, minute, "en") == en
    assert say_time(hour, minute, "zh") == zh


def test_durations_percent_dates():
    assert say_duration(250, "en") == "4 minutes 10 seconds"
    assert say_duration(250, "zh") == "4分10秒"
    assert say_duration(300, "zh") == "5分钟"
    assert say_duration(3660, "en") == "1 hour 1 minute"
    assert say_duration(1, "en") == "1 second"
    assert say_percent(30, "zh") == "百分之三十"
    assert say_percent(100, "zh") == "百分之百"
    assert say_percent(5, "en") == "5 percent"
    assert [zh_number(n) for n in (10, 11, 20, 99, 105, 110)] == [
        "十",
        "十一",
        "二十",
        "九十九",
        "一百零五",
        "一百一十",
    ]
    assert say_date(dt.date(2026, 3, 1), "en") == "Sunday, March 1st"
    assert say_date(dt.date(2026, 3, 22), "zh") == "3月22日，星期日"


def test_clock_uses_the_configured_zone(tmp_path):
    utc_noon = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.timezone.utc)
    d = Dialog(settings_for(tmp_path), engine=None, now=lambda: utc_noon.astimezone(ZONE))
    try:
        assert d.handle(m("clock.time", "en")).text == "It's eight PM."
        assert d.handle(m("clock.time", "zh")).text == "现在是晚上八点。"
        assert d.handle(m("clock.date", "en")).text == "Today is Wednesday, March 4th."
        assert d.handle(m("clock.date", "zh")).text == "今天是3月4日，星期三。"
    finally:
        d.close()
    # without an injected clock, the settings' time zone decides
    d = Dialog(settings_for(tmp_path), engine=None)
    try:
        assert d.now().utcoffset() == dt.timedelta(hours=8)
    finally:
        d.close()


def test_reply_language_follows_the_speaker(dialog):
    en = dialog.handle(m("chat.greeting", "en"))
    zh = dialog.handle(m("chat.greeting", "zh"))
    assert en.lang == "en" and en.text.startswith("Hello")
    assert zh.lang == "zh" and zh.text.startswith("你好")


def test_fallback_and_unknown_intent(dialog):
    assert dialog.handle(m(None, "en", "blah")).text == "Sorry, I didn't catch that."
    assert dialog.handle(m(None, "zh", "嗯")).text == "抱歉，我没听清。"
    assert dialog.handle(m("pizza.order", "en")).text == "Sorry, I can't do that yet."


def test_a_failing_skill_gives_an_apology_and_logs(dialog, caplog):
    def broken(intent, slots, lang):
        raise RuntimeError("boom")

    dialog.skills["chat"].handle = broken
    with caplog.at_level(logging.ERROR):
        reply = dialog.handle(m("chat.joke", "zh"))
    assert reply.text == "抱歉，出了点问题。" and reply.end_session
    assert "boom" in caplog.text
    # the loop goes on
    assert dialog.handle(m("clock.time", "en")).text == "It's three fifteen PM."


def test_jokes_rotate_and_never_repeat_back_to_back(dialog):
    jokes = [dialog.handle(m("chat.joke", "en")).text for _ in range(4)]
    assert all(a != b for a, b in zip(jokes, jokes[1:], strict=False))
    zh = dialog.handle(m("chat.joke", "zh"))
    assert zh.lang == "zh" and not any(c.isascii() and c.isalpha() for c in zh.text)


def test_repeat_help_identity_thanks(dialog):
    assert dialog.handle(m("system.repeat", "en")).text == "I haven't said anything yet."
    first = dialog.handle(m("clock.time", "zh"))
    again = dialog.handle(m("system.repeat", "en"))
    assert again.text == first.text and again.lang == "zh"
    assert "timer" in dialog.handle(m("system.help", "en")).text
    assert "计时器" in dialog.handle(m("system.help", "zh")).text
    assert dialog.handle(m("chat.thanks", "zh")).text == "不客气。"
    assert "assistant" in dialog.handle(m("chat.identity", "en")).text


def test_language_switch_is_persisted(tmp_path):
    d = Dialog(settings_for(tmp_path), engine=None, now=Clock())
    reply = d.handle(m("system.language", "en", language="zh"))
    assert reply.lang == "zh" and "中文" in reply.text
    assert d.handle(m("clock.time", "en")).lang == "zh"
    d.close()
    d = Dialog(settings_for(tmp_path), engine=None, now=Clock())
    try:
        assert d.handle(m("clock.time", "en")).text == "现在是下午三点十五分。"
        back = d.handle(m("system.language", "zh", language="en"))
        assert back.lang == "en" and "English" in back.text
    finally:
        d.close()


def test_stop_answers_and_never_raises_without_a_player(dialog):
    assert dialog.handle(m("system.stop", "zh")).text == "好的。"


def test_bad_time_zone_is_a_clear_error(tmp_path):
    from assistant.errors import ConfigError

    settings = settings_for(tmp_path)
    settings.timezone = "Mars/Olympus"
    with pytest.raises(ConfigError, match="time zone"):
        Dialog(settings, engine=None)


def test_state_dir_that_cannot_be_used_is_a_clear_error(tmp_path):
    from assistant.errors import AssistantError
    from assistant.store import Store

    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(AssistantError, match="cannot open the state database"):
        Store(blocker / "state" / "assistant.db")
