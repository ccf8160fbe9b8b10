"""English samples through three recognisers: pocketsphinx with the intents' grammar, pocketsphinx's
open vocabulary, and Whisper (a benchmark, not a test).

Each configuration runs in its own process (peak RSS is per process) and prints intent accuracy on
the 20 English samples, median / max ASR time per utterance, and the time to load the recogniser
(for the grammar: building the JSGF and compiling it in pocketsphinx).
Usage: python bench/sphinx_grammar.py [--only grammar|open|whisper ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIGS = {
    "grammar": ("sphinx", 'language = "en"\n[asr]\nengine = "sphinx"\nsphinx_grammar = true\n'),
    "open": ("sphinx", 'language = "en"\n[asr]\nengine = "sphinx"\n'),
    "whisper": ("whisper", 'language = "auto"\n'),
}


def one(name: str) -> dict:
    """Run in a child process: load, then every English sample; return figures as a dict."""
    from assistant.app import Assistant
    from assistant.audio.decode import load_audio
    from assistant.config import load_settings

    asr, text = CONFIGS[name]
    tmp = Path(tempfile.mkdtemp())
    (tmp / "c.toml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp / "c.toml", state_dir=tmp / "state")
    app = Assistant(settings, asr=asr)
    t0 = time.perf_counter()
    _ = app.recognizer  # the first use of the property loads the recogniser: that is timed
    load_s = time.perf_counter() - t0
    manifest = [
        json.loads(line)
        for line in (ROOT / "samples" / "manifest.jsonl").read_text().splitlines()
        if line.strip()
    ]
    right, times, wrong = 0, [], []
    for m in (m for m in manifest if m["lang"] == "en"):
        utt = load_audio(ROOT / "samples" / m["file"])
        t0 = time.perf_counter()
        tr = app.recognizer.transcribe(utt, lang="en" if asr == "sphinx" else "auto")
        times.append(time.perf_counter() - t0)
        intent = app.understand(tr.text, lang="en").intent if tr.text else None
        if intent == m["intent"]:
            right += 1
        else:
            wrong.append(f"{m['file']}: {tr.text!r} -> {intent}")
    return {
        "config": name,
        "right": right,
        "n": len(times),
        "median_s": statistics.median(times),
        "max_s": max(times),
        "load_s": load_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "wrong": wrong,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=list(CONFIGS), default=list(CONFIGS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(args.child)))
        return
    print(
        f"{'config':8} {'intent ok':>9} {'median s/utt':>12} {'max s':>7} {'load s':>7} "
        f"{'peak RSS MB':>11}"
    )
    for name in args.only:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name], capture_output=True, text=True
        )
        if out.returncode:
            print(f"{name:8} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{name:8} {r['right']:>4}/{r['n']:<4} {r['median_s']:>12.2f} {r['max_s']:>7.2f} "
            f"{r['load_s']:>7.2f} {r['peak_rss_mb']:>11.0f}"
        )
        for w in r["wrong"]:
            print(f"           wrong: {w}")


if __name__ == "__main__":
    main()
