"""Small JSON-over-HTTP helpers for the web skills (weather, Home Assistant).

Standard library only, always with a timeout, and every failure folded into one
ServiceError so a skill can turn "service down" into a spoken apology, never a hang.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class ServiceError(Exception):
    """A web service could not be used. `status` is the HTTP status, None when unreachable."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def request_json(method: str, url: str, params: dict[str, Any] | None = None, body: Any = None,
                 headers: dict[str, str] | None = None, timeout: float = 5.0) -> Any:
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Accept": "application/json", **(headers or {})})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"{method} {url}: HTTP {exc.code}", exc.code) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        raise ServiceError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from None
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        raise ServiceError(f"{method} {url}: the answer is not JSON") from None
