"""JSON over HTTP for the web skills (weather, Home Assistant), through the one safe fetch in
assistant.web.

Every call has the skill's deadline and size cap, follows no redirect, and every failure is one
ServiceError so a skill turns "service down, slow, redirected or refusing" into a spoken apology.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from ..errors import NetworkError
from ..web import DEFAULT_LIMITS, Limits, fetch

# The skills' name for a failed web call; `status` is the HTTP status, None when no answer came.
ServiceError = NetworkError

DEFAULT_MAX_BYTES = 1 << 20  # a forecast or an entity state is a few kB


def request_json(
    method: str,
    url: str,
    params: dict[str, Any] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
    data = None if body is None else json.dumps(body).encode("utf-8")
    sent = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        sent["Content-Type"] = "application/json"
    raw = fetch(method, url, headers=sent, body=data, limits=limits).body
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        raise ServiceError(f"{method} {url}: the answer is not JSON") from None
