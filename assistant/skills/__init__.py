"""The built-in skills, one module per domain.

`SKILLS` maps an intent's domain (the part before the dot) to "module:Class"; the
dialog imports each lazily so one broken or missing optional skill never stops the
others from loading.
"""

from __future__ import annotations

import importlib
import logging

from ..errors import ConfigError
from .base import Answer, BrokenSkill, DialogHooks, Env, Skill

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
    """One instance per domain.

    A ConfigError (the user's settings for that skill) is not swallowed: it stops the start
    with one line naming the key. Any other failure to build a skill is logged with its traceback
    and the skill is replaced by a BrokenSkill that says so, so no skill is ever silently missing
    (the user would hear "I can't do that yet")."""
    skills: dict[str, Skill] = {}
    for domain, target in SKILLS.items():
        module_name, class_name = target.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
            skills[domain] = getattr(module, class_name)(env)
        except ConfigError:
            raise  # the user's settings: one line at start, never a silently missing skill
        except Exception as exc:  # a missing module or dependency, or a bug: said, not hidden
            log.exception("skill %s could not be loaded", domain)
            skills[domain] = BrokenSkill(env, domain, str(exc) or type(exc).__name__)
    from .plugins import load_extra  # plugins, skills_dirs, intent files' replies, listeners

    load_extra(env, skills)
    return skills


__all__ = ["Answer", "BrokenSkill", "DialogHooks", "Env", "Skill", "SKILLS", "load_skills"]
