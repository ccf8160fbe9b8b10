"""Hostile recordings: huge, endless, sparse, piped or with broken samples cost bounded memory and
time, and give one clear line (or are still understood)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.audio.decode import load_audio
from assistant.errors import AudioError
from audio_helpers import tone_wav
from conftest import ROOT, SAMPLES, cli_env, no_traceback, run_cli
from measure import run_cli_peak

MANIFEST = [
    json.loads(line)
    for line in (SAMPLES / "manifest.jsonl").read_text().splitlines()
    if line.strip()
]
TIME = next(row for row in MANIFEST if row["file"] == "en_01_time.wav")


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    return lines[0]


def silent_wav_in_blocks(path: Path, seconds: int, rate: int = 16000) -> Path:
    """A long silent PCM WAV written a second at a time, so making it costs no memory either."""
    block = np.zeros(rate, dtype=np.int16)
    with sf.SoundFile(path, "w", samplerate=rate, channels=1, subtype="PCM_16") as out:
        for _ in range(seconds):
            out.write(block)
    return path


def sparse_wav(path: Path, data_bytes: int, rate: int = 16000) -> Path:
    """A PCM WAV whose header declares `data_bytes` of audio, made that long with a sparse hole."""
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )
    with path.open("wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + data_bytes)
    return path


# ---------------------------------------------------------------- defect 6: length and memory
def test_thirty_minute_wav_refused_in_bounded_memory(tmp_path, state_dir):
    wav = silent_wav_in_blocks(tmp_path / "half-hour.wav", 30 * 60)
    res = run_cli_peak("run", str(wav), state_dir=state_dir)
    line = one_error_line(res["err"])
    assert (
        res["code"] == 1 and "longer than the 60 s a command may last" in line and "1800 s" in line
    )
    assert res["peak_mb"] < 250, res["peak_mb"]


def test_sparse_two_gigabyte_wav_refused_before_decoding(tmp_path, state_dir):
    wav = sparse_wav(tmp_path / "sparse.wav", 1_900_000_000)
    res = run_cli_peak("run", "--json", str(wav), state_dir=state_dir)
    assert res["code"] == 1, res
    out = json.loads(res["out"])
    assert "longer than the 60 s a command may last" in out["error"] and out["source"] == str(wav)
    assert res["peak_mb"] < 250, res["peak_mb"]


def test_limit_is_a_setting(tmp_path, state_dir):
    wav = tone_wav(tmp_path / "three.wav", seconds=3.0)
    config = tmp_path / "short.toml"
    config.write_text("[audio]\nmax_command_seconds = 2\n")
    res = run_cli("run", "--config", str(config), str(wav), state_dir=state_dir)
    no_traceback(res)
    assert res.code == 1 and "longer than the 2 s a command may last" in one_error_line(res.err)
    config.write_text("[audio]\nmax_command_seconds = -1\n")
    res = run_cli("run", "--config", str(config), str(wav), state_dir=state_dir)
    assert res.code == 1 and "max_command_seconds" in one_error_line(res.err)


def test_file_without_length_stops_past_the_limit(tmp_path):
    """A header that claims no length (streamed WAV, 0xFFFFFFFF) is decoded only up to the limit."""
    wav = tone_wav(tmp_path / "streamed.wav", seconds=5.0)
    data = bytearray(wav.read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    data[4:8] = b"\xff\xff\xff\xff"
    wav.write_bytes(bytes(data))
    with pytest.raises(AudioError, match="longer than the 2 s"):
        load_audio(wav, max_seconds=2)
    assert abs(len(load_audio(wav, max_seconds=10).audio) - 5 * 16000) <= 2


# ---------------------------------------------------------------- defect 11: NaN and Inf samples
def test_nan_and_inf_samples_do_not_lose_the_command(tmp_path, state_dir, model_dir):
    audio, rate = sf.read(SAMPLES / TIME["file"], dtype="float32")
    audio[len(audio) // 3] = np.nan
    audio[len(audio) // 2] = np.inf
    audio[len(audio) // 2 + 7] = -np.inf
    wav = tmp_path / "nan.wav"
    sf.write(wav, audio, rate, subtype="FLOAT")
    res = run_cli("run", "--json", str(wav), state_dir=state_dir)
    no_traceback(res)
    out = res.json_lines()[0]
    assert res.code == 0 and out["intent"] == TIME["intent"], out
    assert "!" not in out["transcript"]


def test_decoded_samples_are_finite_and_in_range(tmp_path):
    t = np.arange(16000) / 16000
    audio = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    audio[100], audio[200], audio[300], audio[400] = np.nan, np.inf, -np.inf, 7.5
    wav = tmp_path / "bad.wav"
    sf.write(wav, audio, 16000, subtype="FLOAT")
    utt = load_audio(wav)
    assert np.isfinite(utt.audio).all() and np.abs(utt.audio).max() <= 1.0


# ---------------------------------------------------------------- defect 12: pipes and FIFOs
def test_wav_from_stdin_file_and_pipe(state_dir, model_dir):
    sample = SAMPLES / TIME["file"]
    cmd = [sys.executable, "-m", "assistant", "run", "--json", "/dev/stdin"]
    with sample.open("rb") as fh:  # `run /dev/stdin < sample.wav`
        from_file = subprocess.run(
            cmd, stdin=fh, capture_output=True, timeout=300, env=cli_env(state_dir), cwd=ROOT
        )
    from_pipe = subprocess.run(
        cmd,
        input=sample.read_bytes(),
        capture_output=True,
        timeout=300,  # `cat x | run`
        env=cli_env(state_dir),
        cwd=ROOT,
    )
    for proc in (from_file, from_pipe):
        assert proc.returncode == 0, proc.stderr.decode()
        assert json.loads(proc.stdout.decode().splitlines()[0])["intent"] == TIME["intent"]


def test_wav_through_a_fifo(tmp_path):
    fifo = tmp_path / "command.wav"
    os.mkfifo(fifo)
    wav = tone_wav(tmp_path / "tone.wav", seconds=1.0)
    writer = threading.Thread(target=lambda: fifo.write_bytes(wav.read_bytes()), daemon=True)
    writer.start()
    utt = load_audio(fifo)
    writer.join(timeout=10)
    assert abs(len(utt.audio) - 16000) <= 2


def test_fifo_nobody_writes_to_is_an_error_not_a_hang(tmp_path, state_dir):
    fifo = tmp_path / "silent.wav"
    os.mkfifo(fifo)
    config = tmp_path / "short.toml"
    config.write_text("[audio]\nmax_command_seconds = 0.5\n")
    res = run_cli("run", "--config", str(config), str(fifo), state_dir=state_dir, timeout=60)
    assert res.code == 1 and "did not arrive in full within 10.5 s" in one_error_line(res.err)


def test_endless_pipe_stops_at_the_limit(tmp_path, state_dir):
    res = run_cli_peak("run", "/dev/zero", state_dir=state_dir, timeout=120)
    assert res["code"] == 1 and "longer than the 60 s" in one_error_line(res["err"])
    assert res["peak_mb"] < 250, res["peak_mb"]


def test_wav_streamed_by_its_writer_through_a_pipe(state_dir, model_dir):
    """A writer on a pipe cannot seek back to write the length: espeak-ng puts 0x7ffff000 there."""
    speak = subprocess.Popen(
        ["espeak-ng", "-v", "en-us", "-w", "/dev/stdout", "what time is it"], stdout=subprocess.PIPE
    )
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "run", "--json", "/dev/stdin"],
        stdin=speak.stdout,
        capture_output=True,
        timeout=300,
        env=cli_env(state_dir),
        cwd=ROOT,
    )
    speak.stdout.close()
    speak.wait(timeout=30)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert json.loads(proc.stdout.decode().splitlines()[0])["intent"] == "clock.time"
