"""Real HTTP servers on 127.0.0.1 that answer like Open-Meteo and Home Assistant.

They implement only the endpoints the skills call, in the services' own JSON
formats, so the skills are tested over real sockets with real timeouts.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    def __init__(self, handler_cls):
        self.requests: list[tuple[str, str, Any]] = []
        self.delay = 0.0
        handler_cls.owner = self
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: Any = None

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None


class OpenMeteoServer(_Server):
    """/v1/search (geocoding) and /v1/forecast (daily), like api.open-meteo.com.

    `places`: name (any language) -> {"name", "latitude", "longitude", "country"};
    `forecasts`: (latitude rounded to 2, longitude rounded to 2) -> list of days, each
    {"code", "max", "min", "rain"} and optionally "uv", "wind" (km/h), "snow" (cm).
    """

    def __init__(self, places: dict[str, dict], forecasts: dict[tuple[float, float], list[dict]]):
        self.places = places
        self.forecasts = forecasts

        class Handler(_Handler):
            def do_GET(self):
                owner = self.owner
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                owner.requests.append(("GET", url.path, query))
                if owner.delay:
                    time.sleep(owner.delay)
                if url.path == "/v1/search":
                    place = owner.places.get(query.get("name", "").lower())
                    results = [dict(place, id=1, timezone="UTC")] if place else None
                    return self._send(
                        200,
                        {"results": results, "generationtime_ms": 0.1}
                        if results
                        else {"generationtime_ms": 0.1},
                    )
                if url.path == "/v1/forecast":
                    try:
                        key = (
                            round(float(query["latitude"]), 2),
                            round(float(query["longitude"]), 2),
                        )
                    except (KeyError, ValueError):
                        return self._send(
                            400, {"error": True, "reason": "latitude and longitude required"}
                        )
                    days = owner.forecasts.get(key)
                    if days is None:
                        return self._send(400, {"error": True, "reason": f"no data for {key}"})
                    n = int(query.get("forecast_days", 7))
                    days = days[:n]
                    fields = query.get("daily", "").split(",")
                    daily = {"time": [f"2026-03-{4 + i:02d}" for i in range(len(days))]}
                    source = {
                        "weather_code": "code",
                        "temperature_2m_max": "max",
                        "temperature_2m_min": "min",
                        "precipitation_probability_max": "rain",
                        "uv_index_max": "uv",
                        "wind_speed_10m_max": "wind",
                        "snowfall_sum": "snow",
                    }
                    for f in fields:
                        # a figure the day does not give is null, as Open-Meteo sends it
                        if f in source:
                            daily[f] = [d.get(source[f]) for d in days]
                    return self._send(
                        200,
                        {
                            "latitude": key[0],
                            "longitude": key[1],
                            "timezone": "GMT",
                            "daily_units": {"temperature_2m_max": "°C"},
                            "daily": daily,
                        },
                    )
                self._send(404, {"error": True, "reason": "not found"})

        super().__init__(Handler)


class HomeAssistantServer(_Server):
    """/api/states/<entity> and /api/services/<domain>/<service>, with a bearer token."""

    def __init__(self, token: str, entities: list[str]):
        self.token = token
        self.states: dict[str, dict] = {
            e: {"entity_id": e, "state": "off", "attributes": {}} for e in entities
        }

        class Handler(_Handler):
            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {self.owner.token}":
                    self._send(401, {"message": "401: Unauthorized"})
                    return False
                return True

            def do_GET(self):
                owner = self.owner
                owner.requests.append(("GET", self.path, None))
                if not self._authorised():
                    return
                if self.path.startswith("/api/states/"):
                    state = owner.states.get(self.path[len("/api/states/") :])
                    return (
                        self._send(200, state)
                        if state
                        else self._send(404, {"message": "Entity not found."})
                    )
                self._send(404, {"message": "not found"})

            def do_POST(self):
                owner = self.owner
                body = self._body() or {}
                owner.requests.append(("POST", self.path, body))
                if not self._authorised():
                    return
                parts = self.path.split("/")
                if len(parts) != 5 or parts[1:3] != ["api", "services"]:
                    return self._send(404, {"message": "not found"})
                entity = body.get("entity_id")
                if entity not in owner.states:
                    return self._send(400, {"message": f"unknown entity {entity}"})
                state = owner.states[entity]
                service = parts[4]
                if service == "set_temperature":  # a climate entity: target only, mode unchanged
                    state["attributes"]["temperature"] = body.get("temperature")
                    return self._send(200, [state])
                on = service in ("turn_on", "open_cover")
                state["state"] = (
                    ("open" if on else "closed")
                    if entity.startswith("cover.")
                    else ("on" if on else "off")
                )
                if "brightness_pct" in body:
                    state["attributes"]["brightness"] = round(body["brightness_pct"] * 255 / 100)
                self._send(200, [state])

        super().__init__(Handler)


class RecordingServer(_Server):
    """Answers every request with 200 `{}` and keeps (method, path, headers): the "other host" of a
    redirect."""

    def __init__(self):
        class Handler(_Handler):
            def _record(self) -> None:
                self.owner.requests.append((self.command, self.path, dict(self.headers)))
                self._send(200, {})

            do_GET = do_POST = _record

        super().__init__(Handler)


class HostileServer(_Server):
    """A web service gone bad, on purpose.

    mode "redirect": 302 to `target` (+ the request path) for every method;
    "trickle_body": 200 with a promised 100 kB body sent one byte every `interval` seconds;
    "trickle_head": the status line, then header bytes one every `interval` seconds, never ending;
    "endless": 200 with no length, 64 kB pieces as fast as the client takes them, "forever" (up to
    `endless_limit` bytes, so a client without a cap fails the test rather than the machine).
    `sent` counts the body bytes the client accepted; every handler stops when the server closes.
    """

    def __init__(
        self, mode: str, target: str = "", interval: float = 0.5, endless_limit: int = 256 << 20
    ):
        self.mode, self.target, self.interval, self.endless_limit = (
            mode,
            target,
            interval,
            endless_limit,
        )
        self.sent = 0
        self.stopping = threading.Event()
        self.got_request = threading.Event()

        class Handler(_Handler):
            def _hostile(self) -> None:
                owner = self.owner
                owner.requests.append((self.command, self.path, dict(self.headers)))
                owner.got_request.set()
                try:
                    if owner.mode == "redirect":
                        self.send_response(302)
                        self.send_header("Location", owner.target + self.path)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    if owner.mode == "trickle_head":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                        while not owner.stopping.wait(owner.interval):
                            self.wfile.write(b"a")
                            self.wfile.flush()
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    if owner.mode == "trickle_body":
                        self.send_header("Content-Length", "100000")
                    self.end_headers()
                    piece = b"[" if owner.mode == "trickle_body" else b" " * 65536
                    wait = owner.interval if owner.mode == "trickle_body" else 0
                    while not owner.stopping.is_set() and owner.sent < owner.endless_limit:
                        self.wfile.write(piece)
                        self.wfile.flush()
                        owner.sent += len(piece)
                        if wait:
                            owner.stopping.wait(wait)
                except OSError:  # the client hung up: what a well-behaved client does here
                    pass

            do_GET = do_POST = _hostile

        super().__init__(Handler)

    def __exit__(self, *exc):
        self.stopping.set()
        super().__exit__(*exc)
