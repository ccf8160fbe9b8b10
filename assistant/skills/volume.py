"""Volume: up, down, set, mute, unmute, on the system mixer when there is one.

Tries PulseAudio/PipeWire (`pactl`), then ALSA (`amixer`); with neither (or no sound
card, as on a headless box) it scales the assistant's own output through the Player.
The level and mute state are stored, so the assistant comes back as loud as it was.
"""
from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass

from ..phrases.locale import say_percent
from .base import Answer, Env, Skill, Slots, from_table

log = logging.getLogger(__name__)


class Mixer:
    """A system mixer driven by a command-line tool; `set_level` raises OSError when it fails."""

    name = "none"

    def __init__(self, control: str = "Master"):
        self.control = control

    def _run(self, *args: str) -> str:
        done = subprocess.run(args, capture_output=True, text=True, timeout=3)
        if done.returncode != 0:
            raise OSError(done.stderr.strip() or f"{args[0]} failed")
        return done.stdout

    def get_level(self) -> int | None:
        return None

    def set_level(self, level: int) -> None:
        raise NotImplementedError

    def set_mute(self, muted: bool) -> None:
        raise NotImplementedError


class PactlMixer(Mixer):
    name = "pactl"

    def get_level(self) -> int | None:
        found = re.search(r"(\d+)%", self._run("pactl", "get-sink-volume", "@DEFAULT_SINK@"))
        return int(found.group(1)) if found else None

    def set_level(self, level: int) -> None:
        self._run("pactl", "set-sink-volume", "@DEFAULT_SINK@", f"{level}%")

    def set_mute(self, muted: bool) -> None:
        self._run("pactl", "set-sink-mute", "@DEFAULT_SINK@", "1" if muted else "0")


class AmixerMixer(Mixer):
    name = "amixer"

    def get_level(self) -> int | None:
        found = re.search(r"\[(\d+)%\]", self._run("amixer", "sget", self.control))
        return int(found.group(1)) if found else None

    def set_level(self, level: int) -> None:
        self._run("amixer", "-q", "sset", self.control, f"{level}%")

    def set_mute(self, muted: bool) -> None:
        self._run("amixer", "-q", "sset", self.control, "mute" if muted else "unmute")


def find_mixer(choice: str, control: str) -> Mixer | None:
    """The configured mixer ("auto" tries pactl then amixer); None = scale our own output."""
    kinds = {"pactl": PactlMixer, "amixer": AmixerMixer}
    order = ["pactl", "amixer"] if choice == "auto" else [choice] if choice in kinds else []
    for kind in order:
        if shutil.which(kind) is None:
            continue
        mixer = kinds[kind](control)
        try:
            if mixer.get_level() is not None:
                return mixer
        except (OSError, subprocess.SubprocessError) as exc:
            log.info("no %s mixer: %s", kind, exc)
    return None


@dataclass(frozen=True)
class VolumeSettings:
    """`[volume]`: types and ranges are checked by schema.VOLUME; the defaults live here."""

    mixer: str = "auto"         # auto | pactl | amixer | none
    control: str = "Master"     # the ALSA control amixer sets
    step: int = 10              # percent per "turn it up"
    default: int = 70           # the level when neither the state nor a mixer says one

    @classmethod
    def parse(cls, env: Env) -> VolumeSettings:
        return from_table(cls, env.config("volume"))


class VolumeSkill(Skill):
    domain = "volume"

    def __init__(self, env: Env):
        super().__init__(env)
        conf = VolumeSettings.parse(env)
        self.step = conf.step
        self.mixer = find_mixer(conf.mixer, conf.control)
        stored = env.store.get("volume")
        if stored is None and self.mixer is not None:
            try:
                stored = self.mixer.get_level()
            except (OSError, subprocess.SubprocessError):
                stored = None
        self.level = int(stored if stored is not None else conf.default)
        self.muted = bool(env.store.get("muted", False))
        self._apply_own()

    def _apply_own(self) -> None:
        """Without a system mixer, the assistant's own output carries the level."""
        if self.mixer is None and self.env.player is not None:
            self.env.player.volume = 0.0 if self.muted else self.level / 100.0

    def _set(self, level: float | None = None, muted: bool | None = None) -> None:
        if level is not None:
            level = max(0, min(100, int(level)))
            if self.mixer is not None:
                self.mixer.set_level(level)
            self.level = level
        if muted is not None:
            if self.mixer is not None:
                self.mixer.set_mute(muted)
            self.muted = muted
        self._apply_own()
        self.env.store.set("volume", self.level)
        self.env.store.set("muted", self.muted)

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        if intent == "volume.mute":
            self._set(muted=True)
            return self.say("volume.muted", lang)
        if intent == "volume.unmute":
            self._set(muted=False)
            return self.say("volume.unmuted", lang, level=say_percent(self.level, lang))
        if intent in ("volume.up", "volume.down"):
            sign = 1 if intent == "volume.up" else -1
            if sign > 0 and self.level >= 100 and not self.muted:
                return self.say("volume.max", lang)
            if sign < 0 and self.level <= 0:
                return self.say("volume.min", lang)
            asked = slots.get("level")
            step = asked if isinstance(asked, int) else self.step
            self._set(level=self.level + sign * step, muted=False)
            return self.say("volume.set", lang, level=say_percent(self.level, lang))
        if intent == "volume.set":
            level = slots.get("level")
            if not isinstance(level, (int, float)):
                return self.ask("volume.ask_level", lang, slot="level")
            self._set(level=level, muted=False)
            return self.say("volume.set", lang, level=say_percent(self.level, lang))
        return self.say("unsupported", lang)
