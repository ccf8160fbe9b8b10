"""The conversation: from a Match to a Reply, plus the scheduler that speaks unprompted.

The dialog decides everything that is not one skill's business: the reply language,
follow-up questions for missing slots, elliptical follow-ups ("and the kitchen"),
apologising instead of crashing when a skill fails, and announcing timers and alarms
from a background thread while the main loop is idle.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from contextlib import contextmanager
from typing import Any
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Settings
from ..errors import ConfigError, StateError
from ..store import Store
from ..types import LANGUAGES, Match, Reply
from ..skills import DialogHooks, Env, load_skills
from ..skills.base import Answer, ListSource, MediaPlayer
from .context import CONFIRM_SLOT, Pending, Session, carry_over, fill_slot, is_elliptical
from .sounds import alert_sound
from ..phrases.texts import text

log = logging.getLogger(__name__)


def make_clock(timezone: str | None) -> Callable[[], dt.datetime]:
    """A timezone-aware `now` in the configured zone (the system's when None)."""
    if not timezone:
        return lambda: dt.datetime.now().astimezone()
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {timezone!r}: use an IANA name such as Asia/Shanghai"
        ) from None
    return lambda: dt.datetime.now(zone)


class Dialog:
    """Turns matches into replies; owns the skills, the state database and the scheduler."""

    def __init__(
        self,
        settings: Settings,
        engine: ListSource | None,
        player: MediaPlayer | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ):
        self.settings = settings
        self.engine = engine
        self.player = player
        self.now = now or make_clock(settings.timezone)
        conf = settings.section("dialog")
        self.followup_timeout = float(conf.get("followup_timeout", 8.0))
        self.context_timeout = float(conf.get("context_timeout", 120.0))
        self.poll_interval = float(conf.get("poll_interval", 0.25))
        self.store = Store(settings.db_path)
        # what skills may ask of the conversation, as callables: no back-reference to this object
        hooks = DialogHooks(
            reply_lang=self.reply_lang,
            waiting=self.waiting,
            stop_everything=self.stop_everything,
            last_reply=lambda: self.last_reply,
        )
        self.env = Env(settings, self.store, engine, player, self.now, hooks)
        self.skills = load_skills(self.env)
        self.session = Session()
        self.last_reply: Reply | None = None
        # `_lock` guards the dialog's state against the scheduler thread; `_turn` keeps to one
        # command at a time even while a command lets go of `_lock` to wait on the network.
        self._lock = threading.RLock()
        self._turn = threading.Lock()
        self._turn_thread: int | None = None
        self._announce: Callable[[Reply], None] | None = None
        self._thread: threading.Thread | None = None
        self._state_problem: str | None = None  # the last state failure logged by the scheduler
        self._stopping = threading.Event()
        self._closed = False

    # -- language ---------------------------------------------------------------------
    def reply_lang(self, spoken: str | None) -> str:
        """The language chosen with system.language, else the one the user spoke."""
        chosen = self.store.get("language")
        if chosen in LANGUAGES:
            return chosen
        return spoken if spoken in LANGUAGES else "en"

    # -- handling -----------------------------------------------------------------------
    def handle(self, match: Match) -> Reply:
        """The reply to one command. Never raises: a failing skill gives a spoken apology."""
        with self._turn, self._lock:
            self._turn_thread = threading.get_ident()
            lang = "en"
            try:
                lang = self.reply_lang(match.lang)
                reply = self._handle(match, lang)
            except StateError as exc:  # disk full or a damaged file: the user's to fix, not a bug
                log.error("handling %r (%s): %s", match.text, match.intent, exc)
                self.session.pending = None
                reply = Reply(text("state.full" if exc.disk_full else "state.failed", lang), lang)
            except Exception:
                log.exception("handling %r (%s) failed", match.text, match.intent)
                self.session.pending = None
                reply = Reply(text("error", lang), lang)
            finally:
                self._turn_thread = None
            if match.intent != "system.repeat":
                self.last_reply = reply
            return reply

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Let the scheduler run while the command in hand waits on the network.

        A command holds the state lock from start to end so the scheduler never sees half of it,
        but a web call may take its whole deadline (seconds), and a 3-second timer must still ring
        meanwhile. So a skill wraps just the wait in this: the state lock is given back and taken
        again after, while `_turn` still keeps other commands out. Outside a command it does
        nothing.
        """
        if self._turn_thread != threading.get_ident():
            yield
            return
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()

    def _handle(self, match: Match, lang: str) -> Reply:
        pending = self._live_pending()
        intent, slots = match.intent, dict(match.slots or {})
        if pending is not None:
            # a yes/no answer wins over what the matcher made of it ("好的" is also a greeting)
            value = (
                fill_slot(self.env, pending.slot, match.text, lang)
                if intent is None or pending.slot == CONFIRM_SLOT
                else None
            )
            if value is not None:
                intent, slots = pending.intent, {**pending.slots, pending.slot: value}
            elif intent is None:
                return self._reask(pending, lang)
            elif intent == pending.intent:
                slots = {**pending.slots, **slots}
            self.session.pending = None
        last = self.session.last_intent
        if (
            intent is None
            and last is not None
            and is_elliptical(match.text)
            and self.session.recent(self.context_timeout)
        ):
            changed = carry_over(self.env, match.text, lang, last)
            if changed:
                intent = last
                slots = {**self.session.last_slots, **changed}
        if intent is None:
            return Reply(text("fallback", lang), lang, handled=False)
        return self._run(intent, slots, lang)

    def _run(self, intent: str, slots: dict[str, Any], lang: str) -> Reply:
        # a skill for this one intent (a maker's scripted intent or listener), else its domain's
        skill = self.skills.get(intent) or self.skills.get(intent.split(".", 1)[0])
        if skill is None:
            log.warning("no skill for intent %s", intent)
            return Reply(text("unsupported", lang), lang, handled=False)
        answer: Answer = skill.handle(intent, slots, lang)
        out_lang = answer.lang or (self.reply_lang(lang) if intent == "system.language" else lang)
        if answer.ask:
            self.session.pending = Pending(
                intent,
                {**slots, **answer.keep},
                answer.ask,
                out_lang,
                answer.text,
                time.monotonic() + self.followup_timeout,
            )
            return Reply(answer.text, out_lang, end_session=False)
        if not intent.startswith("system."):
            self.session.remember(intent, slots)
        return Reply(answer.text, out_lang)

    def _live_pending(self) -> Pending | None:
        pending = self.session.pending
        if pending is not None and time.monotonic() > pending.deadline:
            self.session.pending = None
            return None
        return pending

    def _reask(self, pending: Pending, lang: str) -> Reply:
        """One more try after an answer we could not use, then give up."""
        if pending.retries >= 1:
            self.session.pending = None
            return Reply(text("fallback", lang), lang, handled=False)
        pending.retries += 1
        pending.deadline = time.monotonic() + self.followup_timeout
        return Reply(
            f"{text('fallback', lang)} {pending.question}"
            if lang == "en"
            else text("fallback", lang) + pending.question,
            lang,
            end_session=False,
        )

    def _each_skill(self, method: str) -> None:
        """Call stop()/close() on every skill; one that fails is logged and does not stop the
        rest."""
        for skill in self.skills.values():
            try:
                getattr(skill, method)()
            except Exception:
                log.exception("%s of %s failed", method, skill.domain)

    def _stop_player(self, *channels: str) -> None:
        if self.player is None:
            return
        try:
            for channel in channels:
                self.player.stop(channel)
        except Exception:
            log.exception("stopping %s failed", ", ".join(channels))

    def stop_everything(self) -> None:
        """system.stop: drop the pending question, stop speech, media and alerts."""
        self.session.pending = None
        self._each_skill("stop")
        self._stop_player("speech", "alert")

    # -- the scheduler ----------------------------------------------------------------------
    def start(self, announce: Callable[[Reply], None]) -> None:
        """Announce what was missed while down, then fire timers/alarms from a background thread."""
        self._announce = announce
        missed: list[tuple[str, str]] = []
        with self._lock:
            for skill in self.skills.values():
                try:
                    missed.extend(skill.missed())
                except StateError as exc:
                    self._state_failed(exc)
                except Exception:
                    log.exception("checking missed %s failed", skill.domain)
        self._speak(missed, alert=False)
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="dialog-scheduler", daemon=True)
            self._thread.start()

    def tick(self) -> list[Reply]:
        """One scheduler pass (also callable from tests): announce what is due now."""
        due: list[tuple[str, str]] = []
        gave_up: Reply | None = None
        with self._lock:
            state_ok = True
            for skill in self.skills.values():
                try:
                    due.extend(skill.due())
                except StateError as exc:
                    state_ok = False
                    self._state_failed(exc)
                except Exception:
                    log.exception("scheduler pass of %s failed", skill.domain)
            if state_ok and self._state_problem is not None:
                log.warning("the state database works again")
                self._state_problem = None
            pending = self.session.pending
            if pending is not None and time.monotonic() > pending.deadline:
                self.session.pending = None
                gave_up = Reply(text("followup_gave_up", pending.lang), pending.lang)
        replies = self._speak(due, alert=True)
        if gave_up is not None:
            replies.append(gave_up)
            self._deliver(gave_up)
        return replies

    def _state_failed(self, exc: StateError) -> None:
        """Log a state failure once, not on every scheduler pass (several a second) while it
        lasts."""
        if str(exc) != self._state_problem:
            self._state_problem = str(exc)
            log.error("timers and alarms wait: %s", exc)

    def _speak(self, items: list[tuple[str, str]], alert: bool) -> list[Reply]:
        replies = [Reply(t, lang) for t, lang in items]
        if replies and alert and self.player is not None:
            try:
                audio, rate = alert_sound()
                self.player.play(audio, rate, channel="alert")
            except Exception:
                log.exception("playing the alert sound failed")
        for reply in replies:
            self._deliver(reply)
        return replies

    def _deliver(self, reply: Reply) -> None:
        with self._lock:
            self.last_reply = reply
        if self._announce is not None:
            try:
                self._announce(reply)
            except Exception:
                log.exception("announcing %r failed", reply.text)

    def _loop(self) -> None:
        while not self._stopping.wait(self.poll_interval):
            try:
                self.tick()
            except Exception:  # never let the scheduler die
                log.exception("scheduler pass failed")

    def close(self) -> None:
        """Stop the scheduler, the skills (media) and close the database."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self._each_skill("close")
        self._stop_player("media")
        with self._lock:
            self.store.close()
