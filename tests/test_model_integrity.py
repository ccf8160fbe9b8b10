"""A damaged speech model is caught at start-up, even when the damage kept every file's size and
mtime (bit rot, a bad SD card), and the user gets one line saying what to run, never a traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.asr import models
from assistant.errors import ModelError
from conftest import SAMPLES, no_traceback, run_cli


def copy_model(model_dir: Path, dest: Path, link_weights: bool) -> Path:
    """The installed model in `dest`: small files copied, model.bin hard-linked (read-only use)
    or copied."""
    src = models.model_path(model_dir)
    folder = models.model_path(dest)
    folder.mkdir(parents=True)
    for f in src.iterdir():
        if f.name == "model.bin" and link_weights:
            try:
                os.link(f, folder / f.name)
                continue
            except OSError:
                pass
        shutil.copy2(f, folder / f.name)
    return folder


def damage_in_place(path: Path, at: int, junk: bytes) -> None:
    """Overwrite bytes without changing the file's size or mtime, as bit rot would."""
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek(at)
        fh.write(junk)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def assert_damaged_line(res, folder: Path) -> None:
    no_traceback(res)
    lines = [line for line in res.err.splitlines() if line.strip()]
    assert res.code != 0 and len(lines) == 1, res.err
    assert lines[0].startswith(f"error: the speech model in {folder} is damaged")
    assert "run `assistant models pull`" in lines[0]


def test_bit_rot_in_weights_is_caught(tmp_path, state_dir, model_dir):
    folder = copy_model(model_dir, tmp_path / "models", link_weights=False)
    size = (folder / "model.bin").stat().st_size
    damage_in_place(folder / "model.bin", size // 2, bytes(4096))
    assert not models.installed_ok(tmp_path / "models")
    res = run_cli(
        "run",
        "--model-dir",
        str(tmp_path / "models"),
        str(SAMPLES / "en_01_time.wav"),
        state_dir=state_dir,
    )
    assert_damaged_line(res, folder)


def test_corrupt_tokenizer_is_caught(tmp_path, state_dir, model_dir):
    folder = copy_model(model_dir, tmp_path / "models", link_weights=True)
    damage_in_place(folder / "tokenizer.json", 1000, b"\x00{{{not json at all}}}")
    res = run_cli(
        "run",
        "--model-dir",
        str(tmp_path / "models"),
        str(SAMPLES / "en_01_time.wav"),
        state_dir=state_dir,
    )
    assert_damaged_line(res, folder)


def test_recogniser_refuses_a_tokenizer_it_cannot_read(tmp_path, model_dir):
    """The loader's own guard, for a folder that never went through the SHA-256 check."""
    from assistant.asr.whisper import WhisperRecognizer

    folder = copy_model(model_dir, tmp_path / "models", link_weights=True)
    (folder / "tokenizer.json").write_text("{ this is not a tokenizer")
    with pytest.raises(ModelError, match=r"is damaged .*run `assistant models pull`"):
        WhisperRecognizer(folder)


def test_pull_replaces_a_damaged_model(tmp_path, model_dir, monkeypatch):
    """`models pull` (what the error says to run) must not call a damaged model 'already
    installed'."""
    monkeypatch.setenv(
        "HF_ENDPOINT", "http://127.0.0.1:9"
    )  # nothing listens: the fetch fails at once
    folder = copy_model(model_dir, tmp_path / "models", link_weights=True)
    damage_in_place(folder / "vocabulary.txt", 10, b"XX")
    with pytest.raises(ModelError, match="is damaged"):
        models.require_model(tmp_path / "models")
    said: list[str] = []
    with pytest.raises(ModelError):  # it tries to fetch instead of keeping the damage
        models.pull(tmp_path / "models", source="official", log=said.append, timeout=0.5)
    assert not any("already installed" in line for line in said)
