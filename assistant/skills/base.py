"""What a skill gets (Env) and gives back (Answer).

A skill is a small class per domain: it is built once with the shared Env and
answers `handle(intent, slots, lang)`. It never builds a Reply itself, so the dialog
alone decides language, follow-ups and error handling.
"""
from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable

from ..config import Settings
from ..lang import LANGS
from ..dialog.texts import text
from ..store import Store

log = logging.getLogger(__name__)


@dataclass
class Answer:
    """What a skill says. `ask` names the slot the sentence asks for (a follow-up question)."""

    text: str
    ask: str | None = None
    # slots to keep for the follow-up (what the skill already resolved, e.g. device=light)
    keep: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None       # set when the answer is in another language than asked (repeat)


@dataclass
class Env:
    """The shared services a skill may use; one per Dialog."""

    settings: Settings
    store: Store
    engine: Any = None            # assistant.nlu.IntentEngine (list names); None in some tests
    player: Any = None            # assistant.audio.playback.Player or None
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now().astimezone())
    dialog: Any = None            # the Dialog, for system.repeat / system.stop

    def reply_lang(self, lang: str) -> str:
        """The language to speak in now: the one chosen with system.language, else `lang`."""
        return self.dialog.reply_lang(lang) if self.dialog is not None else lang

    def say(self, key: str, lang: str, index: int = 0, **values: Any) -> str:
        return text(key, lang, index, **values)

    def waiting(self) -> AbstractContextManager:
        """Wrap a slow wait (a web call) in this, so timers still ring while it lasts.

        Inside it the skill must not touch dialog state; the state database is fine (it has its own lock).
        """
        return self.dialog.waiting() if self.dialog is not None else nullcontext()

    def config(self, name: str) -> dict[str, Any]:
        return self.settings.section(name)

    def name(self, list_name: str, item_id: str, lang: str) -> str:
        """How to say a list item ("kitchen" -> "厨房"); what was said when it is not on the list."""
        if self.engine is not None:
            try:
                found = self.engine.list_name(list_name, item_id, lang)
                if found:
                    return found
            except Exception:  # unknown id, or an engine without that list
                log.debug("no %s name for %s/%s", lang, list_name, item_id)
        return str(item_id).replace("_", " ")

    def synonyms(self, list_name: str, item_id: str) -> list[str]:
        """Every name of a list item in both languages (for "and the kitchen" style fragments)."""
        engine = self.engine
        if engine is None:
            return []
        try:
            if hasattr(engine, "list_synonyms"):
                return [str(n) for n in engine.list_synonyms(list_name, item_id)]
            entry = engine.library.lists.get(list_name, {}).get(item_id, {})
            return [str(n) for lang in LANGS for n in entry.get(lang, [])]
        except Exception:
            return []

    def list_data(self, list_name: str, item_id: str) -> dict[str, Any]:
        """Extra fields of a list item (a city's lat/lon); {} when none."""
        if self.engine is not None and hasattr(self.engine, "list_data"):
            try:
                return dict(self.engine.list_data(list_name, item_id) or {})
            except Exception:
                return {}
        return {}

    def list_items(self, list_name: str) -> list[str]:
        if self.engine is not None:
            try:
                return list(self.engine.list_items(list_name))
            except Exception:
                log.debug("engine has no list %s", list_name)
        return []


class Skill:
    """Base class: one domain of intents."""

    domain = ""

    def __init__(self, env: Env):
        self.env = env

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        raise NotImplementedError

    def say(self, key: str, lang: str, **values: Any) -> Answer:
        return Answer(self.env.say(key, lang, **values))

    def ask(self, key: str, lang: str, slot: str, keep: dict[str, Any] | None = None, **values: Any) -> Answer:
        return Answer(self.env.say(key, lang, **values), ask=slot, keep=dict(keep or {}))

    # optional hooks used by the dialog's scheduler
    def due(self) -> list[tuple[str, str]]:
        """Announcements that are due now, as (text, lang) pairs; called from the scheduler thread."""
        return []

    def missed(self) -> list[tuple[str, str]]:
        """Announcements for what happened while the program was down; called once at start."""
        return []

    def stop(self) -> None:
        """system.stop: stop whatever this skill is doing (media)."""

    def close(self) -> None:
        pass
