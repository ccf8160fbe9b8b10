"""Music is decoded while it plays, a block at a time: a long track costs the same memory as a
short one, and the player still ends, pauses, stops and skips it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.audio.playback import OUTPUT_RATE, Player, _SilentSink
from measure import run_cli_peak


def tone_flac(path: Path, seconds: int, rate: int = 8000) -> Path:
    """A quiet tone written a second at a time (FLAC keeps it small on disk)."""
    t = np.arange(rate) / rate
    second = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    with sf.SoundFile(
        path, "w", samplerate=rate, channels=1, format="FLAC", subtype="PCM_16"
    ) as out:
        for _ in range(seconds):
            out.write(second)
    return path


def test_long_track_is_streamed_in_bounded_memory(tmp_path, state_dir):
    music = tmp_path / "music"
    music.mkdir()
    tone_flac(music / "long_tone.flac", 30 * 60)
    config = tmp_path / "media.toml"
    config.write_text(f'[media]\nfolder = "{music}"\n')
    base = run_cli_peak(
        "chat", "--config", str(config), input="what time is it\n", state_dir=state_dir
    )
    play = run_cli_peak(
        "chat", "--config", str(config), input="play long tone\n", state_dir=state_dir
    )
    assert play["code"] == 0 and "Playing long tone." in play["out"], play
    # the whole track at 22050 Hz as float32 is 159 MB; streamed it is a few blocks
    assert play["peak_mb"] - base["peak_mb"] < 60, (base["peak_mb"], play["peak_mb"])


@contextlib.contextmanager
def playing(path):
    """A real Player on a silent sink, playing the track at PATH as a stream of blocks."""
    from assistant.skills.media import stream

    blocks = stream(path)
    player = Player(sink=_SilentSink())
    try:
        player.play(blocks, OUTPUT_RATE, channel="media")
        yield player, blocks
    finally:
        player.close()


def test_streamed_track_plays_to_its_end(tmp_path):
    with playing(tone_flac(tmp_path / "short.flac", 1)) as (player, blocks):
        assert player.is_playing("media")
        assert player.wait("media", timeout=30)  # the end of the stream ends the track
        assert not player.is_playing("media") and blocks.gi_frame is None


def test_stopped_track_releases_its_decoder(tmp_path):
    with playing(tone_flac(tmp_path / "tone.flac", 60)) as (player, blocks):
        player.stop("media")
        assert blocks.gi_frame is None  # the generator (and the file it had open) is closed


def test_unreadable_track_fails_at_once(tmp_path):
    """Not later in the player thread: the skill turns this error into "I can't play ..."."""
    import av
    from assistant.skills.media import stream

    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"not music at all" * 100)
    with pytest.raises((av.FFmpegError, ValueError)):
        stream(bad)


def test_fifo_in_the_music_folder_is_skipped(tmp_path, cli):
    music = tmp_path / "music"
    music.mkdir()
    tone_flac(music / "tone.flac", 1)
    os.mkfifo(music / "stuck.mp3")
    config = tmp_path / "media.toml"
    config.write_text(f'[media]\nfolder = "{music}"\n')
    res = cli("chat", "--config", str(config), input="play tone\n", timeout=60)  # a hang fails here
    assert res.code == 0 and "Playing tone." in res.out, res
