"""What makers' skills cost per command: an intent file's HTTP action, events on a broker.

    python bench/makers.py [--n 200]

Runs typed commands through the loaded assistant (understand + respond, no audio) and prints the
median and p95 milliseconds of: a built-in command with events off and on (publishing to a real
mosquitto started here on a free port), the coffee example's order (a real HTTP call to the
stand-in machine on 127.0.0.1), and the same order answered by a listener on the broker. Figures
only, never pass/fail; the machine's load changes them, so say what it was.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from assistant.app import Assistant  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.events import close_hubs  # noqa: E402
from helpers_mqtt import Broker, Subscriber, mosquitto_binary  # type: ignore[import-not-found]  # noqa: E402

COFFEE = ROOT / "examples" / "coffee"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(app: Assistant, sentences: list[str], n: int) -> tuple[float, float, str]:
    times, reply = [], ""
    for k in range(n):
        t0 = time.perf_counter()
        reply = app.respond(app.understand(sentences[k % len(sentences)])).text
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), pct(times, 0.95), reply


def assistant(state: Path, events: dict | None, coffee: bool) -> Assistant:
    raw: dict = {"dialog": {"poll_interval": 1.0}}
    if events:
        raw["events"] = {"connect_wait": 3.0, **events}
    settings = Settings(state_dir=state, raw=raw)
    if coffee:
        settings.intents_dirs.append(COFFEE)
    app = Assistant(settings)
    app.understand("hello")       # load the engine and the dialog before timing
    app.respond(app.understand("hello"))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--nodelay", action="store_true",
                        help="start mosquitto with set_tcp_nodelay true (no Nagle delay)")
    args = parser.parse_args()
    n, nodelay = args.n, args.nodelay
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        machine = subprocess.Popen([sys.executable, str(COFFEE / "fake_machine.py"), "0"],
                                   stdout=subprocess.PIPE, text=True)
        assert machine.stdout is not None
        os.environ["COFFEE_MAKER_URL"] = machine.stdout.readline().split()[-1]
        clock = ["what time is it", "现在几点"]
        orders = ["can I get a large latte", "我要一杯大杯拿铁"]
        try:
            app = assistant(tmp / "s1", None, coffee=True)
            rows.append(("built-in, events off", *timed(app, clock, n)))
            rows.append(("coffee order (HTTP action)", *timed(app, orders, n)))
            app.close()
            if mosquitto_binary() is None:
                print("mosquitto not installed: the events rows are left out")
            else:
                broker = Broker(tmp, nodelay=nodelay).start()
                try:
                    app = assistant(tmp / "s2", {"mqtt": broker.url}, coffee=True)
                    rows.append(("built-in, events on", *timed(app, clock, n)))
                    app.close()
                    close_hubs()
                    bartender = Subscriber(broker, "assistant/intent/orderDrink")
                    bartender.answer = lambda topic, p: (
                        "assistant/dialogueManager/endSession",
                        {"sessionId": p["sessionId"], "text": "Coming up."})
                    app = assistant(tmp / "s3", {"mqtt": broker.url, "listeners": ["orderDrink"]},
                                    coffee=True)
                    rows.append(("coffee order (listener on the broker)", *timed(app, orders, n)))
                    app.close()
                    bartender.close()
                finally:
                    close_hubs()
                    broker.stop()
        finally:
            machine.terminate()
            machine.wait(timeout=5)
    print(f"understand + respond, {n} commands each (ms); load {os.getloadavg()[0]:.1f}; "
          f"mosquitto set_tcp_nodelay {'true' if nodelay else 'false (its default)'}")
    print(f"{'':40} {'median':>8} {'p95':>8}  last reply")
    for name, median, p95, reply in rows:
        print(f"{name:40} {median:8.2f} {p95:8.2f}  {json.dumps(reply, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
