"""The shopping list: add, show, remove, clear, kept in SQLite."""
from __future__ import annotations

from typing import Any

from ..dialog.locale import say_list
from .base import Answer, Skill

LIST = "shopping"


class ListSkill(Skill):
    domain = "list"

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        store = self.env.store
        item = str(slots.get("item") or "").strip().strip("。.!！?？,，")
        if intent == "list.add":
            if not item:
                return self.ask("list.ask_item", lang, slot="item")
            if any(existing.lower() == item.lower() for existing in store.items(LIST)):
                return self.say("list.already", lang, item=item)
            store.add_item(LIST, item)
            return self.say("list.added", lang, item=item)
        if intent == "list.show":
            items = store.items(LIST)
            if not items:
                return self.say("list.empty", lang)
            if len(items) == 1:
                return self.say("list.show_one", lang, items=items[0])
            return self.say("list.show", lang, count=len(items), items=say_list(items, lang))
        if intent == "list.remove":
            if not item:
                return self.ask("list.ask_remove", lang, slot="item")
            if store.remove_item(LIST, item):
                return self.say("list.removed", lang, item=item)
            return self.say("list.not_found", lang, item=item)
        if intent == "list.clear":
            store.clear_list(LIST)
            return self.say("list.cleared", lang)
        return self.say("unsupported", lang)
