"""Bad input gives one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import time

import pytest

from audio_helpers import espeak_wav, silence_wav, truncated_wav
from conftest import no_traceback


def _one_error_line(result) -> str:
    no_traceback(result)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert lines, "expected an error message"
    assert lines[-1].startswith("error:"), result.err
    return lines[-1]


@pytest.mark.parametrize(
    "maker,expected",
    [
        (lambda d: d / "missing.wav", "no such file"),
        (
            lambda d: (d / "notes.wav").write_text("not audio") and d / "notes.wav",
            "not a readable audio file",
        ),
        (lambda d: truncated_wav(d / "cut.wav"), "truncated WAV"),
        (lambda d: silence_wav(d / "quiet.wav"), "only silence"),
    ],
)
def test_run_bad_file_gives_json_error_and_exit_1(cli, tmp_path, maker, expected):
    path = maker(tmp_path)
    result = cli("run", "--json", str(path))
    no_traceback(result)
    assert result.code == 1
    [obj] = result.json_lines()
    assert obj["source"] == str(path) and expected in obj["error"]


def test_run_bad_file_does_not_stop_the_others(cli, tmp_path, model_dir):
    good = espeak_wav("what time is it", tmp_path / "good.wav")
    result = cli(
        "run",
        "--json",
        "--reply-dir",
        str(tmp_path / "replies"),
        str(tmp_path / "missing.wav"),
        str(good),
    )
    assert result.code == 1
    bad, ok = result.json_lines()
    assert "error" in bad and ok["intent"] == "clock.time"


def test_unknown_lang(cli, tmp_path):
    result = cli("run", "--lang", "fr", str(tmp_path / "x.wav"))
    assert result.code == 1 and "unknown language 'fr'" in _one_error_line(result)


def test_no_model_names_pull(cli, tmp_path):
    good = espeak_wav("what time is it", tmp_path / "good.wav")
    result = cli("run", "--json", "--model-dir", str(tmp_path / "empty"), str(good))
    assert result.code == 1
    [obj] = result.json_lines()
    assert "assistant models pull" in obj["error"]
    plain = cli("run", "--model-dir", str(tmp_path / "empty"), str(good))
    assert plain.code == 1 and "assistant models pull" in _one_error_line(plain)


@pytest.mark.without("microphone")
def test_no_microphone(cli):
    result = cli("listen", "--always")
    assert result.code == 1
    line = _one_error_line(result)
    assert "microphone" in line or "PyAudio" in line


@pytest.mark.without("internet")
def test_no_network_for_online_engine(cli, tmp_path):
    good = espeak_wav("what time is it", tmp_path / "good.wav")
    t0 = time.monotonic()
    result = cli("run", "--asr", "google", str(good), timeout=60)
    assert result.code == 1
    assert "unreachable" in _one_error_line(result)
    assert time.monotonic() - t0 < 45  # fails quickly, never hangs


def test_bad_config_file(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("language = [unclosed\n")
    result = cli("chat", "--config", str(cfg), input="hello\n")
    assert result.code == 1 and str(cfg) in _one_error_line(result)


def test_parse_nothing(cli):
    result = cli("parse")
    assert result.code == 1 and "nothing to parse" in _one_error_line(result)


def test_say_unknown_lang(cli, tmp_path):
    result = cli("say", "--lang", "xx", "-o", str(tmp_path / "a.wav"), "hello")
    assert result.code == 1 and "unknown language" in _one_error_line(result)


def test_8k_mono_and_48k_stereo_are_understood(cli, tmp_path, model_dir):
    """Telephone-rate and studio-rate stereo recordings are resampled, not refused."""
    low = espeak_wav("what time is it", tmp_path / "low.wav", rate=8000)
    high = espeak_wav("what time is it", tmp_path / "high.wav", rate=48000, channels=2)
    result = cli("run", "--json", "--reply-dir", str(tmp_path / "replies"), str(low), str(high))
    no_traceback(result)
    assert result.code == 0, result.err
    assert [o["intent"] for o in result.json_lines()] == ["clock.time", "clock.time"]


@pytest.mark.without("microphone")
def test_speaker_profile_waits_for_a_microphone(tmp_path, state_dir):
    """Started at boot before the USB mic is plugged in: one line, then it keeps looking (no crash
    loop)."""
    import subprocess
    import sys
    from conftest import ROOT, cli_env

    cfg = tmp_path / "speaker.toml"
    cfg.write_text("[listen]\nwait_for_microphone = true\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "listen", "--always", "--config", str(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=cli_env(state_dir),
    )
    try:
        proc.wait(timeout=12)
        pytest.fail("listen exited although it should wait for a microphone")
    except subprocess.TimeoutExpired:
        pass
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "looking again every 5 s" in lines[0]
