"""The assistant's side of the event bus: publish what was understood, collect listeners' answers.

One Hub per broker address per process, shared by the app (which publishes every command) and
the skills (an `mqtt:` action, a listener skill), so there is one connection, not one per user.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

from ..config import Settings
from ..types import Match
from . import hermes
from .bus import BrokerAddress, BrokerDown, Bus

log = logging.getLogger(__name__)

MAX_WAITING_ANSWERS = 100  # answers kept for sessions nobody waits for (yet): bounded memory
DEFAULT_REPLY_TIMEOUT = 5.0


class Hub:
    def __init__(
        self,
        bus: Bus,
        prefix: str = "assistant",
        site: str = "default",
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT,
    ):
        self.bus = bus
        self.site = site
        self.reply_timeout = reply_timeout
        self.topics = hermes.topics(prefix)
        self._answers: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._cond = threading.Condition()
        self._last: tuple[str | None, str] | None = None  # (intent, session) of the last command
        bus.subscribe(self.topics["end_session"], self._on_answer)

    # -- publishing ---------------------------------------------------------------------
    def _send(self, topic: str, payload: dict[str, Any]) -> None:
        try:
            self.bus.publish(topic, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        except BrokerDown as exc:
            log.debug("event on %s dropped: %s", topic, exc)  # the bus logged the outage once

    def publish_match(self, match: Match, kinds: dict[str, str]) -> str:
        """What was heard, then the intent (or not-recognised); returns the session id used."""
        session = uuid.uuid4().hex
        self._last = (match.intent, session)
        self._send(self.topics["text"], hermes.text_captured_event(match, session, self.site))
        if match.intent:
            self._send(
                self.topics["intent"] + match.intent,
                hermes.intent_event(match, kinds, session, self.site),
            )
        else:
            self._send(
                self.topics["not_recognized"],
                hermes.not_recognized_event(match, session, self.site),
            )
        return session

    def session_of(self, intent: str) -> str | None:
        """The session of the command just published, if it was this intent (else None)."""
        last, self._last = self._last, None
        return last[1] if last and last[0] == intent else None

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        """For `mqtt:` actions: raises BrokerDown unless the broker took the message."""
        self.bus.publish(topic, payload, retain=retain, wait=2.0)

    # -- listeners' answers -------------------------------------------------------------------
    def _on_answer(self, topic: str, payload: bytes) -> None:
        try:
            answer = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            log.warning("events: an answer on %s is not JSON; ignored", topic)
            return
        if not isinstance(answer, dict) or not isinstance(answer.get("sessionId"), str):
            log.warning("events: an answer on %s has no sessionId; ignored", topic)
            return
        with self._cond:
            self._answers[answer["sessionId"]] = answer
            while len(self._answers) > MAX_WAITING_ANSWERS:
                self._answers.popitem(last=False)
            self._cond.notify_all()

    def wait_answer(self, session: str, timeout: float | None = None) -> dict[str, Any] | None:
        """The listener's answer for `session`, or None after the timeout."""
        end = time.monotonic() + (self.reply_timeout if timeout is None else timeout)
        with self._cond:
            while session not in self._answers:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self._answers.pop(session)

    def ask(
        self, match: Match, kinds: dict[str, str], session: str | None
    ) -> dict[str, Any] | None:
        """Publish the intent (unless already published as `session`) and wait for its answer."""
        if session is None:
            session = self.publish_match(match, kinds)
        return self.wait_answer(session)


_HUBS: dict[str, Hub] = {}
_HUBS_LOCK = threading.Lock()


def hub_for(settings: Settings) -> Hub | None:
    """The process's Hub for `[events] mqtt`, made on first use; None when events are off."""
    conf = settings.section("events")
    url = conf.get("mqtt")
    if not url:
        return None
    key = f"{url}|{conf.get('topic_prefix', 'assistant')}|{conf.get('site_id', 'default')}"
    with _HUBS_LOCK:
        hub = _HUBS.get(key)
        if hub is None:
            bus = Bus(BrokerAddress.parse(str(url)))
            bus.wait_connected(float(conf.get("connect_wait", 1.0)))  # events of the first command
            hub = Hub(
                bus,
                str(conf.get("topic_prefix", "assistant")),
                str(conf.get("site_id", "default")),
                float(conf.get("reply_timeout", DEFAULT_REPLY_TIMEOUT)),
            )
            _HUBS[key] = hub
        return hub


def close_hubs() -> None:
    with _HUBS_LOCK:
        hubs = list(_HUBS.values())
        _HUBS.clear()
    for hub in hubs:
        hub.bus.close()
