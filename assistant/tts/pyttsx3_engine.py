"""pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS) writing WAV files.

One engine is initialised per process and reused: initialising it loads the whole
voice list (~130 voices on espeak-ng), which costs more than speaking a reply.
"""

from __future__ import annotations

import io
import logging
import sys
import tempfile
import threading
from typing import Any
from pathlib import Path

from ..errors import SpeechError
from .output import write_audio
from .voices import pick_voice

log = logging.getLogger(__name__)


def _quiet_espeak_driver() -> None:
    """The espeak driver print()s "Audio saved to ..." on stdout, from its synthesis thread,
    which would corrupt `assistant run --json`; send that module's prints to the log instead."""
    driver: Any = sys.modules.get("pyttsx3.drivers.espeak")  # a module, patched at run time
    if driver is not None:
        driver.print = lambda *args, **_: log.debug(" ".join(str(a) for a in args))


class Pyttsx3Speaker:
    name = "pyttsx3"

    def __init__(
        self,
        rate: int = 165,
        volume: float = 1.0,
        voice_en: str | None = None,
        voice_zh: str | None = None,
    ):
        try:
            import pyttsx3

            self._engine = pyttsx3.init()
            _quiet_espeak_driver()
        except (
            Exception
        ) as exc:  # the drivers raise a variety of errors when no speech engine exists
            raise SpeechError(
                f"no text-to-speech engine available ({exc}); on Linux install espeak-ng"
            ) from None
        self._lock = threading.Lock()
        voices = self._engine.getProperty("voices") or []
        self.voices = {
            "en": pick_voice(voices, "en", voice_en),
            "zh": pick_voice(voices, "zh", voice_zh),
        }
        self.rate = rate
        self.volume = volume

    def synthesize(self, text: str, lang: str, path: Path) -> Path:
        if not text or not text.strip():
            raise SpeechError("nothing to say: the text is empty")
        if lang not in self.voices:
            raise SpeechError(f"unknown language {lang!r} for speech: use en or zh")
        voice = self.voices[lang]
        if voice is None:
            raise SpeechError(
                f"this system has no {'Mandarin' if lang == 'zh' else 'English'} voice installed"
            )
        for attempt in range(2):
            data = self._render(text, voice)
            if len(data) > 44:
                return write_audio(Path(path), data)
            log.info("speech engine wrote no audio for %r (attempt %d)", text, attempt + 1)
        raise SpeechError(f"speech engine wrote no audio for {text!r}")

    def _render(self, text: str, voice: str) -> bytes:
        """The WAV bytes of `text`, made without touching the user's path.

        The espeak driver writes its file inside a ctypes callback, where an error (a full
        disk) is swallowed and its loop never ends, so `runAndWait()` hung forever: it is
        given an in-memory file instead, which cannot fail that way. Other drivers need a real
        file name, so they get one in a private temporary folder.
        """
        if _driver_module(self._engine) == "pyttsx3.drivers.espeak":
            buffer = io.BytesIO()
            self._run(text, voice, buffer)
            return buffer.getvalue()
        with tempfile.TemporaryDirectory(prefix="assistant-tts-") as folder:
            scratch = Path(folder) / "reply.wav"
            self._run(text, voice, str(scratch))
            try:
                return scratch.read_bytes()
            except OSError:
                return b""

    def _run(self, text: str, voice: str, target) -> None:
        # pyttsx3's espeak driver can return from runAndWait() before its synthesis
        # callback has written the file, so wait for the engine's own "finished" event.
        finished = threading.Event()
        token = self._engine.connect("finished-utterance", lambda **_: finished.set())
        try:
            with self._lock:
                self._engine.setProperty("voice", voice)
                self._engine.setProperty("rate", self.rate)
                self._engine.setProperty("volume", self.volume)
                self._engine.save_to_file(text, target)
                self._engine.runAndWait()
                finished.wait(timeout=10.0)
        finally:
            self._engine.disconnect(token)


def _driver_module(engine) -> str:
    """The module of the pyttsx3 driver behind `engine` ("" when it cannot be told)."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    return type(driver).__module__ if driver is not None else ""
