"""Building a real Dialog (real SQLite file in a temp dir) with a clock the test moves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.config import Settings
from assistant.types import Match

ZONE = ZoneInfo("Asia/Shanghai")


class Clock:
    """The dialog's injected `now`: starts at a fixed moment, moves only when told to."""

    def __init__(self, start: dt.datetime | None = None):
        self.value = start or dt.datetime(2026, 3, 4, 15, 15, tzinfo=ZONE)

    def __call__(self) -> dt.datetime:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += dt.timedelta(seconds=seconds)


def settings_for(state_dir: Path, **sections) -> Settings:
    raw = {"dialog": {"followup_timeout": 5.0, "poll_interval": 0.05}}
    raw.update(sections)
    return Settings(state_dir=Path(state_dir), timezone="Asia/Shanghai", raw=raw)


def m(intent: str | None, lang: str = "en", text: str = "", **slots) -> Match:
    return Match(intent=intent, slots=slots, score=1.0 if intent else 0.0, lang=lang, text=text)
