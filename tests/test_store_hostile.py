"""The state database under attack: smashed pages, a full disk, racing processes, rows from
other tools.

Everything is real: files built through the product and then damaged byte by byte, a small
tmpfs really filled to the last block, several Python processes writing one file at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.dialog import Dialog
from conftest import ROOT, no_traceback, run_cli
from helpers_dialog import Clock, m, settings_for

CONFIG = '[volume]\nmixer = "none"\n'


def _config(tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return str(path)


def _chat(tmp_path: Path, state: Path, lines: list[str]):
    return run_cli(
        "chat",
        "--state-dir",
        str(state),
        "--config",
        _config(tmp_path),
        state_dir=state,
        input="\n".join(lines) + "\n",
        timeout=120,
    )


def _error_line(result) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:"), result.err
    return lines[-1]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- 5: a damaged file is refused at start, untouched -------------------------------------


def test_smashed_pages_are_refused_at_start_and_the_file_is_untouched(tmp_path):
    state = tmp_path / "state"
    made = _chat(
        tmp_path,
        state,
        [
            "add milk to my shopping list",
            "add eggs to my shopping list",
            "set a timer for 5 minutes",
        ],
    )
    assert made.code == 0 and "Added milk" in made.out, made.err
    db = state / "assistant.db"
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) >= 4 * page and data[:16] == b"SQLite format 3\x00"
    for start in range(2 * page, len(data), page):  # every page after the first two, header kept
        data[start : start + page] = bytes((i * 37 + 11) % 256 for i in range(page))
    db.write_bytes(bytes(data))
    before = _sha(db)

    result = _chat(tmp_path, state, ["what is on my shopping list", "hello"])

    no_traceback(result)
    assert result.code == 1, (result.out, result.err)
    assert "is damaged" in _error_line(result) and str(db) in _error_line(result)
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.out == ""
    assert _sha(db) == before


# -- 16: a full disk ---------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path):
    """A real 512 KB tmpfs, unmounted afterwards; skipped only where mounting is impossible."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def _fill(fs: Path) -> Path:
    """Take every free block of `fs` with one file; removing it gives the space back."""
    filler = fs / "filler"
    with open(filler, "ab", buffering=0) as out:
        for size in (65536, 4096, 512, 1):
            try:
                while out.write(b"\0" * size):
                    pass
            except OSError:
                pass
    assert os.statvfs(fs).f_bavail == 0
    return filler


def test_full_disk_at_start_says_so(tmp_path, small_fs):
    _fill(small_fs)
    fresh = _chat(tmp_path, small_fs / "state", ["hello"])
    no_traceback(fresh)
    assert fresh.code == 1
    assert (
        _error_line(fresh)
        == f"error: the disk is full: cannot write {small_fs / 'state' / 'assistant.db'}"
    )


def test_full_disk_with_existing_state_at_start_says_so_and_keeps_it(tmp_path, small_fs):
    state = small_fs / "state"
    assert _chat(tmp_path, state, ["add milk to my shopping list"]).code == 0
    filler = _fill(small_fs)
    before = _sha(state / "assistant.db")
    full = _chat(tmp_path, state, ["what is on my shopping list"])
    no_traceback(full)
    assert full.code == 1 and "the disk is full: cannot write" in _error_line(full)
    assert _sha(state / "assistant.db") == before
    filler.unlink()
    assert "milk" in _chat(tmp_path, state, ["what is on my shopping list"]).out


