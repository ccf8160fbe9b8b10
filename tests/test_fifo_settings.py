"""A FIFO (or any file that is not a regular file) given as settings or intents is refused with one
line at once: reading one waits for a writer that never comes."""

from __future__ import annotations

import os

from conftest import no_traceback

TIMEOUT = 30  # a hang fails the test through subprocess.TimeoutExpired


def test_config_fifo_is_refused(tmp_path, cli):
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    res = cli("parse", "--config", str(fifo), "what time is it", timeout=TIMEOUT)
    no_traceback(res)
    lines = res.err.strip().splitlines()
    assert res.code == 1 and len(lines) == 1 and lines[0].startswith("error:"), res.err
    assert str(fifo) in lines[0] and "is not a regular file" in lines[0]


def test_intents_fifo_in_a_folder_is_named(tmp_path, cli):
    folder = tmp_path / "my-intents"
    folder.mkdir()
    os.mkfifo(folder / "coffee.yaml")
    res = cli("intents", "check", "--intents", str(folder), timeout=TIMEOUT)
    no_traceback(res)
    assert res.code == 1 and f"{folder / 'coffee.yaml'}:0: is not a regular file" in res.out, (
        res.out
    )
    res = cli("parse", "--intents", str(folder), "what time is it", timeout=TIMEOUT)
    no_traceback(res)
    assert res.code == 1 and "coffee.yaml:0: is not a regular file" in res.err, res.err


def test_intents_path_that_is_a_fifo(tmp_path, cli):
    fifo = tmp_path / "extra.yaml"
    os.mkfifo(fifo)
    res = cli("intents", "check", "--intents", str(fifo), timeout=TIMEOUT)
    no_traceback(res)
    assert res.code == 1 and f"{fifo}:0: is not a regular file" in res.out, res.out
