"""Read any common audio file into 16 kHz mono float32, or say clearly why not.

The recogniser wants one format; users have WAV/FLAC/AIFF at 8-48 kHz, mono or stereo.
Truncated WAVs are caught from the RIFF header itself because libsndfile reads them
silently, and a command cut in half would be understood wrongly rather than not at all.

Memory and time are bounded by the length a command may have (`[audio] max_command_seconds`):
a file whose header says it is longer is refused before anything is decoded, and the rest is
decoded a block at a time, stopping as soon as the limit is passed, so a 2-hour file or a
sparse 2 GB WAV costs no more than a minute of audio. Pipes (`<(cat x.wav)`, `/dev/stdin`)
are read as a stream under the same limit and a deadline, never waited on forever.
"""

from __future__ import annotations

import io
import os
import select
import stat
import struct
import time
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import soundfile as sf
import soxr

from ..errors import AudioError, ConfigError
from ..types import SAMPLE_RATE, Utterance

SILENCE_RMS = 10 ** (-50 / 20)  # -50 dBFS: below this a whole file holds no speech
SILENCE_PEAK = 10 ** (-40 / 20)

DEFAULT_MAX_SECONDS = 60.0  # a spoken command; longer is a recording, not a command
MAX_SECONDS_CEILING = 600.0  # what the setting may be raised to
RATES = (1000, 384_000)  # sample rates a microphone or file can sensibly have
BLOCK_SAMPLES = 1 << 20  # samples (all channels) decoded at a time: 4 MB whatever the header says
PIPE_BYTES_PER_SECOND = (
    96_000 * 2 * 4
)  # a pipe may carry up to 96 kHz stereo float for the whole limit
PIPE_GRACE_SECONDS = 10.0  # a pipe's writer gets the command's length plus this to deliver it
UNKNOWN_FRAMES = 1 << 62  # libsndfile's "length unknown" (SF_COUNT_MAX) and anything near it


def max_command_seconds(audio_section: dict[str, Any]) -> float:
    """`[audio] max_command_seconds` of the settings, checked: the one place its default and
    range live."""
    value = audio_section.get("max_command_seconds", DEFAULT_MAX_SECONDS)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= MAX_SECONDS_CEILING
    ):
        raise ConfigError(
            f"[audio] max_command_seconds should be a number of seconds above 0 and at most "
            f"{MAX_SECONDS_CEILING:g}, got {value!r}"
        )
    return float(value)


