"""The one way the assistant talks to the web: a deadline for the whole call, a size cap, no
surprise redirects.

urllib's `timeout=` bounds each socket read only, so a server that sends a byte a second holds
a call forever, and an endless answer is read into memory. Here a call has one deadline for all
of it (name lookup, connect, request, headers, body): a watchdog shuts the socket down when it
passes, which wakes whatever read is blocked. The body comes in pieces and is refused past
`max_bytes`. Redirects are failures unless a caller allows some, and even then never for a
method other than GET/HEAD (urllib quietly turns a redirected POST into a GET), never from https
to http, and never to another origin while the request carries credentials (urllib forwards the
`Authorization` header to wherever the redirect points). Any non-2xx answer is a NetworkError
whose `status` is the HTTP status; a call that got no answer has `status` None.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from collections.abc import Callable, Iterator

from .errors import NetworkError

CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """How long and how much one call may take."""

    deadline: float = 5.0  # seconds for the whole call, from name lookup to the last byte
    max_bytes: int = 1 << 20  # the largest body accepted
    max_redirects: int = 0  # 0: a redirect is a failure like any other non-2xx answer
    # For long downloads, where a deadline alone would be hours: once `stall` seconds have
    # passed, the body must average `min_rate` bytes/s, and no single read may wait longer than
    # `stall`. 0 turns this off.
    min_rate: float = 0.0
    stall: float = 10.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Response:
    status: int
    url: str  # where the answer finally came from (after allowed redirects)
    headers: dict[str, str]  # lower-case names
    body: bytes


def fetch(
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Response:
    """One 2xx answer read whole into memory (at most `limits.max_bytes`), or NetworkError."""
    with _Call(method, url, headers or {}, body, limits) as call:
        data = b"".join(call.body())
        return Response(call.status, call.url, call.headers, data)


def download(
    url: str,
    sink: Callable[[bytes], object],
    limits: Limits,
    progress: Callable[[int, int], None] | None = None,
) -> Response:
    """GET `url` and hand the body to `sink` piece by piece (the Response's body is empty)."""
    with _Call("GET", url, {}, None, limits) as call:
        declared = call.headers.get("content-length", "")
        total = int(declared) if declared.isdigit() else 0
        done = 0
        for piece in call.body():
            sink(piece)
            done += len(piece)
            if progress:
                progress(done, total)
        return Response(call.status, call.url, call.headers, b"")


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port): two URLs with the same origin may share credentials."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise NetworkError(f"{url}: bad port") from None
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def _where(url: str) -> str:
    """A URL for messages: no query string (it may be long), no user info."""
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}{urllib.parse.urlsplit(url).path}"


