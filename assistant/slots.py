"""The built-in slot types ("duration", "time", ...): one entry each, their only list.

An intent file names a slot's type; the loader checks the name, the matcher files the slot
under the entity kind that fills it, the dialog parses a follow-up answer with the type's parser,
the sphinx export writes the type's grammar rule, and a scripted reply says the value the way a
person does. Each of those reads the entry here, so adding a type is one `SlotType` below plus
its parser in `assistant.nlu.entities` (and its entity in that module's finder).

This module sits beside `assistant.lang` and imports only it and `assistant.phrases.locale`, so
nlu/, dialog/, phrases/, asr/ and scripted/ can all import it without a cycle. The parser is
named, not imported: `assistant.nlu` pulls in the matcher (rapidfuzz), which the dialog must
not need just to know the types.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .lang import MONTHS_EN
from .phrases.locale import (
    say_day,
    say_duration,
    say_hhmm,
    say_language,
    say_month_day,
    say_number,
    say_percent,
)

# (value, reply language) -> the value as said
Sayer = Callable[[Any, str], str]

_ENTITIES = "assistant.nlu.entities"


@dataclass(frozen=True)
class SlotType:
    """What the system knows about one built-in slot type.

    `entity` is the entity kind retrieval files the slot under (a level is found where numbers
    are: "forty" may fill either). `parser` names the function in assistant.nlu.entities that
    reads the value from a whole answer; `follow_up` says whether the dialog uses it for a
    pending question (date and language never were, and stay off so replies do not change).
    `say` speaks a value (None: said as given). `sphinx` is the JSGF body of the type's rule for
    the pocketsphinx export; `<name>` refers to a helper rule in assistant.asr.grammar.
    `free_text` marks the type that takes any words rather than an entity.
    """

    name: str
    entity: str
    parser: str | None
    say: Sayer | None
    sphinx: str | None
    examples: dict[str, list[str]] = field(default_factory=dict)
    free_text: bool = False
    follow_up: bool = False

    def parse(self, text: str, lang: str) -> Any:
        """The value in `text` by this type's parser; None when there is none, it finds none,
        or the matcher package is not installed."""
        if self.parser is None:
            return None
        try:
            entities = importlib.import_module(_ENTITIES)
        except ImportError:
            return None
        parser: Callable[[str, str], Any] | None = getattr(entities, self.parser, None)
        if parser is None:
            return None
        try:
            return parser(text, lang)
        except Exception:
            return None

    def spoken(self, value: Any, lang: str) -> str:
        """`value` as said in `lang`; as given when it cannot be said (a malformed value)."""
        if self.say is not None:
            try:
                return self.say(value, lang)
            except (ValueError, TypeError, KeyError):
                pass
        return str(value)


_MONTHS = " | ".join(m.lower() for m in MONTHS_EN)

# In the order users see them in error messages.
_TYPES = (
    SlotType(
        name="duration",
        entity="duration",
        parser="parse_duration",
        say=lambda v, lang: say_duration(float(v), lang),
        sphinx=(
            "(<num> | a | an) [and a half] <unit> [and a half] [and <num> <unit>] "
            "| half (a | an) (minute | hour) | a (quarter | couple) of (an hour | <unit>)"
        ),
        examples={"en": ["five minutes", "an hour"], "zh": ["五分钟", "一个小时"]},
        follow_up=True,
    ),
    SlotType(
        name="time",
        entity="time",
        parser="parse_time",
        say=lambda v, lang: say_hhmm(str(v), lang),
        sphinx="<clock>",
        examples={"en": ["seven am", "half past six"], "zh": ["早上七点", "下午三点半"]},
        follow_up=True,
    ),
    SlotType(
        name="day",
        entity="day",
        parser="parse_day",
        say=lambda v, lang: say_day(int(v), lang),
        sphinx=(
            "today | tonight | tomorrow [morning | afternoon | evening | night] "
            "| [the] day after tomorrow "
            "| this (morning | afternoon | evening) | [on | next | this] <weekday> "
            "| [this | next | the | over the] weekend"
        ),
        examples={"en": ["tomorrow", "friday"], "zh": ["明天", "星期五"]},
        follow_up=True,
    ),
    SlotType(
        name="date",
        entity="date",
        parser="parse_date",
        say=say_month_day,
        sphinx=f"[the] <ordinal> [of ({_MONTHS})] | ({_MONTHS}) [the] <ordinal>",
        examples={"en": ["may fifth", "the first of june"], "zh": ["五月五号", "十二月二十五日"]},
    ),
    SlotType(
        name="level",
        entity="number",
        parser="parse_level",
        say=lambda v, lang: say_percent(float(v), lang),
        sphinx="<num> [percent] | (half | full | max | maximum)",
        examples={"en": ["forty percent", "ten percent"], "zh": ["百分之四十", "百分之十"]},
        follow_up=True,
    ),
    SlotType(
        name="number",
        entity="number",
        parser="parse_number",
        say=say_number,
        sphinx="<num> [point <digit>]",
        examples={"en": ["three", "twenty"], "zh": ["三", "二十"]},
        follow_up=True,
    ),
    SlotType(
        name="language",
        entity="language",
        parser="parse_language",
        say=say_language,
        sphinx="english | chinese | mandarin",
        examples={"en": ["english", "chinese"], "zh": ["英文", "中文"]},
    ),
    SlotType(
        name="text",
        entity="text",
        parser=None,
        say=None,
        sphinx=None,  # the export's free-text rule, when asked for
        examples={"en": ["the blue notebook", "jazz"], "zh": ["蓝色笔记本", "音乐"]},
        free_text=True,
    ),
)

SLOT_TYPES: dict[str, SlotType] = {t.name: t for t in _TYPES}
_ENTITY_KINDS = {t.name: t.entity for t in _TYPES}  # per matched item: a plain dict lookup
FREE_TEXT = next(t.name for t in _TYPES if t.free_text)


def slot_type(name: str) -> SlotType | None:
    """The built-in type called `name`; None for a list type ("list:room") or an unknown name."""
    return SLOT_TYPES.get(name)


def entity_kind(name: str) -> str:
    """The entity kind a slot or entity type is filed under for retrieval ("level" -> "number");
    the name itself for a list or an unknown type."""
    return _ENTITY_KINDS.get(name, name)
