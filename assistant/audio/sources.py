"""Where commands come from: the microphone, or a recording streamed as if it were one.

Both are SpeechRecognition `AudioSource`s with the same `stream.read(frames)` interface,
so the listening loop (energy/VAD endpointing, wake word) cannot tell them apart and is
tested here, without a sound card, exactly as it runs on a speaker.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import speech_recognition as sr

from ..errors import AudioError
from ..types import SAMPLE_RATE
from .decode import DEFAULT_MAX_SECONDS, load_audio
from .devices import find_device, open_pyaudio, quiet_stderr

FRAME_MS = 30
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000


class _PacedStream:
    """Hands out int16 PCM frames of a recording at real-time pace (or as fast as asked)."""

    def __init__(self, pcm: bytes, sample_rate: int, realtime: bool):
        self._pcm = pcm
        self._pos = 0
        self._bytes_per_sec = sample_rate * 2
        self._realtime = realtime
        self._t0: float | None = None

    def read(self, frames: int, exception_on_overflow: bool = False) -> bytes:
        if self._t0 is None:
            self._t0 = time.monotonic()
        chunk = self._pcm[self._pos : self._pos + frames * 2]
        self._pos += len(chunk)
        if self._realtime and chunk:
            due = self._t0 + self._pos / self._bytes_per_sec
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return chunk

    @property
    def finished(self) -> bool:
        return self._pos >= len(self._pcm)


class StreamedFileSource(sr.AudioSource):
    """A recording played through the microphone interface, in 30 ms chunks."""

    def __init__(
        self,
        path: str | Path,
        realtime: bool = True,
        chunk_ms: int = FRAME_MS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ):
        utt = load_audio(path, reject_silence=False, max_seconds=max_seconds)
        pcm = (np.clip(utt.audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        self.path = str(path)
        self.SAMPLE_RATE = SAMPLE_RATE
        self.SAMPLE_WIDTH = 2
        self.CHUNK = SAMPLE_RATE * chunk_ms // 1000
        self._pcm = pcm
        self._realtime = realtime
        self.stream: _PacedStream | None = None

    def __enter__(self) -> StreamedFileSource:
        self.stream = _PacedStream(self._pcm, self.SAMPLE_RATE, self._realtime)
        return self

    def __exit__(self, *exc) -> None:
        self.stream = None

    @property
    def finished(self) -> bool:
        return self.stream is not None and self.stream.finished


class MicrophoneSource(sr.Microphone):
    """The system microphone at 16 kHz mono, resolved by config name or index, with clear errors."""

    def __init__(self, device: str | int | None = None, chunk_ms: int = FRAME_MS):
        index = find_device(device, "input") if device not in (None, "") else None
        pa = open_pyaudio()
        try:
            with quiet_stderr():
                count = pa.get_device_count()
                has_input = any(
                    pa.get_device_info_by_index(i).get("maxInputChannels", 0) > 0
                    for i in range(count)
                )
        finally:
            pa.terminate()
        if not has_input:
            raise AudioError(
                "no microphone found: plug one in, or use --input FILE to stream a recording"
            )
        super().__init__(
            device_index=index, sample_rate=SAMPLE_RATE, chunk_size=SAMPLE_RATE * chunk_ms // 1000
        )
        self.finished = False

    def __enter__(self):
        try:
            with quiet_stderr():
                return super().__enter__()
        except OSError as exc:
            raise AudioError(
                f"the microphone cannot be opened ({exc}); is another program using it?"
            ) from None