def test_full_disk_while_running_is_one_line_and_a_spoken_failure(tmp_path, small_fs):
    state = small_fs / "state"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "chat",
            "--state-dir",
            str(state),
            "--config",
            _config(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"},
    )
    try:
        assert proc.stdin and proc.stdout
        proc.stdin.write("add milk to my shopping list\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == "assistant: Added milk to your shopping list.\n"
        filler = _fill(small_fs)
        failing = ["add eggs to my shopping list", "set a timer for 5 minutes", "tell me a joke"]
        out, err = proc.communicate("\n".join(failing) + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert out.splitlines() == ["assistant: Sorry, the disk is full, so I couldn't do that."] * 3
    full_lines = [line for line in err.splitlines() if "the disk is full" in line]
    assert len(full_lines) == 3 and len(err.splitlines()) == 3, err
    filler.unlink()
    after = _chat(tmp_path, state, ["what is on my shopping list", "how long is left on the timer"])
    assert after.out.splitlines() == [
        "assistant: Your shopping list has one item: milk.",
        "assistant: You don't have any timers.",
    ], after.err


def test_scheduler_on_a_full_disk_logs_once_and_fires_later(small_fs, caplog):
    clock = Clock()
    d = Dialog(settings_for(small_fs / "state"), engine=None, now=clock)
    try:
        d.handle(m("timer.start", "en", duration=60))
        filler = _fill(small_fs)
        clock.advance(61)
        with caplog.at_level(logging.WARNING):
            for _ in range(20):
                assert d.tick() == []  # the row cannot be removed, so it is not announced yet
        problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(problems) == 1 and "the disk is full" in problems[0].getMessage()
        assert problems[0].exc_info is None
        filler.unlink()
        assert [r.text for r in d.tick()] == ["Your 1 minute timer is done."]
        assert d.tick() == []
    finally:
        d.close()


# -- 15: racing processes add the same items -------------------------------------------------

WORKER = """
import sys, time
from pathlib import Path
from assistant.dialog import Dialog
from helpers_dialog import m, settings_for
state, me, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
d = Dialog(settings_for(state), engine=None)
(state / f"ready-{me}").touch()
while not (state / "go").exists():
    time.sleep(0.001)
for i in range(count):
    print(d.handle(m("list.add", "en", item=f"item {i}")).text, flush=True)
d.close()
"""


def test_racing_processes_add_each_item_once(tmp_path):
    state, workers, items = tmp_path / "state", 4, 150
    Dialog(settings_for(state), engine=None).close()  # the schema exists before the race
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(state), str(n), str(items)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for n in range(workers)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(state.glob("ready-*"))) < workers:
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), (
                "a worker did not start"
            )
            time.sleep(0.01)
        (state / "go").touch()
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    replies = [line for out, _ in outputs for line in out.splitlines()]
    assert len(replies) == workers * items
    rows = sqlite3.connect(state / "assistant.db").execute("SELECT item FROM list_items").fetchall()
    assert sorted(r[0] for r in rows) == sorted(f"item {i}" for i in range(items))
    for i in range(items):
        added = replies.count(f"Added item {i} to your shopping list.")
        already = replies.count(f"item {i} is already on your shopping list.")
        assert (added, already) == (1, workers - 1), i


# -- 20: a setting row that is not JSON ----------------------------------------------------


def test_a_setting_row_that_is_not_json_is_ignored_with_one_line(tmp_path):
    state = tmp_path / "state"
    assert _chat(tmp_path, state, ["hello"]).code == 0
    with sqlite3.connect(state / "assistant.db") as db:
        db.executemany(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            [("language", "zh-CN, set by another tool"), ("volume", "{loud")],
        )
    result = _chat(tmp_path, state, ["hello", "what time is it", "turn the volume down", "hello"])
    no_traceback(result)
    assert result.code == 0
    replies = result.out.splitlines()
    assert replies[0] == "assistant: Hello! How can I help?" and replies[3] == replies[0]
    assert replies[1].startswith("assistant: It's ")
    assert replies[2] == "assistant: Volume 60 percent.", replies  # the default 70, one step down
    warnings = result.err.splitlines()
    assert len(warnings) == 2 and all("not JSON" in w for w in warnings), result.err
    assert "'language'" in warnings[0] + warnings[1] and "'volume'" in warnings[0] + warnings[1]
