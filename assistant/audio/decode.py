"""Read any common audio file into 16 kHz mono float32, or say clearly why not.

The recogniser wants one format; users have WAV/FLAC/AIFF at 8-48 kHz, mono or stereo.
Truncated WAVs are caught from the RIFF header itself because libsndfile reads them
silently, and a command cut in half would be understood wrongly rather than not at all.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from ..errors import AudioError
from ..types import SAMPLE_RATE, Utterance

SILENCE_RMS = 10 ** (-50 / 20)   # -50 dBFS: below this a whole file holds no speech
SILENCE_PEAK = 10 ** (-40 / 20)


def to_mono_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mix down to mono and resample to the recogniser's 16 kHz."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    if sample_rate != SAMPLE_RATE and len(audio):
        audio = soxr.resample(audio, sample_rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(audio)


def check_wav_header(path: Path) -> None:
    """Raise AudioError when a RIFF/WAVE file's data chunk is shorter than its header says."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        size = path.stat().st_size
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_len = struct.unpack("<4sI", fh.read(8))
            if chunk_id == b"data":
                have = size - pos - 8
                if chunk_len != 0xFFFFFFFF and have < chunk_len:
                    raise AudioError(f"{path}: truncated WAV ({have} of {chunk_len} data bytes present)")
                return
            pos += 8 + chunk_len + (chunk_len & 1)
        raise AudioError(f"{path}: WAV file has no audio data chunk")


def is_silent(audio: np.ndarray) -> bool:
    if not len(audio):
        return True
    peak = float(np.max(np.abs(audio)))
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return peak < SILENCE_PEAK or rms < SILENCE_RMS


def load_audio(path: str | Path, reject_silence: bool = True) -> Utterance:
    """Decode a file into an Utterance at 16 kHz mono; AudioError with one clear line otherwise."""
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    check_wav_header(path)
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        detail = str(exc).split(":")[-1].strip() or "unreadable"
        raise AudioError(f"{path}: not a readable audio file ({detail})") from None
    if audio.size == 0:
        raise AudioError(f"{path}: the file holds no audio")
    audio = to_mono_16k(audio, rate)
    if reject_silence and is_silent(audio):
        raise AudioError(f"{path}: only silence, no speech to recognise")
    return Utterance(audio=audio, sample_rate=SAMPLE_RATE, source=str(path))


def load_for_playback(path: str | Path) -> tuple[np.ndarray, int]:
    """A reply or sound file as mono float32 at its own rate: playback resamples once, to the card's rate."""
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"{path}: cannot be played ({exc})") from None
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    return audio, rate
