"""Weather from Open-Meteo (no key): geocoding for spoken places, daily forecast.

Known cities carry their coordinates, so the usual question needs one request; a city
that is not on the list is looked up with Open-Meteo's geocoding API. Both base URLs
are settings, every request has a timeout, and a service that is down or slow gives
a spoken apology.

A question about one thing ("will it snow", "do I need an umbrella", "明天会下雨吗") is
answered yes or no from the same forecast (`verdict`), followed by the day's report, so
the `condition` and `gear` slots the matcher hears are used, not dropped.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..phrases.locale import say_day, say_degrees, say_percent
from ..web import Limits
from .base import Answer, Env, Skill, Slots, from_table
from .web import DEFAULT_MAX_BYTES, ServiceError, request_json

log = logging.getLogger(__name__)

# id -> (latitude, longitude)
CITIES = {
    "beijing": (39.9042, 116.4074), "shanghai": (31.2304, 121.4737),
    "shenzhen": (22.5431, 114.0579), "guangzhou": (23.1291, 113.2644),
    "hong_kong": (22.3193, 114.1694), "london": (51.5072, -0.1276),
    "new_york": (40.7128, -74.0060), "seattle": (47.6062, -122.3321), "tokyo": (35.6762, 139.6503),
}

# WMO weather interpretation codes (Open-Meteo `weather_code`)
_SKY = [
    ((0,), "clear skies", "晴"), ((1,), "mostly clear", "晴间多云"),
    ((2,), "partly cloudy", "多云"), ((3,), "overcast", "阴"), ((45, 48), "foggy", "有雾"),
    ((51, 53, 55, 56, 57), "drizzle", "毛毛雨"),
    ((61, 80), "light rain", "小雨"), ((63, 81), "rain", "中雨"), ((65, 82), "heavy rain", "大雨"),
    ((66, 67), "freezing rain", "冻雨"), ((71, 85), "light snow", "小雪"), ((73,), "snow", "中雪"),
    ((75, 86), "heavy snow", "大雪"), ((77,), "snow grains", "米雪"),
    ((95,), "thunderstorms", "雷阵雨"),
    ((96, 99), "thunderstorms with hail", "雷阵雨伴有冰雹"),
]
WET_CODES = frozenset({51, 53, 55, 56, 57, 61, 63, 65, 66, 67, 80, 81, 82, 95, 96, 99})
SNOW_CODES = frozenset({71, 73, 75, 77, 85, 86})
SUNNY_CODES = frozenset({0, 1})
CLOUDY_CODES = frozenset({2, 3, 45, 48})

# Where a yes starts. Rain: Open-Meteo's daily maximum chance; 40 % is where forecasters
# start saying "showers possible". Wind: 30 km/h is a fresh breeze (Beaufort 5). UV 5 is
# "moderate to high", where the WHO advises sun protection. Temperatures are the day's high.
WET_CHANCE = 40
WINDY_KMH = 30
SUNSCREEN_UV = 5
HOT_HIGH = 28
COLD_HIGH = 10
COAT_HIGH = 15

DAILY_FIELDS = ("weather_code", "temperature_2m_max", "temperature_2m_min",
                "precipitation_probability_max", "uv_index_max", "wind_speed_10m_max",
                "snowfall_sum")


def sky(code: Any, lang: str) -> str:
    for codes, en, zh in _SKY:
        if code in codes:
            return zh if lang == "zh" else en
    return "多云" if lang == "zh" else "mixed weather"


@dataclass(frozen=True)
class Day:
    """One day of the forecast; optional figures are None when the service left them out."""

    code: int | None
    high: float
    low: float
    rain: float | None = None     # chance of precipitation, percent
    uv: float | None = None       # UV index, daily maximum
    wind: float | None = None     # km/h, daily maximum at 10 m
    snow: float | None = None     # cm of snowfall

    @classmethod
    def from_daily(cls, daily: dict[str, Any], index: int) -> Day:
        """Day `index` of Open-Meteo's `daily` table (KeyError, IndexError or TypeError when
        it is not there)."""
        def optional(name: str) -> float | None:
            values = daily.get(name)
            value = values[index] if isinstance(values, list) and index < len(values) else None
            return float(value) if isinstance(value, (int, float)) else None
        code = daily["weather_code"][index]
        return cls(code=code if isinstance(code, int) else None,
                   high=float(daily["temperature_2m_max"][index]),
                   low=float(daily["temperature_2m_min"][index]),
                   rain=optional("precipitation_probability_max"), uv=optional("uv_index_max"),
                   wind=optional("wind_speed_10m_max"), snow=optional("snowfall_sum"))

    @property
    def wet(self) -> bool:
        return self.code in WET_CODES or (self.rain is not None and self.rain >= WET_CHANCE)

    @property
    def snowy(self) -> bool:
        return self.code in SNOW_CODES or (self.snow is not None and self.snow > 0)

    @property
    def strong_sun(self) -> bool:
        if self.uv is not None:
            return self.uv >= SUNSCREEN_UV
        return self.code in SUNNY_CODES and self.high >= 25   # no UV figure: a clear, warm day


# condition / gear id -> does the day call for a yes
CONDITIONS = {
    "rain": lambda d: d.wet,
    "snow": lambda d: d.snowy,
    "sun": lambda d: d.code in SUNNY_CODES,
    "cloud": lambda d: d.code in CLOUDY_CODES,
    "wind": lambda d: d.wind is not None and d.wind >= WINDY_KMH,
    "hot": lambda d: d.high >= HOT_HIGH,
    "cold": lambda d: d.high <= COLD_HIGH,
}
GEAR = {
    "umbrella": lambda d: d.wet,
    "coat": lambda d: d.high <= COAT_HIGH or d.snowy,
    "sun_protection": lambda d: d.strong_sun,
}


def verdict(slots: Slots, day: Day) -> tuple[str, bool] | None:
    """(text key stem, yes) answering the gear or condition asked about; None for a plain forecast.

    Gear wins when both are heard ("do I need an umbrella if it rains"): it is the question."""
    gear, condition = slots.get("gear"), slots.get("condition")
    if isinstance(gear, str) and gear in GEAR:
        return f"weather.gear.{gear}", bool(GEAR[gear](day))
    if isinstance(condition, str) and condition in CONDITIONS:
        return f"weather.condition.{condition}", bool(CONDITIONS[condition](day))
    return None


@dataclass(frozen=True)
class WeatherSettings:
    """`[weather]`: types and ranges are checked by schema.WEATHER; the defaults live here."""

    forecast_url: str = "https://api.open-meteo.com"
    geocoding_url: str = "https://geocoding-api.open-meteo.com"
    timeout: float = 4.0
    max_bytes: int = DEFAULT_MAX_BYTES
    default_city: str = "beijing"
    forecast_days: int = 7
    cities: dict[str, tuple[float, float]] = field(default_factory=dict)   # id -> (lat, lon)

    @classmethod
    def parse(cls, env: Env) -> WeatherSettings:
        conf = env.config("weather")
        cities = {str(k): (float(v["latitude"]), float(v["longitude"]))
                  for k, v in (conf.get("cities") or {}).items()}
        urls: dict[str, Any] = {k: str(conf[k]).rstrip("/")
                                for k in ("forecast_url", "geocoding_url") if k in conf}
        return from_table(cls, {**conf, **urls, "cities": cities})

    @property
    def limits(self) -> Limits:
        return Limits(deadline=self.timeout, max_bytes=self.max_bytes)


class WeatherSkill(Skill):
    domain = "weather"

    def __init__(self, env: Env):
        super().__init__(env)
        self.conf = WeatherSettings.parse(env)
        self.limits = self.conf.limits
        self.cities = {**CITIES, **self.conf.cities}

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        offset = slots.get("day")
        day = offset if isinstance(offset, int) else 0
        if not 0 <= day < self.conf.forecast_days:
            return self.say("weather.too_far", lang)
        city = str(slots.get("city") or self.conf.default_city)
        try:
            where = self._locate(city, lang)
            if where is None:
                return self.say("weather.unknown_city", lang, city=city)
            lat, lon, name = where
            daily = self._forecast(lat, lon, day)
        except ServiceError as exc:
            log.info("weather service failed: %s", exc)
            return self.say("weather.unavailable", lang)
        try:
            forecast = Day.from_daily(daily, day)
        except (KeyError, IndexError, TypeError, ValueError):
            log.warning("weather answer without day %d: %r", day, daily)
            return self.say("weather.unavailable", lang)
        day_words = say_day(day, lang)
        report = self._report(forecast, day_words, name, lang)
        asked = verdict(slots, forecast)
        if asked is None:
            return Answer(report)
        stem, yes = asked
        first = self.env.say(f"{stem}.{'yes' if yes else 'no'}", lang, day=day_words, city=name)
        return Answer(first + ("" if lang == "zh" else " ") + report)

    def _report(self, day: Day, day_words: str, city: str, lang: str) -> str:
        if lang != "zh":
            day_words = day_words[:1].upper() + day_words[1:]
        words = self.env.say("weather.report", lang, day=day_words, city=city,
                             sky=sky(day.code, lang), low=say_degrees(day.low, lang),
                             high=say_degrees(day.high, lang))
        if day.rain is not None and day.rain >= 30:
            words += self.env.say("weather.rain", lang, chance=say_percent(day.rain, lang))
        return words

    def _locate(self, city: str, lang: str) -> tuple[float, float, str] | None:
        data = self.env.list_data("city", city)
        if "lat" in data and "lon" in data and city not in self.cities:
            self.cities[city] = (float(data["lat"]), float(data["lon"]))
        if city in self.cities:
            lat, lon = self.cities[city]
            name = self.env.name("city", city, lang)
            return lat, lon, name.title() if lang == "en" and name.islower() else name
        with self.env.waiting():
            found = request_json("GET", f"{self.conf.geocoding_url}/v1/search",
                                 params={"name": city, "count": 1, "language": lang,
                                         "format": "json"},
                                 limits=self.limits) or {}
        results = found.get("results") or []
        if not results:
            return None
        first = results[0]
        return float(first["latitude"]), float(first["longitude"]), str(first.get("name") or city)

    def _forecast(self, lat: float, lon: float, day: int) -> dict[str, Any]:
        with self.env.waiting():
            answer = request_json("GET", f"{self.conf.forecast_url}/v1/forecast", params={
                "latitude": lat, "longitude": lon, "timezone": "auto",
                "forecast_days": max(3, day + 1),
                "daily": ",".join(DAILY_FIELDS),
            }, limits=self.limits) or {}
        daily = answer.get("daily")
        if not isinstance(daily, dict):
            raise ServiceError("forecast answer has no daily section", 200)
        return daily
