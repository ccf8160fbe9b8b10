"""help, stop, repeat and the persisted reply language."""
from __future__ import annotations

from ..lang import LANGS
from .base import Answer, Skill, Slots


class SystemSkill(Skill):
    domain = "system"

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        hooks = self.env.hooks
        if intent == "system.help":
            return self.say("system.help", lang)
        if intent == "system.stop":
            hooks.stop_everything()
            return self.say("system.stop", lang)
        if intent == "system.repeat":
            last = hooks.last_reply()
            if last is None:
                return self.say("system.repeat_nothing", lang)
            return Answer(last.text, lang=last.lang)
        if intent == "system.language":
            wanted = slots.get("language")
            if wanted not in LANGS:
                return self.say("unsupported", lang)
            self.env.store.set("language", wanted)
            return self.say("system.language", str(wanted))
        return self.say("unsupported", lang)
