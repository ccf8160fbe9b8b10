"""The short memory of a conversation: a pending question and the last command.

A pending question ("For how long?") waits a few seconds for an answer that the
matcher alone cannot place (a bare "five minutes"); the last command lets an
elliptical "and the kitchen" / "还有厨房的" reuse its intent with one slot changed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from ..skills.base import Env
from ..lang import LANGS, has_cjk
from ..slots import slot_type

LIST_SLOTS = ("room", "device", "city")
FREE_SLOTS = ("item", "query")
CONFIRM_SLOT = "confirm"  # a yes/no question ("Should I cancel all 856 timers?")

# A yes or no answer is only these words (plus filler), so "okay, what's the weather" is not a yes.
_EN_YES = {
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "all",
    "everything",
    "confirm",
    "correct",
    "right",
    "do",
    "cancel",
    "delete",
    "remove",
    "clear",
}
_EN_NO = {"no", "nope", "nah", "not", "don't", "dont", "keep", "never", "mind", "wait"}
_EN_FILLER = {
    "please",
    "thanks",
    "thank",
    "you",
    "it",
    "them",
    "the",
    "my",
    "of",
    "go",
    "ahead",
    "just",
    "every",
    "one",
    "single",
    "timer",
    "timers",
    "alarm",
    "alarms",
}
_ZH_YES = re.compile(r"[嗯对是好行要确定可以全部都取消删除掉请吧啊呀的了]{1,8}")
_ZH_YES_KEY = re.compile(r"[对是好行确可全都要]")
_ZH_NO = re.compile(r"不|别|算了|保留|留着")

_CONNECTIVE = re.compile(
    r"^\s*(and|also|what about|how about|then|now)\b|\b(too|as well)\W*$"
    r"|^\s*(还有|那|那么|再|也)|呢\s*[？?]?\s*$",
    re.IGNORECASE,
)
# which slots a fragment may change, per domain of the last command
CARRY_SLOTS = {
    "home": {"room", "device", "level", "degrees"},
    "weather": {"city", "day"},
    "clock": {"day", "city"},
}


@dataclass
class Pending:
    """A question the assistant asked, waiting for the value of `slot`."""

    intent: str
    slots: dict[str, Any]
    slot: str
    lang: str
    question: str
    deadline: float
    retries: int = 0


@dataclass
class Session:
    pending: Pending | None = None
    last_intent: str | None = None
    last_slots: dict[str, Any] = field(default_factory=dict)
    last_time: float = 0.0

    def remember(self, intent: str, slots: dict[str, Any]) -> None:
        self.last_intent, self.last_slots, self.last_time = intent, dict(slots), time.monotonic()

    def recent(self, within: float) -> bool:
        return self.last_intent is not None and time.monotonic() - self.last_time <= within


def is_elliptical(text: str) -> bool:
    """ "and the kitchen", "what about tomorrow", "还有厨房的", "明天呢": a fragment leaning on the
    last command."""
    return bool(_CONNECTIVE.search(text or ""))


def parse_entity(slot: str, text: str, lang: str) -> Any:
    """The value of a typed slot in a free answer, with the matcher's own entity parsers (the
    slot is named after its type; the registry in assistant/slots.py says which types answer)."""
    stype = slot_type(slot)
    if stype is None or not stype.follow_up:
        return None
    return stype.parse(text, lang)


def _names(env: Env, list_name: str, item_id: str) -> set[str]:
    names = {item_id.lower(), item_id.replace("_", " ").lower()}
    for lang in LANGS:
        names.add(env.name(list_name, item_id, lang).lower())
    names.update(s.lower() for s in env.synonyms(list_name, item_id))
    return {n for n in names if n}


def find_list_item(env: Env, list_name: str, text: str) -> str | None:
    """The id of the list item whose name (either language) appears in `text`, longest name
    first."""
    low = (text or "").lower()
    best: tuple[int, str] | None = None
    for item_id in env.list_items(list_name):
        for name in _names(env, list_name, item_id):
            said = re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", low)
            if said and (best is None or len(name) > best[0]):
                best = (len(name), item_id)
    return best[1] if best else None


def strip_filler(text: str) -> str:
    """What a free-text answer says once "it's" / "add" / "的" style filler is removed."""
    text = (text or "").strip().strip("。.!！?？,，")
    text = re.sub(
        r"^(add|it's|it is|just|please|加上?|添加|就是)\s*", "", text, flags=re.IGNORECASE
    )
    return text.strip()


def parse_confirm(text: str) -> bool | None:
    """True for a yes ("yes", "cancel them all", "确定", "全部取消"), False for a no ("no, keep
    them",
    "不要", "算了"), None for anything else."""
    low = (text or "").strip().lower()
    zh = re.sub(r"[\s。.!！?？,，、~～]", "", low)
    if zh and has_cjk(zh):
        if len(zh) <= 8 and _ZH_NO.search(zh):
            return False
        if _ZH_YES.fullmatch(zh) and _ZH_YES_KEY.search(zh):
            return True
        return None
    words = re.findall(r"[a-z']+", low)
    if not words or not all(w in _EN_YES | _EN_NO | _EN_FILLER for w in words):
        return None
    if any(w in _EN_NO for w in words):
        return False
    return True if any(w in _EN_YES for w in words) else None


def fill_slot(env: Env, slot: str, text: str, lang: str) -> Any:
    """The answer to a follow-up question for `slot`, or None when the text does not give it."""
    if slot == CONFIRM_SLOT:
        return parse_confirm(text)
    if slot in LIST_SLOTS:
        return find_list_item(env, slot, text)
    if slot in FREE_SLOTS:
        value = strip_filler(text)
        return value or None
    return parse_entity(slot, text, lang)


def carry_over(env: Env, text: str, lang: str, intent: str) -> dict[str, Any]:
    """Slots an elliptical fragment changes for the last command `intent`; {} when it changes
    none."""
    allowed = CARRY_SLOTS.get(intent.split(".", 1)[0], set())
    found = {k: v for k, v in _fragment_slots(env, text, lang).items() if k in allowed}
    return found


def _fragment_slots(env: Env, text: str, lang: str) -> dict[str, Any]:
    """List items, day and level a fragment names."""
    found: dict[str, Any] = {}
    for list_name in LIST_SLOTS:
        value = find_list_item(env, list_name, text)
        if value is not None:
            found[list_name] = value
    day = parse_entity("day", text, lang)
    if isinstance(day, int):
        found["day"] = day
    level = parse_entity("level", text, lang)
    if isinstance(level, int) and not found:
        found["level"] = level
    return found
