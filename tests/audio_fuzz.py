"""Hostile audio files for the decoder, and a driver that runs them in a child process.

Run as `python audio_fuzz.py FOLDER`: every file in FOLDER goes through `load_audio`, one JSON line
each with what came out ("ok", or the exception's type). A child process, so that a hang or a crash
in C code fails the test through its timeout instead of stopping the test run.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

SUBTYPES = ("PCM_16", "PCM_24", "FLOAT", "PCM_U8", "ULAW")


def _tone(rate: int, channels: int, seconds: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = (0.3 * np.sin(2 * np.pi * rng.uniform(100, 1000) * t)).astype(np.float32)
    return np.stack([mono] * channels, axis=1) if channels > 1 else mono


def make_cases(folder: Path, seed: int = 1313) -> list[Path]:
    """About 300 files: random bytes, real WAV/FLAC/AIFF cut or corrupted, odd rates, channels
    and headers."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Path] = []

    def add(name: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        cases.append(path)

    # valid files at random rates, channel counts and sample formats: decoded, never a crash
    for i in range(30):
        rate = int(
            rng.choice(
                [
                    4000,
                    8000,
                    11025,
                    22050,
                    32000,
                    44100,
                    48000,
                    96000,
                    192000,
                    int(rng.integers(1000, 200000)),
                ]
            )
        )
        channels = int(rng.integers(1, 7))
        fmt, sub = [("WAV", SUBTYPES[i % len(SUBTYPES)]), ("FLAC", "PCM_16"), ("AIFF", "PCM_16")][
            i % 3
        ]
        if fmt == "FLAC":  # libFLAC's encoder takes common rates only
            rate = int(rng.choice([8000, 16000, 22050, 44100, 48000, 96000]))
        path = folder / f"valid_{i}.{fmt.lower()}"
        sf.write(
            path,
            _tone(rate, channels, float(rng.uniform(0.05, 1.5)), rng),
            rate,
            format=fmt,
            subtype=sub,
        )
        cases.append(path)
    originals = [p.read_bytes() for p in cases[:12]]

    for i in range(60):  # random bytes, some behind a real RIFF/fLaC/FORM magic
        body = rng.bytes(int(rng.integers(0, 4096)))
        magic = [b"", b"RIFF\x00\x10\x00\x00WAVE", b"fLaC", b"FORM\x00\x00\x10\x00AIFF", b"OggS"][
            i % 5
        ]
        add(f"random_{i}.wav", magic + body)
    for i in range(60):  # real files cut anywhere, most often inside the header
        data = originals[i % len(originals)]
        cut = (
            int(rng.integers(0, min(len(data), 200))) if i % 2 else int(rng.integers(0, len(data)))
        )
        add(f"cut_{i}.wav", data[:cut])
    for i in range(80):  # real files with bytes flipped, most often in the header
        data = bytearray(originals[i % len(originals)])
        for _ in range(int(rng.integers(1, 9))):
            at = (
                int(rng.integers(0, min(len(data), 80)))
                if i % 3
                else int(rng.integers(0, len(data)))
            )
            data[at] = int(rng.integers(0, 256))
        add(f"flipped_{i}.wav", bytes(data))
    for i in range(60):  # WAV headers that lie: rate, channels, bits, sizes
        rate = int(
            rng.choice([0, 1, 7, 8000, 16000, 2**31 - 1, 2**32 - 1, int(rng.integers(0, 2**32))])
        )
        channels = int(rng.choice([0, 1, 2, 255, 1024, 65535, int(rng.integers(0, 2**16))]))
        bits = int(rng.choice([0, 1, 8, 16, 24, 32, 64, 13]))
        fmt_tag = int(rng.choice([1, 3, 6, 7, 0xFFFE, 0, int(rng.integers(0, 2**16))]))
        payload = rng.bytes(int(rng.integers(0, 20000)))
        data_len = int(rng.choice([len(payload), 0, 0xFFFFFFFF, int(rng.integers(0, 2**32))]))
        align = max(1, channels * bits // 8) & 0xFFFF
        header = (
            b"RIFF"
            + struct.pack("<I", int(rng.integers(0, 2**32)))
            + b"WAVE"
            + b"fmt "
            + struct.pack(
                "<IHHIIHH", 16, fmt_tag, channels, rate, (rate * align) & 0xFFFFFFFF, align, bits
            )
            + b"data"
            + struct.pack("<I", data_len)
        )
        add(f"lying_{i}.wav", header + payload)
    return cases


def run(folder: Path) -> None:
    from assistant.audio.decode import load_audio
    from assistant.errors import AudioError

    for path in sorted(folder.iterdir()):
        try:
            utt = load_audio(path)
            audio = utt.audio
            ok = (
                utt.sample_rate == 16000
                and audio.ndim == 1
                and audio.dtype == np.float32
                and bool(np.isfinite(audio).all())
                and float(np.abs(audio).max()) <= 1.0 + 1e-6
            )
            outcome, detail = (
                ("ok", "") if ok else ("bad utterance", f"{audio.dtype} {audio.shape}")
            )
        except AudioError as exc:
            outcome, detail = "AudioError", str(exc)
        except BaseException as exc:  # noqa: B036 - the point is to report every other escape
            outcome, detail = type(exc).__name__, str(exc)[:200]
        print(json.dumps({"file": path.name, "outcome": outcome, "detail": detail}), flush=True)


if __name__ == "__main__":
    run(Path(sys.argv[1]))
