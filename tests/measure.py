"""Peak memory of one CLI run, measured on the real process (no mocks, no sampling)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, cli_env

# A fresh interpreter runs the CLI as its only child, so RUSAGE_CHILDREN is that child's peak alone
# (the test process's own RUSAGE_CHILDREN would be the peak of every child the session ever ran).
_WRAPPER = """
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True)   # stdin passed through
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": proc.returncode, "out": proc.stdout.decode("utf-8", "replace"),
                  "err": proc.stderr.decode("utf-8", "replace"), "peak_mb": peak_kb / 1024}))
"""


def run_cli_peak(
    *args: str, state_dir: Path, input: str | None = None, timeout: float = 120, **env: str
) -> dict:
    """`python -m assistant ARGS` as a user runs it (stdin: `input`): exit code, output and peak
    RSS in MB."""
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "assistant", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(state_dir, **env),
        cwd=ROOT,
    )
    return json.loads(proc.stdout)
