"""Skills that are not part of the package: installed plugins, a folder of files, intent files.

Where they come from, in order (a domain already taken keeps its first owner):
  - the `assistant.skills` entry-point group of installed packages (`pip install my-skill`);
  - every `*.py` in the folders of `skills_dirs` in the config file;
  - intents with a `reply:` / `action:` in their intent file (assistant/skills/scripted.py);
  - intents answered by a program on the MQTT broker (`[events] listeners`, skills/remote.py).

A plugin is somebody else's code: one that fails to import, to start, or inside `handle` is one
log line (the traceback at debug level) and every other skill keeps working. A ConfigError is
the user's settings, not a broken plugin, and stops the start with its one line like a
built-in skill's.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

from ..phrases.texts import text
from ..errors import ConfigError, StateError
from ..plugin_paths import ENTRY_POINT_GROUP, folders_of
from .base import Answer, Env, Skill

log = logging.getLogger(__name__)



def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__


class GuardedSkill(Skill):
    """A plugin's skill behind a guard: what it raises is one log line and a spoken apology."""

    def __init__(self, inner: Skill, source: str, env: Env):
        super().__init__(env)            # the plugin may not have kept `env` (no super().__init__)
        self.inner = inner
        self.source = source
        self.domain = inner.domain

    def _failed(self, what: str, exc: Exception) -> None:
        log.error("skill %s (%s) failed in %s: %s", self.domain, self.source, what, _one_line(exc))
        log.debug("traceback of skill %s", self.domain, exc_info=True)

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        try:
            answer = self.inner.handle(intent, slots, lang)
        except (StateError, ConfigError):
            raise  # the dialog has the right words for these
        except Exception as exc:
            self._failed("handle", exc)
            return Answer(text("error", lang))
        if isinstance(answer, str):  # a maker's first skill may just return the sentence
            return Answer(answer)
        if not isinstance(answer, Answer):
            self._failed("handle", TypeError(f"returned {type(answer).__name__}, not an Answer"))
            return Answer(text("error", lang))
        return answer

    def _quiet(self, method: str, default: Any) -> Any:
        try:
            return getattr(self.inner, method)()
        except Exception as exc:
            self._failed(method, exc)
            return default

    def due(self) -> list[tuple[str, str]]:
        return self._quiet("due", [])

    def missed(self) -> list[tuple[str, str]]:
        return self._quiet("missed", [])

    def stop(self) -> None:
        self._quiet("stop", None)

    def close(self) -> None:
        self._quiet("close", None)


def _skill_classes(module: Any) -> list[type[Skill]]:
    """The Skill subclasses a plugin file defines (not the ones it imports)."""
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, Skill)
        and obj.__module__ == module.__name__
        and getattr(obj, "domain", "")
    ]


def from_entry_points() -> list[tuple[str, Any]]:
    """(source, class or error) for each `assistant.skills` entry point of installed packages."""
    found: list[tuple[str, Any]] = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        source = f"entry point {ep.name} = {ep.value}"
        try:
            found.append((source, ep.load()))
        except Exception as exc:
            found.append((source, exc))
    return found


def from_folders(folders: list[Path]) -> list[tuple[str, Any]]:
    """(source, class or error) for each skill class in the folders' *.py files."""
    found: list[tuple[str, Any]] = []
    for folder in folders:
        if not folder.is_dir():
            log.error("skills_dirs: %s is not a folder; no skills from it", folder)
            continue
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_") or not path.is_file():
                continue
            name = f"assistant_user_skills.{path.stem}"
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or spec.loader is None:
                    raise ImportError("not a Python module")
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            except Exception as exc:
                sys.modules.pop(name, None)
                found.append((str(path), exc))
                continue
            classes = _skill_classes(module)
            if not classes:
                log.warning("skills_dirs: %s defines no Skill subclass with a domain", path)
            found.extend((str(path), cls) for cls in classes)
    return found


def _start(env: Env, source: str, target: Any, skills: dict[str, Skill]) -> None:
    if isinstance(target, BaseException):
        log.error("skill plugin %s could not be loaded: %s", source, _one_line(target))
        log.debug("traceback of %s", source, exc_info=target)
        return
    if not (isinstance(target, type) and issubclass(target, Skill)) or not getattr(
        target, "domain", ""
    ):
        log.error("skill plugin %s is not a Skill subclass with a domain; left out", source)
        return
    if target.domain in skills:
        log.error("skill plugin %s: domain %r already has a skill; left out", source, target.domain)
        return
    try:
        skills[target.domain] = GuardedSkill(target(env), source, env)
    except ConfigError:
        raise
    except Exception as exc:
        log.error("skill plugin %s could not start: %s", source, _one_line(exc))
        log.debug("traceback of %s", source, exc_info=True)


def skills_dirs(env: Env) -> list[Path]:
    return folders_of(env.settings.raw.get("skills_dirs"))


def _listeners(env: Env, skills: dict[str, Skill]) -> None:
    conf = env.config("events")
    patterns = conf.get("listeners") or []
    from ..nlu.engine import IntentEngine

    # the intents and their slots are the engine's, not part of what a skill may use (ListSource)
    if not patterns or not conf.get("mqtt") or not isinstance(env.engine, IntentEngine):
        return
    from ..events import hub_for
    from .remote import RemoteSkill

    hub = hub_for(env.settings)
    if hub is None:
        return
    intents = env.engine.library.intents
    for pattern in patterns:
        chosen = [name for name in intents if fnmatch.fnmatchcase(name, pattern)]
        if not chosen:
            log.warning("[events] listeners: %r names no intent", pattern)
        for name in chosen:
            skills[name] = RemoteSkill(env, hub, name, dict(intents[name].slots))


def load_extra(env: Env, skills: dict[str, Skill]) -> None:
    """Add plugin, folder, scripted and listener skills to `skills` (built-ins already in it)."""
    for source, target in from_entry_points() + from_folders(skills_dirs(env)):
        _start(env, source, target, skills)
    library = getattr(env.engine, "library", None)
    if library is not None:
        from .scripted import ScriptedSkill

        for spec in library.intents.values():
            if spec.script is not None:
                skills[spec.name] = ScriptedSkill(env, spec)
    _listeners(env, skills)
