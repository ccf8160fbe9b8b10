"""clock.time and clock.date in the configured time zone, and the time in another city.

A city's time zone is the `tz` field of its item in the `city` list (intents/shared_lists.yaml
or `[lists]` in the settings), an IANA name read with zoneinfo, so a user adds a city with its
zone in the same place as its names and coordinates.
"""
from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..phrases.locale import say_date, say_day, say_time
from .base import Answer, Skill, Slots

log = logging.getLogger(__name__)


def zone_of(tz: object) -> ZoneInfo | None:
    """The zone named `tz`, or None when it is not a name the time zone database knows."""
    if not isinstance(tz, str) or not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r in the city list", tz)
        return None


class ClockSkill(Skill):
    domain = "clock"

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        now = self.env.now()
        if intent == "clock.date":
            offset = slots.get("day")
            if isinstance(offset, int) and offset:
                day = now.date() + dt.timedelta(days=offset)
                word = say_day(offset, lang, now.date())
                return self.say("clock.date_other", lang, day=word[:1].upper() + word[1:],
                                date=say_date(day, lang))
            return self.say("clock.date", lang, date=say_date(now.date(), lang))
        city = slots.get("city")
        if city:
            return self._time_in(str(city), now, lang)
        return self.say("clock.time", lang, time=say_time(now.hour, now.minute, lang))

    def _time_in(self, city: str, now: dt.datetime, lang: str) -> Answer:
        name = self.env.name("city", city, lang)
        if lang == "en" and name.islower():
            name = name.title()
        zone = zone_of(self.env.list_data("city", city).get("tz"))
        if zone is None:
            return self.say("clock.no_zone", lang, city=name)
        there = now.astimezone(zone)
        return self.say("clock.time_in", lang, city=name,
                        time=say_time(there.hour, there.minute, lang))
