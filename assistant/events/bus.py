"""One MQTT connection (paho-mqtt) that reconnects by itself and never blocks a reply.

The broker is another program that may be down, restarting or unreachable, and the assistant
must keep answering meanwhile: the connection is made in paho's own thread, a message for a
broker that is not there is dropped (for events) or one ActionFailed (for an action), and each
change between "connected" and "unreachable" is one log line, not one per message.
"""

from __future__ import annotations

import logging
import socket
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from ..errors import ConfigError

log = logging.getLogger(__name__)

# Handlers get (topic, payload); they run in paho's thread and must be quick.
Handler = Callable[[str, bytes], None]


class BrokerDown(Exception):
    """The broker is not connected or did not take the message in time."""


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """mqtt://[user:password@]host[:port]; a wrong one is a ConfigError naming the setting."""
        parts = urllib.parse.urlsplit(url)
        try:
            port = parts.port or 1883
        except ValueError:
            raise ConfigError(f"[events] mqtt: bad port in {url!r}") from None
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ConfigError(f"[events] mqtt must be mqtt://host:port (got {url!r})")
        return cls(
            parts.hostname,
            port,
            urllib.parse.unquote(parts.username) if parts.username else None,
            urllib.parse.unquote(parts.password) if parts.password else None,
        )


def _no_delay(client: mqtt.Client) -> None:
    """Send each message at once. paho leaves Nagle's algorithm on, so the intent event written
    right after the "heard" event waited for the broker's delayed ACK: a listener's answer took
    44 ms instead of 0.2 ms (bench/makers.py)."""
    sock = client.socket()
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            log.debug("events: TCP_NODELAY not set", exc_info=True)


class Bus:
    """A connection to one broker: publish, and subscribe handlers kept across reconnects."""

    def __init__(self, address: BrokerAddress, connect_timeout: float = 3.0):
        self.address = address
        self._handlers: dict[str, Handler] = {}
        self._connected = threading.Event()
        self._tried = threading.Event()          # the first attempt ended, either way
        self._closing = False
        self._said: str | None = None  # the last state logged, so each change is one line
        self._lock = threading.Lock()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"assistant-{uuid.uuid4().hex[:8]}"
        )
        if address.username:
            self.client.username_pw_set(address.username, address.password)
        self.client.connect_timeout = connect_timeout
        self.client.reconnect_delay_set(1, 30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_connect_fail = self._on_connect_fail
        self.client.connect_async(address.host, address.port, keepalive=30)
        self.client.loop_start()

    @property
    def where(self) -> str:
        return f"mqtt://{self.address.host}:{self.address.port}"

    def _say(self, state: str, message: str, *args) -> None:
        self._tried.set()
        if state != self._said:
            self._said = state
            (log.info if state == "up" else log.warning)(message, *args)

    def _on_connect(self, client, userdata, flags, reason, properties=None) -> None:
        if reason.is_failure:
            self._say("refused", "events: broker %s refused the connection: %s", self.where, reason)
            return
        _no_delay(client)
        with self._lock:
            topics = list(self._handlers)
        for topic in topics:
            client.subscribe(topic, qos=1)
        self._connected.set()
        self._say("up", "events: connected to %s", self.where)

    def _on_disconnect(self, client, userdata, flags, reason, properties=None) -> None:
        self._connected.clear()
        if self._closing:                        # our own goodbye, not an outage
            return
        self._say(
            "down",
            "events: broker %s unreachable (%s); the assistant goes on without it",
            self.where,
            reason,
        )

    def _on_connect_fail(self, client, userdata) -> None:
        self._say(
            "down",
            "events: broker %s unreachable; the assistant goes on without it and tries again",
            self.where,
        )

    def _on_message(self, client, userdata, message) -> None:
        with self._lock:
            handlers = [
                h for t, h in self._handlers.items() if mqtt.topic_matches_sub(t, message.topic)
            ]
        for handler in handlers:
            try:
                handler(message.topic, message.payload)
            except Exception:
                log.exception("events: handling a message on %s failed", message.topic)

    def wait_connected(self, timeout: float) -> bool:
        """Wait for the first connection attempt to end (at most `timeout` s); True if connected."""
        self._tried.wait(timeout)
        return self._connected.is_set()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def subscribe(self, topic: str, handler: Handler, timeout: float = 2.0) -> None:
        """Call `handler` for each message on `topic` (wildcards allowed), also after reconnects."""
        with self._lock:
            self._handlers[topic] = handler
        if self.connected:
            result, mid = self.client.subscribe(topic, qos=1)
            if result != mqtt.MQTT_ERR_SUCCESS:
                log.warning("events: cannot subscribe to %s now; will on reconnect", topic)

    def publish(self, topic: str, payload: bytes, retain: bool = False, wait: float = 0.0) -> None:
        """Send a message; with `wait` > 0 until the broker has it (QoS 1), else fire and forget.

        Raises BrokerDown when not connected, or when the broker did not acknowledge in `wait` s."""
        if not self.connected:
            self._say(
                "down",
                "events: broker %s unreachable; the assistant goes on without it and tries again",
                self.where,
            )
            raise BrokerDown(f"broker {self.where} is not connected")
        info = self.client.publish(topic, payload, qos=1 if wait > 0 else 0, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise BrokerDown(f"broker {self.where}: {mqtt.error_string(info.rc)}")
        if wait > 0:
            try:
                info.wait_for_publish(timeout=wait)
            except (RuntimeError, ValueError) as exc:
                raise BrokerDown(f"broker {self.where}: {exc}") from None
            if not info.is_published():
                raise BrokerDown(f"broker {self.where} did not take the message within {wait:g} s")

    def close(self) -> None:
        self._closing = True
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()
