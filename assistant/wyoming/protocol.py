"""Reading one Wyoming event from an untrusted peer, in bounded memory, or saying why not.

The `wyoming` package's own reader trusts the peer: `data_length` and `payload_length` are read
with `readexactly` whatever they say (a header claiming 2 GB is 2 GB of memory), and every problem
(bad JSON, an overlong line) ends the connection silently. Here each length is capped, and a bad
event raises `ProtocolError` with a one-line reason, so the server can log it and drop that client
only. Writing uses the package's `async_write_event`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from wyoming.event import Event

MAX_HEADER_BYTES = 64 * 1024  # the JSON line; asyncio's default StreamReader limit
MAX_DATA_BYTES = 1 << 20  # the JSON data block (a long text to speak fits many times)
MAX_PAYLOAD_BYTES = 4 << 20  # one audio chunk: 4 MB is ~20 s of 48 kHz stereo 16-bit


class ProtocolError(ValueError):
    """The peer sent something that is not a Wyoming event (or a too large one)."""


def _length(header: dict[str, Any], key: str, cap: int) -> int:
    value = header.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProtocolError(f"{key} must be a whole number of bytes (got {value!r})")
    if value > cap:
        raise ProtocolError(f"{key} {value} is over the limit of {cap} bytes")
    return value


async def read_event(reader: asyncio.StreamReader) -> Event | None:
    """The next event; None at a clean end of stream (the peer closed between events).

    Raises ProtocolError for garbage and asyncio.IncompleteReadError when the peer vanished in the
    middle of an event.
    """
    try:
        line = await reader.readline()
    except ValueError:  # asyncio's LimitOverrunError, re-raised by readline as ValueError
        raise ProtocolError(f"an event header longer than {MAX_HEADER_BYTES // 1024} KiB") from None
    if not line:
        return None
    if not line.endswith(b"\n"):
        raise asyncio.IncompleteReadError(line, None)
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(f"not a JSON event header: {line[:40]!r}") from None
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise ProtocolError('an event header without a "type" string')
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise ProtocolError("event data that is not a JSON object")
    data_length = _length(header, "data_length", MAX_DATA_BYTES)
    payload_length = _length(header, "payload_length", MAX_PAYLOAD_BYTES)
    if data_length:
        block = await reader.readexactly(data_length)
        try:
            extra = json.loads(block)
        except (UnicodeDecodeError, ValueError):
            raise ProtocolError("event data that is not JSON") from None
        if not isinstance(extra, dict):
            raise ProtocolError("event data that is not a JSON object")
        data = {**data, **extra}
    payload = await reader.readexactly(payload_length) if payload_length else None
    return Event(type=header["type"], data=data, payload=payload)
