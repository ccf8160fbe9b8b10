"""`assistant serve --wyoming`: latency under 20 clients at once, and memory over 1,000 requests.

A real server is started (a subprocess on 127.0.0.1, a fresh state folder) and spoken to with the
`wyoming` package's client, as Home Assistant or a satellite would:

1. one client: each of 6 commands transcribed alone, one after another -> median time to transcript;
2. 20 clients at once, each sending one 3 s command (a sample recording, 10 English and 10 Chinese,
   padded with quiet to exactly 3.0 s, sent as fast as the socket takes it) -> median and p95 time
   from the first byte to its `transcript`, the wall time for all 20, and how many came back in the
   right language;
3. 1,000 requests on one connection each: mostly cheap ones (describe, recognize in both
   languages) with every 10th a transcription, the server's RSS read from /proc every 100.

`--workers 1 2` runs it all once per `[asr] workers` value (Whisper replicas run at once), so the
choice the server makes by default is decided from figures of the same run.

    PYTHONPATH=. python bench/serve.py [--workers 1 2] [--requests 1000] [--clients 20]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from wyoming.info import Describe  # noqa: E402
from wyoming.intent import Recognize  # noqa: E402
from wyoming_helpers import SAMPLES, ask, audio_events, read_wav, start_server  # noqa: E402

SECONDS = 3.0


def three_seconds(name: str) -> list:
    """A sample as 16-bit mono at its own rate, padded with quiet noise to exactly 3 s."""
    audio, rate = read_wav(SAMPLES / name)
    want = int(SECONDS * rate)
    pad = np.random.default_rng(0).normal(0, 20, max(0, want - len(audio))).astype(np.int16)
    pcm = np.concatenate([audio[:want], pad]).astype("<i2").tobytes()
    return audio_events(pcm, rate, 2, 1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def timed(uri: str, events: list) -> tuple[float, str]:
    t0 = time.perf_counter()
    answer, _ = await ask(uri, events, "transcript", timeout=600)
    return time.perf_counter() - t0, str(answer.data.get("language"))


async def one_client(uri: str, commands: list[tuple[str, list]]) -> list[float]:
    return [(await timed(uri, events))[0] for _, events in commands]


async def many_clients(
    uri: str, commands: list[tuple[str, list]]
) -> tuple[list[float], float, int]:
    t0 = time.perf_counter()
    results = await asyncio.gather(*(timed(uri, events) for _, events in commands))
    right = sum(lang == name[:2] for (name, _), (_, lang) in zip(commands, results, strict=True))
    return [r[0] for r in results], time.perf_counter() - t0, right


async def churn(server, total: int, transcribe: list) -> list[tuple[int, float]]:
    texts = ["set a timer for five minutes", "把灯打开", "what's the weather tomorrow", "取消闹钟"]
    rss = [(0, server.rss_mb())]
    for i in range(1, total + 1):
        if i % 10 == 0:
            await ask(server.uri, transcribe[i // 10 % len(transcribe)], "transcript")
        elif i % 2:
            await ask(server.uri, [Describe().event()], "info")
        else:
            said = Recognize(text=texts[i % 4]).event()
            await ask(server.uri, [said], ("intent", "not-recognized"))
        if i % 100 == 0:
            rss.append((i, server.rss_mb()))
    return rss


def run(workers: int, clients: int, requests: int, folder: Path) -> None:
    config = folder / f"w{workers}.toml"
    config.write_text(f"[asr]\nworkers = {workers}\n")
    server = start_server(folder / f"w{workers}", "--config", str(config))
    try:
        names = sorted(p.name for p in SAMPLES.glob("en_*.wav"))[:clients // 2] + \
            sorted(p.name for p in SAMPLES.glob("zh_*.wav"))[:clients - clients // 2]
        commands = [(n, three_seconds(n)) for n in names]
        load_before = os.getloadavg()[0]
        asyncio.run(one_client(server.uri, commands[:2]))                   # warm-up
        loaded = server.rss_mb()
        alone = asyncio.run(one_client(server.uri, commands[::max(1, len(commands) // 6)][:6]))
        lat, wall, right = asyncio.run(many_clients(server.uri, commands))
        after_burst = server.rss_mb()
        rss = asyncio.run(churn(server, requests, [c[1] for c in commands]))
        load = f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        print(f"\n[asr] workers = {workers}   (load average {load}, on {os.cpu_count()} cores)")
        print(f"  1 client, 3 s commands one at a time: median {statistics.median(alone):.2f} s "
              f"(n={len(alone)})")
        print(f"  {clients} clients at once: median {statistics.median(lat):.2f} s, "
              f"p95 {pct(lat, 0.95):.2f} s, max {max(lat):.2f} s, all done in {wall:.2f} s; "
              f"{right}/{clients} in the right language")
        print(f"  RSS: {loaded:.0f} MB loaded, {after_burst:.0f} MB after the burst")
        print(f"  RSS over {requests} requests (90% describe/recognize, 10% transcribe): "
              + ", ".join(f"{n}:{mb:.0f}" for n, mb in rss)
              + f" MB; second half {rss[-1][1] - rss[len(rss) // 2][1]:+.1f} MB")
    finally:
        code = server.stop()
        print(f"  server stopped with exit status {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        for workers in args.workers:
            run(workers, args.clients, args.requests, Path(folder))


if __name__ == "__main__":
    main()
