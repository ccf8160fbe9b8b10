"""The type and range of every setting, and the one validator that applies them.

Why it exists: a wrong value used to surface deep inside whatever used it, long after start:
`threads = 100000` crashed the native recogniser, `poll_interval = 0` spun a core, and a
string where a skill wanted a number dropped the skill with a traceback while the program went
on ("I can't do that yet"). Every key of every section is described here once (type, range,
choices) and checked when the settings load, so a wrong value is one line naming the key:

    config bad.toml: [asr] threads must be between 1 and 64 (got 100000)

Unknown keys are reported as warnings, not errors: an unknown key has a safe meaning (its
default applies), and a speaker started at boot with a file written for a newer version
should still start; the warning names the key and the nearest known one, so a typo is seen.
Wrong values have no safe meaning and stop the program.

Defaults stay with the code that uses them (the dataclasses in config.py and each skill);
this module only says what is allowed. A new skill adds its section to `SCHEMA`.
"""

from __future__ import annotations

import difflib
import json
import math
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

LANGUAGES = ("auto", "en", "zh")


class Invalid(ValueError):
    """A value does not fit its spec; the message says what it must be ("must be a number")."""


class Spec:
    """What one setting may hold; `check` returns the value in the form the code reads."""

    def check(self, value: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Num(Spec):
    """A number in [low, high]; `whole` for counts (threads, steps). Booleans are not numbers."""

    low: float
    high: float
    whole: bool = False

    def check(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid("must be a whole number" if self.whole else "must be a number")
        if self.whole and not isinstance(value, int):
            raise Invalid("must be a whole number")
        if math.isnan(value) or not self.low <= value <= self.high:
            raise Invalid(f"must be between {self.low:g} and {self.high:g}")
        return value if self.whole else float(value)


@dataclass(frozen=True)
class Flag(Spec):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Invalid("must be true or false")
        return value


@dataclass(frozen=True)
class Text(Spec):
    """A string; with `choices` one of them; `path` refuses what no file system accepts."""

    choices: tuple[str, ...] = ()
    path: bool = False
    url: bool = False

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(
                f"must be one of {', '.join(self.choices)}" if self.choices else "must be a string"
            )
        if self.choices and value not in self.choices:
            raise Invalid(f"must be one of {', '.join(self.choices)}")
        if self.path and (not value.strip() or "\0" in value):
            raise Invalid("must be a folder or file name")
        if self.url and not value.startswith(("http://", "https://")):
            raise Invalid("must be an http:// or https:// address")
        return value


@dataclass(frozen=True)
class WyomingUri(Spec):
    """Where a Wyoming server listens: tcp://HOST:PORT or unix://PATH."""

    def check(self, value: Any) -> str:
        from urllib.parse import urlparse

        if not isinstance(value, str):
            raise Invalid("must be a tcp://HOST:PORT or unix://PATH address")
        parsed = urlparse(value)
        try:
            port = parsed.port
        except ValueError:
            port = None
        if parsed.scheme == "tcp" and parsed.hostname and port is not None:
            return value
        if parsed.scheme == "unix" and (parsed.path or parsed.netloc):
            return value
        raise Invalid("must be a tcp://HOST:PORT or unix://PATH address")


@dataclass(frozen=True)
class Texts(Spec):
    """A list of strings; a single string means a list of one (never read letter by letter)."""

    item: Text = field(default_factory=Text)

    def check(self, value: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise Invalid("must be a string or a list of strings")
        try:
            return [self.item.check(v) for v in items]
        except Invalid:
            raise Invalid(
                "must be a string or a list of strings"
                + (" (folder names)" if self.item.path else "")
            ) from None


@dataclass(frozen=True)
class AnyOf(Spec):
    """The first spec that accepts the value wins (a device name or an index)."""

    options: tuple[Spec, ...]
    what: str

    def check(self, value: Any) -> Any:
        for option in self.options:
            try:
                return option.check(value)
            except Invalid:
                continue
        raise Invalid(f"must be {self.what}")


@dataclass(frozen=True)
class Anything(Spec):
    """Checked elsewhere (the intent loader checks `[lists]` with its own messages)."""

    def check(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Table(Spec):
    """A TOML table with known keys; `required` keys must be present."""

    fields: dict[str, Spec]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapOf(Spec):
    """A TOML table whose keys are the user's (room ids, city ids); every value has one spec."""

    value: Spec


def suggest(name: str, known: list[str]) -> str:
    """' (did you mean "x"?)' for the nearest known name, or ''."""
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f' (did you mean "{near[0]}"?)' if near else ""


def show(value: Any) -> str:
    """A value as the user wrote it in TOML (strings in double quotes), kept short."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_value(spec: Spec, value: Any, name: str) -> Any:
    """One value from a flag or an environment variable, with the same checks as the file."""
    try:
        return spec.check(value)
    except Invalid as exc:
        raise ConfigError(f"{name} {exc} (got {show(value)})") from None


def check_table(
    spec: Table | MapOf, table: Any, where: str, section: str, warnings: list[str]
) -> dict[str, Any]:
    """`table` checked against `spec`: the values in the form the code reads them.

    `where` starts every message ("config bad.toml"), `section` is the dotted table name
    ("" for the top level). A wrong value raises ConfigError; unknown keys add warnings.
    """
    label = f"[{section}] " if section else ""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(spec, MapOf):
            sub = spec.value
        elif key in spec.fields:
            sub = spec.fields[key]
        else:
            what = "section" if isinstance(value, dict) else "key"
            shown = (
                f"[{section + '.' if section else ''}{key}]" if what == "section" else f'"{key}"'
            )
            warnings.append(
                f"{where}: {label}unknown {what} {shown}{suggest(key, list(spec.fields))}"
                " is ignored"
            )
            continue
        inner = f"{section}.{key}" if section else key
        if isinstance(sub, (Table, MapOf)):
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{where}: {label}{key} must be a table ([{inner}]) (got {show(value)})"
                )
            out[key] = check_table(sub, value, where, inner, warnings)
            continue
        try:
            out[key] = sub.check(value)
        except Invalid as exc:
            raise ConfigError(f"{where}: {label}{key} {exc} (got {show(value)})") from None
    if isinstance(spec, Table):
        for key in spec.required:
            if key not in table:
                raise ConfigError(f"{where}: {label}{key} is missing")
    return out


# -- every setting ----------------------------------------------------------------------------

SECONDS = Num(0.1, 600)
BODY_BYTES = Num(1024, 64 << 20, whole=True)  # a web answer's cap
FOLDER = Text(path=True)
PHRASES = Texts()

ASR = Table(
    {
        "engine": Text(choices=("whisper", "sphinx", "google", "wyoming")),
        "model": Text(),
        "compute_type": Text(
            choices=(
                "int8",
                "int8_float32",
                "int8_float16",
                "int8_bfloat16",
                "int16",
                "float16",
                "bfloat16",
                "float32",
                "auto",
                "default",
            )
        ),
        "threads": Num(1, 64, whole=True),
        "beam_size": Num(1, 20, whole=True),
        "bias": Flag(),
        "bias_beam_size": Num(1, 20, whole=True),
        "bias_hypotheses": Num(1, 20, whole=True),
        "sphinx_grammar": Flag(),
        "workers": Num(
            1, 8, whole=True
        ),  # Whisper replicas run at once (serve); see bench/serve.py
        "uri": WyomingUri(),  # engine = "wyoming": the remote recogniser
        "timeout": SECONDS,  # its deadline for one command
        "fallback": Text(choices=("whisper", "sphinx", "google", "none")),  # when it is down
    }
)

TTS = Table(
    {
        "rate": Num(50, 500, whole=True),  # words per minute
        "volume": Num(0, 1),
        "voice_en": Text(),
        "voice_zh": Text(),
        "engine": Text(choices=("pyttsx3", "wyoming")),
        "uri": WyomingUri(),  # engine = "wyoming": the remote voice
        "timeout": SECONDS,
    }
)

SERVE = Table(
    {
        "max_clients": Num(1, 1024, whole=True),
        "grace_seconds": Num(0, 600),
        "idle_seconds": Num(1, 86_400),
    }
)

DEVICE = AnyOf(
    (Text(), Num(0, 10_000, whole=True)), "a device name or an index from `assistant devices`"
)
AUDIO = Table({"input_device": DEVICE, "output_device": DEVICE, "max_command_seconds": SECONDS})

LISTEN = Table(
    {
        "mode": Text(choices=("wake", "push_to_talk", "push-to-talk", "always")),
        "trailing_silence": Num(0.1, 10),
        "max_command": Num(1, 120),
        "no_speech_timeout": Num(0.5, 600),
        "min_speech": Num(0, 5),
        "pre_roll": Num(0, 5),
        "aggressiveness": Num(0, 3, whole=True),
        "min_energy": Num(0, 1),
        "calibrate": Num(0, 30),
        "noise_margin": Num(0, 100),
        "followup_timeout": Num(0.5, 600),
        "barge_in_silence": Num(0.1, 10),
        "barge_in_max": Num(0.1, 60),
        "earcons": Flag(),
        "earcon_volume": Num(0, 1),
        "wait_for_microphone": Flag(),
        "queue_seconds": Num(1, 600),
    }
)

THRESHOLD = Num(1e-100, 1)
WAKE = Table(
    {
        "en": PHRASES,
        "zh": PHRASES,
        "phrases": MapOf(PHRASES),
        "spotter": Flag(),
        "kws_threshold": THRESHOLD,
        "confirm": Flag(),
        "kws_sure_threshold": AnyOf(
            (THRESHOLD, Text(choices=("off",)), Flag()), 'a number between 1e-100 and 1, or "off"'
        ),
        "keyphrases": MapOf(Text()),
        "pronunciations": MapOf(PHRASES),
        "transcript": Flag(),
        "transcript_threshold": Num(0, 100),
        "transcript_threshold_en": Num(0, 100),
        "max_segment": Num(0.5, 60),
        "stop_words": MapOf(PHRASES),
    }
)

DIALOG = Table(
    {
        "followup_timeout": Num(0.5, 600),
        "context_timeout": Num(0, 86_400),
        "poll_interval": Num(0.01, 10),  # 0 would spin a core
    }
)

VOLUME = Table(
    {
        "mixer": Text(choices=("auto", "pactl", "amixer", "none")),
        "control": Text(),
        "step": Num(1, 100, whole=True),
        "default": Num(0, 100, whole=True),
    }
)

MEDIA = Table({"folder": FOLDER, "match_cutoff": Num(0, 100)})

HOME = Table(
    {
        "backend": Text(choices=("sim", "homeassistant", "home_assistant", "ha")),
        "default_room": Text(),
        "dimmable": Texts(),
        "rooms": MapOf(Texts()),
        "homeassistant": Table(
            {
                "url": Text(url=True),
                "token": Text(),
                "timeout": SECONDS,
                "max_bytes": BODY_BYTES,
                "entities": MapOf(Text()),
            }
        ),
    }
)

WEATHER = Table(
    {
        "forecast_url": Text(url=True),
        "geocoding_url": Text(url=True),
        "timeout": SECONDS,
        "max_bytes": BODY_BYTES,
        "default_city": Text(),
        "forecast_days": Num(1, 16, whole=True),  # Open-Meteo's limit
        "cities": MapOf(
            Table(
                {"latitude": Num(-90, 90), "longitude": Num(-180, 180)},
                required=("latitude", "longitude"),
            )
        ),
    }
)

GOOGLE = Table({"timeout": SECONDS, "key": Text()})


@dataclass(frozen=True)
class MqttUrl(Spec):
    """mqtt://[user:password@]host[:port] of the events broker."""

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid("must be an mqtt://host:port address")
        parts = urllib.parse.urlsplit(value)
        try:
            _ = parts.port  # reading it checks it
        except ValueError:
            raise Invalid(
                "must be an mqtt://host:port address with a port from 1 to 65535"
            ) from None
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise Invalid("must be an mqtt://host:port address")
        return value


EVENTS = Table(
    {
        "mqtt": MqttUrl(),
        "topic_prefix": Text(),  # "assistant"; "hermes" for Rhasspy's own topics
        "site_id": Text(),
        "listeners": Texts(),  # intents (or "coffee.*") answered on the broker
        "reply_timeout": SECONDS,
        "connect_wait": Num(0, 30),
    }
)

SCHEMA = Table(
    {
        "state_dir": FOLDER,
        "model_dir": FOLDER,
        "intents_dirs": Texts(FOLDER),
        "language": Text(choices=LANGUAGES),
        "timezone": Text(),
        "asr": ASR,
        "tts": TTS,
        "audio": AUDIO,
        "listen": LISTEN,
        "wake": WAKE,
        "dialog": DIALOG,
        "volume": VOLUME,
        "media": MEDIA,
        "home": HOME,
        "weather": WEATHER,
        "google": GOOGLE,
        "serve": SERVE,
        "lists": Anything(),
        "skills_dirs": Texts(FOLDER),  # folders of *.py skill plugins (skills/plugins.py)
        "events": EVENTS,
        "skills": MapOf(Anything()),  # [skills.<domain>]: a plugin's own settings
    }
)
