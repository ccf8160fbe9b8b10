"""Weather from Open-Meteo (no key): geocoding for spoken places, daily forecast.

Known cities carry their coordinates, so the usual question needs one request; a city
that is not on the list is looked up with Open-Meteo's geocoding API. Both base URLs
are settings, every request has a timeout, and a service that is down or slow gives
a spoken apology.
"""
from __future__ import annotations

import logging
from typing import Any

from ..phrases.locale import say_day, say_degrees, say_percent
from .base import Answer, Skill
from .web import ServiceError, limits_from, request_json

log = logging.getLogger(__name__)

# id -> (latitude, longitude)
CITIES = {
    "beijing": (39.9042, 116.4074), "shanghai": (31.2304, 121.4737), "shenzhen": (22.5431, 114.0579),
    "guangzhou": (23.1291, 113.2644), "hong_kong": (22.3193, 114.1694), "london": (51.5072, -0.1276),
    "new_york": (40.7128, -74.0060), "seattle": (47.6062, -122.3321), "tokyo": (35.6762, 139.6503),
}

# WMO weather interpretation codes (Open-Meteo `weather_code`)
_SKY = [
    ((0,), "clear skies", "晴"), ((1,), "mostly clear", "晴间多云"), ((2,), "partly cloudy", "多云"),
    ((3,), "overcast", "阴"), ((45, 48), "foggy", "有雾"), ((51, 53, 55, 56, 57), "drizzle", "毛毛雨"),
    ((61, 80), "light rain", "小雨"), ((63, 81), "rain", "中雨"), ((65, 82), "heavy rain", "大雨"),
    ((66, 67), "freezing rain", "冻雨"), ((71, 85), "light snow", "小雪"), ((73,), "snow", "中雪"),
    ((75, 86), "heavy snow", "大雪"), ((77,), "snow grains", "米雪"), ((95,), "thunderstorms", "雷阵雨"),
    ((96, 99), "thunderstorms with hail", "雷阵雨伴有冰雹"),
]


def sky(code: Any, lang: str) -> str:
    for codes, en, zh in _SKY:
        if code in codes:
            return zh if lang == "zh" else en
    return "多云" if lang == "zh" else "mixed weather"


class WeatherSkill(Skill):
    domain = "weather"

    def __init__(self, env):
        super().__init__(env)
        conf = env.config("weather")
        self.forecast_url = str(conf.get("forecast_url", "https://api.open-meteo.com")).rstrip("/")
        self.geocoding_url = str(conf.get("geocoding_url", "https://geocoding-api.open-meteo.com")).rstrip("/")
        self.limits = limits_from(conf, timeout=4.0)
        self.default_city = str(conf.get("default_city", "beijing"))
        self.max_days = int(conf.get("forecast_days", 7))
        self.cities = dict(CITIES)
        for city_id, where in (conf.get("cities") or {}).items():
            self.cities[str(city_id)] = (float(where["latitude"]), float(where["longitude"]))

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        day = slots.get("day") if isinstance(slots.get("day"), int) else 0
        if not 0 <= day < self.max_days:
            return self.say("weather.too_far", lang)
        city = str(slots.get("city") or self.default_city)
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
            code = daily["weather_code"][day]
            high = daily["temperature_2m_max"][day]
            low = daily["temperature_2m_min"][day]
            rain = (daily.get("precipitation_probability_max") or [None] * (day + 1))[day]
        except (KeyError, IndexError, TypeError):
            log.warning("weather answer without day %d: %r", day, daily)
            return self.say("weather.unavailable", lang)
        day_words = say_day(day, lang)
        if lang != "zh":
            day_words = day_words[:1].upper() + day_words[1:]
        words = self.env.say("weather.report", lang, day=day_words, city=name, sky=sky(code, lang),
                             low=say_degrees(low, lang), high=say_degrees(high, lang))
        if isinstance(rain, (int, float)) and rain >= 30:
            words += self.env.say("weather.rain", lang, chance=say_percent(rain, lang))
        return Answer(words)

    def _locate(self, city: str, lang: str) -> tuple[float, float, str] | None:
        data = self.env.list_data("city", city)
        if "lat" in data and "lon" in data and city not in self.cities:
            self.cities[city] = (float(data["lat"]), float(data["lon"]))
        if city in self.cities:
            lat, lon = self.cities[city]
            name = self.env.name("city", city, lang)
            return lat, lon, name.title() if lang == "en" and name.islower() else name
        with self.env.waiting():
            found = request_json("GET", f"{self.geocoding_url}/v1/search",
                                 params={"name": city, "count": 1, "language": lang, "format": "json"},
                                 limits=self.limits) or {}
        results = found.get("results") or []
        if not results:
            return None
        first = results[0]
        return float(first["latitude"]), float(first["longitude"]), str(first.get("name") or city)

    def _forecast(self, lat: float, lon: float, day: int) -> dict[str, Any]:
        with self.env.waiting():
            answer = request_json("GET", f"{self.forecast_url}/v1/forecast", params={
                "latitude": lat, "longitude": lon, "timezone": "auto", "forecast_days": max(3, day + 1),
                "daily": "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
            }, limits=self.limits) or {}
        daily = answer.get("daily")
        if not isinstance(daily, dict):
            raise ServiceError("forecast answer has no daily section", 200)
        return daily
