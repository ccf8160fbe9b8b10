"""help, stop, repeat and the persisted reply language."""
from __future__ import annotations

from ..lang import LANGS
from .base import Answer, Skill


class SystemSkill(Skill):
    domain = "system"

    def handle(self, intent, slots, lang) -> Answer:
        dialog = self.env.dialog
        if intent == "system.help":
            return self.say("system.help", lang)
        if intent == "system.stop":
            if dialog is not None:
                dialog.stop_everything()
            return self.say("system.stop", lang)
        if intent == "system.repeat":
            last = dialog.last_reply if dialog is not None else None
            if last is None:
                return self.say("system.repeat_nothing", lang)
            return Answer(last.text, lang=last.lang)
        if intent == "system.language":
            wanted = slots.get("language")
            if wanted not in LANGS:
                return self.say("unsupported", lang)
            self.env.store.set("language", wanted)
            return self.say("system.language", wanted)
        return self.say("unsupported", lang)
