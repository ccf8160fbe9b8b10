"""Settings from a TOML file, the environment and command-line flags (later ones win).

Skills read their own `[section]` of the file through `Settings.section()`, so adding a
skill never means editing this module.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

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
    engine: str = "whisper"          # whisper | sphinx | google
    model: str = "base"
    compute_type: str = "int8"
    threads: int = 2
    beam_size: int = 5               # of the plain pass (1: greedy, cheapest)
    bias: bool = True                # a second pass steered by the intents (asr/biased.py)
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
    language: str = "auto"           # auto | en | zh: the language the recogniser may pick
    timezone: str | None = None      # IANA name; None = the system's
    asr: AsrSettings = field(default_factory=AsrSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    raw: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """The `[name]` table of the config file ({} when absent), for skills and engines."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def db_path(self) -> Path:
        return self.state_dir / "assistant.db"


def _apply(obj: Any, table: dict[str, Any], where: str) -> None:
    for key, value in table.items():
        if not hasattr(obj, key) or isinstance(getattr(obj, key), (AsrSettings, TtsSettings)):
            continue
        current = getattr(obj, key)
        if current is not None and not isinstance(value, type(current)) and not (
                isinstance(current, float) and isinstance(value, int)):
            raise ConfigError(f"{where}: '{key}' should be {type(current).__name__}, got {value!r}")
        setattr(obj, key, value)


def load_settings(config_file: str | Path | None = None, state_dir: str | Path | None = None,
                  model_dir: str | Path | None = None, intents_dirs: list[str] | None = None,
                  env: dict[str, str] | None = None) -> Settings:
    """Build settings: defaults < config file < environment < flags."""
    env = dict(os.environ if env is None else env)
    settings = Settings()
    path = config_file or env.get("ASSISTANT_CONFIG")
    if path:
        path = Path(path).expanduser()
        if path.exists() and not path.is_file():   # a FIFO would block until a writer came, /dev/zero never end
            raise ConfigError(f"config file {path} is not a regular file")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        settings.config_file = path
        settings.raw = raw
        top = {k: v for k, v in raw.items() if not isinstance(v, dict)}
        for key in ("state_dir", "model_dir"):
            if key in top:
                top[key] = Path(str(top[key])).expanduser()
        if "intents_dirs" in top:
            dirs = top.pop("intents_dirs")
            settings.intents_dirs = [BUILTIN_INTENTS] + [Path(d).expanduser() for d in dirs]
        _apply(settings, top, str(path))
        _apply(settings.asr, raw.get("asr", {}), f"{path} [asr]")
        _apply(settings.tts, raw.get("tts", {}), f"{path} [tts]")
    if env.get("ASSISTANT_STATE_DIR"):
        settings.state_dir = Path(env["ASSISTANT_STATE_DIR"]).expanduser()
    if env.get("ASSISTANT_MODEL_DIR"):
        settings.model_dir = Path(env["ASSISTANT_MODEL_DIR"]).expanduser()
    if state_dir:
        settings.state_dir = Path(state_dir).expanduser()
    if model_dir:
        settings.model_dir = Path(model_dir).expanduser()
    for d in intents_dirs or []:
        settings.intents_dirs.append(Path(d).expanduser())
    if settings.language not in ("auto", "en", "zh"):
        raise ConfigError(f"unknown language {settings.language!r}: use auto, en or zh")
    return settings
