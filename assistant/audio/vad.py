"""Voice activity on 30 ms frames and the end of a spoken command.

A speaker on the shelf must notice quickly that the user stopped talking: it waits for a
configurable stretch of trailing silence (0.6 s by default) rather than a fixed recording
length. webrtcvad decides speech or not per 30 ms frame (microseconds of CPU, no model),
and `Segmenter` turns that stream of decisions into speech segments with a little audio
before the onset (so the first consonant is not clipped), a maximum length and a
"nothing was said" timeout. Every buffer is bounded, so hours of listening never grow it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..types import SAMPLE_RATE

FRAME_MS = 30
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2


@dataclass(frozen=True)
class EndpointSettings:
    """How a command is cut out of the stream (seconds unless noted); see docs/raspberry-pi.md."""

    trailing_silence: float = 0.6  # silence that ends a command
    max_command: float = 10.0  # a command is closed after this long, speech or not
    no_speech_timeout: float = 5.0  # an open listening window closes when nothing is said
    min_speech: float = 0.12  # voiced time needed before a segment counts as speech
    pre_roll: float = 0.3  # audio kept from before the onset
    aggressiveness: int = 2  # webrtcvad 0 (lenient) .. 3 (strict)
    min_energy: float = 0.004  # RMS under which a frame is silence whatever the VAD says
    calibrate: float = (
        0.5  # seconds of a microphone's sound measured at start to raise min_energy (0 = off)
    )
    noise_margin: float = 1.0  # a frame must be this many times louder than the room to count

    @classmethod
    def from_config(cls, table: dict[str, Any]) -> EndpointSettings:
        known = {f: table[f] for f in cls.__dataclass_fields__ if f in table}
        try:
            values: dict[str, Any] = {
                k: (int(v) if k == "aggressiveness" else float(v)) for k, v in known.items()
            }
            s = cls(**values)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[listen] settings: {exc}") from None
        if not 0 <= s.aggressiveness <= 3:
            raise ConfigError("[listen] aggressiveness must be 0, 1, 2 or 3")
        if s.trailing_silence <= 0 or s.max_command <= 0:
            raise ConfigError("[listen] trailing_silence and max_command must be positive")
        return s


class Vad:
    """Speech or not, per 30 ms frame of 16 kHz int16 mono.

    The first `calibrate` seconds measure the room (like SpeechRecognition's
    adjust_for_ambient_noise): a fan or a fridge then never counts as speech, because a
    frame must also be `noise_margin` times louder than the quieter part of that sample.
    """

    def __init__(
        self,
        aggressiveness: int = 2,
        min_energy: float = 0.004,
        calibrate: float = 0.0,
        noise_margin: float = 2.0,
    ):
        import webrtcvad

        self._vad = webrtcvad.Vad(int(aggressiveness))
        self._min_energy_sq = (min_energy * 32768.0) ** 2
        self._noise_margin_sq = noise_margin**2
        self.ambient_rms: float | None = None
        self._calibration: list[float] | None = None
        self.start_calibration(calibrate)

    def start_calibration(self, seconds: float) -> None:
        """Measure the room over the next `seconds` of frames (0 = don't)."""
        self._calibration = [] if seconds > 0 else None
        self._calibration_frames = max(1, int(seconds * 1000 / FRAME_MS))

    def _calibrate(self, energy_sq: float) -> None:
        assert self._calibration is not None
        self._calibration.append(energy_sq)
        if len(self._calibration) >= self._calibration_frames:
            room = float(np.percentile(self._calibration, 25))
            self.ambient_rms = float(np.sqrt(room)) / 32768.0
            self._min_energy_sq = max(self._min_energy_sq, room * self._noise_margin_sq)
            self._calibration = None

    def is_speech(self, frame: bytes) -> bool:
        if len(frame) != FRAME_BYTES:
            return False
        pcm = np.frombuffer(frame, dtype="<i2").astype(np.float32)
        energy_sq = float(np.dot(pcm, pcm)) / len(pcm)
        if self._calibration is not None:
            self._calibrate(energy_sq)
        # webrtcvad adapts to the noise it is shown, so it sees every frame, quiet or not.
        voiced = self._vad.is_speech(frame, SAMPLE_RATE)
        return voiced and energy_sq >= self._min_energy_sq


@dataclass(frozen=True)
class Segment:
    """A piece of speech cut from the stream: int16 PCM bytes and where it sits (stream seconds)."""

    pcm: bytes
    start: float  # stream time of the first sample kept (pre-roll included)
    speech_end: float  # stream time of the last voiced frame
    closed_at: float  # stream time when the segment was closed
    reason: str  # "silence" | "max_length" | "end_of_stream"

    @property
    def duration(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE

    def audio(self) -> np.ndarray:
        return np.frombuffer(self.pcm, dtype="<i2").astype(np.float32) / 32768.0


class Segmenter:
    """Feeds on frames, yields a `Segment` when speech is followed by enough silence.

    `feed` returns a Segment, the string "timeout" when a window opened with `open_window`
    saw no speech in time, or None. The state is a handful of counters plus two bounded
    byte buffers (pre-roll ring and the current segment, capped at `max_command`).
    """

    def __init__(self, settings: EndpointSettings | None = None, vad: Vad | None = None):
        self.settings = settings or EndpointSettings()
        self.vad = vad or Vad(
            self.settings.aggressiveness,
            self.settings.min_energy,
            noise_margin=self.settings.noise_margin,
        )
        self._pre: deque[bytes] = deque(
            maxlen=max(1, int(self.settings.pre_roll * 1000 / FRAME_MS))
        )
        self._buf = bytearray()
        self._frames = 0  # frames seen since the start of the stream
        self._voiced_run = 0  # consecutive voiced frames while waiting for onset
        self._silent_run = 0
        self._in_speech = False
        self._start = 0.0
        self._speech_end = 0.0
        self._window_deadline: float | None = None
        self.trailing_silence = self.settings.trailing_silence

    @property
    def now(self) -> float:
        """Stream time (seconds) at the end of the last frame fed."""
        return self._frames * FRAME_MS / 1000.0

    def open_window(self, timeout: float | None = None) -> None:
        """Expect a command: if no speech starts within `timeout` s, `feed` returns "timeout"."""
        t = self.settings.no_speech_timeout if timeout is None else timeout
        self._window_deadline = self.now + t

    def close_window(self) -> None:
        self._window_deadline = None

    def reset(self) -> None:
        """Forget any speech in progress (after a barge-in, or when a window opens
        mid-utterance)."""
        self._buf.clear()
        self._pre.clear()
        self._in_speech = False
        self._voiced_run = 0
        self._silent_run = 0

    def feed(self, frame: bytes) -> Segment | str | None:
        self._frames += 1
        voiced = self.vad.is_speech(frame)
        s = self.settings
        if not self._in_speech:
            self._pre.append(frame)
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            if self._voiced_run * FRAME_MS / 1000.0 >= s.min_speech:
                self._in_speech = True
                self._silent_run = 0
                self._buf = bytearray(b"".join(self._pre))
                self._pre.clear()
                self._start = self.now - len(self._buf) / 2 / SAMPLE_RATE
                self._speech_end = self.now
                self._window_deadline = None
                return None
            if self._window_deadline is not None and self.now >= self._window_deadline:
                self._window_deadline = None
                return "timeout"
            return None
        self._buf += frame
        if voiced:
            self._silent_run = 0
            self._speech_end = self.now
        else:
            self._silent_run += 1
        if self._silent_run * FRAME_MS / 1000.0 >= self.trailing_silence:
            return self._close("silence")
        if len(self._buf) / 2 / SAMPLE_RATE >= s.max_command:
            return self._close("max_length")
        return None

    def flush(self) -> Segment | None:
        """At the end of the stream: the speech in progress, if any."""
        if self._in_speech and self._buf:
            return self._close("end_of_stream")
        return None

    def _close(self, reason: str) -> Segment:
        # keep a little of the trailing silence (Whisper likes a tail), drop the rest
        keep = int(min(self.trailing_silence, 0.2) * SAMPLE_RATE) * 2
        tail = self._silent_run * FRAME_BYTES
        pcm = bytes(self._buf[: len(self._buf) - max(0, tail - keep)])
        seg = Segment(pcm, self._start, self._speech_end, self.now, reason)
        self._buf = bytearray()
        self._in_speech = False
        self._voiced_run = 0
        self._silent_run = 0
        return seg
