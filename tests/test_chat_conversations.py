"""Scripted conversations through `assistant chat` (stdin in, `assistant: ...` lines out), both
languages.

The real command, real matcher, real SQLite file, and real HTTP servers on 127.0.0.1 for
the web services. A conversation is a list of (line typed, what the reply must contain).
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


from helpers_http import HomeAssistantServer, HostileServer, OpenMeteoServer

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


def write_config(
    path: Path, weather_url: str = "http://127.0.0.1:9", home: str = "", followup: float = 8.0
) -> Path:
    path.write_text(
        f"""
timezone = "Asia/Shanghai"
[dialog]
followup_timeout = {followup}
poll_interval = 0.1
[volume]
mixer = "none"
[weather]
forecast_url = "{weather_url}"
geocoding_url = "{weather_url}"
timeout = 1.5
default_city = "beijing"
{home}
""",
        encoding="utf-8",
    )
    return path


def chat(
    tmp_path: Path, lines: list[str], config: Path | None = None, timeout: float = 60
) -> list[str]:
    """Run one `assistant chat` session to the end of its input; the reply lines, prefix removed."""
    config = config or write_config(tmp_path / "config.toml")
    done = subprocess.run(
        _chat_command(tmp_path, config),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    out = done.stdout.splitlines()
    assert all(line.startswith("assistant: ") for line in out), out
    return [line[len("assistant: ") :] for line in out]


def _chat_command(tmp_path: Path, config: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "assistant",
        "chat",
        "--state-dir",
        str(tmp_path / "state"),
        "--config",
        str(config),
    ]


def open_chat(tmp_path: Path, config: Path) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """An `assistant chat` left running with stdin open, and a queue of its output lines (read
    by a thread, so a test can wait for a line that comes on its own, such as a timer)."""
    proc = subprocess.Popen(
        _chat_command(tmp_path, config),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    lines: queue.Queue[str] = queue.Queue()
    out = proc.stdout
    assert out is not None
    threading.Thread(
        target=lambda: [lines.put(line.rstrip("\n")) for line in out], daemon=True
    ).start()
    return proc, lines


def converse(
    tmp_path: Path, script: list[tuple[str, str]], config: Path | None = None
) -> list[str]:
    replies = chat(tmp_path, [said for said, _ in script], config)
    assert len(replies) == len(script), replies
    for (said, expected), got in zip(script, replies, strict=True):
        assert expected in got, f"{said!r} -> {got!r}, expected {expected!r}"
    return replies


def test_everyday_english(tmp_path):
    converse(
        tmp_path,
        [
            ("hello", "Hello"),
            ("what time is it", "It's "),
            ("set a timer for five minutes", "5 minute timer"),
            ("how much time is left", "left"),
            ("add milk to my shopping list", "Added milk"),
            ("what's on my shopping list", "milk"),
            ("tell me a joke", ""),
            ("what can you do", "timers"),
            ("blah blah zork", "Sorry, I didn't catch that."),
            ("cancel the timer", "cancelled the 5 minute timer"),
            ("thank you", "welcome"),
        ],
    )


def test_everyday_chinese(tmp_path):
    converse(
        tmp_path,
        [
            ("你好", "你好"),
            ("现在几点了", "现在是"),
            ("设一个五分钟的计时器", "5分钟计时器"),
            ("计时器还剩多久", "还剩"),
            ("今天几号", "今天是"),
            ("取消计时器", "取消了"),
            ("你是谁", "语音助手"),
        ],
    )


def test_restart_in_the_middle_keeps_timers_lists_and_language(tmp_path):
    converse(
        tmp_path,
        [
            ("set a timer for ten minutes", "10 minute timer"),
            ("把鸡蛋加到购物清单", "鸡蛋"),
            ("add bread to my shopping list", "Added bread"),
        ],
    )
    converse(
        tmp_path,
        [
            ("how much time is left", "minutes"),
            ("购物清单上有什么", "鸡蛋和bread"),
            ("speak Chinese", "中文"),
        ],
    )
    converse(
        tmp_path,
        [
            ("what time is it", "现在是"),  # the language choice survived the restart too
            ("请说英文", "English"),
            ("what time is it", "It's "),
        ],
    )


def test_followups_in_both_languages(tmp_path):
    converse(
        tmp_path,
        [
            ("set a timer", "For how long?"),
            ("five minutes", "5 minute timer"),
            ("设一个计时器", "要设多长时间？"),
            ("三分钟", "3分钟计时器"),
            ("打开灯", "哪个房间的灯？"),
            ("厨房", "厨房的灯打开了"),
            ("turn on the light", "Which room"),
            ("the study please", "study light is on"),
        ],
    )


def test_context_carries_over(tmp_path):
    converse(
        tmp_path,
        [
            ("turn on the light in the bedroom", "bedroom light is on"),
            ("and the kitchen", "kitchen light is on"),
            ("关掉卧室的灯", "卧室的灯关上了"),
            ("还有厨房的", "厨房的灯关上了"),
        ],
    )


def test_unknown_device_and_home_assistant_down(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    home = (
        '[home]\nbackend = "homeassistant"\n'
        f'[home.homeassistant]\nurl = "{dead}"\ntoken = "t"\ntimeout = 1.0\n'
    )
    converse(
        tmp_path,
        [
            ("turn off the shed light", "I don't know"),
            ("turn on the kitchen light", "can't reach Home Assistant"),
            ("打开厨房的灯", "连不上"),
            ("what time is it", "It's "),  # the loop goes on
        ],
        write_config(tmp_path / "c.toml", home=home),
    )


def test_home_assistant_through_chat(tmp_path):
    with HomeAssistantServer("tok", ["light.kitchen_light", "light.bedroom_light"]) as ha:
        home = (
            '[home]\nbackend = "homeassistant"\n'
            f'[home.homeassistant]\nurl = "{ha.url}"\ntoken = "tok"\n'
        )
        converse(
            tmp_path,
            [
                ("turn on the kitchen light", "kitchen light is on"),
                ("把卧室的灯调到百分之三十", "百分之三十"),
            ],
            write_config(tmp_path / "c.toml", home=home),
        )
        assert ha.states["light.kitchen_light"]["state"] == "on"
        assert ha.states["light.bedroom_light"]["attributes"]["brightness"] == round(30 * 255 / 100)


def test_weather_through_chat_and_service_down(tmp_path):
    forecasts = {
        (31.23, 121.47): [
            {"code": 0, "max": 20, "min": 10, "rain": 0},
            {"code": 63, "max": 16, "min": 12, "rain": 70},
            {"code": 0, "max": 1, "min": 0, "rain": 0},
        ]
    }
    with OpenMeteoServer({}, forecasts) as meteo:
        converse(
            tmp_path,
            [
                (
                    "what's the weather in shanghai tomorrow",
                    "Tomorrow in Shanghai: rain, from 12 degrees to 16 degrees",
                ),
                ("明天上海天气怎么样", "上海明天中雨"),
            ],
            write_config(tmp_path / "c.toml", weather_url=meteo.url),
        )
    converse(
        tmp_path,
        [
            ("what's the weather in shanghai", "can't get the weather"),
            ("今天北京天气怎么样", "查不到天气"),
        ],
    )


def test_timer_fires_while_idle_and_followup_gives_up(tmp_path):
    """Keep stdin open: the announcement must arrive on its own, while no command is typed."""
    config = write_config(tmp_path / "c.toml", followup=1.0)
    proc, lines = open_chat(tmp_path, config)

    def next_line(wait: float = 20) -> str:
        return lines.get(timeout=wait)

    try:
        proc.stdin.write("set a timer for two seconds\n")
        proc.stdin.flush()
        assert "2 second timer" in next_line()
        started = time.monotonic()
        assert next_line() == "assistant: Your 2 second timer is done."
        assert time.monotonic() - started < 5
        proc.stdin.write("设一个计时器\n")
        proc.stdin.flush()
        assert next_line() == "assistant: 要设多长时间？"
        assert next_line() == "assistant: 好吧，需要的时候再叫我。"
    finally:
        proc.stdin.close()
        proc.wait(timeout=20)
    assert proc.returncode == 0


def test_timer_rings_while_the_weather_service_trickles(tmp_path):
    """A weather call stuck on a server sending a byte now and then must not keep a timer from
    ringing."""
    with HostileServer("trickle_body") as meteo:
        config = write_config(tmp_path / "c.toml", weather_url=meteo.url)
        config.write_text(
            config.read_text().replace("timeout = 1.5", "timeout = 12"), encoding="utf-8"
        )
        proc, lines = open_chat(tmp_path, config)
        try:
            proc.stdin.write("set a timer for two seconds\nwhat's the weather in shanghai\n")
            proc.stdin.flush()
            assert "2 second timer" in lines.get(timeout=60)
            # the weather call waits up to its 12 s deadline;
            # the timer rings meanwhile, then the apology
            assert lines.get(timeout=20) == "assistant: Your 2 second timer is done."
            assert lines.get(timeout=30) == "assistant: Sorry, I can't get the weather right now."
        finally:
            meteo.stopping.set()
            proc.stdin.close()
            proc.wait(timeout=30)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr.read()


def test_missed_timer_is_announced_after_restart(tmp_path):
    converse(tmp_path, [("set a timer for one second", "1 second timer")])
    time.sleep(1.2)
    replies = chat(tmp_path, ["what time is it"])
    assert replies[0] == "While I was off, your 1 second timer finished."
    assert replies[1].startswith("It's ")


def test_music_through_chat(tmp_path):
    music = tmp_path / "music"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/make_test_music.py"), str(music), "--seconds", "5"],
        check=True,
        capture_output=True,
    )
    config = write_config(tmp_path / "c.toml")
    config.write_text(config.read_text() + f'\n[media]\nfolder = "{music}"\n', encoding="utf-8")
    converse(
        tmp_path,
        [
            ("play some jazz", "Playing Jazz Walk."),
            ("what time is it", "It's "),  # answers while the music plays
            ("pause the music", "Paused."),
            ("播放小星星", "正在播放小星星。"),
            ("下一首", "正在播放"),
            ("stop", "Okay."),
            ("play beethoven", "couldn't find"),
        ],
        config,
    )
