"""A real `assistant serve --wyoming` subprocess and small clients for it (tests, bench)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from wyoming.asr import Transcribe
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient
from wyoming.event import Event

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """`assistant serve` started for real; stdout lines and the stderr log kept in files."""

    uri: str
    proc: subprocess.Popen
    log: Path
    out: Path
    state_dir: Path
    lines: list[str] = field(default_factory=list)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS), in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=timeout)


def start_server(
    folder: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    timeout: float = 180,
    uri: str | None = None,
) -> Server:
    folder.mkdir(parents=True, exist_ok=True)
    state = folder / "state"
    uri = uri or f"tcp://127.0.0.1:{free_port()}"
    log, out = folder / "serve.log", folder / "serve.out"
    full_env = dict(
        os.environ,
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
        ASSISTANT_STATE_DIR=str(state),
    )
    full_env.pop("ASSISTANT_CONFIG", None)
    full_env.update(env or {})
    with open(out, "wb") as out_file, open(log, "wb") as log_file:  # the child keeps copies
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--wyoming", uri, "-v", *extra],
            stdout=out_file,
            stderr=log_file,
            env=full_env,
            cwd=ROOT,
        )
    server = Server(uri, proc, log, out, state)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "serving Wyoming" in out.read_text(errors="replace"):
            return server
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited {proc.returncode}: {server.log_text()[-2000:]}")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("serve did not start in time")


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """int16 mono samples and rate of a sample recording."""
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return audio.reshape(-1, w.getnchannels())[:, 0].copy(), w.getframerate()


def audio_events(
    pcm: bytes,
    rate: int,
    width: int,
    channels: int,
    chunk_bytes: int = 4096,
    language: str | None = None,
) -> list[Event]:
    fmt = {"rate": rate, "width": width, "channels": channels}
    events = [Transcribe(language=language).event(), AudioStart(**fmt).event()]
    events += [
        AudioChunk(audio=pcm[i : i + chunk_bytes], **fmt).event()
        for i in range(0, len(pcm), chunk_bytes)
    ]
    events.append(AudioStop().event())
    return events


def sample_events(name: str, language: str | None = None) -> list[Event]:
    audio, rate = read_wav(SAMPLES / name)
    return audio_events(audio.astype("<i2").tobytes(), rate, 2, 1, language=language)


async def ask(
    uri: str, events: list[Event], until: str | tuple[str, ...], timeout: float = 120
) -> tuple[Event, list[Event]]:
    """Send on a new connection; read until a type in `until` (or error); also what came first."""
    async with AsyncClient.from_uri(uri, read_timeout=timeout) as client:
        for event in events:
            await client.write_event(event)
        seen: list[Event] = []
        while True:
            event = await client.read_event()
            assert event is not None, (
                f"connection closed before {until}; got {[e.type for e in seen]}"
            )
            if event.type in ((until,) if isinstance(until, str) else until) + ("error",):
                return event, seen
            seen.append(event)


def manifest() -> dict[str, dict]:
    return {
        row["file"]: row
        for row in map(json.loads, (SAMPLES / "manifest.jsonl").read_text().splitlines())
    }
