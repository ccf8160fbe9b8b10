"""The speaker on the shelf: microphone -> wake -> endpoint -> ASR -> NLU -> dialog -> speech.

A reader thread takes 30 ms frames from the source (microphone or a recording streamed
like one) into a bounded queue, so the microphone is never starved while Whisper works.
The loop feeds every frame to the keyword spotter and the endpointer, and acts on what
they report:

* wake phrase spotted   -> earcon, stop any reply that is playing, listen for a command
                           (the audio after the spotted name, or the next utterance);
* speech segment closed -> a command when a window is open (wake, Enter, follow-up, or
                           always-listening mode); otherwise a wake-phrase check on its
                           transcript ("你好小娜，现在几点" in one breath); while a reply or
                           music plays, "stop" / "停" / the wake phrase cut it (barge-in);
* window timed out      -> "done" earcon, back to waiting.

What each of these means depends on where the loop is (window open, follow-up question
playing, a spotted name being confirmed): those decisions are one state machine in
listen_state.py, which this class feeds with events and whose actions it carries out.

Replies play through the project's `Player` without blocking, which is what lets the
user talk over them. Nothing grows with time: the queue and segment buffers are bounded,
the models are the Assistant's (loaded once), and the spotter restarts its utterance.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .audio.earcons import earcon
from .audio.vad import FRAME_BYTES, FRAME_MS, EndpointSettings, Segment, Segmenter
from .audio.wake import KeywordSpotter, StopWords, TranscriptWake, WakeSettings
from .errors import AssistantError, AudioError, ConfigError
from .listen_state import (
    Action,
    Earcon,
    Emit,
    Event,
    Heard,
    Hold,
    NoSpeech,
    OpenWindow,
    PauseMedia,
    Playing,
    Print,
    Release,
    Replied,
    Reroute,
    ResetSegmenter,
    Rules,
    RunCommand,
    SegmentClosed,
    Spotted,
    State,
    StopSpeech,
    Tick,
    Transcribe,
    step,
    window_open,
)
from .types import SAMPLE_RATE, Reply, Transcript, Utterance

if TYPE_CHECKING:
    from .app import Assistant

log = logging.getLogger(__name__)

MODES = ("wake", "push_to_talk", "always")


@dataclass(frozen=True)
class ListenSettings:
    """`[listen]` and `[wake]` of the config file, plus the command-line mode."""

    mode: str = "wake"
    endpoint: EndpointSettings = field(default_factory=EndpointSettings)
    wake: WakeSettings = field(default_factory=WakeSettings)
    followup_timeout: float = 8.0  # how long a follow-up question keeps the microphone open
    barge_in_silence: float = 0.35  # shorter end-of-speech while a reply plays, so "stop" acts fast
    barge_in_max: float = 3.0  # longer segments during playback are not barge-in candidates
    earcons: bool = True
    earcon_volume: float = 0.5
    queue_seconds: float = 20.0  # microphone audio held while a command is processed

    @classmethod
    def from_settings(
        cls, settings: Any, mode: str | None = None, wake_phrases: list[str] | None = None
    ) -> ListenSettings:
        table = settings.section("listen")
        mode = mode or str(table.get("mode", "wake")).replace("-", "_")
        if mode not in MODES:
            raise ConfigError(f"[listen] mode {mode!r}: use wake, push_to_talk or always")
        dialog = settings.section("dialog")
        try:
            return cls(
                mode=mode,
                endpoint=EndpointSettings.from_config(table),
                wake=WakeSettings.from_config(settings.section("wake"), wake_phrases),
                followup_timeout=float(
                    table.get("followup_timeout", dialog.get("followup_timeout", 8.0))
                ),
                barge_in_silence=float(table.get("barge_in_silence", 0.35)),
                barge_in_max=float(table.get("barge_in_max", 3.0)),
                earcons=bool(table.get("earcons", True)),
                earcon_volume=float(table.get("earcon_volume", 0.5)),
                queue_seconds=float(table.get("queue_seconds", 20.0)),
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[listen] settings: {exc}") from None


class FrameReader:
    """Reads the source in a thread and hands out exact 30 ms frames through a bounded queue.

    A live microphone must never block: when the loop falls behind by more than
    `max_seconds`, the oldest audio is dropped (and logged). A recording blocks instead,
    so every frame of a test file is processed.
    """

    def __init__(self, source: Any, live: bool, max_seconds: float = 20.0):
        self._source = source
        self._live = live
        self._q: queue.Queue[bytes | None | BaseException] = queue.Queue(
            maxsize=max(10, int(max_seconds * 1000 / FRAME_MS))
        )
        self._stop = threading.Event()
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="mic-reader", daemon=True)

    def start(self) -> FrameReader:
        self._thread.start()
        return self

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return
            except queue.Full:
                if self._live and isinstance(item, bytes):
                    try:
                        self._q.get_nowait()
                        self.dropped += 1
                        if self.dropped in (1, 100, 1000) or self.dropped % 10000 == 0:
                            log.warning(
                                "listening fell behind: dropped %d frames of microphone audio",
                                self.dropped,
                            )
                    except queue.Empty:
                        pass

    def _run(self) -> None:
        buf = b""
        try:
            while not self._stop.is_set():
                data = self._source.stream.read(self._source.CHUNK)
                if not data:
                    break
                buf += data
                while len(buf) >= FRAME_BYTES:
                    self._put(buf[:FRAME_BYTES])
                    buf = buf[FRAME_BYTES:]
        except Exception as exc:  # a device that vanished: the loop reports it as one line
            self._put(exc)
            return
        self._put(None)

    def get(self, timeout: float = 0.1) -> bytes | None | BaseException | Literal[False]:
        """A frame, None at the end of a recording, an exception from the device, or False
        (nothing yet)."""
        try:
            return self._q.get(timeout=timeout)
        except queue.Empty:
            return False

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)


class Listener:
    """The listening loop around a loaded `Assistant` (its recogniser, NLU, dialog and player)."""

    def __init__(
        self,
        assistant: Assistant,
        config: ListenSettings | None = None,
        out: Callable[[str], None] = print,
        lang: str = "auto",
        speak: bool = True,
        on_event: Callable[[str, dict], None] | None = None,
    ):
        self.assistant = assistant
        self.config = config or ListenSettings()
        self.out = out
        self.lang = lang
        self.speak = speak
        self.on_event = on_event
        self.segmenter = Segmenter(self.config.endpoint)
        wake = self.config.wake
        self.spotter: KeywordSpotter | None = None
        if wake.spotter and wake.phrases.get("en"):
            self.spotter = KeywordSpotter(
                wake.phrases["en"], wake.kws_threshold, wake.keyphrases, wake.pronunciations
            )
            if not self.spotter.active:
                self.spotter = None
        # a strict second spotter: its hits (no false wake in 30 min of our speech) need no
        # confirmation
        self.sure_spotter: KeywordSpotter | None = None
        if self.spotter is not None and wake.confirm and wake.kws_sure_threshold:
            self.sure_spotter = KeywordSpotter(
                wake.phrases["en"], wake.kws_sure_threshold, wake.keyphrases, wake.pronunciations
            )
        self.transcript_wake = TranscriptWake(
            wake.all_phrases(), wake.transcript_threshold, wake.transcript_threshold_en
        )
        # once the spotter has heard the name, finding it in the transcript only has to locate it
        self.spotted_wake = TranscriptWake(
            wake.all_phrases(),
            min(wake.transcript_threshold, 65.0),
            min(wake.transcript_threshold_en, 65.0),
        )
        self.stop_words = StopWords(wake.stop_words)
        self.rules = Rules(
            mode=self.config.mode,
            confirm=wake.confirm,
            transcript_wake=wake.transcript,
            max_segment=wake.max_segment,
            barge_in_max=self.config.barge_in_max,
            followup_timeout=self.config.followup_timeout,
        )
        self.state = State()  # everything the loop remembers between frames (listen_state.py)
        self._segments: list[Segment] = []  # the segment being decided (its audio), innermost last
        self._trigger = threading.Event()
        self._quit = threading.Event()
        self._voice_lock = threading.Lock()
        self._played_note = False

    # -- control from other threads ------------------------------------------------------
    def trigger(self) -> None:
        """Push-to-talk: open the microphone for one command (thread-safe)."""
        self._trigger.set()

    def quit(self) -> None:
        self._quit.set()

    # -- the loop ------------------------------------------------------------------------
    def run(self, source: Any) -> None:
        """Listen until the recording ends, `quit()` is called or the device fails."""
        _ = self.assistant.recognizer  # load the speech model before the microphone opens
        _ = self.assistant.engine
        self.assistant.dialog.start(self._announce)
        live = not hasattr(source, "path")
        if live:
            # A microphone hears a room: measure it first, as SpeechRecognition's
            # adjust_for_ambient_noise does. Recordings carry their own calibrated scenes.
            self.segmenter.vad.start_calibration(self.config.endpoint.calibrate)
        with source:
            reader = FrameReader(source, live=live, max_seconds=self.config.queue_seconds).start()
            self._event("ready", mode=self.config.mode)
            try:
                while not self._quit.is_set():
                    item = reader.get()
                    if item is False:
                        self._tick()
                        continue
                    if item is None:
                        seg = self.segmenter.flush()
                        if seg is not None:
                            self._on_segment(seg)
                        break
                    if isinstance(item, BaseException):
                        raise device_error(item)
                    self.process(item)
            finally:
                reader.stop()
                for spotter in (self.spotter, self.sure_spotter):
                    if spotter is not None:
                        spotter.close()
        self._event("end")

    def _tick(self) -> None:
        """Work that depends on the clock rather than on audio (Enter pressed, reply finished)."""
        pressed = self._trigger.is_set()
        if pressed:
            self._trigger.clear()
        self._feed(Tick(pressed, self._playing()))

    def process(self, frame: bytes) -> None:
        """One 30 ms frame through the spotter and the endpointer."""
        self._tick()
        playing = self._speaking() or self._media_playing()
        self.segmenter.trailing_silence = (
            self.config.barge_in_silence
            if playing and not window_open(self.state, self.rules)
            else self.config.endpoint.trailing_silence
        )
        if self.spotter is not None and self.config.mode != "push_to_talk":
            hit = self.spotter.feed(frame)
            sure = self.sure_spotter.feed(frame) if self.sure_spotter is not None else None
            if sure is not None:
                self._feed(Spotted(sure.phrase, sure.end, sure=True, playing=self._playing()))
            elif hit is not None:
                self._feed(Spotted(hit.phrase, hit.end, playing=self._playing()))
        result = self.segmenter.feed(frame)
        if result == "timeout":
            self._feed(NoSpeech())
        elif isinstance(result, Segment):
            self._on_segment(result)

    def _on_segment(self, seg: Segment) -> None:
        self._event(
            "segment",
            start=round(seg.start, 2),
            speech_end=round(seg.speech_end, 2),
            closed_at=round(seg.closed_at, 2),
            reason=seg.reason,
        )
        spot = self.state.spot
        rest_voiced = 0.0
        if spot is not None and seg.start - 0.1 <= spot.end <= seg.closed_at:
            rest_voiced = self._voiced_seconds(seg.pcm[_cut(seg, spot.end) :])
        self._segments.append(seg)
        try:
            self._feed(
                SegmentClosed(seg.start, seg.closed_at, seg.duration, rest_voiced, self._playing())
            )
        finally:
            self._segments.pop()

    # -- carrying out the state machine's actions -------------------------------------------
    def _feed(self, event: Event) -> None:
        self.state, actions = step(self.state, event, self.rules)
        for action in actions:
            self._do(action)

    def _do(self, action: Action) -> None:
        player = self.assistant.player
        if isinstance(action, Emit):
            self._event(action.name, **action.info)
        elif isinstance(action, Print):
            self.out(action.line)
        elif isinstance(action, Earcon):
            self._earcon(action.name)
        elif isinstance(action, OpenWindow):
            self.segmenter.open_window(action.timeout)
            self._event(
                "window_open", timeout=action.timeout or self.config.endpoint.no_speech_timeout
            )
        elif isinstance(action, ResetSegmenter):
            self.segmenter.reset()
        elif isinstance(action, StopSpeech):
            self._event("speech_stopped", at=round(player.position("speech"), 2), by=action.why)
            player.stop("speech")
        elif isinstance(action, PauseMedia):
            player.pause("media")
        elif isinstance(action, Hold):
            for channel in action.channels:
                player.pause(channel)
        elif isinstance(action, Release):
            for channel in action.channels:
                player.resume(channel)
        elif isinstance(action, Transcribe):
            self._feed(self._hear(action.after))
        elif isinstance(action, Reroute):
            self._feed(replace(action.segment, playing=self._playing()))
        elif isinstance(action, RunCommand):
            self._run_command(action.text, action.lang)

    def _hear(self, after: float | None) -> Heard:
        """The transcript of the segment being decided (from `after` on), and what is in it."""
        seg = self._segments[-1]
        transcript = self._transcribe(seg.pcm if after is None else seg.pcm[_cut(seg, after) :])
        text = transcript.text
        return Heard(
            text,
            transcript.lang,
            name=self.transcript_wake.match(text) if text else None,
            spotted=self.spotted_wake.match(text),
            stop=self.stop_words.match(text),
            playing=self._playing(),
        )

    def _run_command(self, text: str, lang: str) -> None:
        self.out(f"heard: {text}")
        t0 = time.perf_counter()
        try:
            match = self.assistant.understand(text, lang=lang)
            reply = self.assistant.respond(match)
        except AssistantError as exc:
            self.out(f"error: {exc}")
            self._earcon("error")
            return
        self.out(f"assistant: {reply.text}")
        self._event(
            "reply",
            text=reply.text,
            intent=getattr(match, "intent", None),
            end_session=reply.end_session,
            ms=round((time.perf_counter() - t0) * 1000, 1),
        )
        if self.speak:
            self._say(reply)
        self._feed(Replied(reply.end_session, speaking=self.speak and self._speaking()))

    # -- helpers -----------------------------------------------------------------------------
    def _transcribe(self, pcm: bytes) -> Transcript:
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        t0 = time.perf_counter()
        try:
            transcript = self.assistant.recognizer.transcribe(
                Utterance(audio, SAMPLE_RATE, "microphone"), lang=self.lang
            )
        except AssistantError as exc:
            self.out(f"error: {exc}")
            self._earcon("error")
            return Transcript("", self.lang if self.lang != "auto" else "en")
        if "\ufffd" in transcript.text:  # a character cut in half by the decoder
            transcript = Transcript(
                transcript.text.replace("\ufffd", ""),
                transcript.lang,
                transcript.confidence,
                transcript.alternatives,
            )
        self._event(
            "transcript",
            text=transcript.text,
            lang=transcript.lang,
            seconds=round(len(audio) / SAMPLE_RATE, 2),
            ms=round((time.perf_counter() - t0) * 1000, 1),
        )
        return transcript

    def _voiced_seconds(self, pcm: bytes) -> float:
        vad = self.segmenter.vad
        n = sum(
            1
            for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)
            if vad.is_speech(pcm[i : i + FRAME_BYTES])
        )
        return n * FRAME_MS / 1000.0

    def _speaking(self) -> bool:
        return self.assistant.player.is_playing("speech")

    def _media_playing(self) -> bool:
        return self.assistant.player.is_playing("media")

    def _playing(self) -> Playing:
        return Playing(speech=self._speaking(), media=self._media_playing())

    def _earcon(self, name: str) -> None:
        if not (self.config.earcons and self.speak):
            return
        audio, rate = earcon(name)
        self.assistant.player.play(audio * self.config.earcon_volume, rate, channel="earcon")

    def _say(self, reply: Reply) -> None:
        """Synthesize and start playing; returns at once so the user can talk over it."""
        from .audio.decode import load_for_playback

        try:
            with self._voice_lock:
                path = self.assistant.voice(reply).audio_path
            if path is None:  # voice() always names the file it wrote
                return
            audio, rate = load_for_playback(path)
        except AssistantError as exc:
            self.out(f"error: {exc}")
            return
        player = self.assistant.player
        if not player.available and not self._played_note:
            self._played_note = True
            log.info(
                "%s: replies play to a silent sink (real time, so barge-in still works)",
                player.problem,
            )
        player.play(audio, rate, channel="speech")
        self._event("speaking", seconds=round(len(audio) / rate, 2))
        _remove_quietly(reply.audio_path)

    def _announce(self, reply: Reply) -> None:
        """An unprompted announcement (a timer firing), from the dialog's scheduler thread."""
        self.out(f"assistant: {reply.text}")
        if self.speak:
            self._say(reply)

    def _event(self, name: str, **info: Any) -> None:
        log.debug("%s %s", name, info)
        if self.on_event is not None:
            self.on_event(name, info)


