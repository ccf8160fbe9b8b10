"""`assistant serve --wyoming URI`: one process, the engines loaded once, many clients at once.

Stopping (SIGTERM from systemd, or Ctrl-C): no new clients are taken, clients waiting between
requests are let go, a request already received is answered (up to `[serve] grace_seconds`), the
engines' queues are drained and the dialog closes its state database, so a timer set a moment
before the stop is still there after the restart.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from functools import partial
from pathlib import Path
from collections.abc import Callable

from wyoming.server import AsyncServer, AsyncTcpServer, AsyncUnixServer

from ..app import Assistant
from ..config import Settings
from ..errors import ConfigError
from ..schema import WyomingUri, check_value
from ..types import Reply
from .engines import Engines
from .handler import Shared, WyomingHandler

log = logging.getLogger(__name__)

DEFAULT_MAX_CLIENTS = 64
DEFAULT_GRACE_SECONDS = 30.0
DEFAULT_IDLE_SECONDS = 300.0


def check_uri(uri: str) -> str:
    """tcp://HOST:PORT or unix://PATH (the same check as the settings' `uri` keys)."""
    return str(check_value(WyomingUri(), uri, "--wyoming"))


def _listener(uri: str) -> AsyncServer:
    server = AsyncServer.from_uri(uri)
    if not isinstance(server, (AsyncTcpServer, AsyncUnixServer)):
        raise ConfigError(f"--wyoming {uri}: use tcp://HOST:PORT or unix://PATH")
    return server


def serve(settings: Settings, uri: str, out: Callable[[str], None]) -> int:
    """Load everything, then serve until SIGTERM/SIGINT; `out` gets the lines a user reads."""
    check_uri(uri)
    conf = settings.section("serve")
    app = Assistant(settings)

    def announce(reply: Reply) -> None:
        out(f"assistant: {reply.text}")

    engines = Engines(app, announce=announce)
    try:
        engines.load()
        shared = Shared(
            engines,
            int(conf.get("max_clients", DEFAULT_MAX_CLIENTS)),
            float(conf.get("idle_seconds", DEFAULT_IDLE_SECONDS)),
        )
        asyncio.run(_run(uri, shared, float(conf.get("grace_seconds", DEFAULT_GRACE_SECONDS)), out))
    finally:
        engines.close()
    out("stopped")
    return 0


async def _run(uri: str, shared: Shared, grace: float, out: Callable[[str], None]) -> None:
    server = _listener(uri)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start(partial(WyomingHandler, shared=shared))
    except OSError as exc:
        raise ConfigError(f"cannot listen on {uri}: {exc.strerror or exc}") from None
    out(f"serving Wyoming on {uri} (Ctrl-C or SIGTERM to stop)")
    await stop.wait()
    out("stopping: answering the requests in hand")
    shared.stopping = True
    await asyncio.gather(*(h.stop_if_idle() for h in list(shared.handlers)))
    deadline = loop.time() + grace
    while shared.handlers and loop.time() < deadline:
        await asyncio.sleep(0.05)
    if shared.handlers:
        log.warning("%d client(s) still busy after %g s: closed", len(shared.handlers), grace)
    await server.stop()
    if isinstance(server, AsyncUnixServer):
        Path(server.socket_path).unlink(missing_ok=True)
