"""Engines on another machine, reached over Wyoming: a Pi speaker hands recognition (and speech,
if it likes) to a bigger machine running wyoming-faster-whisper, wyoming-piper or another
`assistant serve`.

Both speak our engine protocols (asr.Recognizer, tts.Speaker), so the rest of the program does not
know the difference. Every call has one deadline (`timeout`) for connecting and answering, so a
server that is down or stuck costs that long at most, never a hang. `Fallback` puts the local
engine behind a remote one: when the remote fails, one `warning:` line says so, the local engine
answers, and the remote is tried again after `RETRY_SECONDS` (not before every command).
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
import wave
from pathlib import Path
from typing import Any, Generic, TypeVar
from collections.abc import Callable

from wyoming.asr import Transcribe, Transcript as WyTranscript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeVoice

from ..errors import AssistantError, RecognizerError, SpeechError
from ..nlu.normalize import detect_lang
from ..tts.output import write_audio
from ..types import SAMPLE_RATE, Transcript, Utterance
from .pcm import FormatError, PcmFormat, to_pcm16
from .protocol import ProtocolError, read_event

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15.0
RETRY_SECONDS = 30.0
CHUNK_SAMPLES = 1600  # 100 ms at 16 kHz
MAX_SPEECH_SECONDS = 120.0  # a reply from a remote voice longer than this is refused
E = TypeVar("E")


async def _exchange(
    uri: str,
    events: list[Event],
    until: Callable[[Event], bool],
    collect: Callable[[Event], None] | None = None,
) -> Event:
    """Send `events`, then read until an event `until` accepts (an `error` event raises)."""
    client = AsyncClient.from_uri(uri)
    await client.connect()
    try:
        for event in events:
            await client.write_event(event)
        reader = client._reader  # the package's own reader trusts lengths; ours is bounded
        assert reader is not None
        while True:
            got = await read_event(reader)
            if got is None:
                raise ConnectionError("the server closed the connection without an answer")
            if Error.is_type(got.type):
                raise RuntimeError(f"the server said: {got.data.get('text', 'error')}")
            if until(got):
                return got
            if collect is not None:
                collect(got)
    finally:
        await client.disconnect()


def _ask(
    uri: str,
    timeout: float,
    what: str,
    error: type[AssistantError],
    events: list[Event],
    until: Callable[[Event], bool],
    collect: Callable[[Event], None] | None = None,
) -> Event:
    """`_exchange` from synchronous code, within one deadline, every failure one line."""
    try:
        return asyncio.run(asyncio.wait_for(_exchange(uri, events, until, collect), timeout))
    except (asyncio.TimeoutError, TimeoutError):
        raise error(f"the Wyoming {what} at {uri} did not answer within {timeout:g} s") from None
    except (OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise error(f"the Wyoming {what} at {uri} is unreachable: {reason}") from None
    except (ProtocolError, RuntimeError, FormatError, ValueError) as exc:
        raise error(f"the Wyoming {what} at {uri} failed: {exc}") from None


def _lang_of(value: Any, text: str) -> str:
    code = value.lower() if isinstance(value, str) else ""
    if code.startswith(("zh", "cmn")):
        return "zh"
    if code.startswith("en"):
        return "en"
    return detect_lang(text)


class WyomingRecognizer:
    """asr.Recognizer over Wyoming: 16 kHz 16-bit mono chunks out, a `transcript` back."""

    name = "wyoming"

    def __init__(self, uri: str, timeout: float = DEFAULT_TIMEOUT):
        self.uri = uri
        self.timeout = timeout

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        pcm = to_pcm16(utterance.audio)
        fmt = {"rate": SAMPLE_RATE, "width": 2, "channels": 1}
        step = CHUNK_SAMPLES * 2
        events = [
            Transcribe(language=None if lang == "auto" else lang).event(),
            AudioStart(**fmt).event(),
        ]
        events += [
            AudioChunk(audio=pcm[i : i + step], **fmt).event() for i in range(0, len(pcm), step)
        ]
        events.append(AudioStop().event())
        answer = _ask(
            self.uri,
            self.timeout,
            "recogniser",
            RecognizerError,
            events,
            lambda e: WyTranscript.is_type(e.type),
        )
        text = str(answer.data.get("text") or "").strip()
        return Transcript(
            text,
            _lang_of(answer.data.get("language"), text) if lang == "auto" else lang,
            confidence=1.0 if text else 0.0,
        )


class WyomingSpeaker:
    """tts.Speaker over Wyoming: `synthesize` with the language as the voice, a WAV back."""

    name = "wyoming"

    def __init__(self, uri: str, timeout: float = DEFAULT_TIMEOUT):
        self.uri = uri
        self.timeout = timeout
        self.voices: dict[str, str | None] = {"en": f"remote {uri}", "zh": f"remote {uri}"}

    def synthesize(self, text: str, lang: str, path: Path) -> Path:
        if not text or not text.strip():
            raise SpeechError("nothing to say: the text is empty")
        chunks: list[bytes] = []
        fmt: list[PcmFormat] = []
        total = [0]

        def collect(event: Event) -> None:
            if AudioStart.is_type(event.type):
                fmt[:] = [PcmFormat.of(event.data)]
            elif AudioChunk.is_type(event.type) and event.payload:
                chunk_fmt = PcmFormat.of(event.data)
                total[0] += len(event.payload)
                if total[0] > MAX_SPEECH_SECONDS * chunk_fmt.bytes_per_second:
                    raise ValueError(f"speech longer than {MAX_SPEECH_SECONDS:g} s")
                fmt[:] = [chunk_fmt]
                chunks.append(event.payload)

        request = Synthesize(text=text, voice=SynthesizeVoice(language=lang)).event()
        _ask(
            self.uri,
            self.timeout,
            "voice",
            SpeechError,
            [request],
            lambda e: AudioStop.is_type(e.type),
            collect,
        )
        if not chunks or not fmt:
            raise SpeechError(f"the Wyoming voice at {self.uri} sent no audio for {text!r}")
        return write_audio(Path(path), _wav(b"".join(chunks), fmt[0]))


def _wav(pcm: bytes, fmt: PcmFormat) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(fmt.channels)
        out.setsampwidth(fmt.width)
        out.setframerate(fmt.rate)
        out.writeframes(pcm[: len(pcm) - len(pcm) % (fmt.width * fmt.channels)])
    return buffer.getvalue()


class Fallback(Generic[E]):
    """A remote engine with a local one behind it (built only when first needed)."""

    def __init__(
        self,
        remote: E,
        make_local: Callable[[], E] | None,
        what: str,
        warn: Callable[[str], None] | None = None,
    ):
        self.remote = remote
        self.name = getattr(remote, "name", "wyoming")
        self._make_local = make_local
        self._local: E | None = None
        self._what = what
        self._down_until = 0.0
        self._warn = warn or (lambda line: log.warning("%s", line))

    def local(self) -> E:
        if self._local is None:
            assert self._make_local is not None
            self._local = self._make_local()
        return self._local

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(self.remote, method)(*args, **kwargs)
            except AssistantError as exc:
                if self._make_local is None:
                    raise
                self._down_until = time.monotonic() + RETRY_SECONDS
                self._warn(
                    f"{exc}; using the local {self._what} (trying the server again in "
                    f"{RETRY_SECONDS:g} s)"
                )
        return getattr(self.local(), method)(*args, **kwargs)


class FallbackRecognizer(Fallback[Any]):
    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        result: Transcript = self.call("transcribe", utterance, lang=lang)
        return result


class FallbackSpeaker(Fallback[Any]):
    @property
    def voices(self) -> dict[str, str | None]:
        return dict(getattr(self.remote, "voices", {}))

    def synthesize(self, text: str, lang: str, path: Path) -> Path:
        result: Path = self.call("synthesize", text, lang, path)
        return result
