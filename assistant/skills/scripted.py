"""A maker's intent answered from its YAML file: run the `action:`, then speak the `reply:`.

No Python is needed to make an intent do something. The reply is filled in the language the
user spoke, with list ids said by their display name in that language, and may use what the
action gave back (`{result}`, `{result.wait}`). A failing action is one log line and a spoken
"that didn't work", never a crash or silence.
"""

from __future__ import annotations

import logging
from typing import Any

from ..nlu.loader import IntentSpec
from ..scripted.actions import ActionFailed, Context, run
from ..scripted.fill import reply_text
from .base import Answer, Env, Skill

log = logging.getLogger(__name__)


class ScriptedSkill(Skill):
    """One intent with a `reply:` and/or `action:` in its intent file."""

    def __init__(self, env: Env, spec: IntentSpec):
        super().__init__(env)
        if spec.script is None:
            raise ValueError(f"intent {spec.name} has no reply or action")
        self.spec = spec
        self.script = spec.script
        self.domain = spec.name

    def _context(self) -> Context:
        publish = None
        if self.env.config("events").get("mqtt"):
            from ..events import hub_for
            from ..events.bus import BrokerDown

            def publish(topic: str, payload: bytes, retain: bool) -> None:
                hub = hub_for(self.env.settings)
                assert hub is not None
                try:
                    hub.publish(topic, payload, retain)
                except BrokerDown as exc:
                    raise ActionFailed(str(exc)) from None

        return Context(
            homeassistant=dict(self.env.config("home").get("homeassistant") or {}), publish=publish
        )

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        result: Any = None
        if self.script.action is not None:
            try:
                with self.env.waiting():
                    result = run(self.script.action, slots, self._context())
            except ActionFailed as exc:
                log.warning(
                    "intent %s (%s:%d): the action failed: %s",
                    intent,
                    self.spec.file,
                    self.spec.line,
                    exc,
                )
                return self.say("action.failed", lang)
        template = self.script.reply.get(lang)
        if template is None:
            return self.say("action.done", lang)
        return Answer(reply_text(template, slots, self.spec.slots, result, lang, self.env.name))
