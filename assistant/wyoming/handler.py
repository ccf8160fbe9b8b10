"""One client connection: its events in, our answers out, and its problems kept to itself.

Every event is answered in order. A request the server cannot serve (a missing field, audio in a
format we cannot read, a command longer than `[audio] max_command_seconds`, an engine failure)
gets an `error` event and the connection stays open; bytes that are not Wyoming at all, or a
client that vanishes mid-event, end this connection only, with one log line either way.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, async_write_event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe
from wyoming.intent import Entity, Intent, NotRecognized, Recognize
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncEventHandler
from wyoming.tts import Synthesize

from ..errors import AssistantError
from .engines import Engines
from .info import VOICE_PREFIX, build_info
from .pcm import Collector, FormatError, PcmFormat, TooLong, to_pcm16
from .protocol import ProtocolError, read_event

log = logging.getLogger(__name__)

SAMPLES_PER_CHUNK = 1024


def wanted_lang(value: Any, default: str = "auto") -> str:
    """A client's language ("en", "en-US", "zh-CN", "zh_Hans", None...) as auto, en or zh."""
    if not isinstance(value, str) or not value:
        return default
    code = value.lower().replace("_", "-")
    if code.startswith(("zh", "cmn")):
        return "zh"
    if code.startswith("en"):
        return "en"
    return default


def json_safe(value: Any) -> Any:
    """A slot value as JSON can carry it (dates and other objects as their text)."""
    try:
        json.dumps(value, ensure_ascii=False)
        return value
    except (TypeError, ValueError):
        return str(value)


