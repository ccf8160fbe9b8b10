"""Builds the pipeline from settings and runs it: ASR -> NLU -> skill -> TTS (the microphone loop is
listener.py).

Every stage is created on first use and then kept: the speech model, the intent index
and the TTS engine are loaded once per process, never per utterance.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .asr import Recognizer
from .audio.decode import load_audio, load_for_playback, max_command_seconds
from .config import Settings
from .errors import AssistantError, ConfigError, RecognizerError
from .schema import LANGUAGES
from .tts import Speaker
from .types import Match, Reply, Transcript, Utterance

if TYPE_CHECKING:  # built lazily: a `parse` or `say` never loads the others
    from .audio.playback import Player
    from .dialog import Dialog
    from .nlu import IntentEngine

log = logging.getLogger(__name__)

NO_SPEECH = {"en": "I didn't hear anything.", "zh": "我什么都没听到。"}


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


@dataclass
class Turn:
    """One command through the whole loop, with where the time went."""

    source: str
    transcript: Transcript | None = None
    match: Match | None = None
    reply: Reply | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.error:
            return {"source": self.source, "error": self.error}
        m = self.match
        return {
            "source": self.source,
            "transcript": self.transcript.text if self.transcript else "",
            "lang": (self.transcript.lang if self.transcript else (m.lang if m else None)),
            "intent": m.intent if m else None,
            "slots": m.slots if m else {},
            "score": round(float(m.score), 4) if m else 0.0,
            "reply": self.reply.text if self.reply else "",
            "reply_audio": self.reply.audio_path if self.reply else None,
            "timings_ms": self.timings_ms,
        }


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language {lang!r}: use auto, en or zh")
    return lang


class Assistant:
    """The loaded product: one of each engine, shared by every command of the process.

    The recogniser, speaker and player are built from the settings on first use unless
    given here (a test or a benchmark shares one loaded Whisper between many assistants,
    or plays to its own player). A given player belongs to the caller: `close()` leaves it open.
    """

    def __init__(
        self,
        settings: Settings,
        asr: str | None = None,
        *,
        recognizer: Recognizer | None = None,
        speaker: Speaker | None = None,
        player: Player | None = None,
    ):
        self.settings = settings
        self.asr_name = asr or settings.asr.engine
        self._engine: IntentEngine | None = None
        self._recognizer: Recognizer | None = recognizer
        self._speaker: Speaker | None = speaker
        self._player: Player | None = player
        self._owns_player = player is None
        self._dialog: Dialog | None = None
        self.notices: list[str] = []

    # -- stages, each built on first use -------------------------------------------------
    @property
    def engine(self) -> IntentEngine:
        if self._engine is None:
            from .nlu import IntentEngine

            lists = self.settings.section("lists") or None
            self._engine = IntentEngine.load(
                self.settings.intents_dirs, lists, cache_dir=self.settings.state_dir
            )
        return self._engine

    @property
    def recognizer(self) -> Recognizer:
        if self._recognizer is None:
            self._recognizer = make_recognizer(self.settings, self.asr_name, self.engine)
        return self._recognizer

    @property
    def speaker(self) -> Speaker:
        if self._speaker is None:
            self._speaker = make_speaker(self.settings)
        return self._speaker

    @property
    def player(self) -> Player:
        if self._player is None:
            from .audio.playback import Player

            self._player = Player(self.settings.section("audio").get("output_device"))
        return self._player

    @property
    def dialog(self) -> Dialog:
        if self._dialog is None:
            from .dialog import Dialog

            try:
                self.settings.state_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"state folder {self.settings.state_dir} cannot be used: {exc.strerror}"
                ) from None
            self._dialog = Dialog(self.settings, self.engine, player=self.player)
        return self._dialog

    def close(self) -> None:
        if self._dialog is not None:
            self._dialog.close()
        if self.settings.section("events").get("mqtt"):
            from .events import close_hubs

            close_hubs()
        if self._player is not None and self._owns_player:
            self._player.close()

    # -- the loop's steps ---------------------------------------------------------------
    def understand(self, text: str, lang: str = "auto") -> Match:
        match = self.engine.parse(text, lang=lang)
        self._publish(match)
        return match

    def _publish(self, match: Match) -> None:
        """With `[events] mqtt`, what was heard and understood goes to the broker (events/)."""
        if not self.settings.section("events").get("mqtt"):
            return
        from .events import hub_for

        hub = hub_for(self.settings)
        if hub is not None:
            spec = self.engine.library.intents.get(match.intent) if match.intent else None
            hub.publish_match(match, dict(spec.slots) if spec else {})

    def respond(self, match: Match) -> Reply:
        return self.dialog.handle(match)

    def voice(self, reply: Reply, path: Path | None = None) -> Reply:
        """Synthesize the reply to `path` (or a temporary file) and note where it is."""
        if path is None:
            path = Path(tempfile.mkstemp(prefix="reply-", suffix=".wav")[1])
        self.speaker.synthesize(reply.text, reply.lang, path)
        reply.audio_path = str(path)
        return reply

    def play(self, reply: Reply, wait: bool = True) -> None:
        """Play a voiced reply on the speakers; without a sound device say so once and go on."""
        if not reply.audio_path:
            return
        if not self.player.available:
            note = (
                f"{self.player.problem}; replies are not played "
                "(use --reply-dir or -o to keep them as WAV)"
            )
            if note not in self.notices:
                self.notices.append(note)
                log.info(note)
            return
        audio, rate = load_for_playback(reply.audio_path)
        self.player.play(audio, rate, channel="speech")
        if wait:
            self.player.wait("speech")

    def turn(
        self,
        utterance: Utterance,
        lang: str = "auto",
        reply_path: Path | None = None,
        speak: bool = True,
    ) -> Turn:
        """One utterance through ASR, NLU, skill and TTS, timed per stage."""
        turn = Turn(source=utterance.source)
        t0 = time.perf_counter()
        turn.transcript = self.recognizer.transcribe(utterance, lang=lang)
        turn.timings_ms["asr"] = _ms(t0)
        t0 = time.perf_counter()
        if turn.transcript.text:
            turn.match = self.understand(turn.transcript.text, lang=turn.transcript.lang)
        else:
            turn.match = Match(intent=None, lang=turn.transcript.lang, text="")
        turn.timings_ms["nlu"] = _ms(t0)
        t0 = time.perf_counter()
        if turn.transcript.text:
            turn.reply = self.respond(turn.match)
        else:
            turn.reply = Reply(NO_SPEECH[turn.transcript.lang], lang=turn.transcript.lang)
        turn.timings_ms["skill"] = _ms(t0)
        t0 = time.perf_counter()
        if speak:
            self.voice(turn.reply, reply_path)
        turn.timings_ms["tts"] = _ms(t0)
        return turn

    def run_file(self, path: str | Path, lang: str = "auto", reply_dir: Path | None = None) -> Turn:
        """A recorded command in, a reply out (as a WAV in reply_dir, or played)."""
        try:
            utterance = load_audio(
                path, max_seconds=max_command_seconds(self.settings.section("audio"))
            )
            reply_path = Path(reply_dir) / f"{Path(path).stem}.reply.wav" if reply_dir else None
            turn = self.turn(utterance, lang=lang, reply_path=reply_path)
        except AssistantError as exc:
            return Turn(source=str(path), error=str(exc))
        if reply_dir is None and turn.reply is not None:
            self.play(turn.reply)
        return turn


def make_speaker(settings: Settings):
    """The configured voice: pyttsx3 here, or `[tts] engine = "wyoming"` on another machine
    with pyttsx3 behind it for when that machine is down."""
    from .tts.pyttsx3_engine import Pyttsx3Speaker

    t = settings.tts

    def local():
        return Pyttsx3Speaker(
            rate=t.rate, volume=t.volume, voice_en=t.voice_en, voice_zh=t.voice_zh
        )

    section = settings.section("tts")
    if section.get("engine", "pyttsx3") != "wyoming":
        return local()
    from .wyoming.remote import FallbackSpeaker, WyomingSpeaker

    if not section.get("uri"):
        raise ConfigError('[tts] engine = "wyoming" needs a uri (tcp://HOST:PORT or unix://PATH)')
    remote = WyomingSpeaker(section["uri"], timeout=float(section.get("timeout", 15.0)))
    return FallbackSpeaker(remote, local, "voice (espeak-ng)")


def make_recognizer(settings: Settings, name: str, engine=None) -> Recognizer:
    """The configured ASR engine; Whisper steered by the loaded intents unless `[asr] bias =
    false`."""
    if name == "wyoming":
        from .wyoming.remote import FallbackRecognizer, WyomingRecognizer

        section = settings.section("asr")
        if not section.get("uri"):
            raise ConfigError(
                '[asr] engine = "wyoming" needs a uri (tcp://HOST:PORT or unix://PATH)'
            )
        fallback = section.get("fallback", "whisper")
        remote = WyomingRecognizer(section["uri"], timeout=float(section.get("timeout", 15.0)))
        local = (
            None if fallback == "none" else (lambda: make_recognizer(settings, fallback, engine))
        )
        return FallbackRecognizer(remote, local, f"recogniser ({fallback})")
    if name == "whisper":
        from .asr.models import require_model
        from .asr.whisper import WhisperRecognizer

        folder = require_model(settings.model_dir, settings.asr.model)
        a = settings.asr
        whisper = WhisperRecognizer(
            folder,
            threads=a.threads,
            compute_type=a.compute_type,
            beam_size=a.beam_size,
            workers=int(settings.section("asr").get("workers", 1)),
        )
        if not a.bias or engine is None:
            return whisper
        from .asr.biased import BiasedRecognizer, BiasSettings

        return BiasedRecognizer(
            whisper, engine, BiasSettings(beam_size=a.bias_beam_size, hypotheses=a.bias_hypotheses)
        )
    if name == "sphinx":
        from .asr.sphinx import SphinxRecognizer

        grammar = None
        if settings.section("asr").get("sphinx_grammar") and engine is not None:
            from .asr.grammar import write_grammar

            try:
                grammar = str(write_grammar(engine, settings.state_dir / "grammar.jsgf"))
            except (OSError, ValueError) as exc:
                raise RecognizerError(f"cannot build the pocketsphinx grammar: {exc}") from None
        return SphinxRecognizer(grammar=grammar)
    if name == "google":
        from .asr.google import GoogleRecognizer

        section = settings.section("google")
        return GoogleRecognizer(timeout=float(section.get("timeout", 5.0)), key=section.get("key"))
    raise ConfigError(f"unknown speech recogniser {name!r}: use whisper, sphinx, google or wyoming")


def chat(assistant: Assistant, lines, out: Callable[[str], None], lang: str = "auto") -> None:
    """The brain from the keyboard: a reply line per input line, announcements as they happen."""
    dialog = assistant.dialog
    dialog.start(lambda reply: out(f"assistant: {reply.text}"))
    for line in lines:
        text = line.strip()
        if not text:
            continue
        match = assistant.understand(text, lang=lang)
        out(f"assistant: {assistant.respond(match).text}")
