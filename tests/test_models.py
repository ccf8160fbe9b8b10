"""Model download: verified by SHA-256, never half-installed, from a real HTTP server on
127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import os
import threading
import time

import pytest

from assistant.asr import models
from assistant.errors import ModelError
from helpers_http import HostileServer


class _Hub(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    cut_after: int | None = None
    trickle: float = 0.0  # seconds between bytes: a mirror that never quite stops
    stop = threading.Event()  # ends a trickle

    def do_GET(self):  # noqa: N802 - http.server's naming
        name = self.path.rsplit("/", 1)[-1]
        body = self.files.get(name)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.trickle:
            try:
                for i in range(len(body)):
                    if self.stop.wait(self.trickle):
                        return
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
            except OSError:  # the client gave up, as it should
                pass
            return
        self.wfile.write(body if self.cut_after is None else body[: self.cut_after])

    def log_message(self, *args):
        pass


@pytest.fixture
def hub(monkeypatch):
    handler = type(
        "Hub", (_Hub,), {"files": {}, "cut_after": None, "trickle": 0.0, "stop": threading.Event()}
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    blobs = {"model.bin": b"weights" * 1000, "config.json": b"{}"}
    handler.files.update(blobs)
    spec = models.ModelSpec(
        name="tiny-test",
        repo="test/tiny",
        revision="0" * 40,
        files={k: hashlib.sha256(v).hexdigest() for k, v in blobs.items()},
    )
    monkeypatch.setitem(models.MODELS, "tiny", spec)
    yield handler
    handler.stop.set()
    server.shutdown()


def test_pull_from_official_source_and_verify(tmp_path, hub):
    folder = models.pull(tmp_path, "tiny", source="official", log=lambda _: None)
    assert (folder / "model.bin").read_bytes() == hub.files["model.bin"]
    assert models.installed_ok(tmp_path, "tiny")
    assert models.verify(tmp_path, "tiny") == []
    assert models.require_model(tmp_path, "tiny") == folder


def test_corrupt_download_never_installed(tmp_path, hub):
    hub.files["model.bin"] = b"tampered" * 1000
    with pytest.raises(ModelError, match="wrong SHA-256"):
        models.pull(tmp_path, "tiny", source="official", log=lambda _: None)
    assert not models.model_path(tmp_path, "tiny").exists()
    assert not list(tmp_path.glob(".partial-*"))


def test_interrupted_download_never_installed(tmp_path, hub):
    hub.cut_after = 100
    with pytest.raises(ModelError):
        models.pull(tmp_path, "tiny", source="official", log=lambda _: None)
    assert not models.model_path(tmp_path, "tiny").exists()
    with pytest.raises(ModelError, match="assistant models pull"):
        models.require_model(tmp_path, "tiny")


def test_trickling_mirror_fails_instead_of_hanging(tmp_path, hub):
    """A mirror sending a few bytes a second is dropped after `timeout` seconds, not waited on
    for hours."""
    hub.trickle = 0.2
    failed: list[BaseException] = []

    def pull() -> None:
        try:
            models.pull(tmp_path, "tiny", source="official", log=lambda _: None, timeout=1.0)
        except BaseException as exc:  # noqa: B036 - reported by the test below
            failed.append(exc)

    worker = threading.Thread(target=pull, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(30)
    hung = worker.is_alive()
    hub.stop.set()  # let a hung download end so the test can report
    worker.join(30)
    assert not hung, f"models pull still downloading after {time.monotonic() - started:.0f} s"
    assert len(failed) == 1 and isinstance(failed[0], ModelError), failed
    assert "too slow" in str(failed[0])
    assert not models.model_path(tmp_path, "tiny").exists()


def test_hub_redirect_to_its_download_host_is_followed(tmp_path, hub, monkeypatch):
    """The model hub answers with a redirect to another host (its CDN); a GET without credentials
    follows it."""
    hub_url = os.environ["HF_ENDPOINT"]  # the hub fixture's server
    with HostileServer("redirect", target=hub_url.replace("127.0.0.1", "localhost")) as front:
        monkeypatch.setenv("HF_ENDPOINT", front.url)
        folder = models.pull(tmp_path, "tiny", source="official", log=lambda _: None)
    assert (folder / "model.bin").read_bytes() == hub.files["model.bin"]


def test_changed_file_detected(tmp_path, hub):
    folder = models.pull(tmp_path, "tiny", source="official", log=lambda _: None)
    (folder / "config.json").write_bytes(b'{"x": 1}')
    assert not models.installed_ok(tmp_path, "tiny")
    with pytest.raises(ModelError, match="verify"):
        models.require_model(tmp_path, "tiny")
    assert models.verify(tmp_path, "tiny") == [
        "config.json has the wrong SHA-256 (corrupt or tampered)"
    ]


def test_unknown_model(tmp_path):
    with pytest.raises(ModelError, match="unknown model"):
        models.pull(tmp_path, "huge-v9")


def test_installed_base_model_is_verified(model_dir):
    """The model `make test` pulled from the registry matches the official SHA-256 of every file."""
    assert models.verify(model_dir, "base") == []
