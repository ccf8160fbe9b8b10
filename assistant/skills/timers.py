"""Timers and alarms: several at once, kept in SQLite so they survive a restart.

A timer is named by its duration ("the 5 minute timer"); an alarm by its time. Both
are rows with an absolute end time, so after a restart a running timer keeps its end
and one that ended while the program was down is announced as missed. A row is
deleted in the same transaction that decides to announce it, so nothing fires twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..phrases.locale import READ_OUT_MAX, name_duration, say_day, say_duration, say_list, say_time
from ..store import TimerRow
from .base import Answer, Skill, Slots

MAX_TIMER = 24 * 3600
# Cancelling more than this many at once is asked first: "cancel the timer" must not
# silently wipe out hundreds. Up to here the reply says which ("the one", "both", "all 3").
CONFIRM_OVER = 3


class _Scheduled(Skill):
    kind = ""

    def _now_ts(self) -> float:
        return self.env.now().timestamp()

    def _active(self) -> list[TimerRow]:
        now = self._now_ts()
        return [row for row in self.env.store.timers(self.kind) if row.due > now]

    def due(self) -> list[tuple[str, str]]:
        return [(self._fired(row), row.lang) for row in self._take_due()]

    def missed(self) -> list[tuple[str, str]]:
        return [(self._missed(row), row.lang) for row in self._take_due()]

    def _take_due(self) -> list[TimerRow]:
        """Rows whose time has come, each removed (so announced) exactly once, in today's reply
        language."""
        now = self._now_ts()
        return [
            TimerRow(row.id, row.kind, row.duration, row.due, self.env.reply_lang(row.lang))
            for row in self.env.store.timers(self.kind)
            if row.due <= now and self.env.store.remove_timer(row.id)
        ]

    def _fired(self, row: TimerRow) -> str:
        raise NotImplementedError

    def _missed(self, row: TimerRow) -> str:
        raise NotImplementedError

    def _local(self, ts: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, tz=self.env.now().tzinfo)

    def _remove(
        self, active: list[TimerRow], lang: str, confirm: Any = None, **one_words: str
    ) -> Answer:
        """Cancel the chosen rows; the reply names the one, or says "both" / "all N".

        More than CONFIRM_OVER rows only once the user said yes (`confirm` True); a no keeps
        them."""
        if len(active) > CONFIRM_OVER and confirm is not True:
            if confirm is False:
                return self.say(f"{self.kind}.kept", lang, count=len(active))
            return self.ask(f"{self.kind}.confirm_all", lang, slot="confirm", count=len(active))
        for row in active:
            self.env.store.remove_timer(row.id)
        if len(active) == 1:
            return self.say(f"{self.kind}.cancelled", lang, **one_words)
        if len(active) == 2:
            return self.say(f"{self.kind}.cancelled_both", lang)
        return self.say(f"{self.kind}.cancelled_all", lang, count=len(active))


class TimerSkill(_Scheduled):
    domain = "timer"
    kind = "timer"

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        if intent == "timer.start":
            return self._start(slots.get("duration"), lang)
        if intent == "timer.status":
            return self._status(lang)
        if intent == "timer.cancel":
            return self._cancel(slots.get("duration"), lang, slots.get("confirm"))
        return self.say("unsupported", lang)

    def _start(self, duration: Any, lang: str) -> Answer:
        if not isinstance(duration, (int, float)) or duration <= 0:
            return self.ask("timer.ask_duration", lang, slot="duration")
        duration = int(round(duration))
        if duration > MAX_TIMER:
            return self.say("timer.too_long", lang)
        self.env.store.add_timer("timer", self._now_ts() + duration, lang, duration)
        return self.say("timer.started", lang, duration=name_duration(duration, lang))

    def _status(self, lang: str) -> Answer:
        now = self._now_ts()
        active = self._active()
        if not active:
            return self.say("timer.none", lang)
        if len(active) == 1:
            return self.say("timer.left", lang, left=say_duration(active[0].due - now, lang))
        parts = [
            self.env.say(
                "timer.left_named",
                lang,
                left=say_duration(row.due - now, lang),
                name=name_duration(row.duration or 0, lang),
            )
            for row in active
        ]
        return Answer(say_list(parts, lang, READ_OUT_MAX) + ("。" if lang == "zh" else "."))

    def _cancel(self, duration: Any, lang: str, confirm: Any = None) -> Answer:
        active = self._active()
        if not active:
            return self.say("timer.none", lang)
        if isinstance(duration, (int, float)):
            chosen = [row for row in active if row.duration == int(duration)][:1]
            if chosen:
                active = chosen
        if len(active) == 1:
            return self._remove(active, lang, name=name_duration(active[0].duration or 0, lang))
        return self._remove(active, lang, confirm)

    def _fired(self, row: TimerRow) -> str:
        return self.env.say(
            "timer.fired", row.lang, name=name_duration(row.duration or 0, row.lang)
        )

    def _missed(self, row: TimerRow) -> str:
        return self.env.say(
            "timer.missed", row.lang, name=name_duration(row.duration or 0, row.lang)
        )


class AlarmSkill(_Scheduled):
    domain = "alarm"
    kind = "alarm"

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        if intent == "alarm.set":
            return self._set(slots.get("time"), slots.get("day"), lang)
        if intent == "alarm.cancel":
            return self._cancel(slots.get("time"), lang, slots.get("confirm"))
        return self.say("unsupported", lang)

    def _when(self, ts: float, lang: str) -> tuple[str, str]:
        """(time, day) words for an alarm moment, the day relative to today."""
        when = self._local(ts)
        offset = (when.date() - self.env.now().date()).days
        return say_time(when.hour, when.minute, lang), say_day(offset, lang, self.env.now().date())

    def _set(self, hhmm: Any, day: Any, lang: str) -> Answer:
        keep = {"day": day} if isinstance(day, int) else {}
        try:
            hour, minute = (int(p) for p in str(hhmm).split(":"))
            if not (0 <= hour < 24 and 0 <= minute < 60):
                raise ValueError
        except ValueError:
            return self.ask("alarm.ask_time", lang, slot="time", keep=keep)
        now = self.env.now()
        target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if isinstance(day, int):
            target = _shift_days(target, day)
            if target <= now:
                return self.say("alarm.past", lang)
        elif target <= now:
            target = _shift_days(target, 1)
        self.env.store.add_timer("alarm", target.timestamp(), lang)
        time_words, day_words = self._when(target.timestamp(), lang)
        return self.say("alarm.set", lang, time=time_words, day=day_words)

    def _cancel(self, hhmm: Any, lang: str, confirm: Any = None) -> Answer:
        active = self._active()
        if not active:
            return self.say("alarm.none", lang)
        if isinstance(hhmm, str):
            chosen = [row for row in active if self._local(row.due).strftime("%H:%M") == hhmm][:1]
            if chosen:
                active = chosen
        if len(active) == 1:
            time_words, day_words = self._when(active[0].due, lang)
            return self._remove(active, lang, time=time_words, day=day_words)
        return self._remove(active, lang, confirm)

    def _fired(self, row: TimerRow) -> str:
        when = self._local(row.due)
        return self.env.say(
            "alarm.fired", row.lang, time=say_time(when.hour, when.minute, row.lang)
        )

    def _missed(self, row: TimerRow) -> str:
        when = self._local(row.due)
        return self.env.say(
            "alarm.missed", row.lang, time=say_time(when.hour, when.minute, row.lang)
        )


def _shift_days(moment: dt.datetime, days: int) -> dt.datetime:
    """Same wall-clock time `days` later, right across a daylight-saving change."""
    naive = moment.replace(tzinfo=None) + dt.timedelta(days=days)
    return naive.replace(tzinfo=moment.tzinfo)
