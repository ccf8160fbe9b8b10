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
def dialog(make_dialog, clock):
    return make_dialog(now=clock)


def test_timer_start_status_and_fire(dialog, clock):
    assert (
        dialog.handle(m("timer.start", "en", duration=300)).text
        == "Okay, 5 minute timer, starting now."
    )
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
    assert (
        dialog.handle(m("alarm.set", "en", time="07:00")).text
        == "Okay, alarm set for seven AM tomorrow."
    )
    assert (
        dialog.handle(m("alarm.set", "zh", time="18:30", day=0)).text
        == "好的，闹钟定在今天晚上六点半。"
    )
    assert (
        dialog.handle(m("alarm.set", "en", time="09:00", day=0)).text
        == "That time has already passed."
    )
    clock.advance(3 * 3600 + 15 * 60)
    assert [r.text for r in dialog.tick()] == ["晚上六点半了，闹钟响了。"]
    assert (
        dialog.handle(m("alarm.cancel", "en")).text
        == "Okay, I cancelled your alarm for seven AM tomorrow."
    )
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
    rows = (
        sqlite3.connect(tmp_path / "assistant.db")
        .execute("SELECT kind, duration, due FROM timers")
        .fetchall()
    )
    assert rows == [("timer", 90, (clock() + dt.timedelta(seconds=90)).timestamp())]


def test_announcement_speaks_the_language_chosen_since(dialog, clock):
    dialog.handle(m("timer.start", "en", duration=60))
    dialog.handle(m("system.language", "en", language="zh"))
    clock.advance(60)
    fired = dialog.tick()
    assert [(r.text, r.lang) for r in fired] == [("1分钟计时器时间到了。", "zh")]


def _many_timers(tmp_path, clock, count: int) -> None:
    """`count` running timers, written straight into the real file as a long-running session
    leaves them."""
    start = clock().timestamp()
    with sqlite3.connect(tmp_path / "assistant.db") as db:
        db.executemany(
            "INSERT INTO timers (kind, duration, due, lang, created) "
            "VALUES ('timer', ?, ?, 'en', ?)",
            [(60 + i, start + 60 + i, start) for i in range(count)],
        )


def _timer_rows(tmp_path) -> int:
    return (
        sqlite3.connect(tmp_path / "assistant.db")
        .execute("SELECT count(*) FROM timers")
        .fetchone()[0]
    )


def test_cancelling_hundreds_of_timers_asks_first(dialog, clock, tmp_path):
    _many_timers(tmp_path, clock, 856)
    question = dialog.handle(m("timer.cancel", "en", text="cancel the timer"))
    assert (
        question.text == "You have 856 timers. Should I cancel all of them?"
        and not question.end_session
    )
    assert (
        dialog.handle(m(None, "en", text="no, keep them")).text == "Okay, I kept your 856 timers."
    )
    assert _timer_rows(tmp_path) == 856
    assert (
        dialog.handle(m("timer.cancel", "zh", text="取消计时器")).text
        == "你有856个计时器，确定全部取消吗？"
    )
    # "好的" is also a greeting to the matcher: as the answer to a yes/no question it is a yes
    assert (
        dialog.handle(m("chat.greeting", "zh", text="好的")).text == "好的，856个计时器都取消了。"
    )
    assert _timer_rows(tmp_path) == 0


def test_naming_one_of_many_timers_cancels_it_without_asking(dialog, clock, tmp_path):
    _many_timers(tmp_path, clock, 856)
    assert (
        dialog.handle(m("timer.cancel", "en", duration=120)).text
        == "Okay, I cancelled the 2 minute timer."
    )
    assert _timer_rows(tmp_path) == 855


def test_an_answer_that_is_no_yes_keeps_the_timers(dialog, clock, tmp_path):
    _many_timers(tmp_path, clock, 4)
    dialog.handle(m("timer.cancel", "en", text="cancel all timers"))
    assert dialog.handle(m("clock.time", "en", text="okay what time is it")).text.startswith(
        "It's "
    )
    assert _timer_rows(tmp_path) == 4


def test_cancelling_many_alarms_asks_first(dialog, clock):
    for hhmm in ("06:00", "06:30", "07:00", "07:30"):
        dialog.handle(m("alarm.set", "en", time=hhmm))
    assert (
        dialog.handle(m("alarm.cancel", "en")).text
        == "You have 4 alarms. Should I cancel all of them?"
    )
    assert dialog.handle(m(None, "en", text="yes")).text == "Okay, I cancelled all 4 alarms."
    assert dialog.handle(m("alarm.cancel", "en")).text == "You don't have any alarms."


def test_status_of_hundreds_of_timers_names_ten_and_counts_the_rest(dialog, clock, tmp_path):
    _many_timers(tmp_path, clock, 856)
    status = dialog.handle(m("timer.status", "en")).text
    assert status.startswith("1 minute left on the 1 minute timer, ") and status.endswith(
        " and 846 more."
    )
    assert status.count(" left on the ") == 10 and len(status) < 600
    assert dialog.handle(m("timer.status", "zh")).text.endswith("，还有846个。")


def test_chat_asks_before_cancelling_many_timers(tmp_path):
    """Through `assistant chat` with the real matcher: the question, a no, then a yes in Chinese."""
    from conftest import no_traceback, run_cli

    config = tmp_path / "config.toml"
    config.write_text('[volume]\nmixer = "none"\n', encoding="utf-8")
    lines = [f"set a timer for {n} minutes" for n in (1, 2, 3, 4, 5)]
    lines += ["cancel the timer", "no", "取消计时器", "确定", "how long is left on the timer"]
    result = run_cli(
        "chat",
        "--config",
        str(config),
        state_dir=tmp_path / "state",
        input="\n".join(lines) + "\n",
        timeout=120,
    )
    no_traceback(result)
    assert result.code == 0, result.err
    assert result.out.splitlines()[5:] == [
        "assistant: You have 5 timers. Should I cancel all of them?",
        "assistant: Okay, I kept your 5 timers.",
        "assistant: 你有5个计时器，确定全部取消吗？",
        "assistant: 好的，5个计时器都取消了。",
        "assistant: You don't have any timers.",
    ]
