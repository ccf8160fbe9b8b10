"""The project's own audio output: speech, music and alerts mixed on named channels.

Replies and music go through here rather than a blocking `play()` so that "stop" (or the
wake word) can cut them mid-sentence, music can keep playing while the assistant listens,
and the assistant's volume can be scaled when no system mixer exists. With no sound card
a silent sink paces playback by the clock, so everything above behaves the same.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import soxr

from ..errors import AudioError
from .devices import find_device, open_pyaudio, quiet_stderr

log = logging.getLogger(__name__)

OUTPUT_RATE = 22050
BLOCK = 1024  # samples per mix step (~46 ms)


@dataclass
class _Track:
    audio: np.ndarray
    pos: int = 0
    paused: bool = False


class _SilentSink:
    """Consumes blocks in real time, as a sound card would."""

    def __init__(self) -> None:
        self._next = time.monotonic()

    def write(self, block: np.ndarray) -> None:
        now = time.monotonic()
        self._next = max(self._next, now) + len(block) / OUTPUT_RATE
        time.sleep(max(0.0, self._next - now - 0.005))

    def close(self) -> None:
        pass


class _PyAudioSink:
    def __init__(self, device: str | int | None):
        index = find_device(device, "output")
        self._pa = open_pyaudio()
        try:
            import pyaudio
            with quiet_stderr():
                self._stream = self._pa.open(format=pyaudio.paInt16, channels=1, rate=OUTPUT_RATE,
                                             output=True, output_device_index=index,
                                             frames_per_buffer=BLOCK)
        except Exception:
            self._pa.terminate()
            raise

    def write(self, block: np.ndarray) -> None:
        self._stream.write((np.clip(block, -1, 1) * 32767).astype("<i2").tobytes())

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._pa.terminate()


def open_sink(device: str | int | None = None):
    """A sound-card sink, or the silent one (and the reason) when there is none."""
    try:
        return _PyAudioSink(device), None
    except AudioError as exc:
        return _SilentSink(), str(exc)
    except Exception as exc:  # PortAudio raises OSError/IOError subclasses with varying text
        log.debug("no sound output: %s", exc)
        return _SilentSink(), "no sound output device"


class Player:
    """Mixes named channels to one output in a background thread."""

    def __init__(self, device: str | int | None = None, sink=None):
        self._device = device
        self._sink = sink
        self.problem: str | None = None
        self.volume = 1.0
        self._tracks: dict[str, _Track] = {}
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def available(self) -> bool:
        self._ensure_sink()
        return not isinstance(self._sink, _SilentSink)

    def _ensure_sink(self) -> None:
        if self._sink is None:
            self._sink, self.problem = open_sink(self._device)
            if self.problem:
                log.info("playing to a silent sink: %s", self.problem)

    def play(self, audio: np.ndarray, sample_rate: int, channel: str = "speech") -> None:
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim == 2:
            audio = audio.mean(axis=1, dtype=np.float32)
        if sample_rate != OUTPUT_RATE and len(audio):
            audio = soxr.resample(audio, sample_rate, OUTPUT_RATE).astype(np.float32)
        with self._lock:
            self._ensure_sink()
            self._tracks[channel] = _Track(audio)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="player", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._closed and not any(not t.paused for t in self._tracks.values()):
                    self._lock.wait()
                if self._closed:
                    return
                block = np.zeros(BLOCK, dtype=np.float32)
                for name, track in list(self._tracks.items()):
                    if track.paused:
                        continue
                    part = track.audio[track.pos:track.pos + BLOCK]
                    block[:len(part)] += part
                    track.pos += len(part)
                    if track.pos >= len(track.audio):
                        del self._tracks[name]
                        self._lock.notify_all()
                block *= self.volume
            self._sink.write(block)

    def wait(self, channel: str = "speech", timeout: float | None = None) -> bool:
        """Block until `channel` has finished (True) or the timeout passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while channel in self._tracks:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(left if left is not None else 0.5)
        return True

    def stop(self, channel: str | None = None) -> None:
        with self._lock:
            if channel is None:
                self._tracks.clear()
            else:
                self._tracks.pop(channel, None)
            self._lock.notify_all()

    def pause(self, channel: str) -> None:
        with self._lock:
            if channel in self._tracks:
                self._tracks[channel].paused = True

    def resume(self, channel: str) -> None:
        with self._lock:
            if channel in self._tracks:
                self._tracks[channel].paused = False
                self._lock.notify_all()

    def is_playing(self, channel: str) -> bool:
        with self._lock:
            track = self._tracks.get(channel)
            return track is not None and not track.paused

    def is_paused(self, channel: str) -> bool:
        with self._lock:
            track = self._tracks.get(channel)
            return track is not None and track.paused

    def position(self, channel: str) -> float:
        with self._lock:
            track = self._tracks.get(channel)
            return track.pos / OUTPUT_RATE if track else 0.0

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._tracks.clear()
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self._sink is not None:
            self._sink.close()
