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
from dataclasses import dataclass, field
from collections.abc import Iterable, Iterator

import numpy as np
import soxr

from ..errors import AudioError
from .devices import find_device, open_pyaudio, quiet_stderr

log = logging.getLogger(__name__)

OUTPUT_RATE = 22050
BLOCK = 1024  # samples per mix step (~46 ms)


_EMPTY = np.zeros(0, dtype=np.float32)


@dataclass
class _Track:
    """A sound on a channel, drawn a block at a time from its source as it is played.

    Speech and alerts come as one array; music comes from a decoder (a generator of blocks), so
    a two-hour track costs a few blocks of memory rather than two hours of samples.
    """

    source: Iterator[np.ndarray]
    pos: int = 0  # samples played
    paused: bool = False
    pending: np.ndarray = field(default_factory=lambda: _EMPTY)
    done: bool = False  # the source has nothing more

    def _fill(self) -> bool:
        """Something is pending (fetching the next block when needed); False once the source is
        spent."""
        while not len(self.pending) and not self.done:
            try:
                self.pending = np.asarray(next(self.source), dtype=np.float32).reshape(-1)
            except StopIteration:
                self.done = True
            except Exception as exc:  # a decoder failing mid-track ends that track, not the player
                log.warning("playback of a track stopped: %s", exc)
                self.done = True
        return bool(len(self.pending))

    def take(self, n: int) -> np.ndarray:
        """Up to n samples (fewer only at the end); afterwards `finished` says if that was the
        last."""
        parts = []
        while n > 0 and self._fill():
            part, self.pending = self.pending[:n], self.pending[n:]
            parts.append(part)
            n -= len(part)
        self._fill()  # learn now whether anything is left, so the end is known with the last block
        got = np.concatenate(parts) if len(parts) > 1 else (parts[0] if parts else _EMPTY)
        self.pos += len(got)
        return got

    @property
    def finished(self) -> bool:
        return self.done and not len(self.pending)

    def close(self) -> None:
        """Let a decoder close its file now rather than whenever it is collected."""
        close = getattr(self.source, "close", None)
        if close is not None:
            close()


def _resampled(blocks: Iterable[np.ndarray], rate: int) -> Iterator[np.ndarray]:
    """A stream of mono blocks at `rate` as a stream at the output rate."""
    resampler = soxr.ResampleStream(rate, OUTPUT_RATE, 1, dtype="float32")
    try:
        for block in blocks:
            yield resampler.resample_chunk(np.asarray(block, dtype=np.float32).reshape(-1))
        yield resampler.resample_chunk(_EMPTY, last=True)
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            close()


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
                self._stream = self._pa.open(
                    format=pyaudio.paInt16,
                    channels=1,
                    rate=OUTPUT_RATE,
                    output=True,
                    output_device_index=index,
                    frames_per_buffer=BLOCK,
                )
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

    def play(
        self, audio: np.ndarray | Iterator[np.ndarray], sample_rate: int, channel: str = "speech"
    ) -> None:
        """Play an array, or an iterator of mono blocks (decoded as they are played), on
        `channel`."""
        if isinstance(audio, (np.ndarray, list, tuple)):
            whole = np.asarray(audio, dtype=np.float32)
            if whole.ndim == 2:
                whole = whole.mean(axis=1, dtype=np.float32)
            if sample_rate != OUTPUT_RATE and len(whole):
                whole = soxr.resample(whole, sample_rate, OUTPUT_RATE).astype(np.float32)
            source: Iterator[np.ndarray] = iter([whole])
        else:
            source = audio if sample_rate == OUTPUT_RATE else _resampled(audio, sample_rate)
        with self._lock:
            self._ensure_sink()
            old = self._tracks.get(channel)
            if old is not None:
                old.close()
            self._tracks[channel] = _Track(source)
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
                    part = track.take(BLOCK)
                    block[: len(part)] += part
                    if track.finished:
                        track.close()
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
            for name in list(self._tracks) if channel is None else [channel]:
                track = self._tracks.pop(name, None)
                if track is not None:
                    track.close()
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
            for track in self._tracks.values():
                track.close()
            self._tracks.clear()
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self._sink is not None:
            self._sink.close()
