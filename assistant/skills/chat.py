"""Small talk: greeting, thanks, identity and jokes that rotate instead of repeating."""

from __future__ import annotations

from ..phrases.texts import variants
from .base import Answer, Skill, Slots


class ChatSkill(Skill):
    domain = "chat"

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        if intent == "chat.joke":
            # the next joke in order, remembered across restarts, so the same one never comes
            # twice in a row
            key = f"joke_index_{lang}"
            index = int(self.env.store.get(key, 0))
            self.env.store.set(key, (index + 1) % variants("chat.joke", lang))
            return Answer(self.env.say("chat.joke", lang, index=index))
        if intent in ("chat.greeting", "chat.thanks", "chat.identity"):
            return self.say(intent, lang)
        return self.say("unsupported", lang)
