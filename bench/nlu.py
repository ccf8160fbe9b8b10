"""Benchmark of the intent engine: load time, parse latency (vs a naive baseline), dev-set accuracy.

    python bench/nlu.py                 # everything
    python bench/nlu.py --failures 30   # also list tuning-half failures (classes of problems)

Each development set is split by a fixed rule (bench/devsplit.py) into a tuning half and a
check half; only the tuning half's failures are printed, both halves' figures are.

Figures only, never pass/fail: targets are median < 0.5 ms, p95 < 2 ms, load < 0.5 s (grammar),
training the learned stage <= 2 s more on 2 cores (or read from the cache),
faster than the baseline, >= 90 % in-domain accuracy with <= 5 % false positives.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import native  # noqa: E402
from assistant.nlu import COMPILED, IntentEngine  # noqa: E402
from assistant.nlu import grammar  # noqa: E402
from assistant.nlu.normalize import normalize  # noqa: E402
from devsplit import HALVES, half  # noqa: E402

INTENTS = ROOT / "intents"
EVAL = ROOT.parent / "shared" / "eval"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def time_load(repeat: int = 5) -> float:
    """The grammar stage alone: read and compile every built-in intent file."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        IntentEngine.load([INTENTS], learn=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def time_startup() -> dict[str, float]:
    """Whole start-up with the learned stage: training it (empty cache dir), then reading the
    cache it wrote, each in a fresh process so imports (scikit-learn for training) count."""
    code = (
        "import sys, time; t = time.perf_counter(); from pathlib import Path; "
        "from assistant.nlu import IntentEngine; "
        "e = IntentEngine.load([Path(sys.argv[1])], cache_dir=Path(sys.argv[2])); "
        "print(e.learned_source, time.perf_counter() - t)"
    )
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as state:
        for want in ("trained", "cache"):
            got = subprocess.run(
                [sys.executable, "-c", code, str(INTENTS), state],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            source, seconds = got.stdout.split()
            out[source if source == want else f"{want}?{source}"] = float(seconds)
    return out


class Baseline:
    """The naive matcher: every template fully expanded, rapidfuzz extractOne over all sentences."""

    def __init__(self, engine: IntentEngine):
        t = time.perf_counter()
        self.sentences: list[str] = []
        self.intents: list[str] = []
        for spec in engine.library.intents.values():
            for tpl in spec.templates:
                for pieces in grammar.expand(tpl.tree, engine.library.rules, limit=100000):
                    text = "".join(p if isinstance(p, str) else "{" + p.name + "}" for p in pieces)
                    self.sentences.append(" ".join(normalize(text, tpl.lang).lower().split()))
                    self.intents.append(spec.name)
        self.load_time = time.perf_counter() - t

    def parse(self, text: str, lang: str) -> str | None:
        hit = process.extractOne(
            normalize(text, lang).lower(), self.sentences, scorer=fuzz.WRatio, score_cutoff=80
        )
        return self.intents[hit[2]] if hit else None


def latency(fn, cases: list[tuple[str, str]], rounds: int = 3) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for text, lang in cases:
            t = time.perf_counter_ns()
            fn(text, lang)
            samples.append((time.perf_counter_ns() - t) / 1e6)
    return statistics.median(samples), pct(samples, 0.95)


def dev_sets(engine: IntentEngine, show: int) -> list[dict]:
    rows = []
    for path in sorted(EVAL.glob("*.jsonl")):
        lines = [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        for name in HALVES:
            part = [x for x in lines if half(x["text"]) == name]
            ind = [x for x in part if x["expect"]]
            ood = [x for x in part if not x["expect"]]
            ok = wrong = slot_bad = 0
            fails: list[str] = []
            for x in ind:
                m = engine.parse(x["text"], x.get("lang", "auto"))
                if m.intent in x["expect"]:
                    if all(m.slots.get(k) == v for k, v in (x.get("slots") or {}).items()):
                        ok += 1
                        continue
                    slot_bad += 1
                    fails.append(f"  SLOTS {x['text']!r}: want {x['slots']} got {m.slots}")
                else:
                    wrong += m.intent is not None
                    fails.append(
                        f"  {'WRONG' if m.intent else 'MISS '} {x['text']!r}: want {x['expect']} "
                        f"got {m.intent} ({m.score:.2f})"
                    )
            fp = 0
            for x in ood:
                m = engine.parse(x["text"], x.get("lang", "auto"))
                if m.intent:
                    fp += 1
                    fails.append(f"  FP    {x['text']!r}: got {m.intent} {m.slots} ({m.score:.2f})")
            rows.append(
                {
                    "file": path.name,
                    "half": name,
                    "in_domain": len(ind),
                    "accuracy": ok / max(1, len(ind)),
                    "wrong_intent": wrong / max(1, len(ind)),
                    "slot_errors": slot_bad,
                    "out_of_domain": len(ood),
                    "false_positives": fp / max(1, len(ood)),
                }
            )
            if show and name == "tune":
                print(f"\n{path.name} (tuning half): first {show} failures")
                print("\n".join(fails[:show]))
    return rows


BANDS = ((0.62, 0.8), (0.8, 0.95), (0.95, 1.01))


def reliability(engine: IntentEngine) -> None:
    """How often an accepted answer is right, by score band, stage and language (both halves):
    whether "score" means the same whichever stage answered."""
    tally: dict[tuple[str, str, int], list[int]] = {}
    for path in sorted(EVAL.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            x = json.loads(line)
            m = engine.parse(x["text"], x.get("lang", "auto"), explain=True)
            if m.intent is None:
                continue
            stage = (m.explain or {}).get("answered_by", "grammar")
            band = next(k for k, (lo, hi) in enumerate(BANDS) if lo <= m.score < hi)
            want = x.get("slots") or {}
            right = m.intent in x["expect"] and all(m.slots.get(k) == v for k, v in want.items())
            row = tally.setdefault((stage, m.lang, band), [0, 0])
            row[0] += right
            row[1] += 1
    print(
        "\naccepted answers right, by score band (both halves): stage lang  "
        + "  ".join(f"[{lo:.2f},{min(hi, 1.0):.2f}]" for lo, hi in BANDS)
    )
    for stage in ("grammar", "learned"):
        for lang in ("en", "zh"):
            cells = [tally.get((stage, lang, k)) for k in range(len(BANDS))]
            shown = [f"{c[0] / c[1]:6.1%} of {c[1]:<4d}" if c else f"{'-':>14}" for c in cells]
            print(f"  {stage:8} {lang}  " + "  ".join(shown))


def timed_cases(engine: IntentEngine) -> list[tuple[str, str]]:
    cases = [(c.text, c.lang) for spec in engine.library.intents.values() for c in spec.tests]
    cases += [(c.text, c.lang) for c in engine.library.negatives]
    for path in sorted(EVAL.glob("*.jsonl")):  # real users' sentences: longer and odder than ours
        for line in path.read_text(encoding="utf-8").splitlines()[:300]:
            x = json.loads(line)
            cases.append((x["text"], x.get("lang", "en")))
    return cases


def engine_latency(
    engine: IntentEngine, cases: list[tuple[str, str]] | None = None
) -> tuple[float, float]:
    cases = cases or timed_cases(engine)
    for text, lang in cases[:20]:  # warm caches before timing
        engine.parse(text, lang)
    return latency(engine.parse, cases)


def pure_python_latency() -> tuple[float, float]:
    """The same timing with the matcher's Python source, in a fresh process (native.py)."""
    got = subprocess.run(
        [sys.executable, __file__, "--latency-only"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), native.OFF_ENV: "1"},
    )
    med, p95 = json.loads(got.stdout)
    return med, p95


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--failures", type=int, default=0, help="print this many dev-set failures per file"
    )
    ap.add_argument("--skip-dev", action="store_true")
    ap.add_argument("--latency-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.latency_only:
        print(json.dumps(engine_latency(IntentEngine.load([INTENTS]))))
        return

    load_s = time_load()
    startup = time_startup()
    engine = IntentEngine.load([INTENTS])
    n_graphs = engine.matcher.size
    cases = timed_cases(engine)
    base = Baseline(engine)
    for text, lang in cases[:20]:  # warm caches before timing
        base.parse(text, lang)
    med, p95 = engine_latency(engine, cases)
    pmed, pp95 = pure_python_latency() if COMPILED else (med, p95)
    bmed, bp95 = latency(base.parse, cases, rounds=1)
    tests = [(c, c.intent) for spec in engine.library.intents.values() for c in spec.tests]
    base_acc = sum(base.parse(c.text, c.lang) == want for c, want in tests) / len(tests)
    eng_acc = sum(engine.parse(c.text, c.lang).intent == want for c, want in tests) / len(tests)

    print(
        f"intents: {len(engine.intent_names)} "
        f"({', '.join(f'{k} {v} template graphs' for k, v in n_graphs.items())}); "
        f"baseline sentences: {len(base.sentences)}"
    )
    print(f"timed utterances: {len(cases)} (built-in tests, negatives, dev-set lines)\n")
    print(
        f"{'matcher':10} {'load s':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'test-sentence intent acc':>25}"
    )
    print(f"{'engine':10} {load_s:8.3f} {med:10.3f} {p95:8.3f} {eng_acc:25.1%}")
    if COMPILED:
        print(f"{'(as Python)':10} {'':8} {pmed:10.3f} {pp95:8.3f}")
    print(f"{'baseline':10} {base.load_time:8.3f} {bmed:10.3f} {bp95:8.3f} {base_acc:25.1%}")
    print(
        "start-up in a fresh process (imports, grammar, learned stage): "
        + ", ".join(f"{k} {v:.2f} s" for k, v in startup.items())
        + f"; training adds {startup.get('trained', 0) - startup.get('cache', 0):.2f} s"
    )
    print(
        "targets: load < 0.5 s, median < 0.5 ms, p95 < 2 ms; speed-up over baseline: median "
        f"x{bmed / med:.1f}, p95 x{bp95 / p95:.1f}"
    )
    print(
        "matcher: "
        + (
            f"compiled by mypyc (make setup); the same source as Python is x{pmed / med:.2f} "
            "slower at the median, same answers (tests/test_native.py)"
            if COMPILED
            else "pure Python (no current compiled copy: python -m assistant.native build)"
        )
    )
    if args.skip_dev or not EVAL.exists():
        return
    grammar_only = IntentEngine.load([INTENTS], learn=False)
    stages = [("grammar", grammar_only, 0), ("+learned", engine, args.failures)]
    print(
        f"\n{'dev set':24} {'stages':9} {'half':6} {'in-domain':>9} {'accuracy':>9} {'wrong':>7} "
        f"{'slot err':>8} {'OOD':>5} {'false pos':>9}"
    )
    for label, eng, show in stages:
        for r in dev_sets(eng, show):
            print(
                f"{r['file']:24} {label:9} {r['half']:6} {r['in_domain']:9d} {r['accuracy']:9.1%} "
                f"{r['wrong_intent']:7.1%} {r['slot_errors']:8d} {r['out_of_domain']:5d} "
                f"{r['false_positives']:9.1%}"
            )
    print("targets: accuracy >= 90 %, false positives <= 5 %")
    reliability(engine)


if __name__ == "__main__":
    main()
