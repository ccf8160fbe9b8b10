"""A real mosquitto broker for the tests, on a free port of 127.0.0.1 with a generated config,
and a subscriber that collects what the assistant publishes."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """mosquitto started with its own config file; stopped (and startable again) by the test."""

    def __init__(self, folder: Path, port: int | None = None, nodelay: bool = False):
        binary = mosquitto_binary()
        if binary is None:
            pytest.skip("mosquitto is not installed (scripts/install-system-deps.sh installs it)")
        self.binary = binary
        self.port = port or free_port()
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            "persistence false\nlog_dest stderr\n" + ("set_tcp_nodelay true\n" if nodelay else ""),
            encoding="utf-8",
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Broker:
        self.proc = subprocess.Popen(
            [self.binary, "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"mosquitto exited with {self.proc.returncode}") from None
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening in 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
        self.proc = None


class Subscriber:
    """A separate MQTT client (as Node-RED would be) that records every message on `topic`."""

    def __init__(self, broker: Broker, topic: str = "#"):
        self.messages: list[tuple[str, Any]] = []
        self._cond = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert subscribed.wait(5), "the test subscriber could not subscribe"
        self.answer: Any = None  # a function (topic, payload) -> (topic, payload) to reply with

    def _on_message(self, client, userdata, message) -> None:
        try:
            payload: Any = json.loads(message.payload.decode("utf-8"))
        except ValueError:
            payload = message.payload.decode("utf-8", errors="replace")
        with self._cond:
            self.messages.append((message.topic, payload))
            self._cond.notify_all()
        if self.answer is not None:
            reply = self.answer(message.topic, payload)
            if reply is not None:
                # QoS 0, as Node-RED's mqtt-out sends by default (paho answering at QoS 1 from
                # inside its callback took 44 ms more here, on the answering side)
                client.publish(reply[0], json.dumps(reply[1], ensure_ascii=False), qos=0)

    def wait_for(self, topic: str, timeout: float = 5.0) -> Any:
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                for t, payload in self.messages:
                    if t == topic:
                        return payload
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"nothing on {topic}; got {[t for t, _ in self.messages]}")
                self._cond.wait(left)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
