"""Builds the pipeline from settings and runs it: ASR -> NLU -> skill -> TTS (the microphone loop is listener.py).

Every stage is created on first use and then kept: the speech model, the intent index
and the TTS engine are loaded once per process, never per utterance.
"""
from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .asr import Recognizer
from .audio.decode import load_audio, load_for_playback, max_command_seconds
from .config import Settings
from .errors import AssistantError, ConfigError, RecognizerError
from .schema import LANGUAGES
from .types import Match, Reply, Transcript, Utterance

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
    """The loaded product: one of each engine, shared by every command of the process."""

    def __init__(self, settings: Settings, asr: str | None = None):
        self.settings = settings
        self.asr_name = asr or settings.asr.engine
        self._engine = None
        self._recognizer: Recognizer | None = None
        self._speaker = None
        self._player = None
        self._dialog = None
        self.notices: list[str] = []

    # -- stages, each built on first use -------------------------------------------------
    @property
    def engine(self):
        if self._engine is None:
            from .nlu import IntentEngine
            lists = self.settings.section("lists") or None
            self._engine = IntentEngine.load(self.settings.intents_dirs, lists,
                                             cache_dir=self.settings.state_dir)
        return self._engine

    @property
    def recognizer(self) -> Recognizer:
        if self._recognizer is None:
            self._recognizer = make_recognizer(self.settings, self.asr_name, self.engine)
        return self._recognizer

    @property
    def speaker(self):
        if self._speaker is None:
            from .tts.pyttsx3_engine import Pyttsx3Speaker
            t = self.settings.tts
            self._speaker = Pyttsx3Speaker(rate=t.rate, volume=t.volume, voice_en=t.voice_en, voice_zh=t.voice_zh)
        return self._speaker

    @property
    def player(self):
        if self._player is None:
            from .audio.playback import Player
            self._player = Player(self.settings.section("audio").get("output_device"))
        return self._player

    @property
    def dialog(self):
        if self._dialog is None:
            from .dialog import Dialog
            try:
                self.settings.state_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"state folder {self.settings.state_dir} cannot be used: {exc.strerror}") from None
            self._dialog = Dialog(self.settings, self.engine, player=self.player)
        return self._dialog

    def close(self) -> None:
        if self._dialog is not None:
            self._dialog.close()
        if self._player is not None:
            self._player.close()

    # -- the loop's steps ---------------------------------------------------------------
    def understand(self, text: str, lang: str = "auto") -> Match:
        return self.engine.parse(text, lang=lang)

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
            note = f"{self.player.problem}; replies are not played (use --reply-dir or -o to keep them as WAV)"
            if note not in self.notices:
                self.notices.append(note)
                log.info(note)
            return
        audio, rate = load_for_playback(reply.audio_path)
        self.player.play(audio, rate, channel="speech")
        if wait:
            self.player.wait("speech")

    def turn(self, utterance: Utterance, lang: str = "auto", reply_path: Path | None = None,
             speak: bool = True) -> Turn:
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
            utterance = load_audio(path, max_seconds=max_command_seconds(self.settings.section("audio")))
            reply_path = Path(reply_dir) / f"{Path(path).stem}.reply.wav" if reply_dir else None
            turn = self.turn(utterance, lang=lang, reply_path=reply_path)
        except AssistantError as exc:
            return Turn(source=str(path), error=str(exc))
        if reply_dir is None:
            self.play(turn.reply)
        return turn


def make_recognizer(settings: Settings, name: str, engine=None) -> Recognizer:
    """The configured ASR engine; Whisper steered by the loaded intents unless `[asr] bias = false`."""
    if name == "whisper":
        from .asr.models import require_model
        from .asr.whisper import WhisperRecognizer
        folder = require_model(settings.model_dir, settings.asr.model)
        a = settings.asr
        whisper = WhisperRecognizer(folder, threads=a.threads, compute_type=a.compute_type, beam_size=a.beam_size)
        if not a.bias or engine is None:
            return whisper
        from .asr.biased import BiasedRecognizer, BiasSettings
        return BiasedRecognizer(whisper, engine, BiasSettings(beam_size=a.bias_beam_size,
                                                              hypotheses=a.bias_hypotheses))
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
    raise ConfigError(f"unknown speech recogniser {name!r}: use whisper, sphinx or google")


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

