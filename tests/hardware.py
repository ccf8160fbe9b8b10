"""What this machine really has: a sound card, a microphone, the internet.

Some tests check what the product does *without* one of these (one clear line, never a
hang). They are skipped where the part is present, which is decided by asking the part
itself (ALSA's card list, PortAudio's devices, a TCP connection), never by the code under
test. The probes run once per session, when the first test marked for them is set up.
"""
from __future__ import annotations

import functools
import socket
from pathlib import Path

import pytest


@functools.cache
def sound_card() -> bool:
    """ALSA lists at least one card (what `amixer` needs)."""
    cards = Path("/proc/asound/cards")
    try:
        text = cards.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(text.strip()) and "no soundcards" not in text


@functools.cache
def _portaudio_channels() -> tuple[int, int]:
    """(input devices, output devices) that PortAudio can see; (0, 0) without PyAudio."""
    from assistant.audio.devices import quiet_stderr
    try:
        import pyaudio
    except ImportError:
        return 0, 0
    with quiet_stderr():
        pa = pyaudio.PyAudio()
    try:
        infos = [pa.get_device_info_by_index(i) for i in range(pa.get_device_count())]
    finally:
        pa.terminate()
    return (sum(1 for i in infos if int(i.get("maxInputChannels", 0)) > 0),
            sum(1 for i in infos if int(i.get("maxOutputChannels", 0)) > 0))


def microphone() -> bool:
    return _portaudio_channels()[0] > 0


def sound_output() -> bool:
    return _portaudio_channels()[1] > 0


@functools.cache
def internet(host: str = "www.google.com", port: int = 80, timeout: float = 3.0) -> bool:
    """A TCP connection to the online recogniser's host opens."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


PROBES = {"sound_card": sound_card, "microphone": microphone, "sound_output": sound_output,
          "internet": internet}


def skip_if_present(item: pytest.Item) -> None:
    """conftest's setup hook: `@pytest.mark.without("microphone")` skips where there is one."""
    for mark in item.iter_markers("without"):
        for part in mark.args:
            if PROBES[part]():
                name = part.replace("_", " ")
                pytest.skip(f"this machine has a {name}; the test is about its absence")
