"""Fuzzing the audio decoder: whatever the bytes, the answer is a valid utterance or one clear
AudioError line, in bounded time and memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from audio_fuzz import make_cases
from conftest import ROOT

HERE = Path(__file__).resolve().parent


def test_decoder_fuzz(tmp_path):
    folder = tmp_path / "fuzz"
    cases = make_cases(folder)
    proc = subprocess.run(
        [sys.executable, str(HERE / "audio_fuzz.py"), str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )  # a hang anywhere fails here
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(cases)
    escaped = [r for r in results if r["outcome"] not in ("ok", "AudioError")]
    assert not escaped, escaped[:10]
    assert all("\n" not in r["detail"] for r in results)
    counts = Counter(r["outcome"] for r in results)
    assert counts["ok"] >= 25 and counts["AudioError"] >= 200, counts  # both paths were exercised
    assert all(r["outcome"] == "ok" for r in results if r["file"].startswith("valid_")), [
        r for r in results if r["file"].startswith("valid_") and r["outcome"] != "ok"
    ]


def test_piped_fuzz_is_quiet(tmp_path):
    """The same hostile bytes through a pipe (read into memory, then decoded): no traceback on
    stderr."""
    folder = tmp_path / "fuzz"
    cases = [p for p in make_cases(folder) if not p.name.startswith("valid_")]
    script = textwrap.dedent("""
        import os, sys
        from pathlib import Path
        from assistant.audio.decode import load_audio
        from assistant.errors import AudioError
        for name in sys.argv[1:]:
            r, w = os.pipe()
            os.write(w, Path(name).read_bytes()[:60000])   # within the pipe's buffer
            os.close(w)
            try:
                load_audio(f"/dev/fd/{r}")
            except AudioError:
                pass
            finally:
                os.close(r)
        """)
    proc = subprocess.run(
        [sys.executable, "-c", script, *map(str, cases)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr[-2000:]


def test_cli_on_fuzzed_files(tmp_path, cli):
    """A few of them through `run --json` as a user would: one JSON error per file, the batch
    goes on."""
    cases = make_cases(tmp_path / "fuzz", seed=7)
    picked = [p for p in cases if p.name.startswith(("random_", "cut_", "lying_"))][::40]
    res = cli("run", "--json", *map(str, picked), timeout=120)
    assert "Traceback" not in res.err and res.code == 1, res.err  # 1: some files were refused
    out = res.json_lines()
    assert [o["source"] for o in out] == list(map(str, picked))
    assert all("\n" not in o["error"] if "error" in o else "transcript" in o for o in out), out
    assert sum("error" in o for o in out) >= 3, out
