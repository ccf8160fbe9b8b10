"""Figures for the whole loop on the sample recordings (a benchmark, not a test).

Prints: start-up to ready (model + intents + TTS loaded), per-utterance ASR time and
real-time factor, NLU / skill / TTS time, end of input to reply WAV ready, peak RSS,
and intent accuracy on the samples. Targets are DESIGN section 6.
Usage: python bench/pipeline.py [--rounds N] [--asr whisper|sphinx]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app import Assistant  # noqa: E402
from assistant.audio.decode import load_audio  # noqa: E402
from assistant.config import load_settings  # noqa: E402


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def row(name: str, values: list[float], unit: str = "ms", target: str = "") -> None:
    print(
        f"{name:34} median {statistics.median(values):8.1f} {unit}   "
        f"p95 {pct(values, 0.95):8.1f} {unit}"
        f"   max {max(values):8.1f} {unit}  {target}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--asr", default=None)
    args = ap.parse_args()
    manifest = [
        json.loads(line)
        for line in (ROOT / "samples/manifest.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(state_dir=Path(tmp) / "state")
        t0 = time.perf_counter()
        app = Assistant(settings, asr=args.asr)
        t_nlu0 = time.perf_counter()
        _ = app.engine
        t_nlu = time.perf_counter() - t_nlu0
        t_asr0 = time.perf_counter()
        _ = app.recognizer
        t_asr = time.perf_counter() - t_asr0
        t_tts0 = time.perf_counter()
        _ = app.speaker
        t_tts = time.perf_counter() - t_tts0
        _ = app.dialog
        startup = time.perf_counter() - t0
        print(
            f"start-up to ready                  {startup * 1000:8.1f} ms  (target < 3000)   "
            f"[model load {t_asr * 1000:.0f} ms, intents {t_nlu * 1000:.0f} ms, "
            f"TTS init {t_tts * 1000:.0f} ms]"
        )
        asr, rtf, nlu, skill, tts, ready = [], [], [], [], [], []
        rtf_cmd = []
        correct = {"en": [0, 0], "zh": [0, 0]}
        for rnd in range(args.rounds):
            for item in manifest:
                utt = load_audio(ROOT / "samples" / item["file"])
                start = time.perf_counter()  # end of input: the whole command is in memory
                turn = app.turn(utt, reply_path=Path(tmp) / f"{rnd}-{item['file']}")
                ready.append((time.perf_counter() - start) * 1000)
                t = turn.timings_ms
                asr.append(t["asr"])
                nlu.append(t["nlu"])
                skill.append(t["skill"])
                tts.append(t["tts"])
                rtf.append(t["asr"] / 1000 / utt.duration)
                if 2.0 <= utt.duration <= 4.0:
                    rtf_cmd.append(t["asr"] / 1000 / utt.duration)
                if rnd == 0:
                    correct[item["lang"]][1] += 1
                    correct[item["lang"]][0] += int(turn.match.intent == item["intent"])
        app.close()
    print(f"utterances: {len(manifest)} samples x {args.rounds} rounds")
    row("ASR time per utterance", asr)
    row("ASR real-time factor (all)", rtf, unit="x ")
    if rtf_cmd:
        row("ASR real-time factor (2-4 s)", rtf_cmd, unit="x ", target="(target <= 0.5)")
    row("NLU time", nlu)
    row("skill time", skill)
    row("TTS time (reply WAV written)", tts)
    row("end of input -> reply WAV ready", ready, target="(target < 1500 for 3 s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS                           {peak:8.1f} MB  (target < 500)")
    for lang, (ok, n) in correct.items():
        print(f"sample intent accuracy {lang}            {ok}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
