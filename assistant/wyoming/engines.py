"""The loaded engines of one `assistant serve` process, shared by every connection.

Each engine sits behind its own single worker thread, which is its queue: Whisper is CPU-bound
and already uses every core it is given (`[asr] threads`), so two transcriptions at once only
split the same cores and add decoding buffers. Measured with bench/serve.py (2 cores, 20
clients with 3 s commands at once): two replicas (`[asr] workers = 2`) finished the burst no
sooner within the noise of a shared machine (18.1 vs 24.3 s in one run, 30.7 vs 28.1 s in
another) and held 45-70 MB more, so requests wait their turn in one queue by default, and
memory stays that of one transcription however many clients there are. The intent matcher
and the dialog share one "brain" thread (the dialog runs one command at a time anyway), and
speech synthesis has its own, so a long reply being spoken never holds up a transcript, and a
transcript never holds up `describe` or `recognize`.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from collections.abc import Callable

import numpy as np
import soundfile as sf

from ..app import Assistant
from ..audio.decode import max_command_seconds
from ..nlu.normalize import detect_lang
from ..types import Match, Reply, Transcript, Utterance

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Spoken:
    """Synthesized speech: float32 mono samples and their rate."""

    audio: np.ndarray
    rate: int
    lang: str


class Engines:
    def __init__(self, app: Assistant, announce: Callable[[Reply], None] | None = None):
        self.app = app
        self.announce = announce
        self.max_seconds = max_command_seconds(app.settings.section("audio"))
        self.default_lang = app.settings.language
        workers = int(app.settings.section("asr").get("workers", 1))
        self._asr = ThreadPoolExecutor(workers, thread_name_prefix="wyoming-asr")
        self._brain = ThreadPoolExecutor(1, thread_name_prefix="wyoming-brain")
        self._tts = ThreadPoolExecutor(1, thread_name_prefix="wyoming-tts")

    def load(self) -> None:
        """Everything loaded before the first client connects (model, intents, voices, state)."""
        app = self.app
        app.recognizer  # noqa: B018 - loads the model once, now
        app.speaker  # noqa: B018
        app.dialog.start(self.announce or (lambda reply: log.info("announce: %s", reply.text)))

    @property
    def voices(self) -> dict[str, str | None]:
        return dict(getattr(self.app.speaker, "voices", {"en": "remote", "zh": "remote"}))

    async def _on(self, pool: ThreadPoolExecutor, job: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, job)

    # -- the four services ---------------------------------------------------------------
    async def transcribe(self, audio: np.ndarray, lang: str) -> Transcript:
        utterance = Utterance(audio, source="wyoming")
        return await self._on(
            self._asr, lambda: self.app.recognizer.transcribe(utterance, lang=lang)
        )

    async def recognize(self, text: str, lang: str) -> Match:
        return await self._on(self._brain, lambda: self.app.understand(text, lang=lang))

    async def handle(self, text: str, lang: str) -> tuple[Reply, bool]:
        """The dialog's reply, and whether it did something (False: its "didn't catch that")."""

        def job() -> tuple[Reply, bool]:
            reply = self.app.respond(self.app.understand(text, lang=lang))
            return reply, reply.handled

        return await self._on(self._brain, job)

    async def synthesize(self, text: str, lang: str | None) -> Spoken:
        """`text` spoken in `lang` (by the text's own script when None)."""
        lang = lang or detect_lang(text)

        def job() -> Spoken:
            with tempfile.TemporaryDirectory(prefix="assistant-wyoming-") as folder:
                path = self.app.speaker.synthesize(text, lang, Path(folder) / "speech.wav")
                audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
            return Spoken(audio.mean(axis=1, dtype=np.float32), int(rate), lang)

        return await self._on(self._tts, job)

    def close(self) -> None:
        """Wait for the queued work, then close the dialog (its state database) and the player."""
        for pool in (self._asr, self._brain, self._tts):
            pool.shutdown(wait=True, cancel_futures=False)
        self.app.close()