class BadRequest(ValueError):
    """A well-formed event asking for something we cannot do; answered with an `error` event."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Shared:
    """What the server and all its connections share: the engines and who is connected."""

    engines: Engines
    max_clients: int
    # a connection that sends no event for this long is closed: a client that connects and then
    # says nothing (or trickles one event for ever) must not hold one of the max_clients slots
    idle_seconds: float = 300.0
    handlers: set[WyomingHandler] = field(default_factory=set)
    stopping: bool = False


class WyomingHandler(AsyncEventHandler):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shared: Shared):
        super().__init__(reader, writer)
        self.shared = shared
        self.engines = shared.engines
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "unix socket"
        self.audio = Collector(self.engines.max_seconds)
        self.lang = self.engines.default_lang
        self.skipping = False  # audio past the limit: dropped until its audio-stop
        self.busy = False  # answering an event
        self.streaming = False  # between audio-start and audio-stop: a command on its way

    async def write_event(self, event: Event) -> None:
        await async_write_event(event, self.writer)

    async def run(self) -> None:
        """Events until the client leaves; our own reader (bounded) instead of the package's."""
        shared = self.shared
        try:
            if len(shared.handlers) >= shared.max_clients or shared.stopping:
                log.warning(
                    "client %s refused: %s",
                    self.peer,
                    "the server is stopping"
                    if shared.stopping
                    else f"already {shared.max_clients} clients ([serve] max_clients)",
                )
                await self.write_event(Error(text="server busy, try again", code="busy").event())
                return
            shared.handlers.add(self)
            while not shared.stopping or self.streaming:
                try:
                    event = await asyncio.wait_for(read_event(self.reader), shared.idle_seconds)
                except asyncio.TimeoutError:
                    log.warning(
                        "client %s closed: no whole event in %g s ([serve] idle_seconds)",
                        self.peer,
                        shared.idle_seconds,
                    )
                    break
                if event is None:
                    break
                self.busy = True
                try:
                    await self.handle_event(event)
                finally:
                    self.busy = False
        except ProtocolError as exc:
            log.warning("client %s dropped: %s", self.peer, exc)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            log.warning("client %s went away mid-event (%s)", self.peer, type(exc).__name__)
        except Exception:  # a bug: this connection only, with its traceback in the log
            log.exception("client %s: unexpected failure", self.peer)
        finally:
            shared.handlers.discard(self)
            self.writer.close()

    async def stop_if_idle(self) -> None:
        """On SIGTERM: a client between requests is let go now; one sending or waiting for an
        answer is served first (within the grace time)."""
        if not self.busy and not self.streaming:
            await self.stop()

    async def handle_event(self, event: Event) -> bool:
        try:
            answer = await self._answer(event)
        except BadRequest as exc:
            log.warning("client %s: %s", self.peer, exc)
            answer = [Error(text=str(exc), code=exc.code).event()]
        except AssistantError as exc:
            log.warning("client %s: %s failed: %s", self.peer, event.type, exc)
            answer = [Error(text=str(exc), code="failed").event()]
        for out in answer:
            await self.write_event(out)
        return True

    async def _answer(self, event: Event) -> list[Event]:
        kind = event.type
        if Describe.is_type(kind):
            return [build_info(self.engines.app.settings.asr.model, self.engines.voices).event()]
        if Ping.is_type(kind):
            return [Pong(text=event.data.get("text")).event()]
        if Transcribe.is_type(kind):
            self.lang = wanted_lang(event.data.get("language"), self.engines.default_lang)
            return []
        if AudioStart.is_type(kind):
            self.audio.start(self._format(event.data))
            self.skipping = False
            self.streaming = True
            return []
        if AudioChunk.is_type(kind):
            return self._chunk(event)
        if AudioStop.is_type(kind):
            return await self._transcript()
        if Recognize.is_type(kind):
            return await self._recognize(self._text(event))
        if Transcript.is_type(kind):
            return await self._handle(self._text(event), event.data.get("language"),
                                      event.data.get("context"))
        if Synthesize.is_type(kind):
            return await self._synthesize(event)
        raise BadRequest(f"unknown event type {kind[:40]!r}", "unknown-event")

    # -- the pieces ------------------------------------------------------------------------
    @staticmethod
    def _format(data: dict[str, Any]) -> PcmFormat:
        try:
            return PcmFormat.of(data)
        except FormatError as exc:
            raise BadRequest(str(exc), "bad-audio") from None

    @staticmethod
    def _text(event: Event) -> str:
        text = event.data.get("text")
        if not isinstance(text, str):
            raise BadRequest(f'{event.type} without a "text" string', "bad-event")
        return text

    def _chunk(self, event: Event) -> list[Event]:
        if self.skipping:
            return []
        try:
            self.audio.add(self._format(event.data), event.payload or b"")
        except TooLong as exc:
            self.skipping = True
            raise BadRequest(str(exc), "audio-too-long") from None
        return []

    async def _transcript(self) -> list[Event]:
        self.streaming = False
        if self.skipping:
            self.skipping = False
            return []
        audio = self.audio.take()  # already 16 kHz mono: only the resampler's tail is left
        lang, self.lang = self.lang, self.engines.default_lang
        heard = await self.engines.transcribe(audio, lang)
        log.info("client %s: heard %r (%s)", self.peer, heard.text, heard.lang)
        return [Transcript(text=heard.text, language=heard.lang).event()]

    async def _recognize(self, text: str) -> list[Event]:
        match = await self.engines.recognize(text, "auto")
        context = {"language": match.lang, "score": round(float(match.score), 4)}
        if match.intent is None:
            return [NotRecognized(text=text, context=context).event()]
        entities = [Entity(name=str(k), value=json_safe(v)) for k, v in match.slots.items()]
        return [Intent(name=match.intent, entities=entities, context=context).event()]

    async def _handle(self, text: str, language: Any, given: Any) -> list[Event]:
        reply, done = await self.engines.handle(text, wanted_lang(language))
        log.info("client %s: %r -> %r", self.peer, text, reply.text)
        # the client's own context (Home Assistant's conversation_id) goes back with ours
        context = {**(given if isinstance(given, dict) else {}), "language": reply.lang,
                   "continue_conversation": not reply.end_session}
        return [(Handled if done else NotHandled)(text=reply.text, context=context).event()]

    async def _synthesize(self, event: Event) -> list[Event]:
        text = self._text(event)
        voice = event.data.get("voice") or {}
        if not isinstance(voice, dict):
            raise BadRequest('synthesize with a "voice" that is not an object', "bad-event")
        name, language = voice.get("name"), voice.get("language")
        lang = ""
        if isinstance(name, str) and name.startswith(VOICE_PREFIX):
            lang = wanted_lang(name[len(VOICE_PREFIX) :], "")
        if not lang:
            lang = wanted_lang(language, "")
        spoken = await self.engines.synthesize(text, lang or None)
        pcm = to_pcm16(spoken.audio)
        step = SAMPLES_PER_CHUNK * 2
        out = [AudioStart(rate=spoken.rate, width=2, channels=1).event()]
        out += [
            AudioChunk(rate=spoken.rate, width=2, channels=1, audio=pcm[i : i + step]).event()
            for i in range(0, len(pcm), step)
        ]
        out.append(AudioStop().event())
        return out
