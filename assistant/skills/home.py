"""Lights and devices by room: a simulated home in SQLite, or Home Assistant's REST API.

Which devices are in which room comes from `[home.rooms]`; names in both languages
come from the matcher's lists. The simulated backend keeps states in the state
database, so "turn on the kitchen light" then "is the kitchen light on" works and
survives a restart. The Home Assistant backend calls `/api/services/...` and
`/api/states/...` with a long-lived token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..phrases.locale import say_percent
from ..store import DeviceState, Store
from ..web import Limits
from .base import Answer, Env, Skill, Slots, from_table
from .web import DEFAULT_MAX_BYTES, ServiceError, request_json

log = logging.getLogger(__name__)

DEFAULT_ROOMS = {
    "living_room": ["light", "tv", "air_conditioner", "curtains", "fan"],
    "bedroom": ["light", "air_conditioner", "curtains"],
    "kitchen": ["light", "fan"],
    "study": ["light", "fan"],
}
DEFAULT_DIMMABLE = ["light"]
CLIMATE_DEVICE = "air_conditioner"  # what "set the bedroom to 22 degrees" sets
MIN_DEGREES, MAX_DEGREES = 10, 32  # a thermostat target outside this was misheard
# Home Assistant domain of each device kind
HA_DOMAINS = {
    "light": "light",
    "fan": "fan",
    "tv": "media_player",
    "air_conditioner": "climate",
    "curtains": "cover",
}


@dataclass(frozen=True)
class HomeAssistantSettings:
    """`[home.homeassistant]` (checked by schema.HOME)."""

    url: str = "http://homeassistant.local:8123"
    token: str = ""
    timeout: float = 3.0
    max_bytes: int = DEFAULT_MAX_BYTES
    entities: dict[str, str] = field(default_factory=dict)  # "room.device" -> entity id

    @property
    def limits(self) -> Limits:
        return Limits(deadline=self.timeout, max_bytes=self.max_bytes)


@dataclass(frozen=True)
class HomeSettings:
    """`[home]`: types and choices are checked by schema.HOME; the defaults live here."""

    backend: str = "sim"
    default_room: str | None = None
    dimmable: list[str] = field(default_factory=lambda: list(DEFAULT_DIMMABLE))
    rooms: dict[str, list[str]] = field(
        default_factory=lambda: {r: list(d) for r, d in DEFAULT_ROOMS.items()}
    )
    homeassistant: HomeAssistantSettings = field(default_factory=HomeAssistantSettings)

    @classmethod
    def parse(cls, env: Env) -> HomeSettings:
        conf = dict(env.config("home"))
        if "homeassistant" in conf:
            ha = dict(conf["homeassistant"])
            if "url" in ha:
                ha["url"] = str(ha["url"]).rstrip("/")
            conf["homeassistant"] = from_table(HomeAssistantSettings, ha)
        if not conf.get("rooms"):
            conf.pop("rooms", None)
        conf["default_room"] = conf.get("default_room") or None
        return from_table(cls, conf)

    @property
    def uses_home_assistant(self) -> bool:
        return self.backend in ("homeassistant", "home_assistant", "ha")


class Backend(Protocol):
    """Where device states live: the state database or Home Assistant."""

    def set(self, room: str, device: str, on: bool, brightness: int | None = None) -> None: ...

    def get(self, room: str, device: str) -> DeviceState: ...

    def set_temperature(self, room: str, device: str, degrees: float) -> None: ...


class SimBackend:
    """Device states in the assistant's own database."""

    def __init__(self, store: Store):
        self.store = store

    def set(self, room: str, device: str, on: bool, brightness: int | None = None) -> None:
        self.store.set_device(room, device, on, brightness)

    def get(self, room: str, device: str) -> DeviceState:
        return self.store.device(room, device)

    def set_temperature(self, room: str, device: str, degrees: float) -> None:
        """Switch the climate device on and keep its target in the state database."""
        self.store.set_device(room, device, True)
        self.store.set(f"home.temperature.{room}.{device}", degrees)


class HomeAssistantBackend:
    """Home Assistant REST API: POST /api/services/<domain>/<service>, GET /api/states/<entity>.

    `waiting` wraps each call (the dialog lets its scheduler run meanwhile); the token goes to the
    configured origin only, as the web fetch follows no redirect.
    """

    def __init__(
        self,
        conf: HomeAssistantSettings,
        waiting: Callable[[], AbstractContextManager[None]] = nullcontext,
    ):
        self.url = conf.url
        self.token = conf.token
        self.limits = conf.limits
        self.waiting = waiting
        self.entities = dict(conf.entities)

    def entity(self, room: str, device: str) -> str:
        return (
            self.entities.get(f"{room}.{device}")
            or f"{HA_DOMAINS.get(device, 'switch')}.{room}_{device}"
        )

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def set(self, room: str, device: str, on: bool, brightness: int | None = None) -> None:
        entity = self.entity(room, device)
        domain = entity.split(".", 1)[0]
        if domain == "cover":
            service = "open_cover" if on else "close_cover"
        else:
            service = "turn_on" if on else "turn_off"
        body: dict[str, Any] = {"entity_id": entity}
        if brightness is not None and on:
            body["brightness_pct"] = brightness
        with self.waiting():
            request_json(
                "POST",
                f"{self.url}/api/services/{domain}/{service}",
                body=body,
                headers=self._headers(),
                limits=self.limits,
            )

    def set_temperature(self, room: str, device: str, degrees: float) -> None:
        """climate.set_temperature on the room's climate entity (HA turns it on as needed)."""
        with self.waiting():
            request_json(
                "POST",
                f"{self.url}/api/services/climate/set_temperature",
                body={"entity_id": self.entity(room, device), "temperature": degrees},
                headers=self._headers(),
                limits=self.limits,
            )

    def get(self, room: str, device: str) -> DeviceState:
        with self.waiting():
            state = (
                request_json(
                    "GET",
                    f"{self.url}/api/states/{self.entity(room, device)}",
                    headers=self._headers(),
                    limits=self.limits,
                )
                or {}
            )
        value = str(state.get("state", "off"))
        raw = (state.get("attributes") or {}).get("brightness")
        brightness = round(int(raw) * 100 / 255) if isinstance(raw, (int, float)) else None
        return DeviceState(
            room, device, value not in ("off", "closed", "unavailable", "unknown"), brightness
        )


