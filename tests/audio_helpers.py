"""Making test recordings with the product's own parts (espeak-ng, soundfile, soxr)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr


def espeak_wav(
    text: str,
    path: Path,
    voice: str = "en-us",
    rate: int = 22050,
    channels: int = 1,
    fmt: str | None = None,
    noise: float = 0.0,
) -> Path:
    """Speak `text` with espeak-ng and write it at `rate` Hz with `channels` channels."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text], check=True)
    audio, sr = sf.read(raw, dtype="float32")
    raw.unlink()
    pad = np.zeros(int(sr * 0.3), dtype=np.float32)
    audio = np.concatenate([pad, audio, pad])
    if rate != sr:
        audio = soxr.resample(audio, sr, rate).astype(np.float32)
    if noise:
        audio = audio + np.random.default_rng(0).normal(0, noise, len(audio)).astype(np.float32)
    if channels > 1:
        audio = np.stack([audio] * channels, axis=1)
    sf.write(path, audio, rate, format=fmt)
    return path


def tone_wav(
    path: Path, seconds: float = 1.0, rate: int = 16000, freq: float = 440.0, amp: float = 0.3
) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)
    return path


def silence_wav(path: Path, seconds: float = 2.0, rate: int = 16000) -> Path:
    sf.write(path, np.zeros(int(seconds * rate), dtype=np.float32), rate, subtype="PCM_16")
    return path


def truncated_wav(path: Path) -> Path:
    tone_wav(path, seconds=2.0)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path
