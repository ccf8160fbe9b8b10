"""What a skill gets (Env) and gives back (Answer), and the seams between them.

A skill is a small class per domain: it is built once with the shared Env and answers
`handle(intent, slots, lang) -> Answer`. It never builds a Reply itself, so the dialog alone
decides language, follow-ups and error handling.

The seams are typed, so a skill (built in or a plugin) and the parts it uses can change apart:
- `ListSource`: what a skill may ask the intent engine (names of list items, their extra data);
- `MediaPlayer`: the player channels a skill may use (media, the assistant's own volume);
- `DialogHooks`: the few things a skill may ask of the conversation, as plain callables
  (reply language, stop everything, the last reply, letting timers ring while it waits), instead
  of a back-reference to the Dialog object.
A skill is never given a speaker: it says things by returning an Answer, and the dialog's
caller speaks them (`assistant.tts.Speaker`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np

from ..config import Settings
from ..phrases.texts import DOMAIN_NAMES_ZH, text
from ..schema import SCHEMA, MapOf, Table, check_table
from ..store import Store
from ..types import Reply

log = logging.getLogger(__name__)

Slots = dict[str, Any]
T = TypeVar("T")


@dataclass
class Answer:
    """What a skill says. `ask` names the slot the sentence asks for (a follow-up question)."""

    text: str
    ask: str | None = None
    # slots to keep for the follow-up (what the skill already resolved, e.g. device=light)
    keep: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None       # set when the answer is in another language than asked (repeat)


class ListSource(Protocol):
    """The intent engine's lists as a skill sees them (assistant.nlu.IntentEngine implements it)."""

    def list_items(self, list_name: str) -> list[str]: ...

    def list_name(self, list_name: str, item_id: str, lang: str) -> str: ...

    def list_synonyms(self, list_name: str, item_id: str) -> list[str]: ...

    def list_data(self, list_name: str, item_id: str) -> dict[str, Any]: ...


class MediaPlayer(Protocol):
    """The named-channel player a skill may use (assistant.audio.playback.Player implements it).

    `volume` scales the assistant's own output when there is no system mixer."""

    volume: float

    def play(self, audio: np.ndarray | Iterator[np.ndarray], sample_rate: int,
             channel: str = "speech") -> None: ...

    def stop(self, channel: str | None = None) -> None: ...

    def pause(self, channel: str) -> None: ...

    def resume(self, channel: str) -> None: ...

    def is_playing(self, channel: str) -> bool: ...

    def is_paused(self, channel: str) -> bool: ...


def _same_lang(lang: str) -> str:
    return lang


def _no_reply() -> Reply | None:
    return None


def _nothing() -> None:
    return None


@dataclass
class DialogHooks:
    """What a skill may ask of the conversation; the defaults are what a skill gets with no dialog.

    - `reply_lang(lang)`: the language to speak now (chosen with system.language, else `lang`);
    - `waiting()`: a context manager around a slow wait (a web call) so timers still ring meanwhile;
      inside it the skill must not touch dialog state (the state database is fine: it has its
      own lock);
    - `stop_everything()`: system.stop (pending question, speech, media, alerts);
    - `last_reply()`: what was said last, for system.repeat.
    """

    reply_lang: Callable[[str], str] = _same_lang
    waiting: Callable[[], AbstractContextManager[None]] = nullcontext
    stop_everything: Callable[[], None] = _nothing
    last_reply: Callable[[], Reply | None] = _no_reply


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def section_of(settings: Settings, name: str) -> dict[str, Any]:
    """`[name]` of the settings checked against its schema (assistant/schema.py), or ConfigError.

    Settings loaded from a file were checked already and pass unchanged; settings built in code
    (tests, embedding programs) get the same one-line error naming the key, so a wrong value
    never reaches a skill's constructor as a stray ValueError that would drop the skill.
    A section with no schema (a plugin's own) is returned as written.
    """
    raw = settings.section(name)
    spec = SCHEMA.fields.get(name)
    if not isinstance(spec, (Table, MapOf)):
        return raw
    where = f"config {settings.config_file}" if settings.config_file else "settings"
    return check_table(spec, raw, where, name, [])


def from_table(cls: type[T], table: dict[str, Any]) -> T:
    """A settings dataclass from a checked table: each key that names a field sets it, the rest
    keep their defaults (nested tables are the caller's to convert first)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in table.items() if k in names})


@dataclass
class Env:
    """The shared services a skill may use; one per Dialog."""

    settings: Settings
    store: Store
    engine: ListSource | None = None      # None in some tests: ids are spoken as names
    player: MediaPlayer | None = None     # None without audio output (chat, tests)
    now: Callable[[], dt.datetime] = _local_now
    hooks: DialogHooks = field(default_factory=DialogHooks)

    def reply_lang(self, lang: str) -> str:
        """The language to speak in now: the one chosen with system.language, else `lang`."""
        return self.hooks.reply_lang(lang)

    def say(self, key: str, lang: str, index: int = 0, **values: Any) -> str:
        return text(key, lang, index, **values)

    def waiting(self) -> AbstractContextManager[None]:
        """Wrap a slow wait (a web call) in this, so timers still ring while it lasts."""
        return self.hooks.waiting()

    def config(self, name: str) -> dict[str, Any]:
        """`[name]` of the settings, checked against its schema (ConfigError naming the key)."""
        return section_of(self.settings, name)

    def name(self, list_name: str, item_id: str, lang: str) -> str:
        """How to say a list item ("kitchen" -> "厨房"); what was said when it is not listed."""
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
        if self.engine is None:
            return []
        try:
            return [str(n) for n in self.engine.list_synonyms(list_name, item_id)]
        except Exception:
            return []

    def list_data(self, list_name: str, item_id: str) -> dict[str, Any]:
        """Extra fields of a list item (a city's lat/lon/tz); {} when none."""
        if self.engine is None:
            return {}
        try:
            return dict(self.engine.list_data(list_name, item_id) or {})
        except Exception:
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

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        raise NotImplementedError

    def say(self, key: str, lang: str, **values: Any) -> Answer:
        return Answer(self.env.say(key, lang, **values))

    def ask(self, key: str, lang: str, slot: str, keep: dict[str, Any] | None = None,
            **values: Any) -> Answer:
        return Answer(self.env.say(key, lang, **values), ask=slot, keep=dict(keep or {}))

    # optional hooks used by the dialog's scheduler
    def due(self) -> list[tuple[str, str]]:
        """Announcements due now, as (text, lang) pairs; called from the scheduler thread."""
        return []

    def missed(self) -> list[tuple[str, str]]:
        """Announcements for what happened while the program was down; called once at start."""
        return []

    def stop(self) -> None:
        """system.stop: stop whatever this skill is doing (media)."""

    def close(self) -> None:
        pass


class BrokenSkill(Skill):
    """Stands in for a skill that failed to build with something other than a settings error.

    The failure is logged at start with its traceback, and every command of the domain is
    answered with "the weather skill didn't start" rather than "I can't do that yet", so the
    user is never left wondering whether the skill exists.
    """

    def __init__(self, env: Env, domain: str, problem: str):
        super().__init__(env)
        self.domain = domain
        self.problem = problem

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        name = DOMAIN_NAMES_ZH.get(self.domain, self.domain) if lang == "zh" else self.domain
        return self.say("skill.broken", lang, domain=name)


__all__ = ["Answer", "BrokenSkill", "DialogHooks", "Env", "ListSource", "MediaPlayer", "Skill",
           "Slots", "from_table", "section_of"]
