#!/usr/bin/env python3
"""Write a few short tagged tunes (mp3, flac, ogg, wav) to use as a music folder in tests and demos.

The project ships no recordings: these are sine-tone melodies made from numbers, with
English and Chinese tags (and one untagged file) so the media skill's fuzzy search
can be tried on titles, artists, genres and file names in both scripts.

    python scripts/make_test_music.py [FOLDER] [--seconds 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

RATE = 22050
A4 = 440.0

# file name, codec, tags, melody as semitones from A4
TRACKS = [
    (
        "jazz_walk.mp3",
        "libmp3lame",
        {"title": "Jazz Walk", "artist": "Tone Quartet", "genre": "Jazz"},
        [-9, -5, -2, 1, 3, 1, -2, -5],
    ),
    (
        "xiaoxingxing.flac",
        "flac",
        {"title": "小星星", "artist": "测试乐队", "genre": "儿歌"},
        [-9, -9, -2, -2, 0, 0, -2],
    ),
    (
        "morning_bells.ogg",
        "libopus",
        {"title": "Morning Bells", "artist": "The Test Tones", "genre": "Classical"},
        [3, -2, -5, -9, 3, 7],
    ),
    ("rainy_day.wav", "pcm_s16le", {}, [-4, -7, -9, -7, -4]),
]


def melody(steps: list[int], seconds: float, rate: int = RATE) -> np.ndarray:
    """Plucked sine notes filling `seconds`, each with a soft attack and decay (no clicks)."""
    note_len = int(rate * seconds / len(steps))
    t = np.arange(note_len) / rate
    env = np.minimum(1.0, t / 0.01) * np.exp(-t * 3.0)
    notes = [0.3 * env * np.sin(2 * np.pi * A4 * 2 ** (s / 12) * t) for s in steps]
    return np.concatenate(notes).astype(np.float32)


def write(
    path: Path, codec: str, tags: dict[str, str], audio: np.ndarray, rate: int = RATE
) -> None:
    import av

    with av.open(str(path), "w") as out:
        for key, value in tags.items():
            out.metadata[key] = value
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        for start in range(0, len(pcm), 4096):
            frame = av.AudioFrame.from_ndarray(
                pcm[None, start : start + 4096], format="s16", layout="mono"
            )
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def make(folder: Path, seconds: float = 3.0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, codec, tags, steps in TRACKS:
        path = folder / name
        rate = 48000 if codec == "libopus" else RATE  # Opus only takes 48 kHz (and a few others)
        write(path, codec, tags, melody(steps, seconds, rate), rate)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder",
        nargs="?",
        default=str(Path(__file__).resolve().parent.parent / "tests/data/music"),
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each tune")
    args = parser.parse_args()
    for path in make(Path(args.folder), args.seconds):
        print(path)


if __name__ == "__main__":
    main()