class _Watchdog:
    """Shuts the current socket down when the deadline passes, so no read can outlive the call."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.ends = time.monotonic() + deadline
        self.expired = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(deadline, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
        if sock is not None and self.expired.is_set():
            self._shut(sock)

    def left(self) -> float:
        """Seconds left; NetworkError once none are."""
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired.is_set():
            raise self.too_late()
        return left

    def too_late(self) -> NetworkError:
        return NetworkError(f"no complete answer within {self.deadline:g} s")

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired.set()
        with self._lock:
            sock = self._sock
        if sock is not None:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # the plain socket call, also for TLS: it wakes a blocked read without touching TLS state
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Call:
    """One request, following only the redirects `limits` allows, with the body read on demand."""

    def __init__(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None, limits: Limits
    ):
        self.method, self.url, self.limits = method.upper(), url, limits
        self.request_headers, self.request_body = headers, body
        self.status = 0
        self.headers: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None
        self._resp: http.client.HTTPResponse | None = None
        self._sock: socket.socket | None = None
        self._watch: _Watchdog | None = None
        self._started = 0.0

    def __enter__(self) -> _Call:
        self._started = time.monotonic()
        self._watch = _Watchdog(self.limits.deadline)
        try:
            self._open()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._watch is not None:
            self._watch.cancel()
        if self._conn is not None:
            self._conn.close()

    # -- errors ---------------------------------------------------------------------------
    def _error(self, what: str, status: int | None = None) -> NetworkError:
        return NetworkError(f"{self.method} {_where(self.url)}: {what}", status)

    def _failed(self, exc: BaseException) -> NetworkError:
        """What a socket or protocol error means: the deadline, a stall, or the service itself."""
        assert self._watch is not None
        timed_out = isinstance(exc, (TimeoutError, socket.timeout))
        if (
            self._watch.expired.is_set()
            or time.monotonic() >= self._watch.ends
            or (timed_out and not self.limits.min_rate)
        ):  # each wait was all the time left
            return self._error(str(self._watch.too_late()))
        if timed_out:
            return self._error(f"nothing arrived for {self.limits.stall:g} s")
        reason = (
            getattr(exc, "reason", None)
            or getattr(exc, "strerror", None)
            or str(exc)
            or type(exc).__name__
        )
        return self._error(str(reason))

    def _read_timeout(self) -> float:
        assert self._watch is not None
        try:
            left = self._watch.left()
        except NetworkError as exc:
            raise self._error(str(exc)) from None
        return min(left, self.limits.stall) if self.limits.min_rate else left

    # -- connecting ------------------------------------------------------------------------
    def _resolve(self, host: str, port: int) -> list[tuple]:
        """getaddrinfo in a helper thread: a hung resolver must not outlive the deadline either."""
        found: dict[str, object] = {}

        def look() -> None:
            try:
                found["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                found["error"] = exc

        helper = threading.Thread(target=look, name="web-lookup", daemon=True)
        helper.start()
        helper.join(self._read_timeout())
        if helper.is_alive():
            raise self._failed(TimeoutError())
        if "error" in found:
            raise self._failed(found["error"])  # type: ignore[arg-type]
        return found["addresses"]  # type: ignore[return-value]

    def _connect(self, scheme: str, host: str, port: int) -> socket.socket:
        assert self._watch is not None
        last: BaseException = OSError(f"no address for {host}")
        for family, kind, proto, _, address in self._resolve(host, port):
            sock = socket.socket(family, kind, proto)
            self._watch.watch(sock)
            try:
                sock.settimeout(self._read_timeout())
                sock.connect(address)
                if scheme == "https":
                    sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
                    self._watch.watch(sock)
                return sock
            except (OSError, ssl.SSLError) as exc:
                sock.close()
                last = exc
                if self._watch.expired.is_set():
                    break
        raise self._failed(last)

    def _open(self) -> None:
        for hop in range(self.limits.max_redirects + 1):
            scheme, host, port = origin(self.url)
            if scheme not in ("http", "https") or not host:
                raise self._error("only http and https addresses can be used")
            sock = self._connect(scheme, host, port)
            conn_class = (
                http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            )
            self._conn, self._sock = conn_class(host, port), sock
            self._conn.sock = sock  # already connected, within the deadline
            parts = urllib.parse.urlsplit(self.url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            try:
                sock.settimeout(self._read_timeout())
                self._conn.request(
                    self.method, target, body=self.request_body, headers=self.request_headers
                )
                self._resp = self._conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                raise self._failed(exc) from None
            self.status = self._resp.status
            self.headers = {k.lower(): v for k, v in self._resp.getheaders()}
            if 200 <= self.status < 300:
                return
            location = self.headers.get("location")
            if self.status not in REDIRECTS or not location:
                raise self._error(f"HTTP {self.status}", self.status)
            target_url = urllib.parse.urljoin(self.url, location)
            self._check_redirect(target_url, hop)
            self._conn.close()
            self.url = target_url
        raise AssertionError("unreachable: the last hop returns or raises")

    def _check_redirect(self, target: str, hop: int) -> None:
        """Follow only what cannot leak or change the request; otherwise the redirect is the
        failure."""
        here, there = origin(self.url), origin(target)
        why = None
        if hop >= self.limits.max_redirects:
            why = "redirects are not followed"
        elif self.method not in ("GET", "HEAD"):
            why = f"a {self.method} is never redirected"
        elif there[0] not in ("http", "https") or (here[0] == "https" and there[0] != "https"):
            why = "it leaves https"
        elif there != here and CREDENTIAL_HEADERS & {k.lower() for k in self.request_headers}:
            why = "credentials never go to another host"
        if why:
            raise self._error(
                f"HTTP {self.status} redirect to {there[0]}://{there[1]}:{there[2]} "
                f"not followed ({why})",
                self.status,
            )

    # -- the body --------------------------------------------------------------------------
    def body(self) -> Iterator[bytes]:
        """The body in pieces; NetworkError past the deadline, the size cap or below the minimum
        rate."""
        assert self._resp is not None and self._sock is not None and self._watch is not None
        cap = self.limits.max_bytes
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise self._error(f"the answer is {int(declared)} bytes, more than the limit of {cap}")
        got = 0
        while True:
            try:
                self._sock.settimeout(self._read_timeout())
                piece = self._resp.read1(CHUNK)
            except (OSError, http.client.HTTPException) as exc:
                raise self._failed(exc) from None
            if self._watch.expired.is_set():
                raise self._error(str(self._watch.too_late()))
            if not piece:
                if self._resp.length:  # the server closed before the promised length
                    raise self._error(f"the answer was cut short {self._resp.length} bytes early")
                return
            got += len(piece)
            if got > cap:
                raise self._error(f"the answer is larger than the limit of {cap} bytes")
            self._check_rate(got)
            yield piece

    def _check_rate(self, got: int) -> None:
        if not self.limits.min_rate:
            return
        elapsed = time.monotonic() - self._started
        if elapsed > self.limits.stall and got < self.limits.min_rate * elapsed:
            raise self._error(
                f"too slow: {got / elapsed:.0f} bytes/s, the minimum is {self.limits.min_rate:g}"
            )