def clean_samples(audio: np.ndarray) -> np.ndarray:
    """NaN and infinite samples become silence and the rest is clipped to [-1, 1], in place.

    One NaN in a float WAV spreads through resampling and the encoder to every frame, and the
    recogniser then "hears" a string of "!!!!"; one bad sample should cost one sample, not the
    command.
    """
    np.nan_to_num(audio, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    np.clip(audio, -1.0, 1.0, out=audio)
    return audio


def _mono(audio: np.ndarray) -> np.ndarray:
    return audio.mean(axis=1, dtype=np.float32) if audio.ndim == 2 else audio


def to_mono_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mix down to mono and resample to the recogniser's 16 kHz."""
    audio = _mono(np.asarray(audio, dtype=np.float32))
    if sample_rate != SAMPLE_RATE and len(audio):
        audio = soxr.resample(audio, sample_rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(audio)


def check_wav_header(fh: BinaryIO, size: int, name: str, streamed: bool = False) -> None:
    """Raise AudioError when a RIFF/WAVE file's data chunk is shorter than its header says.

    Not for a stream: a writer on a pipe cannot seek back to fill in the length, so it writes a
    large placeholder (espeak-ng: 0x7ffff000), and the data simply ends where the pipe does.
    """
    fh.seek(0)
    head = fh.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    pos = 12
    while pos + 8 <= size:
        fh.seek(pos)
        chunk_id, chunk_len = struct.unpack("<4sI", fh.read(8))
        if chunk_id == b"data":
            have = size - pos - 8
            if chunk_len != 0xFFFFFFFF and have < chunk_len and not streamed:
                raise AudioError(
                    f"{name}: truncated WAV ({have} of {chunk_len} data bytes present)"
                )
            return
        pos += 8 + chunk_len + (chunk_len & 1)
    raise AudioError(f"{name}: WAV file has no audio data chunk")


def is_silent(audio: np.ndarray) -> bool:
    if not len(audio):
        return True
    peak = float(np.max(np.abs(audio)))
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return peak < SILENCE_PEAK or rms < SILENCE_RMS


def _too_long(name: str, seconds: float | None, max_seconds: float) -> AudioError:
    length = f"{seconds:.0f} s of audio is" if seconds is not None else "the audio is"
    return AudioError(
        f"{name}: {length} longer than the {max_seconds:g} s a command may last "
        "(setting [audio] max_command_seconds)"
    )


def read_stream(path: Path, max_seconds: float) -> bytes:
    """All bytes of a pipe, FIFO or device, refused past the size a command can have or the
    deadline.

    Opened without blocking, so a FIFO nobody writes to is a clear error after the deadline, not
    a hang.
    """
    limit = int(max_seconds * PIPE_BYTES_PER_SECOND) + (1 << 20)
    wait = max_seconds + PIPE_GRACE_SECONDS
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        deadline = time.monotonic() + wait
        data = bytearray()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AudioError(f"{path}: the recording did not arrive in full within {wait:g} s")
            if not poller.poll(left * 1000):
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError as exc:
                raise AudioError(f"{path}: cannot be read ({exc.strerror})") from None
            if not chunk:
                return bytes(data)
            data += chunk
            if len(data) > limit:
                raise _too_long(str(path), None, max_seconds)
    finally:
        os.close(fd)


class _PipeBytes(io.BytesIO):
    """A pipe's bytes, seekable for libsndfile; a seek a broken header asks for fails quietly,
    as lseek would.

    (An exception in soundfile's seek callback is printed as a traceback and cannot be caught.)
    """

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        try:
            return super().seek(offset, whence)
        except (ValueError, OSError):
            return self.tell()


def _open(path: Path, max_seconds: float) -> tuple[BinaryIO, int]:
    """A seekable view of the file and its size: the file itself, or a pipe's bytes read in full."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file") from None
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise AudioError(f"{path}: is a folder, not an audio file")
    if stat.S_ISREG(st.st_mode):
        try:
            return path.open("rb"), st.st_size
        except OSError as exc:
            raise AudioError(f"{path}: cannot be read ({exc.strerror})") from None
    data = read_stream(path, max_seconds)
    return _PipeBytes(data), len(data)


def _decode(source: str | BinaryIO, name: str, max_seconds: float) -> tuple[np.ndarray, int]:
    """Mono float32 at the file's own rate, a block at a time, refused once past `max_seconds`."""
    try:
        with sf.SoundFile(source) as snd:
            rate, channels, frames = snd.samplerate, snd.channels, snd.frames
            if not RATES[0] <= rate <= RATES[1]:
                raise AudioError(f"{name}: unsupported sample rate {rate} Hz")
            limit = int(max_seconds * rate)
            if limit < frames < UNKNOWN_FRAMES:
                raise _too_long(name, frames / rate, max_seconds)
            block = max(1, BLOCK_SAMPLES // max(1, channels))
            parts, total = [], 0
            while True:
                data = snd.read(block, dtype="float32", always_2d=True)
                if not len(data):
                    break
                total += len(data)
                if total > limit:
                    raise _too_long(name, None, max_seconds)
                parts.append(_mono(clean_samples(data)))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        detail = str(exc).split(":")[-1].strip() or "unreadable"
        raise AudioError(f"{name}: not a readable audio file ({detail})") from None
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio, rate


def load_audio(
    path: str | Path, reject_silence: bool = True, max_seconds: float = DEFAULT_MAX_SECONDS
) -> Utterance:
    """Decode a file into an Utterance at 16 kHz mono; AudioError with one clear line otherwise.

    This is where recorded audio enters the pipeline, so it is also where samples are made sane.
    """
    path = Path(path)
    fh, size = _open(path, max_seconds)
    with fh:
        streamed = isinstance(fh, _PipeBytes)
        check_wav_header(fh, size, str(path), streamed)
        fh.seek(0)
        # a file is read by libsndfile itself; only a pipe's bytes go through Python
        audio, rate = _decode(fh if streamed else str(path), str(path), max_seconds)
    if audio.size == 0:
        raise AudioError(f"{path}: the file holds no audio")
    audio = to_mono_16k(audio, rate)
    if reject_silence and is_silent(audio):
        raise AudioError(f"{path}: only silence, no speech to recognise")
    return Utterance(audio=audio, sample_rate=SAMPLE_RATE, source=str(path))


def load_for_playback(path: str | Path) -> tuple[np.ndarray, int]:
    """A reply or sound file as mono float32 at its own rate: playback resamples once, to the
    card's rate."""
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"{path}: cannot be played ({exc})") from None
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    return audio, rate
