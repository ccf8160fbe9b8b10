"""Raw PCM from a Wyoming client, in whatever rate, width and channel count, to our 16 kHz mono.

Each chunk is converted as it arrives, and the total is capped by the longest command allowed
(`[audio] max_command_seconds`), so a client that never stops sending costs at most one command's
worth of 16 kHz mono audio (3.8 MB for 60 s), whatever format it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import soxr

from ..audio.decode import RATES, clean_samples
from ..types import SAMPLE_RATE

WIDTHS = (1, 2, 3, 4)  # bytes per sample: unsigned 8-bit, then signed 16/24/32-bit little-endian
MAX_CHANNELS = 16


class FormatError(ValueError):
    """The client described audio we cannot read (the message says which field and why)."""


@dataclass(frozen=True)
class PcmFormat:
    rate: int
    width: int
    channels: int

    @staticmethod
    def of(data: dict) -> PcmFormat:
        """The format named in an audio-start or audio-chunk event's data, checked."""
        try:
            rate, width, channels = data["rate"], data["width"], data["channels"]
        except KeyError as exc:
            raise FormatError(f"audio event without {exc.args[0]!r}") from None
        for name, value in (("rate", rate), ("width", width), ("channels", channels)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise FormatError(f"audio {name} must be a whole number (got {value!r})")
        if not RATES[0] <= rate <= RATES[1]:
            raise FormatError(f"audio rate {rate} Hz is outside {RATES[0]}-{RATES[1]}")
        if width not in WIDTHS:
            raise FormatError(f"audio width {width} is not 1, 2, 3 or 4 bytes")
        if not 1 <= channels <= MAX_CHANNELS:
            raise FormatError(f"audio channels {channels} is outside 1-{MAX_CHANNELS}")
        return PcmFormat(rate, width, channels)

    @property
    def bytes_per_second(self) -> int:
        return self.rate * self.width * self.channels


def to_float(pcm: bytes, fmt: PcmFormat) -> np.ndarray:
    """Interleaved PCM bytes -> float32 samples in [-1, 1], shape (frames, channels)."""
    frame = fmt.width * fmt.channels
    pcm = pcm[: len(pcm) - len(pcm) % frame]  # a torn last frame is dropped, not misread
    if fmt.width == 1:
        audio = (np.frombuffer(pcm, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif fmt.width == 2:
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    elif fmt.width == 3:
        raw = np.frombuffer(pcm, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        audio = value.astype(np.float32) / float(1 << 23)
    else:
        audio = np.frombuffer(pcm, dtype="<i4").astype(np.float32) / float(1 << 31)
    return audio.reshape(-1, fmt.channels)


def to_pcm16(audio: np.ndarray) -> bytes:
    """float32 mono in [-1, 1] -> signed 16-bit little-endian, as we send synthesized speech."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


class TooLong(ValueError):
    """More audio than one command may have."""


@dataclass
class Collector:
    """One request's audio, converted to 16 kHz mono float32 as each chunk arrives.

    Converting at once (rather than keeping the client's bytes) makes the memory of a request
    64 kB per second of speech whatever the client sends: 60 s of 384 kHz, 16-channel 32-bit audio
    would otherwise be 1.5 GB. `max_seconds` caps the length; a chunk may change the format, and a
    frame torn across two chunks is joined, not misread.
    """

    max_seconds: float
    parts: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0
    _fmt: PcmFormat | None = None
    _stream: soxr.ResampleStream | None = None
    _carry: bytes = b""

    def start(self, fmt: PcmFormat) -> None:
        self.reset()
        self._switch(fmt)

    def reset(self) -> None:
        self.parts = []
        self.seconds = 0.0
        self._fmt, self._stream, self._carry = None, None, b""

    def add(self, fmt: PcmFormat, pcm: bytes) -> None:
        self.seconds += len(pcm) / fmt.bytes_per_second
        if self.seconds > self.max_seconds:
            self.reset()
            raise TooLong(f"audio longer than {self.max_seconds:g} s ([audio] max_command_seconds)")
        if fmt != self._fmt:
            self._switch(fmt)
        data = self._carry + pcm
        frame = fmt.width * fmt.channels
        whole = len(data) - len(data) % frame
        self._carry = data[whole:]
        if whole:
            mono = to_float(data[:whole], fmt).mean(axis=1, dtype=np.float32)
            self.parts.append(self._stream.resample_chunk(mono) if self._stream else mono)

    def _switch(self, fmt: PcmFormat) -> None:
        self._flush()
        self._fmt, self._carry = fmt, b""
        self._stream = None
        if fmt.rate != SAMPLE_RATE:
            self._stream = soxr.ResampleStream(fmt.rate, SAMPLE_RATE, 1, quality="HQ")

    def _flush(self) -> None:
        if self._stream is not None:
            self.parts.append(self._stream.resample_chunk(np.zeros(0, np.float32), last=True))
            self._stream = None

    def take(self) -> np.ndarray:
        """Everything so far as 16 kHz mono float32, and the collector emptied."""
        self._flush()
        audio = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.float32)
        self.reset()
        return clean_samples(np.ascontiguousarray(audio, dtype=np.float32))