def device_error(exc: BaseException) -> AssistantError:
    """A device failure as one line for the user (the microphone vanished or was taken)."""
    if isinstance(exc, AssistantError):
        return exc
    return AudioError(f"the microphone stopped working ({exc}); check the device and try again")


def _cut(seg: Segment, at: float) -> int:
    """The byte offset in a segment's 16-bit audio of stream time `at`."""
    return max(0, int((at - seg.start) * SAMPLE_RATE)) * 2


def _remove_quietly(path: str | None) -> None:
    if not path:
        return
    import os

    with contextlib.suppress(OSError):
        os.unlink(path)


def press_enter_to_talk(stream) -> Callable[[Listener], None]:
    """Push-to-talk from a terminal (or a pipe): every line read from `stream` opens the
    microphone."""

    def start(listener: Listener) -> None:
        def read() -> None:
            for _line in stream:
                listener.trigger()

        if getattr(stream, "isatty", lambda: False)():
            print("Press Enter, then speak (Ctrl-C to quit).", flush=True)
        threading.Thread(target=read, name="enter-to-talk", daemon=True).start()

    return start


def listen(
    assistant: Assistant,
    source: Any,
    out: Callable[[str], None],
    mode: str | None = None,
    wake_phrases: list[str] | None = None,
    lang: str = "auto",
    speak: bool = True,
    on_event: Callable[[str, dict], None] | None = None,
    on_start: Callable[[Listener], None] | None = None,
    retry_seconds: float = 5.0,
) -> Listener:
    """Build a Listener from the assistant's settings and run it on `source` until it ends.

    A recording ends the loop at its end. A live microphone that fails (unplugged, taken
    by another program) is reported once as one line and reopened every `retry_seconds`,
    rather than crashing or printing the same error in a tight loop.
    """
    config = ListenSettings.from_settings(assistant.settings, mode=mode, wake_phrases=wake_phrases)
    listener = Listener(assistant, config, out=out, lang=lang, speak=speak, on_event=on_event)
    if on_start is not None:
        on_start(listener)
    live = not hasattr(source, "path")
    last_error = None
    while True:
        try:
            listener.run(source)
            return listener
        except AudioError as exc:
            if not live:
                raise
            if str(exc) != last_error:
                out(f"error: {exc} (retrying every {retry_seconds:g} s)")
                last_error = str(exc)
            time.sleep(retry_seconds)
