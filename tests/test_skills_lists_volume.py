"""The shopping list and the volume (assistant's own output when no mixer exists)."""

from __future__ import annotations

import pytest

from assistant.dialog import Dialog
from helpers_dialog import m, settings_for


@pytest.fixture
def dialog(make_dialog):
    return make_dialog(volume={"mixer": "none"})


def test_list_add_show_remove_clear(dialog):
    assert dialog.handle(m("list.show", "en")).text == "Your shopping list is empty."
    assert (
        dialog.handle(m("list.add", "en", item="milk")).text == "Added milk to your shopping list."
    )
    assert (
        dialog.handle(m("list.add", "en", item="Milk")).text
        == "Milk is already on your shopping list."
    )
    dialog.handle(m("list.add", "zh", item="鸡蛋"))
    dialog.handle(m("list.add", "zh", item="面包"))
    assert dialog.handle(m("list.show", "zh")).text == "购物清单上有3样：milk、鸡蛋和面包。"
    assert (
        dialog.handle(m("list.remove", "zh", item="鸡蛋")).text == "好的，鸡蛋从购物清单上删掉了。"
    )
    assert (
        dialog.handle(m("list.remove", "en", item="cheese")).text
        == "cheese isn't on your shopping list."
    )
    assert (
        dialog.handle(m("list.show", "en")).text == "Your shopping list has 2 items: milk and 面包."
    )
    assert dialog.handle(m("list.clear", "en")).text == "Okay, I cleared your shopping list."
    assert dialog.handle(m("list.show", "zh")).text == "购物清单是空的。"


def test_list_survives_restart(tmp_path):
    d = Dialog(settings_for(tmp_path), engine=None)
    d.handle(m("list.add", "en", item="apples"))
    d.close()
    d = Dialog(settings_for(tmp_path), engine=None)
    try:
        assert d.handle(m("list.show", "en")).text == "Your shopping list has one item: apples."
    finally:
        d.close()


def test_volume_scales_own_output_and_is_remembered(tmp_path):
    from assistant.audio.playback import Player, _SilentSink

    player = Player(sink=_SilentSink())
    settings = settings_for(tmp_path, volume={"mixer": "auto", "default": 50, "step": 10})
    d = Dialog(settings, engine=None, player=player)
    try:
        assert d.handle(m("volume.up", "en")).text == "Volume 60 percent."
        assert player.volume == pytest.approx(0.6)
        assert d.handle(m("volume.set", "zh", level=30)).text == "音量百分之三十。"
        assert d.handle(m("volume.down", "zh")).text == "音量百分之二十。"
        assert d.handle(m("volume.mute", "en")).text == "Muted."
        assert player.volume == 0.0
    finally:
        d.close()
    player2 = Player(sink=_SilentSink())
    d = Dialog(settings, engine=None, player=player2)
    try:
        assert player2.volume == 0.0  # still muted after the restart
        assert d.handle(m("volume.unmute", "en")).text == "Sound is back on, volume 20 percent."
        assert player2.volume == pytest.approx(0.2)
        d.handle(m("volume.set", "en", level=100))
        assert d.handle(m("volume.up", "en")).text == "The volume is already at the maximum."
    finally:
        d.close()
        player.close()
        player2.close()


@pytest.mark.without("sound_card")
def test_no_sound_card_means_no_system_mixer():
    """Here amixer exists but there is no card: the skill must notice and fall back."""
    from assistant.skills.volume import find_mixer

    assert find_mixer("amixer", "Master") is None
    assert find_mixer("none", "Master") is None


def test_amixer_commands_are_run_and_parsed(tmp_path, monkeypatch):
    """No sound card on this machine, so a stand-in `amixer` on PATH keeps its level in a file."""
    state = tmp_path / "level"
    state.write_text("55")
    tool = tmp_path / "bin" / "amixer"
    tool.parent.mkdir()
    tool.write_text(f"""#!/bin/sh
# amixer sget Master | amixer -q sset Master 40% | amixer -q sset Master mute
case "$1" in
  sget) echo "  Front Left: Playback 36044 [$(cat {state})%] [-12.00dB] [on]";;
  -q) case "$4" in *%) echo "${{4%\\%}}" > {state};; mute) echo 0 > {state};; esac;;
  *) exit 1;;
esac
""")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}:{__import__('os').environ['PATH']}")
    d = Dialog(settings_for(tmp_path / "s", volume={"mixer": "amixer"}), engine=None)
    try:
        assert d.skills["volume"].mixer.name == "amixer"
        assert d.handle(m("volume.up", "en")).text == "Volume 65 percent."
        assert state.read_text().strip() == "65"
        d.handle(m("volume.set", "zh", level=20))
        assert state.read_text().strip() == "20"
    finally:
        d.close()


def test_a_huge_list_is_read_out_ten_items_and_a_count(dialog, tmp_path):
    import sqlite3

    dialog.handle(m("list.add", "en", item="item 0"))
    with sqlite3.connect(
        tmp_path / "assistant.db"
    ) as db:  # a list grown over years, or by another tool
        db.executemany(
            "INSERT INTO list_items (list, item, created) VALUES ('shopping', ?, 0)",
            [(f"item {i}",) for i in range(1, 8347)],
        )
    first = ", ".join(f"item {i}" for i in range(10))
    assert (
        dialog.handle(m("list.show", "en")).text
        == f"Your shopping list has 8347 items: {first} and 8337 more."
    )
    first_zh = "、".join(f"item {i}" for i in range(10))
    assert (
        dialog.handle(m("list.show", "zh")).text == f"购物清单上有8347样：{first_zh}，还有8337个。"
    )
