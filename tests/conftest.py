"""Shared fixtures: the real speech model, a fresh state folder, and the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.splitlines() if line.startswith("{")]


def cli_env(state_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "ASSISTANT_STATE_DIR": str(state_dir),
        }
    )
    env.pop("ASSISTANT_CONFIG", None)
    env.update(extra)
    return env


def run_cli(
    *args: str, state_dir: Path, input: str | None = None, timeout: float = 300, **env: str
) -> CliResult:
    """Run `python -m assistant ARGS` in a subprocess, exactly as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(state_dir, **env),
        cwd=ROOT,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    d = tmp_path / "state"
    d.mkdir()
    return d


@pytest.fixture
def cli(state_dir: Path):
    def call(*args: str, **kw) -> CliResult:
        return run_cli(*args, state_dir=state_dir, **kw)

    return call


@pytest.fixture
def make_dialog(tmp_path: Path):
    """A real Dialog (SQLite file in tmp_path) with the fixed test clock; closed after the test.

    Keyword arguments other than engine, player and now become settings sections,
    e.g. `make_dialog(volume={"mixer": "none"})`.
    """
    from assistant.dialog import Dialog
    from helpers_dialog import Clock, settings_for

    made = []

    def make(engine=None, player=None, now=None, **sections):
        d = Dialog(settings_for(tmp_path, **sections), engine, player=player, now=now or Clock())
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()


@pytest.fixture
def dialog(make_dialog):
    """The plain Dialog most skill tests talk to (no intent engine, no player)."""
    return make_dialog()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The verified Whisper model that `make test` pulled; a clear failure when it is missing."""
    from assistant.asr.models import installed_ok
    from assistant.config import load_settings

    settings = load_settings()
    if not installed_ok(settings.model_dir):
        pytest.fail(
            f"no verified speech model in {settings.model_dir}: "
            "run `assistant models pull` (make test does)"
        )
    return settings.model_dir


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "without(part): run only where this machine lacks the part "
        "(sound_card, microphone, sound_output, internet); see tests/hardware.py",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    from hardware import skip_if_present

    skip_if_present(item)


def no_traceback(result: CliResult) -> None:
    assert "Traceback" not in result.err and "Traceback" not in result.out, result.err
