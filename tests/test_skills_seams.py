"""The seams between dialog and skills, and slots that used to be parsed and then dropped.

- each skill's settings: one typed parse, and a wrong value is a ConfigError naming the key
  (before, `[weather] timeout = "fast"` silently removed the skill);
- a skill that fails to build for another reason says so instead of vanishing;
- skills reach the conversation through callbacks (DialogHooks), not a Dialog object, and the
  skills package no longer imports the dialog package;
- "what time is it in Tokyo" answers Tokyo's time (fixed `now`, real intent engine and city list);
- gear and condition questions answered from a forecast served over real HTTP on 127.0.0.1.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import BUILTIN_INTENTS
from assistant.dialog import Dialog
from assistant.errors import ConfigError
from assistant.nlu import IntentEngine
from assistant.skills import SKILLS, Env, load_skills
from assistant.skills.base import DialogHooks
from assistant.skills.home import HomeSettings
from assistant.skills.media import MediaSettings
from assistant.skills.system import SystemSkill
from assistant.skills.volume import VolumeSettings
from assistant.skills.weather import Day, WeatherSettings, verdict
from assistant.store import Store
from assistant.types import Reply
from helpers_dialog import ZONE, Clock, m, settings_for
from helpers_http import OpenMeteoServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine():
    return IntentEngine.load([BUILTIN_INTENTS])


@pytest.fixture
def env(tmp_path):
    """An Env for one set of settings, with a real state file; `env(**sections)`."""
    stores: list[Store] = []

    def make(**sections) -> Env:
        settings = settings_for(tmp_path, **sections)
        store = Store(settings.db_path)
        stores.append(store)
        return Env(settings, store)

    yield make
    for store in stores:
        store.close()


# -- settings: one parse per skill, the key named ------------------------------------------------

@pytest.mark.parametrize("sections, message", [
    ({"weather": {"timeout": "fast"}}, '[weather] timeout must be a number (got "fast")'),
    ({"weather": {"forecast_days": 0}}, "[weather] forecast_days must be between 1 and 16 (got 0)"),
    ({"weather": {"forecast_url": "ftp://x"}}, "[weather] forecast_url must be an http:// or https://"),
    ({"weather": {"cities": {"paris": {"latitude": 48.9}}}},
     "[weather.cities.paris] longitude is missing"),
    ({"home": {"backend": "zigbee"}}, "[home] backend must be one of sim, homeassistant"),
    ({"home": {"homeassistant": {"timeout": "slow"}}},
     "[home.homeassistant] timeout must be a number"),
    ({"home": {"rooms": {"kitchen": 3}}},
     "[home.rooms] kitchen must be a string or a list of strings"),
    ({"volume": {"step": "ten"}}, '[volume] step must be a whole number (got "ten")'),
    ({"volume": {"mixer": "loud"}}, "[volume] mixer must be one of auto, pactl, amixer, none"),
    ({"media": {"match_cutoff": 150}}, "[media] match_cutoff must be between 0 and 100 (got 150)"),
])
def test_a_wrong_skill_setting_stops_the_start_naming_the_key(env, sections, message):
    with pytest.raises(ConfigError) as caught:
        load_skills(env(**sections))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_wrong_skill_setting_stops_the_dialog_too(tmp_path):
    with pytest.raises(ConfigError, match=r'\[weather\] timeout must be a number \(got "fast"\)'):
        Dialog(settings_for(tmp_path, weather={"timeout": "fast"}), engine=None)


def test_each_skill_reads_its_section_into_a_typed_dataclass(env):
    paris = {"latitude": 48.85, "longitude": 2}
    weather = WeatherSettings.parse(env(weather={
        "timeout": 2, "forecast_url": "http://127.0.0.1:1/", "cities": {"paris": paris}}))
    assert weather.timeout == 2.0 and isinstance(weather.timeout, float)
    assert weather.forecast_url == "http://127.0.0.1:1"     # one form, whatever was written
    assert weather.cities == {"paris": (48.85, 2.0)}
    assert weather.limits.deadline == 2.0 and weather.default_city == "beijing"
    home = HomeSettings.parse(env(home={"backend": "ha", "dimmable": "light",
                                        "homeassistant": {"url": "http://h:8123/", "token": "t"}}))
    assert home.uses_home_assistant and home.dimmable == ["light"]
    assert home.homeassistant.url == "http://h:8123" and home.homeassistant.timeout == 3.0
    assert "kitchen" in home.rooms                                    # the default rooms
    assert VolumeSettings.parse(env(volume={"step": 5})) == VolumeSettings(step=5)
    assert MediaSettings.parse(env()) == MediaSettings()


# a class that cannot be built with an Env (a TypeError, as a plugin's bug would be), a module
# that is not there (a skill left out of a slim install)
@pytest.mark.parametrize("target", ["weather:Day", "no_such_module:Skill"])
def test_a_skill_that_fails_to_build_says_so_instead_of_vanishing(tmp_path, monkeypatch, target):
    monkeypatch.setitem(SKILLS, "forecast", target)
    monkeypatch.setitem(SKILLS, "weather", target)
    d = Dialog(settings_for(tmp_path), engine=None, now=Clock())
    try:
        assert d.handle(m("forecast.query", "en")).text == \
            "Sorry, the forecast skill didn't start. The log says why."
        assert d.handle(m("weather.query", "zh")).text == "抱歉，天气功能没能启动，原因在日志里。"
        assert d.handle(m("clock.time", "zh")).text == "现在是下午三点十五分。"   # the others work
    finally:
        d.close()


# -- the seams ------------------------------------------------------------------------------

def test_the_skills_package_does_not_import_the_dialog():
    code = ("import sys, assistant.skills, assistant.skills.clock, assistant.skills.system; "
            "print(sorted(n for n in sys.modules if n.startswith('assistant.dialog')))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60, check=True).stdout.strip()
    assert out == "[]"


def test_system_skill_uses_the_callbacks_it_is_given(env):
    stopped: list[bool] = []
    said = Reply("It's three fifteen PM.", "en")
    base = env()
    skill = SystemSkill(Env(base.settings, base.store, hooks=DialogHooks(
        stop_everything=lambda: stopped.append(True), last_reply=lambda: said)))
    assert skill.handle("system.stop", {}, "zh").text == "好的。" and stopped == [True]
    repeated = skill.handle("system.repeat", {}, "zh")
    assert (repeated.text, repeated.lang) == ("It's three fifteen PM.", "en")
    # with no dialog at all (the defaults): nothing was said, nothing to stop
    alone = SystemSkill(base)
    assert alone.handle("system.repeat", {}, "en").text == "I haven't said anything yet."
    assert alone.handle("system.stop", {}, "en").text == "Okay."


# -- the time in another city ---------------------------------------------------------------

@pytest.fixture
def clock_dialog(tmp_path, engine):
    d = Dialog(settings_for(tmp_path), engine=engine, now=Clock())   # 2026-03-04 15:15 in Shanghai
    yield d
    d.close()


@pytest.mark.parametrize("said, lang, reply", [
    ("what time is it in tokyo", "en", "It's four fifteen PM in Tokyo."),
    ("东京现在几点", "zh", "东京现在是下午四点十五分。"),
    ("what's the time in new york", "en", "It's two fifteen AM in New York."),   # EST, before DST
    ("纽约现在几点", "zh", "纽约现在是凌晨两点十五分。"),
    ("what time is it in london", "en", "It's seven fifteen AM in London."),
    ("伦敦几点了", "zh", "伦敦现在是早上七点十五分。"),
    ("what time is it", "en", "It's three fifteen PM."),                           # no city: here
    ("现在几点", "zh", "现在是下午三点十五分。"),
])
def test_time_in_a_city_from_its_time_zone(clock_dialog, engine, said, lang, reply):
    match = engine.parse(said, lang)
    assert match.intent == "clock.time"
    assert clock_dialog.handle(match).text == reply


def test_and_another_city_carries_the_question_over(clock_dialog, engine):
    assert clock_dialog.handle(engine.parse("what time is it in tokyo", "en")).text == \
        "It's four fifteen PM in Tokyo."
    assert clock_dialog.handle(engine.parse("and london?", "en")).text == \
        "It's seven fifteen AM in London."
    assert clock_dialog.handle(engine.parse("那纽约呢", "zh")).text == "纽约现在是凌晨两点十五分。"


def test_time_in_a_city_follows_its_daylight_saving(tmp_path, engine):
    summer = Clock(dt.datetime(2026, 7, 1, 12, 0, tzinfo=ZONE))         # 04:00 UTC
    d = Dialog(settings_for(tmp_path), engine=engine, now=summer)
    try:
        # British Summer Time; Pacific Daylight Time, still June 30th there
        assert d.handle(m("clock.time", "en", city="london")).text == "It's five AM in London."
        assert d.handle(m("clock.time", "zh", city="seattle")).text == "西雅图现在是晚上九点。"
    finally:
        d.close()


def test_a_city_without_a_known_time_zone_is_said_plainly(tmp_path):
    lists = {"city": {"atlantis": {"en": ["atlantis"], "zh": ["亚特兰蒂斯"]},
                      "gotham": {"en": ["gotham"], "zh": ["哥谭"], "tz": "Mars/Olympus_Mons"}}}
    engine = IntentEngine.load([BUILTIN_INTENTS], lists)
    d = Dialog(settings_for(tmp_path), engine=engine, now=Clock())
    try:
        assert d.handle(engine.parse("what time is it in atlantis", "en")).text == \
            "Sorry, I don't know the time zone of Atlantis."
        assert d.handle(m("clock.time", "zh", city="gotham")).text == "抱歉，我不知道哥谭的时区。"
    finally:
        d.close()


# -- gear and condition from the forecast ---------------------------------------------------

def yes(slots: dict, day: Day) -> bool:
    asked = verdict(slots, day)
    assert asked is not None
    return asked[1]


def test_verdict_from_one_day():
    warm_sun = Day(code=0, high=27, low=15, rain=0, uv=7, wind=10)
    wet_windy = Day(code=61, high=9, low=3, rain=80, uv=1, wind=35)
    snowing = Day(code=73, high=-1, low=-6, rain=60, snow=4.2)
    showers_likely = Day(code=3, high=20, low=14, rain=55)
    assert verdict({"gear": "umbrella"}, warm_sun) == ("weather.gear.umbrella", False)
    assert verdict({"gear": "umbrella"}, wet_windy) == ("weather.gear.umbrella", True)
    assert yes({"gear": "umbrella"}, showers_likely) is True      # cloudy, but rain is likely
    assert verdict({"gear": "sun_protection"}, warm_sun) == ("weather.gear.sun_protection", True)
    assert yes({"gear": "sun_protection"}, wet_windy) is False
    assert yes({"gear": "sun_protection"}, Day(code=0, high=26, low=12)) is True   # no UV figure
    assert yes({"gear": "coat"}, wet_windy) is True
    assert yes({"gear": "coat"}, warm_sun) is False
    assert verdict({"condition": "snow"}, snowing) == ("weather.condition.snow", True)
    assert yes({"condition": "snow"}, wet_windy) is False
    assert yes({"condition": "wind"}, wet_windy) is True
    assert yes({"condition": "wind"}, snowing) is False                # no wind figure: no
    assert yes({"condition": "cold"}, snowing) is True
    assert yes({"condition": "hot"}, warm_sun) is False
    assert yes({"condition": "sun"}, warm_sun) is True
    assert yes({"condition": "cloud"}, showers_likely) is True
    # gear is the question when both are heard; an unknown value or none: a plain forecast
    assert verdict({"gear": "coat", "condition": "rain"}, warm_sun) == ("weather.gear.coat", False)
    assert verdict({"gear": "snorkel"}, warm_sun) is None
    assert verdict({}, warm_sun) is None


BEIJING = [{"code": 0, "max": 27.0, "min": 15.0, "rain": 0, "uv": 7.2, "wind": 10},
           {"code": 61, "max": 9.0, "min": 3.2, "rain": 80, "uv": 1.0, "wind": 35},
           {"code": 73, "max": -1.0, "min": -6.0, "rain": 60, "uv": 0.5, "wind": 12, "snow": 4.2}]


@pytest.fixture
def forecast():
    with OpenMeteoServer({}, {(39.9, 116.41): BEIJING}) as server:
        yield server


@pytest.fixture
def weather(tmp_path, engine, forecast):
    conf = {"forecast_url": forecast.url, "geocoding_url": forecast.url, "timeout": 2.0,
            "default_city": "beijing"}
    d = Dialog(settings_for(tmp_path, weather=conf), engine=engine, now=Clock())
    yield d
    d.close()


@pytest.mark.parametrize("said, lang, reply", [
    ("do i need an umbrella today", "en",
     "No, you won't need an umbrella today in Beijing. "
     "Today in Beijing: clear skies, from 15 degrees to 27 degrees."),
    ("do i need an umbrella tomorrow", "en",
     "Yes, take an umbrella tomorrow in Beijing. "
     "Tomorrow in Beijing: light rain, from 3 degrees to 9 degrees. Chance of rain 80 percent."),
    ("明天要带伞吗", "zh", "北京明天要带伞。北京明天小雨，3度到9度。降水概率百分之八十。"),
    ("明天会下雨吗", "zh", "北京明天可能会下雨。北京明天小雨，3度到9度。降水概率百分之八十。"),
    ("今天会下雨吗", "zh", "北京今天应该不会下雨。北京今天晴，15度到27度。"),
    ("will it snow tomorrow", "en",
     "No snow is expected tomorrow in Beijing. "
     "Tomorrow in Beijing: light rain, from 3 degrees to 9 degrees. Chance of rain 80 percent."),
    ("后天北京会下雪吗", "zh",
     "北京后天会下雪。北京后天中雪，零下6度到零下1度。降水概率百分之六十。"),
    ("should i wear sunscreen today", "en",
     "Yes, the sun will be strong today in Beijing: take sunscreen. "
     "Today in Beijing: clear skies, from 15 degrees to 27 degrees."),
    ("今天要涂防晒霜吗", "zh", "北京今天太阳很强，要做好防晒。北京今天晴，15度到27度。"),
    ("do i need a coat tomorrow", "en",
     "Yes, wear a coat tomorrow in Beijing. "
     "Tomorrow in Beijing: light rain, from 3 degrees to 9 degrees. Chance of rain 80 percent."),
    ("今天需要穿外套吗", "zh", "北京今天不用穿外套。北京今天晴，15度到27度。"),
    ("明天会刮风吗", "zh", "北京明天风比较大。北京明天小雨，3度到9度。降水概率百分之八十。"),
    ("what's the weather like", "en",
     "Today in Beijing: clear skies, from 15 degrees to 27 degrees."),
])
def test_gear_and_condition_answered_from_the_forecast(weather, engine, forecast, said, lang,
                                                       reply):
    match = engine.parse(said, lang)
    assert match.intent == "weather.query", match
    assert weather.handle(match).text == reply
    asked = forecast.requests[-1][2]["daily"].split(",")
    assert {"uv_index_max", "wind_speed_10m_max", "snowfall_sum"} <= set(asked)


def test_a_forecast_without_the_extra_figures_still_answers(tmp_path, engine):
    bare = [{"code": 0, "max": 26.0, "min": 14.0, "rain": 0}] * 3     # no uv, wind or snow: nulls
    with OpenMeteoServer({}, {(39.9, 116.41): bare}) as server:
        conf = {"forecast_url": server.url, "geocoding_url": server.url, "timeout": 2.0}
        d = Dialog(settings_for(tmp_path, weather=conf), engine=engine, now=Clock())
        try:
            assert d.handle(m("weather.query", "en", gear="sun_protection")).text.startswith(
                "Yes, the sun will be strong today in Beijing")          # clear and warm
            windy = d.handle(m("weather.query", "zh", condition="wind")).text
            assert windy.startswith("北京今天风不大。")
        finally:
            d.close()
