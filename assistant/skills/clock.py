"""clock.time and clock.date in the configured time zone."""
from __future__ import annotations

import datetime as dt

from ..phrases.locale import say_date, say_day, say_time
from .base import Answer, Skill


class ClockSkill(Skill):
    domain = "clock"

    def handle(self, intent, slots, lang) -> Answer:
        now = self.env.now()
        if intent == "clock.date":
            offset = slots.get("day")
            if isinstance(offset, int) and offset:
                day = now.date() + dt.timedelta(days=offset)
                word = say_day(offset, lang, now.date())
                return self.say("clock.date_other", lang, day=word[:1].upper() + word[1:],
                                date=say_date(day, lang))
            return self.say("clock.date", lang, date=say_date(now.date(), lang))
        return self.say("clock.time", lang, time=say_time(now.hour, now.minute, lang))
