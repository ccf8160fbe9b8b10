"""Hostile input and hostile places to write, through the CLI as a user runs it: one clear line,
never a traceback, a hang or a deleted file (issue 13, defects 3, 7, 8, 9, 17 and 19)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from audio_helpers import espeak_wav
from conftest import ROOT, CliResult, cli_env, no_traceback


def _error_line(result: CliResult) -> str:
    """The single `error:` line of a failed command (and no traceback)."""
    no_traceback(result)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:"), result.err
    assert "unexpected" not in lines[-1], lines[-1]
    return lines[-1]


def _is_wav(data: bytes) -> bool:
    return len(data) > 44 and data[:4] == b"RIFF" and data[8:12] == b"WAVE"


# -- 3: say -o never deletes what the user named ---------------------------------------------------


def test_say_into_a_symlink_writes_its_target_and_keeps_the_link(cli, tmp_path):
    target = tmp_path / "target.wav"
    target.write_bytes(b"old")
    link = tmp_path / "link.wav"
    link.symlink_to(target)
    result = cli("say", "-o", str(link), "hello")
    no_traceback(result)
    assert result.code == 0, result.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert _is_wav(target.read_bytes())


def test_say_into_a_fifo_writes_through_it_and_keeps_the_fifo(cli, tmp_path):
    fifo = tmp_path / "speech.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            received.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = cli("say", "-o", str(fifo), "hello", timeout=120)
    reader.join(timeout=30)
    no_traceback(result)
    assert result.code == 0, result.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a file"
    assert not reader.is_alive() and received and _is_wav(received[0]), (
        "the reader got no WAV through the FIFO"
    )


def test_say_over_a_regular_file_replaces_it_whole(cli, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "out.wav"
    out.write_bytes(b"x" * 10)
    result = cli("say", "-o", str(out), "hello")
    assert result.code == 0, result.err
    assert _is_wav(out.read_bytes())
    assert [p.name for p in folder.iterdir()] == ["out.wav"], "a temporary file was left behind"


# -- 9: a full disk is one clear line, quickly -----------------------------------------------------


@pytest.fixture
def full_dir(tmp_path: Path):
    """A folder on a real, full file system: a 64 KiB tmpfs filled to the last byte.

    Mounting needs root (or CAP_SYS_ADMIN); where it is refused the test is skipped with the reason.
    """
    mnt = tmp_path / "full"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here: {mounted.stderr.strip() or mounted.returncode}"
        )
    try:
        fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_say_to_a_full_disk_is_one_error_line(cli, full_dir):
    out = full_dir / "reply.wav"
    result = cli("say", "-o", str(out), "hello there", timeout=60)  # it used to hang forever
    assert result.code == 1
    assert "No space left on device" in _error_line(result)
    assert not out.exists() or out.stat().st_size == 0 or _is_wav(out.read_bytes())


def test_say_to_a_full_device_is_one_error_line_and_the_device_stays(cli, tmp_path):
    """A private copy of /dev/full (same device numbers), so the test can never replace the real
    one."""
    device = tmp_path / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc.strerror}")
    result = cli("say", "-o", str(device), "hello", timeout=60)
    assert stat.S_ISCHR(os.lstat(device).st_mode), "the device was replaced by a file"
    assert result.code == 1
    assert "No space left on device" in _error_line(result)


def test_run_replies_to_a_full_disk_give_each_file_an_error(cli, tmp_path, full_dir, model_dir):
    good = espeak_wav("what time is it", tmp_path / "good.wav")
    result = cli("run", "--json", "--reply-dir", str(full_dir), str(good), str(good), timeout=240)
    no_traceback(result)
    assert result.code == 1
    objs = result.json_lines()
    assert len(objs) == 2
    assert all("No space left on device" in o["error"] for o in objs), objs


# -- 7: a per-file error that is not the project's own does not stop the batch ---------------------


def test_run_goes_on_after_an_os_error_in_the_middle(cli, tmp_path, model_dir):
    """A file name too long for the file system is an OSError root gets too (chmod 000 does not
    stop root)."""
    good = espeak_wav("what time is it", tmp_path / "good.wav")
    too_long = str(tmp_path / ("a" * 300 + ".wav"))
    result = cli(
        "run", "--json", "--reply-dir", str(tmp_path / "replies"), str(good), too_long, str(good)
    )
    no_traceback(result)
    assert result.code == 1
    first, bad, last = result.json_lines()
    assert first["intent"] == "clock.time" and last["intent"] == "clock.time"
    assert bad["source"] == too_long and set(bad) == {"source", "error"}
    assert bad["error"].startswith(f"{too_long}: ") and "File name too long" in bad["error"]


def test_run_plain_output_names_the_failing_file_and_goes_on(cli, tmp_path, model_dir):
    good = espeak_wav("what time is it", tmp_path / "good.wav")
    too_long = str(tmp_path / ("b" * 300 + ".wav"))
    result = cli("run", "--reply-dir", str(tmp_path / "replies"), too_long, str(good))
    no_traceback(result)
    assert result.code == 1
    (line,) = [x for x in result.err.splitlines() if x.startswith(f"error: {too_long}: ")]
    assert "File name too long" in line
    assert "good.wav: heard" in result.out


# -- 8: one invalid byte on stdin loses nothing else -----------------------------------------------


def _stdin_envs() -> list[dict[str, str]]:
    """PYTHONIOENCODING=utf-8 makes stdin strict, as a UTF-8 locale such as en_US.UTF-8 does; the
    real locales are added where this machine has them (`locale -a`)."""
    envs = [{}]
    try:
        have = (
            subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower().split()
        )
    except OSError:
        have = []
    for name in ("en_US.UTF-8", "zh_CN.UTF-8"):
        if name.lower().replace("-", "") in {h.replace("-", "") for h in have}:
            envs.append({"LANG": name, "LC_ALL": name, "PYTHONIOENCODING": ""})
    return envs


def _run_bytes(args: list[str], data: bytes, state_dir: Path, **env: str) -> CliResult:
    full_env = cli_env(state_dir, **env)
    if full_env.get("PYTHONIOENCODING") == "":
        del full_env["PYTHONIOENCODING"]
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=data,
        capture_output=True,
        timeout=120,
        env=full_env,
        cwd=ROOT,
    )
    return CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


@pytest.mark.parametrize("env", _stdin_envs())
def test_parse_stdin_with_a_bad_byte_keeps_every_good_line(state_dir, env):
    data = (
        "what time is it\nset a timer for 5 minutes\ncaf\xe9 au lait\n".encode("latin-1")
        + "设一个五分钟的计时器\n".encode()
    )
    result = _run_bytes(["parse", "--json", "-"], data, state_dir, **env)
    no_traceback(result)
    assert result.code == 1
    assert [o["intent"] for o in result.json_lines()] == [
        "clock.time",
        "timer.start",
        "timer.start",
    ]
    errors = [line for line in result.err.splitlines() if line.strip()]
    assert errors == ["error: stdin line 3 is not valid UTF-8 (byte 0xe9); skipped"]


@pytest.mark.parametrize("env", _stdin_envs())
def test_chat_with_a_bad_byte_answers_every_good_line(state_dir, env):
    data = b"what time is it\n\xff\xfe oops\nhello\n"
    result = _run_bytes(["chat"], data, state_dir, **env)
    no_traceback(result)
    assert result.code == 1
    replies = [line for line in result.out.splitlines() if line.startswith("assistant:")]
    assert len(replies) == 2, result.out
    assert "error: stdin line 2 is not valid UTF-8 (byte 0xff); skipped" in result.err.splitlines()


def test_parse_stdin_refuses_an_endless_line_in_bounded_memory(state_dir):
    data = b"what time is it\n" + b"x" * (8 << 20) + b"\nhello\n"
    result = _run_bytes(["parse", "--json", "-"], data, state_dir)
    no_traceback(result)
    assert result.code == 1
    assert [o["intent"] for o in result.json_lines()] == ["clock.time", "chat.greeting"]
    assert any("stdin line 2 is longer than" in line for line in result.err.splitlines())


# -- 17: odd arguments and paths, each one clear line ----------------------------------------------


def test_say_nothing(cli, tmp_path):
    result = cli("say", "-o", str(tmp_path / "a.wav"), "")
    assert result.code == 1 and "nothing to say" in _error_line(result)


def test_say_into_a_folder(cli, tmp_path):
    result = cli("say", "-o", str(tmp_path), "hello")
    assert result.code == 1
    line = _error_line(result)
    assert str(tmp_path) in line and "folder" in line
    assert tmp_path.is_dir()


def test_run_reply_dir_that_is_a_file(cli, tmp_path):
    not_a_dir = tmp_path / "replies"
    not_a_dir.write_text("keep me")
    result = cli("run", "--reply-dir", str(not_a_dir), str(tmp_path / "x.wav"))
    assert result.code == 1
    line = _error_line(result)
    assert "--reply-dir" in line and str(not_a_dir) in line and "not a folder" in line
    assert not_a_dir.read_text() == "keep me"


@pytest.mark.parametrize("config", ["/dev/zero", "fifo"])
def test_config_that_is_not_a_regular_file(cli, tmp_path, config):
    if config == "fifo":
        config = str(tmp_path / "settings.fifo")
        os.mkfifo(config)
    result = cli(
        "parse", "--config", config, "hello", timeout=60
    )  # /dev/zero used to be read forever
    assert result.code == 1
    line = _error_line(result)
    assert config in line and "not a regular file" in line


def test_config_that_is_too_big(cli, tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * 200_000)
    result = cli("parse", "--config", str(big), "hello")
    assert result.code == 1
    line = _error_line(result)
    assert str(big) in line and "too big" in line


@pytest.mark.parametrize(
    "args,what",
    [
        ([b"parse", b"\xff"], "the text to parse"),
        ([b"parse", b"--json", b"set a timer called caf\xe9"], "the text to parse"),
        ([b"say", b"-o", b"out.wav", b"hello \xff"], "the text to say"),
    ],
)
def test_arguments_that_are_not_utf8(state_dir, tmp_path, args, what):
    proc = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"assistant", *args],
        capture_output=True,
        timeout=120,
        env=cli_env(state_dir, PYTHONPATH=str(ROOT)),
        cwd=tmp_path,
    )
    result = CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
    assert result.code == 1
    line = _error_line(result)
    assert what in line and "not valid UTF-8" in line
    assert not (tmp_path / "out.wav").exists()


# -- 19: invisible characters are removed, not turned into spaces ----------------------------------


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u2066",
    ],
)
def test_invisible_characters_inside_a_word(cli, invisible):
    result = cli(
        "parse",
        "--json",
        f"set a pas{invisible}ta timer for 5 minutes",
        f"set a ti{invisible}mer for 5 minutes",
    )
    no_traceback(result)
    assert result.code == 0, result.err
    named, plain = result.json_lines()
    assert named["intent"] == "timer.start" and named["slots"] == {"duration": 300, "name": "pasta"}
    assert (
        plain["intent"] == "timer.start"
        and plain["slots"] == {"duration": 300}
        and plain["score"] == 1.0
    )
