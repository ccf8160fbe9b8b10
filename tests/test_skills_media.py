"""Local music through the project's Player (silent sink here): search, pause, next, background."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.audio.playback import Player, _SilentSink
from assistant.dialog import Dialog
from helpers_dialog import m, settings_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    folder = tmp_path_factory.mktemp("music")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/make_test_music.py"), str(folder), "--seconds", "0.6"],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture
def player():
    p = Player(sink=_SilentSink())
    yield p
    p.close()


@pytest.fixture
def dialog(make_dialog, music, player):
    return make_dialog(player=player, media={"folder": str(music)})


def test_play_pause_resume_next_previous(dialog, player):
    assert dialog.handle(m("media.play", "en", query="some jazz")).text == "Playing Jazz Walk."
    assert player.is_playing("media")
    assert dialog.handle(m("media.pause", "en")).text == "Paused."
    assert player.is_paused("media")
    assert dialog.handle(m("media.resume", "zh")).text == "继续播放Jazz Walk。"
    assert player.is_playing("media")
    assert (
        dialog.handle(m("media.next", "en")).text == "Playing Morning Bells."
    )  # tags read from an Ogg stream
    assert dialog.handle(m("media.previous", "en")).text == "Playing Jazz Walk."
    assert dialog.handle(m("system.stop", "en")).text == "Okay."
    assert not player.is_playing("media")
    assert dialog.handle(m("media.pause", "en")).text == "Nothing is playing."


def test_search_in_either_script(dialog):
    assert dialog.handle(m("media.play", "zh", query="小星星")).text == "正在播放小星星。"
    assert dialog.handle(m("media.play", "en", query="xiao xing xing")).text == "Playing 小星星."
    assert dialog.handle(m("media.play", "zh", query="测试乐队的歌")).text == "正在播放小星星。"
    assert (
        dialog.handle(m("media.play", "en", query="rainy day")).text == "Playing rainy day."
    )  # untagged wav
    assert (
        dialog.handle(m("media.play", "en", query="beethoven")).text
        == "Sorry, I couldn't find beethoven in your music."
    )


def test_music_plays_in_the_background_and_moves_on(dialog, player):
    dialog.start(lambda reply: None)
    dialog.handle(m("media.play", "en", query="jazz"))
    media = dialog.skills["media"]
    assert media.current.title == "Jazz Walk"
    # the assistant keeps answering while the music plays
    assert dialog.handle(m("clock.time", "en")).text == "It's three fifteen PM."
    deadline = time.monotonic() + 5
    while (
        media.current is not None
        and media.current.title == "Jazz Walk"
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert media.current is not None and media.current.title == "Morning Bells"
    assert player.is_playing("media")


def test_no_music_folder(tmp_path, player):
    d = Dialog(
        settings_for(tmp_path, media={"folder": str(tmp_path / "nothing")}),
        engine=None,
        player=player,
    )
    try:
        assert d.handle(m("media.play", "zh")).text == "抱歉，没有可以播放的音乐。"
    finally:
        d.close()
