"""Google's web recogniser over real HTTP on 127.0.0.1: the answer parsed, and a bad server
bounded by the deadline."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from assistant.asr.google import GoogleRecognizer
from assistant.errors import RecognizerError
from assistant.types import Utterance
from helpers_http import HostileServer, RecordingServer

SPEECH = Utterance(np.sin(np.linspace(0, 800, 16000)).astype(np.float32) * 0.3, 16000)
ANSWER = (
    '{"result":[]}\n{"result":[{"alternative":[{"transcript":"what time is it","confidence":0.9},'
    '{"transcript":"what time is hit"}],"final":true}],"result_index":0}\n'
)


class _Speech(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers["Content-Type"], body[:4]))
        answer = ANSWER.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_answer_is_read_like_speech_recognition_does():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Speech)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        rec = GoogleRecognizer(
            timeout=5, endpoint=f"http://127.0.0.1:{server.server_port}/speech-api/v2/recognize"
        )
        got = rec.transcribe(SPEECH, lang="en")
    finally:
        server.shutdown()
        server.server_close()
    assert (got.text, got.lang, got.confidence) == ("what time is it", "en", 0.9)
    path, kind, magic = _Speech.seen[0]
    assert path.startswith("/speech-api/v2/recognize?client=chromium&lang=en-US&key=")
    assert (kind, magic) == ("audio/x-flac; rate=16000", b"fLaC")


@pytest.mark.parametrize("mode", ["trickle_head", "trickle_body", "endless", "redirect"])
def test_bad_server_fails_within_the_timeout(mode):
    failed: list[BaseException] = []
    with RecordingServer() as other, HostileServer(mode, target=other.url) as server:
        rec = GoogleRecognizer(timeout=1.0, endpoint=f"{server.url}/speech-api/v2/recognize")

        def ask() -> None:
            try:
                rec.transcribe(SPEECH, lang="zh")
            except BaseException as exc:  # noqa: B036 - checked below
                failed.append(exc)

        worker = threading.Thread(target=ask, daemon=True)
        worker.start()
        worker.join(15)
        hung = worker.is_alive()
        server.stopping.set()
        worker.join(30)
    assert not hung, "the recogniser is still waiting: no overall deadline"
    assert len(failed) == 1 and isinstance(failed[0], RecognizerError), failed
    assert "unreachable" in str(failed[0])
    assert other.requests == []
    assert server.sent < 64 << 20
