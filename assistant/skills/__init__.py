"""The built-in skills, one module per domain.

`SKILLS` maps an intent's domain (the part before the dot) to "module:Class"; the
dialog imports each lazily so one broken or missing optional skill never stops the
others from loading.
"""
from __future__ import annotations

import importlib
import logging

from ..errors import ConfigError
from .base import Answer, Env, Skill

log = logging.getLogger(__name__)

SKILLS = {
    "clock": "clock:ClockSkill",
    "chat": "chat:ChatSkill",
    "system": "system:SystemSkill",
    "timer": "timers:TimerSkill",
    "alarm": "timers:AlarmSkill",
    "list": "lists:ListSkill",
    "volume": "volume:VolumeSkill",
    "home": "home:HomeSkill",
    "weather": "weather:WeatherSkill",
    "media": "media:MediaSkill",
}


def load_skills(env: Env) -> dict[str, Skill]:
    """One instance per domain; a module that fails to import is logged and left out.

    A ConfigError (the user's settings for that skill) is not swallowed: it stops the start
    with one line naming the key, instead of leaving a skill that silently is not there."""
    skills: dict[str, Skill] = {}
    for domain, target in SKILLS.items():
        module_name, class_name = target.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
            skills[domain] = getattr(module, class_name)(env)
        except ConfigError:
            raise            # the user's settings: one line at start, never a silently missing skill
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module_name}":
                log.exception("skill %s could not be loaded", domain)
        except Exception:
            log.exception("skill %s could not be loaded", domain)
    from .plugins import load_extra      # plugins, skills_dirs, intent files' replies, listeners
    load_extra(env, skills)
    return skills


__all__ = ["Answer", "Env", "Skill", "SKILLS", "load_skills"]