class HomeSkill(Skill):
    domain = "home"

    def __init__(self, env: Env):
        super().__init__(env)
        conf = HomeSettings.parse(env)
        self.rooms: dict[str, list[str]] = {
            str(r): [str(d) for d in devs] for r, devs in conf.rooms.items()
        }
        self.dimmable = set(conf.dimmable)
        self.default_room = conf.default_room
        self.backend: Backend = (
            HomeAssistantBackend(conf.homeassistant, env.waiting)
            if conf.uses_home_assistant
            else SimBackend(env.store)
        )

    # -- names --------------------------------------------------------------------------
    def _device_name(self, room: str, device: str, lang: str) -> str:
        d, r = self.env.name("device", device, lang), self.env.name("room", room, lang)
        return f"{r}的{d}" if lang == "zh" else f"{r} {d}"

    def _room_choice(self, rooms: list[str], lang: str) -> str:
        names = [self.env.name("room", r, lang) for r in rooms]
        if lang == "zh":
            return "、".join(names[:-1]) + "还是" + names[-1]
        return ", ".join(names[:-1]) + " or " + names[-1]

    # -- handling -------------------------------------------------------------------------
    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        device = slots.get("device")
        room = slots.get("room")
        if intent == "home.set_temperature":
            if not isinstance(slots.get("degrees"), (int, float)):
                keep = {k: v for k, v in slots.items() if v}
                return self.ask("home.ask_degrees", lang, slot="degrees", keep=keep)
            device = device or CLIMATE_DEVICE
        if intent == "home.set_brightness":
            if not isinstance(slots.get("level"), (int, float)):
                return self.ask(
                    "home.ask_level", lang, slot="level", keep={k: v for k, v in slots.items() if v}
                )
            device = device or "light"
        if not device:
            return self.ask(
                "home.ask_device", lang, slot="device", keep={"room": room} if room else {}
            )
        device = str(device)
        known_devices = {d for devs in self.rooms.values() for d in devs}
        if device not in known_devices:
            return self.say("home.unknown_device", lang, device=device)
        if room is not None and str(room) not in self.rooms:
            return self.say("home.unknown_room", lang, room=room)
        if room is None:
            having = [r for r, devs in self.rooms.items() if device in devs]
            if len(having) == 1:
                room = having[0]
            elif self.default_room in having:
                room = self.default_room
            else:
                return self.ask(
                    "home.ask_room",
                    lang,
                    slot="room",
                    keep={"device": device},
                    device=self.env.name("device", device, lang),
                    rooms=self._room_choice(having, lang),
                )
        room = str(room)
        if device not in self.rooms[room]:
            return self.say(
                "home.not_in_room",
                lang,
                device=self.env.name("device", device, lang),
                room=self.env.name("room", room, lang),
            )
        name = self._device_name(room, device, lang)
        try:
            return self._act(intent, room, device, name, slots, lang)
        except ServiceError as exc:
            log.info("home backend failed: %s", exc)
            return self.say("home.unreachable" if exc.status is None else "home.failed", lang)

    def _act(
        self, intent: str, room: str, device: str, name: str, slots: Slots, lang: str
    ) -> Answer:
        if intent == "home.turn_on":
            self.backend.set(room, device, True)
            return self.say("home.on", lang, device=name)
        if intent == "home.turn_off":
            self.backend.set(room, device, False)
            return self.say("home.off", lang, device=name)
        if intent == "home.set_brightness":
            if device not in self.dimmable:
                return self.say("home.no_brightness", lang, device=name)
            level = max(0, min(100, int(slots["level"])))
            self.backend.set(room, device, level > 0, level if level > 0 else None)
            if level == 0:
                return self.say("home.off", lang, device=name)
            return self.say("home.brightness", lang, device=name, level=say_percent(level, lang))
        if intent == "home.set_temperature":
            degrees = float(slots["degrees"])
            if not MIN_DEGREES <= degrees <= MAX_DEGREES:
                return self.say("home.bad_degrees", lang, low=MIN_DEGREES, high=MAX_DEGREES)
            self.backend.set_temperature(room, device, degrees)
            return self.say(
                "home.temperature",
                lang,
                room=self.env.name("room", room, lang),
                degrees=f"{degrees:g}",
            )
        if intent == "home.query":
            state = self.backend.get(room, device)
            if not state.is_on:
                return self.say("home.is_off", lang, device=name)
            if state.brightness is not None and device in self.dimmable:
                return self.say(
                    "home.is_on_level", lang, device=name, level=say_percent(state.brightness, lang)
                )
            return self.say("home.is_on", lang, device=name)
        return self.say("unsupported", lang)
