"""Raw PCM from a Wyoming client, in whatever rate, width and channel count, to our 16 kHz mono.

Chunks are kept as the bytes they came in (the cheapest form) and converted once at audio-stop. The
total is capped by the longest command allowed (`[audio] max_command_seconds`) in the client's own
format, so a client that never stops sending costs at most one command's worth of memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

import numpy as np

from ..audio.decode import RATES, clean_samples, to_mono_16k

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
    """One request's audio, as it arrives; `max_seconds` caps it in the client's own format."""

    max_seconds: float
    fmt: PcmFormat | None = None
    chunks: list[tuple[PcmFormat, bytes]] = field(default_factory=list)
    seconds: float = 0.0

    def start(self, fmt: PcmFormat) -> None:
        self.fmt = fmt
        self.chunks.clear()
        self.seconds = 0.0

    def add(self, fmt: PcmFormat, pcm: bytes) -> None:
        """A chunk; each carries its own format (a client may change it mid-stream)."""
        self.seconds += len(pcm) / fmt.bytes_per_second
        if self.seconds > self.max_seconds:
            self.chunks.clear()
            raise TooLong(f"audio longer than {self.max_seconds:g} s ([audio] max_command_seconds)")
        self.chunks.append((fmt, pcm))

    def take(self) -> np.ndarray:
        """Everything so far as 16 kHz mono float32, and the collector emptied."""
        parts = [
            to_mono_16k(to_float(b"".join(pcm for _, pcm in group), fmt), fmt.rate)
            for fmt, group in groupby(self.chunks, key=lambda chunk: chunk[0])
        ]
        self.chunks.clear()
        self.seconds = 0.0
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return clean_samples(np.ascontiguousarray(audio, dtype=np.float32))
