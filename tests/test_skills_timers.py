"""Timers and alarms: several at once, status, cancel, firing, and surviving a restart."""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from assistant.dialog import Dialog
from helpers_dialog import Clock, m, settings_for


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def dialog(tmp_path, clock):
    d = Dialog(settings_for(tmp_path), engine=None, now=clock)
    yield d
    d.close()


def test_timer_start_status_and_fire(dialog, clock):
    assert dialog.handle(m("timer.start", "en", duration=300)).text == "Okay, 5 minute timer, starting now."
    clock.advance(50)
    assert dialog.handle(m("timer.status", "en")).text == "4 minutes 10 seconds left."
    assert dialog.handle(m("timer.status", "zh")).text == "还剩4分10秒。"
    assert dialog.tick() == []
    clock.advance(250)
    fired = dialog.tick()
    assert [r.text for r in fired] == ["Your 5 minute timer is done."]
    assert dialog.tick() == []  # fires once
    assert dialog.handle(m("timer.status", "en")).text == "You don't have any timers."


def test_several_timers_named_by_duration(dialog, clock):
    dialog.handle(m("timer.start", "zh", duration=300))
    dialog.handle(m("timer.start", "zh", duration=600))
    clock.advance(60)
    status = dialog.handle(m("timer.status", "zh")).text
    assert status == "5分钟计时器还剩4分钟和10分钟计时器还剩9分钟。"
    assert dialog.handle(m("timer.cancel", "zh", duration=600)).text == "好的，10分钟计时器取消了。"
    clock.advance(240)
    assert [r.text for r in dialog.tick()] == ["5分钟计时器时间到了。"]


def test_cancel_all_timers(dialog):
    for seconds in (60, 120, 180):
        dialog.handle(m("timer.start", "en", duration=seconds))
    assert dialog.handle(m("timer.cancel", "en")).text == "Okay, I cancelled all 3 timers."
    assert dialog.handle(m("timer.cancel", "en")).text == "You don't have any timers."


def test_timer_too_long(dialog):
    assert "24 hours" in dialog.handle(m("timer.start", "en", duration=90000)).text


def test_alarm_set_fire_and_cancel(dialog, clock):
    # it is 15:15; 07:00 without a day means tomorrow morning
    assert dialog.handle(m("alarm.set", "en", time="07:00")).text == "Okay, alarm set for seven AM tomorrow."
    assert dialog.handle(m("alarm.set", "zh", time="18:30", day=0)).text == "好的，闹钟定在今天晚上六点半。"
    assert dialog.handle(m("alarm.set", "en", time="09:00", day=0)).text == "That time has already passed."
    clock.advance(3 * 3600 + 15 * 60)
    assert [r.text for r in dialog.tick()] == ["晚上六点半了，闹钟响了。"]
    assert dialog.handle(m("alarm.cancel", "en")).text == "Okay, I cancelled your alarm for seven AM tomorrow."
    assert dialog.handle(m("alarm.cancel", "zh")).text == "你现在没有闹钟。"


def test_restart_keeps_end_time_and_announces_missed(tmp_path, clock):
    d = Dialog(settings_for(tmp_path), engine=None, now=clock)
    d.handle(m("timer.start", "en", duration=60))
    d.handle(m("timer.start", "zh", duration=600))
    d.handle(m("alarm.set", "en", time="15:20"))
    d.close()
    clock.advance(120)  # down for two minutes: the 1 minute timer ended meanwhile
    heard = []
    d = Dialog(settings_for(tmp_path), engine=None, now=clock)
    try:
        d.start(heard.append)
        assert [r.text for r in heard] == ["While I was off, your 1 minute timer finished."]
        assert d.handle(m("timer.status", "zh")).text == "还剩8分钟。"
        clock.advance(180)
        d.tick()
        assert heard[-1].text == "It's three twenty PM. This is your alarm."
    finally:
        d.close()


def test_scheduler_thread_announces_with_an_alert(tmp_path):
    """Real time: a 1 second timer fires from the background thread and plays the alert sound."""
    from assistant.audio.playback import Player, _SilentSink
    player = Player(sink=_SilentSink())
    d = Dialog(settings_for(tmp_path), engine=None, player=player)
    fired = threading.Event()
    heard = []
    try:
        d.start(lambda reply: (heard.append(reply), fired.set()))
        d.handle(m("timer.start", "en", duration=1))
        assert fired.wait(5), "timer did not fire"
        assert heard[0].text == "Your 1 second timer is done."
        assert player.is_playing("alert")
        assert d.last_reply.text == heard[0].text
    finally:
        d.close()
        player.close()


def test_timers_are_rows_in_sqlite(tmp_path, clock):
    d = Dialog(settings_for(tmp_path), engine=None, now=clock)
    d.handle(m("timer.start", "en", duration=90))
    d.close()
    rows = sqlite3.connect(tmp_path / "assistant.db").execute("SELECT kind, duration, due FROM timers").fetchall()
    assert rows == [("timer", 90, (clock() + dt.timedelta(seconds=90)).timestamp())]


def test_announcement_speaks_the_language_chosen_since(dialog, clock):
    dialog.handle(m("timer.start", "en", duration=60))
    dialog.handle(m("system.language", "en", language="zh"))
    clock.advance(60)
    fired = dialog.tick()
    assert [(r.text, r.lang) for r in fired] == [("1分钟计时器时间到了。", "zh")]
