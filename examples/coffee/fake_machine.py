"""A stand-in coffee machine for trying examples/coffee: a real HTTP server on 127.0.0.1.

    python examples/coffee/fake_machine.py [PORT]      (default 8089; 0 picks a free port)

It prints its address, then one JSON line per order it receives, and answers each
POST /order with {"order": N}, the number the intent file's reply reads as {result.order}.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024
_numbers = itertools.count(1)


class Machine(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.path != "/order" or not 0 < length <= MAX_BODY:
            self._answer(
                404 if self.path != "/order" else 400, {"error": "POST /order with a JSON body"}
            )
            return
        try:
            order = json.loads(self.rfile.read(length))
        except ValueError:
            self._answer(400, {"error": "not JSON"})
            return
        number = next(_numbers)
        print(
            json.dumps(
                {
                    "order": number,
                    "received": order,
                    "authorization": self.headers.get("Authorization"),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
        self._answer(200, {"order": number})


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8089
    server = ThreadingHTTPServer(("127.0.0.1", port), Machine)
    print(f"coffee machine listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
