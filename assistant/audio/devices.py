"""PyAudio access with ALSA's console noise silenced and a clear error when there is no device."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from collections.abc import Iterator

from ..errors import AudioError


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """ALSA/JACK print dozens of lines to fd 2 when PortAudio probes; users should not see them."""
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no fd 2
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def open_pyaudio():
    """A PyAudio instance, or AudioError saying how to get one."""
    try:
        import pyaudio
    except ImportError:
        raise AudioError(
            "PyAudio is not installed: pip install 'assistant[mic]' (needs portaudio19-dev)"
        ) from None
    with quiet_stderr():
        return pyaudio.PyAudio()


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: int


def list_devices() -> list[Device]:
    pa = open_pyaudio()
    try:
        found = []
        for i in range(pa.get_device_count()):
            info = pa.get_device_info_by_index(i)
            found.append(
                Device(
                    i,
                    str(info.get("name")),
                    int(info.get("maxInputChannels", 0)),
                    int(info.get("maxOutputChannels", 0)),
                    int(info.get("defaultSampleRate", 0)),
                )
            )
        return found
    finally:
        pa.terminate()


def find_device(wanted: str | int | None, kind: str) -> int | None:
    """Resolve a config value (index or part of a name) to a device index; None = system default."""
    if wanted is None or wanted == "":
        return None
    devices = [d for d in list_devices() if (d.inputs if kind == "input" else d.outputs) > 0]
    if isinstance(wanted, int) or str(wanted).isdigit():
        idx = int(wanted)
        if any(d.index == idx for d in devices):
            return idx
        raise AudioError(f"no {kind} device with index {idx} (see `assistant devices`)")
    for d in devices:
        if str(wanted).lower() in d.name.lower():
            return d.index
    raise AudioError(f"no {kind} device named like {wanted!r} (see `assistant devices`)")
