"""Running an intent file's action: a program, a web call, a Home Assistant service, MQTT.

Each has a deadline and a size cap, and every way it can fail (program missing, non-zero exit,
timeout, service down, broker down, a token not exported) is one ActionFailed with a one-line
reason, which the skill logs and turns into a spoken "that didn't work".
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import NetworkError
from ..web import Limits, fetch
from .fill import MissingVariable, expand_env, fill_arg, fill_data
from .spec import Action, CommandAction, HomeAssistantAction, HttpAction, MqttAction

MAX_OUTPUT = 64 * 1024  # what a reply can use of a program's output or a web answer


class ActionFailed(Exception):
    """The action did not do its job; str() is the one line for the log."""


@dataclass
class Context:
    """What actions reach beyond themselves, given by the skill."""

    homeassistant: dict[str, Any]  # [home.homeassistant]: url, token, timeout, max_bytes
    publish: Callable[[str, bytes, bool], None] | None = None  # the events broker, when configured


def run(action: Action, slots: dict[str, Any], ctx: Context) -> Any:
    """The action's result (a program's output, a web answer's JSON or text), or ActionFailed."""
    try:
        if isinstance(action, CommandAction):
            return run_command(action, slots)
        if isinstance(action, HttpAction):
            return run_http(action, slots)
        if isinstance(action, HomeAssistantAction):
            return run_homeassistant(action, slots, ctx.homeassistant)
        return run_mqtt(action, slots, ctx.publish)
    except MissingVariable as exc:
        raise ActionFailed(str(exc)) from None
    except NetworkError as exc:
        raise ActionFailed(str(exc)) from None
    except (ValueError, OSError) as exc:   # a header or URL made invalid by an environment variable
        raise ActionFailed(f"{type(action).__name__}: {exc}") from None


def _decoded(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace").strip()
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def run_command(action: CommandAction, slots: dict[str, Any]) -> Any:
    """The program with its arguments, no shell; killed with its children after the timeout."""
    argv = [action.argv[0]] + [fill_arg(a, slots) for a in action.argv[1:]]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise ActionFailed(f"command {argv[0]}: {exc.strerror or exc}") from None
    out = bytearray()

    def drain() -> None:  # keep reading past the cap so the program never blocks on a full pipe
        stdout = proc.stdout
        assert stdout is not None
        for piece in iter(lambda: stdout.read(8192), b""):
            if len(out) < MAX_OUTPUT:
                out.extend(piece[: MAX_OUTPUT - len(out)])

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=action.timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise ActionFailed(
            f"command {argv[0]}: still running after {action.timeout:g} s, stopped"
        ) from None
    finally:
        reader.join(timeout=1)
    if code != 0:
        raise ActionFailed(f"command {argv[0]}: exit status {code}")
    return _decoded(bytes(out))


def run_http(action: HttpAction, slots: dict[str, Any]) -> Any:
    url = fill_arg(expand_env(action.url), {k: _quoted(v) for k, v in slots.items()})
    headers = {k: expand_env(v) for k, v in action.headers.items()}
    data = None
    if action.body is not None:
        data = json.dumps(fill_data(action.body, slots), ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Accept", "application/json, text/plain")
    answer = fetch(
        action.method,
        url,
        headers=headers,
        body=data,
        limits=Limits(deadline=action.timeout, max_bytes=MAX_OUTPUT),
    )
    return _decoded(answer.body)


def _quoted(value: Any) -> Any:
    return None if value is None else urllib.parse.quote(str(value), safe="")


def run_homeassistant(
    action: HomeAssistantAction, slots: dict[str, Any], conf: dict[str, Any]
) -> Any:
    """POST /api/services/<domain>/<service> through the home skill's Home Assistant settings
    (its url, token, timeout and size cap read the same way, so one `[home.homeassistant]`)."""
    from ..skills.base import from_table
    from ..skills.home import HomeAssistantBackend, HomeAssistantSettings
    from ..skills.web import request_json

    ha = HomeAssistantBackend(from_table(HomeAssistantSettings, conf))
    domain, service = action.service.split(".", 1)
    body = fill_data(action.data, slots) if action.data is not None else {}
    return request_json("POST", f"{ha.url}/api/services/{domain}/{service}", body=body,
                        headers={"Authorization": f"Bearer {ha.token}"}, limits=ha.limits)


def run_mqtt(
    action: MqttAction, slots: dict[str, Any], publish: Callable[[str, bytes, bool], None] | None
) -> Any:
    if publish is None:
        raise ActionFailed('mqtt action: no broker configured ([events] mqtt = "mqtt://host:1883")')
    payload = fill_data(action.payload, slots)
    data = (
        payload.encode("utf-8")
        if isinstance(payload, str)
        else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    )
    publish(fill_arg(action.topic, slots), data, action.retain)
    return ""
