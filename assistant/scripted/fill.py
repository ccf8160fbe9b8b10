"""Filling `{slot}` placeholders: as a person says them in a reply, as plain data in an action.

A reply is spoken, so a list id becomes its display name in the reply's language ("large" ->
"大杯"), 300 seconds becomes "5 minutes" / "5分钟" and "07:00" "seven AM" / "早上七点". An action
talks to a machine, which wants the ids and numbers themselves ("large", 300), so the two
fillings are kept apart.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..phrases.locale import LANGUAGE_NAMES, say_number  # noqa: F401  (old home, names kept)
from ..slots import slot_type
from .spec import ENV_VAR, PLACEHOLDER

# (list name, item id, lang) -> display name
Namer = Callable[[str, str, str], str]


class MissingVariable(ValueError):
    """An ${ENV_VAR} the action needs is not set (a token the maker has not exported yet)."""


def spoken(kind: str, value: Any, lang: str, name: Namer) -> str:
    """One slot value as said in `lang`; `kind` is the slot's type ("duration", "list:size").
    How each built-in type is said is its `say` in assistant/slots.py."""
    if value is None:
        return ""
    if kind.startswith("list:"):
        try:
            return name(kind[5:], str(value), lang)
        except (ValueError, TypeError, KeyError):
            return str(value)
    stype = slot_type(kind)
    return stype.spoken(value, lang) if stype is not None else str(value)


def _lookup(name: str, values: dict[str, Any]) -> Any:
    """`values[name]`, or a field of the result for "result.wait"; None when absent."""
    head, *fields = name.split(".")
    value = values.get(head)
    for f in fields:
        value = value.get(f) if isinstance(value, dict) else None
    return value


def fill_text(template: str, values: dict[str, Any], say: Callable[[str, Any], str]) -> str:
    """The template with each placeholder replaced by `say(name, value)`; spaces tidied where an
    optional slot was left out ("a  latte" -> "a latte")."""

    def one(m) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        return say(m.group(1), _lookup(m.group(1), values))

    text = PLACEHOLDER.sub(one, template)
    return " ".join(text.split()) if " " in text else text.strip()


def reply_text(
    template: str, slots: dict[str, Any], kinds: dict[str, str], result: Any, lang: str, name: Namer
) -> str:
    """A reply as spoken: slots by their kind, the action's result as given (numbers in words)."""
    values = {**slots, "result": result}

    def say(key: str, value: Any) -> str:
        if key.split(".", 1)[0] == "result":
            if isinstance(value, (int, float)):
                return say_number(value, lang)
            return "" if value is None else str(value).strip()
        return spoken(kinds.get(key, "text"), value, lang, name)

    return fill_text(template, values, say)


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def fill_data(template: Any, slots: dict[str, Any]) -> Any:
    """A JSON template with slot values as data: a string that is one placeholder becomes the
    value itself (a number stays a number, a missing slot null); others are filled as text."""
    if isinstance(template, str):
        m = PLACEHOLDER.fullmatch(template)
        if m and m.group(1):
            return _lookup(m.group(1), slots)
        return PLACEHOLDER.sub(
            lambda m: m.group(0)[0] if not m.group(1) else plain(_lookup(m.group(1), slots)),
            template,
        )
    if isinstance(template, dict):
        return {k: fill_data(v, slots) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_data(v, slots) for v in template]
    return template


def fill_arg(template: str, slots: dict[str, Any]) -> str:
    return PLACEHOLDER.sub(
        lambda m: m.group(0)[0] if not m.group(1) else plain(_lookup(m.group(1), slots)), template
    )


def expand_env(text: str, environ: dict[str, str] | None = None) -> str:
    """${NAME} and ${NAME:-default} from the environment, so tokens stay out of intent files."""
    env = os.environ if environ is None else environ

    def one(m) -> str:
        value = env.get(m.group(1))
        if value:
            return value
        if m.group(2) is not None:
            return m.group(2)
        raise MissingVariable(f"environment variable {m.group(1)} is not set")

    return ENV_VAR.sub(one, text)
