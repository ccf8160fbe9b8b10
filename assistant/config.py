"""Settings from a TOML file, the environment and command-line flags (later ones win).

Skills read their own `[section]` of the file through `Settings.section()`, so adding a
skill never means editing this module. Every value is checked against `schema.SCHEMA` as it
loads (flags and environment variables too), so what a skill reads has the right type and range.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .schema import FOLDER, SCHEMA, check_table, check_value
from .smallfile import NotRegularFile, TooBig, read_small_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUILTIN_INTENTS = PROJECT_DIR / "intents"


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def default_state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / "assistant"


def default_model_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / "assistant" / "models"


@dataclass
class AsrSettings:
    engine: str = "whisper"  # whisper | sphinx | google
    model: str = "base"
    compute_type: str = "int8"
    threads: int = 2
    beam_size: int = 5  # of the plain pass (1: greedy, cheapest)
    bias: bool = True  # a second pass steered by the intents (asr/biased.py)
    bias_beam_size: int = 5
    bias_hypotheses: int = 5


@dataclass
class TtsSettings:
    rate: int = 165
    volume: float = 1.0
    voice_en: str = "gmw/en-us"
    voice_zh: str = "sit/cmn-latn-pinyin"


@dataclass
class Settings:
    config_file: Path | None = None
    state_dir: Path = field(default_factory=default_state_dir)
    model_dir: Path = field(default_factory=default_model_dir)
    intents_dirs: list[Path] = field(default_factory=lambda: [BUILTIN_INTENTS])
    language: str = "auto"  # auto | en | zh: the language the recogniser may pick
    timezone: str | None = None  # IANA name; None = the system's
    asr: AsrSettings = field(default_factory=AsrSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    raw: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(
        default_factory=list
    )  # unknown keys: shown, not fatal (see schema.py)

    def section(self, name: str) -> dict[str, Any]:
        """The `[name]` table of the config file ({} when absent), for skills and engines."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def db_path(self) -> Path:
        return self.state_dir / "assistant.db"


MAX_CONFIG_BYTES = 1 << 20  # a settings file is a few KB; this only stops a runaway read


def read_config_text(path: Path) -> str:
    """The text of a settings file, read in bounded time and memory (see smallfile.py)."""
    try:
        return read_small_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None
    except NotRegularFile:
        raise ConfigError(f"config file {path} is not a regular file") from None
    except TooBig:
        raise ConfigError(
            f"config file {path} is too big (over {MAX_CONFIG_BYTES // 1024} KiB)"
        ) from None


def _apply(obj: Any, table: dict[str, Any]) -> None:
    """Copy checked values onto a settings dataclass (keys it has no field for are read
    elsewhere)."""
    for key, value in table.items():
        if hasattr(obj, key) and not isinstance(getattr(obj, key), (AsrSettings, TtsSettings)):
            setattr(obj, key, value)


def _folder(value: str, name: str) -> Path:
    return Path(check_value(FOLDER, value, name)).expanduser()


def load_settings(
    config_file: str | Path | None = None,
    state_dir: str | Path | None = None,
    model_dir: str | Path | None = None,
    intents_dirs: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    """Build settings: defaults < config file < environment < flags, each value checked by
    schema.py."""
    env = dict(os.environ if env is None else env)
    settings = Settings()
    path = config_file or env.get("ASSISTANT_CONFIG")
    if path:
        path = Path(path).expanduser()
        try:
            raw = tomllib.loads(read_config_text(path))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        raw = check_table(SCHEMA, raw, f"config {path}", "", settings.warnings)
        settings.config_file = path
        settings.raw = raw
        top = {k: v for k, v in raw.items() if not isinstance(v, dict)}
        for key in ("state_dir", "model_dir"):
            if key in top:
                top[key] = Path(top[key]).expanduser()
        if "intents_dirs" in top:
            settings.intents_dirs = [BUILTIN_INTENTS] + [
                Path(d).expanduser() for d in top.pop("intents_dirs")
            ]
        _apply(settings, top)
        _apply(settings.asr, raw.get("asr", {}))
        _apply(settings.tts, raw.get("tts", {}))
    if env.get("ASSISTANT_STATE_DIR"):
        settings.state_dir = _folder(env["ASSISTANT_STATE_DIR"], "ASSISTANT_STATE_DIR")
    if env.get("ASSISTANT_MODEL_DIR"):
        settings.model_dir = _folder(env["ASSISTANT_MODEL_DIR"], "ASSISTANT_MODEL_DIR")
    if state_dir:
        settings.state_dir = _folder(str(state_dir), "--state-dir")
    if model_dir:
        settings.model_dir = _folder(str(model_dir), "--model-dir")
    for d in intents_dirs or []:
        settings.intents_dirs.append(_folder(str(d), "--intents"))
    from .plugin_paths import intent_dirs  # plugins bring their intent files

    settings.intents_dirs.extend(
        d for d in intent_dirs(settings.raw.get("skills_dirs")) if d not in settings.intents_dirs
    )
    return settings
