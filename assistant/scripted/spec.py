"""The `reply:` and `action:` of an intent file, read into typed specs with every problem's line.

Why here and not in the loader: the loader reads grammar; what an intent *does* is a separate
concern with its own rules (no shell, a timeout on everything, placeholders that name declared
slots). The loader calls `read_script` for each intent and reports what it returns as
file:line problems, so `assistant intents check` shows them with the grammar's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LANGS = ("en", "zh")
# "{size}", "{result}", "{result.wait}"; "{{" and "}}" are literal braces
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][\w]*(?:\.[\w]+)*)\}")
ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
MAX_TIMEOUT = 600.0
DEFAULT_COMMAND_TIMEOUT = 10.0
DEFAULT_HTTP_TIMEOUT = 5.0
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class CommandAction:
    """A program run with an argument list (never through a shell), killed after `timeout`."""

    argv: tuple[str, ...]
    timeout: float = DEFAULT_COMMAND_TIMEOUT


@dataclass(frozen=True)
class HttpAction:
    """One web call through assistant.web (deadline for the whole call, size cap, no redirects)."""

    method: str
    url: str  # may hold ${ENV_VAR} and {slot}
    body: Any = None  # a JSON template: strings in it are filled
    headers: dict[str, str] = field(default_factory=dict)  # values may hold ${ENV_VAR}
    timeout: float = DEFAULT_HTTP_TIMEOUT


@dataclass(frozen=True)
class HomeAssistantAction:
    """A service call ("light.turn_on") through the Home Assistant of `[home.homeassistant]`."""

    service: str
    data: Any = None


@dataclass(frozen=True)
class MqttAction:
    """A message published on the broker of `[events] mqtt`."""

    topic: str
    payload: Any = ""
    retain: bool = False


Action = CommandAction | HttpAction | HomeAssistantAction | MqttAction


@dataclass(frozen=True)
class Script:
    """What an intent from a file does: an optional action, then a reply per language."""

    reply: dict[str, str]  # lang -> template; may be empty (a generic "okay")
    action: Action | None = None
    line: int = 0
    reply_line: int = 0


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def _line(obj: Any, key: Any, default: int) -> int:
    lines = getattr(obj, "lines", None)
    try:
        return int(lines[key]) if lines is not None else default
    except (KeyError, IndexError, TypeError):
        return default


def placeholders(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1)]


class _Reader:
    """Collects problems while reading one intent's reply and action."""

    def __init__(self, intent: str, slots: set[str]):
        self.intent = intent
        self.slots = slots
        self.problems: list[Problem] = []

    def bad(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, f"intent '{self.intent}': {message}"))

    def names(self, text: str, line: int, where: str, result: bool) -> None:
        """Every placeholder must be a declared slot (or the action's result, in a reply)."""
        for name in placeholders(text):
            head = name.split(".", 1)[0]
            if head == "result":
                if not result:
                    self.bad(line, f"{where}: {{{name}}} is only known in a reply after an action")
            elif "." in name:
                self.bad(line, f"{where}: {{{name}}}: only the result has fields")
            elif name not in self.slots:
                known = ", ".join(sorted(self.slots)) or "none"
                self.bad(line, f"{where}: {{{name}}} is not a slot of this intent (slots: {known})")
        rest = PLACEHOLDER.sub("", text)
        if "{" in rest or "}" in rest:
            self.bad(line, f"{where}: a lone '{{' or '}}' (write {{{{ or }}}} for a brace)")

    def template(self, value: Any, line: int, where: str, result: bool) -> Any:
        """A JSON template: every string in it checked like a reply."""
        if isinstance(value, str):
            self.names(value, line, where, result)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.template(item, _line(value, key, line), f"{where}.{key}", result)
        elif isinstance(value, list):
            for k, item in enumerate(value):
                self.template(item, _line(value, k, line), f"{where}[{k}]", result)
        elif value is not None and not isinstance(value, (bool, int, float)):
            self.bad(line, f"{where}: cannot be sent as JSON")
        return value

    def timeout(self, conf: dict, line: int, default: float) -> float:
        value = conf.get("timeout", default)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0 < value <= MAX_TIMEOUT
        ):
            self.bad(
                _line(conf, "timeout", line),
                f"timeout must be a number of seconds, above 0 and "
                f"at most {MAX_TIMEOUT:g} (got {value!r})",
            )
            return default
        return float(value)

    def keys(self, conf: dict, allowed: tuple[str, ...], line: int, what: str) -> None:
        for key in conf:
            if key not in allowed:
                self.bad(
                    _line(conf, key, line),
                    f"{what}: unknown key '{key}' (expected {', '.join(allowed)})",
                )

    # -- reply ------------------------------------------------------------------------------
    def reply(self, value: Any, line: int, result: bool) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(line, 'reply must give en: and zh: sentences (reply: {en: "...", zh: "..."})')
            return {}
        out: dict[str, str] = {}
        for lang, text in value.items():
            tline = _line(value, lang, line)
            if lang not in LANGS:
                self.bad(tline, f"reply: unknown language '{lang}' (expected en, zh)")
                continue
            if not isinstance(text, str) or not text.strip():
                self.bad(tline, f"reply {lang}: must be a sentence")
                continue
            self.names(text, tline, f"reply {lang}", result)
            out[str(lang)] = text
        return out

    # -- actions ----------------------------------------------------------------------------
    def action(self, value: Any, line: int) -> Action | None:
        if not isinstance(value, dict) or len(value) != 1:
            self.bad(line, "action must be exactly one of command:, http:, homeassistant:, mqtt:")
            return None
        kind, conf = next(iter(value.items()))
        aline = _line(value, kind, line)
        reader = {
            "command": self.command,
            "http": self.http,
            "homeassistant": self.homeassistant,
            "mqtt": self.mqtt,
        }.get(str(kind))
        if reader is None:
            self.bad(
                aline, f"unknown action '{kind}' (expected command, http, homeassistant, mqtt)"
            )
            return None
        return reader(conf, aline)

    def command(self, conf: Any, line: int) -> CommandAction | None:
        if isinstance(conf, (list, str)):
            conf = {"run": conf}
        if not isinstance(conf, dict):
            self.bad(
                line,
                "command: give the argument list (command: [program, arg, ...]) "
                "or {run: [...], timeout: S}",
            )
            return None
        self.keys(conf, ("run", "timeout"), line, "command")
        argv = conf.get("run")
        rline = _line(conf, "run", line)
        if isinstance(argv, str):
            self.bad(
                rline,
                "command: an argument list, not a string: it is never run through a shell "
                "(write [program, arg, ...])",
            )
            return None
        if (
            not isinstance(argv, list)
            or not argv
            or not all(isinstance(a, (str, int, float)) for a in argv)
        ):
            self.bad(rline, "command: the argument list must be a non-empty list of strings")
            return None
        for k, arg in enumerate(argv):
            self.names(str(arg), _line(argv, k, rline), f"command argument {k}", result=False)
        if not str(argv[0]).strip() or placeholders(str(argv[0])):
            self.bad(
                rline, "command: the program (first argument) must be a fixed name, not a slot"
            )
        return CommandAction(
            tuple(str(a) for a in argv), self.timeout(conf, line, DEFAULT_COMMAND_TIMEOUT)
        )

    def http(self, conf: Any, line: int) -> HttpAction | None:
        if not isinstance(conf, dict):
            self.bad(line, "http: must be a mapping with method, url, body, headers, timeout")
            return None
        self.keys(conf, ("method", "url", "body", "headers", "timeout"), line, "http")
        method = str(conf.get("method", "POST" if "body" in conf else "GET")).upper()
        if method not in METHODS:
            self.bad(
                _line(conf, "method", line), f"http: method must be one of {', '.join(METHODS)}"
            )
        url = conf.get("url")
        uline = _line(conf, "url", line)
        # "${COFFEE_URL}/order" is checked as it would be with the variable set to an address
        shown = (
            ENV_VAR.sub(lambda m: "http://env" if m.group(2) is None else m.group(2), url)
            if isinstance(url, str)
            else ""
        )
        if not isinstance(url, str) or not shown.startswith(("http://", "https://")):
            self.bad(uline, "http: url must be an http:// or https:// address")
            url = ""
        else:
            self.names(ENV_VAR.sub("", url), uline, "http url", result=False)
        headers = conf.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            self.bad(_line(conf, "headers", line), "http: headers must map names to strings")
            headers = {}
        body = self.template(conf.get("body"), _line(conf, "body", line), "http body", result=False)
        return HttpAction(
            method,
            url,
            body,
            {str(k): v for k, v in headers.items()},
            self.timeout(conf, line, DEFAULT_HTTP_TIMEOUT),
        )

    def homeassistant(self, conf: Any, line: int) -> HomeAssistantAction | None:
        if not isinstance(conf, dict):
            self.bad(
                line, "homeassistant: must be a mapping with service: domain.service and data:"
            )
            return None
        self.keys(conf, ("service", "data"), line, "homeassistant")
        service = conf.get("service")
        if not isinstance(service, str) or not re.fullmatch(
            r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*", service
        ):
            self.bad(
                _line(conf, "service", line),
                "homeassistant: service must be 'domain.service' (e.g. light.turn_on)",
            )
            return None
        data = self.template(
            conf.get("data"), _line(conf, "data", line), "homeassistant data", result=False
        )
        return HomeAssistantAction(service, data)

    def mqtt(self, conf: Any, line: int) -> MqttAction | None:
        if not isinstance(conf, dict):
            self.bad(line, "mqtt: must be a mapping with topic: and payload:")
            return None
        self.keys(conf, ("topic", "payload", "retain"), line, "mqtt")
        topic = conf.get("topic")
        tline = _line(conf, "topic", line)
        if not isinstance(topic, str) or not topic or "#" in topic or "+" in topic:
            self.bad(tline, "mqtt: topic must be a topic name without wildcards (# or +)")
            return None
        self.names(topic, tline, "mqtt topic", result=False)
        payload = self.template(
            conf.get("payload", ""), _line(conf, "payload", line), "mqtt payload", result=False
        )
        retain = conf.get("retain", False)
        if not isinstance(retain, bool):
            self.bad(_line(conf, "retain", line), "mqtt: retain must be true or false")
            retain = False
        return MqttAction(topic, payload, retain)


def read_script(
    intent: str, body: dict, slots: set[str], line: int
) -> tuple[Script | None, list[Problem]]:
    """The intent's Script (None when it has neither reply nor action) and the problems found."""
    if "reply" not in body and "action" not in body:
        return None, []
    reader = _Reader(intent, slots)
    action = (
        reader.action(body["action"], _line(body, "action", line)) if "action" in body else None
    )
    reply = reader.reply(body.get("reply"), _line(body, "reply", line), result="action" in body)
    if reader.problems:
        return None, reader.problems
    return Script(reply, action, line, _line(body, "reply", line)), []


def missing_replies(intent: str, script: Script, langs: set[str]) -> list[tuple[int, str]]:
    """(line, warning) for each language the intent is spoken in but its reply does not cover:
    it works (the answer is a plain "Okay." / "好的。"), but the maker should know."""
    if not script.reply:
        return []
    said = {"en": ("English", '"Okay."'), "zh": ("Chinese", '"好的。"')}
    return [(script.reply_line or script.line,
             f"intent '{intent}': reply has no {lang}: sentence, so in {said[lang][0]} "
             f"it only says {said[lang][1]}")
            for lang in LANGS if lang in langs and lang not in script.reply]
