"""A skill that lives in another program on the MQTT broker (Node-RED, a script, Home Assistant).

For the intents named in `[events] listeners`, the assistant publishes the intent as usual and
waits up to `[events] reply_timeout` seconds for an answer on `<prefix>/dialogueManager/endSession`
with the same sessionId (Hermes' own way to end a session with a sentence). No answer in time
is one log line and a spoken "that didn't work".
"""

from __future__ import annotations

import logging
from typing import Any

from ..events.hub import Hub
from ..types import Match
from .base import Answer, Env, Skill

log = logging.getLogger(__name__)


class RemoteSkill(Skill):
    def __init__(self, env: Env, hub: Hub, intent: str, kinds: dict[str, str]):
        super().__init__(env)
        self.hub = hub
        self.domain = intent
        self.kinds = kinds

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        session = self.hub.session_of(intent)
        with self.env.waiting():
            answer = self.hub.ask(Match(intent, dict(slots), 1.0, lang), self.kinds, session)
        if answer is None:
            log.warning(
                "intent %s: no answer from a listener on %s within %g s",
                intent,
                self.hub.bus.where,
                self.hub.reply_timeout,
            )
            return self.say("action.failed", lang)
        text = answer.get("text")
        if isinstance(text, dict):
            text = text.get(lang)
        if not isinstance(text, str) or not text.strip():
            return self.say("action.done", lang)
        return Answer(text.strip())
