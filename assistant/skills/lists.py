"""Lists (shopping, to-do, or any the matcher's `shopping_list` list names): add, show, remove,
clear.

Items live in SQLite, one row each, so a list survives a restart and a crash never
leaves half an item. The `list` slot picks the list; without it, the shopping list.
"""

from __future__ import annotations

from ..phrases.locale import READ_OUT_MAX, say_list
from .base import Answer, Skill, Slots

DEFAULT_LIST = "shopping"
_NAMES = {
    "shopping": {"en": "shopping list", "zh": "购物清单"},
    "todo": {"en": "to do list", "zh": "待办事项"},
}


class ListSkill(Skill):
    domain = "list"

    def _list_name(self, list_id: str, lang: str) -> str:
        name = self.env.name("shopping_list", list_id, lang)
        if name == list_id and list_id in _NAMES:
            name = _NAMES[list_id][lang]
        return name

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        store = self.env.store
        list_id = str(slots.get("list") or DEFAULT_LIST)
        name = self._list_name(list_id, lang)
        item = str(slots.get("item") or "").strip().strip("。.!！?？,，")
        keep = {"list": list_id} if slots.get("list") else {}
        if intent == "list.add":
            if not item:
                return self.ask("list.ask_item", lang, slot="item", keep=keep)
            if not store.add_item(list_id, item):
                return self.say("list.already", lang, item=item, list=name)
            return self.say("list.added", lang, item=item, list=name)
        if intent == "list.show":
            items = store.items(list_id)
            if not items:
                return self.say("list.empty", lang, list=name)
            if len(items) == 1:
                return self.say("list.show_one", lang, items=items[0], list=name)
            return self.say(
                "list.show",
                lang,
                count=len(items),
                items=say_list(items, lang, READ_OUT_MAX),
                list=name,
            )
        if intent == "list.remove":
            if not item:
                return self.ask("list.ask_remove", lang, slot="item", keep=keep)
            if store.remove_item(list_id, item):
                return self.say("list.removed", lang, item=item, list=name)
            return self.say("list.not_found", lang, item=item, list=name)
        if intent == "list.clear":
            store.clear_list(list_id)
            return self.say("list.cleared", lang, list=name)
        return self.say("unsupported", lang)
