"""Follow-up questions and context through the real matcher and a real Dialog, in-process."""

from __future__ import annotations

import time

import pytest

from assistant.config import BUILTIN_INTENTS
from assistant.dialog import Dialog
from assistant.nlu import IntentEngine
from helpers_dialog import Clock, settings_for
from helpers_http import OpenMeteoServer


@pytest.fixture(scope="module")
def engine():
    return IntentEngine.load([BUILTIN_INTENTS])


def talk(dialog, engine, text):
    return dialog.handle(engine.parse(text))


@pytest.fixture
def dialog(make_dialog, engine):
    return make_dialog(engine)


def test_timer_followup_en_and_zh(dialog, engine):
    ask = talk(dialog, engine, "set a timer")
    assert (ask.text, ask.end_session) == ("For how long?", False)
    done = talk(dialog, engine, "five minutes")
    assert (done.text, done.end_session) == ("Okay, 5 minute timer, starting now.", True)
    assert talk(dialog, engine, "设一个计时器").text == "要设多长时间？"
    assert talk(dialog, engine, "十分钟").text == "好的，10分钟计时器，现在开始。"


def test_unusable_answer_is_asked_again_once_then_dropped(dialog, engine):
    talk(dialog, engine, "set a timer")
    again = talk(dialog, engine, "purple elephants")
    assert again.text == "Sorry, I didn't catch that. For how long?" and not again.end_session
    assert talk(dialog, engine, "purple elephants").text == "Sorry, I didn't catch that."
    assert (
        talk(dialog, engine, "five minutes").text == "Sorry, I didn't catch that."
    )  # no longer pending


def test_a_new_command_replaces_the_question(dialog, engine):
    talk(dialog, engine, "set a timer")
    assert talk(dialog, engine, "what time is it").text == "It's three fifteen PM."
    assert dialog.session.pending is None


def test_stop_drops_the_question(dialog, engine):
    assert not talk(dialog, engine, "设一个计时器").end_session
    stop = engine.parse("算了")
    assert stop.intent == "system.stop"
    assert dialog.handle(stop).text == "好的。"
    assert talk(dialog, engine, "五分钟").text == "抱歉，我没听清。"


def test_room_followup_names_the_choices(dialog, engine):
    ask = talk(dialog, engine, "turn on the light")
    assert ask.text == "Which room: living room, bedroom, kitchen or study?"
    assert talk(dialog, engine, "the kitchen").text == "Okay, the kitchen light is on."
    assert dialog.store.device("kitchen", "light").is_on


def test_followup_gives_up_politely_after_the_timeout(tmp_path, engine):
    settings = settings_for(tmp_path)
    settings.raw["dialog"]["followup_timeout"] = 0.3
    d = Dialog(settings, engine, now=Clock())
    heard = []
    try:
        d.start(heard.append)
        assert talk(d, engine, "set a timer").text == "For how long?"
        deadline = time.monotonic() + 3
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.text for r in heard] == ["Never mind. Ask me again when you're ready."]
        assert talk(d, engine, "five minutes").text == "Sorry, I didn't catch that."
    finally:
        d.close()


def test_and_the_kitchen(dialog, engine):
    assert (
        talk(dialog, engine, "turn on the light in the bedroom").text
        == "Okay, the bedroom light is on."
    )
    assert talk(dialog, engine, "and the kitchen").text == "Okay, the kitchen light is on."
    assert talk(dialog, engine, "关掉卧室的灯").text == "好的，卧室的灯关上了。"
    assert talk(dialog, engine, "还有厨房的").text == "好的，厨房的灯关上了。"
    assert not dialog.store.device("kitchen", "light").is_on


def test_fragment_after_an_unrelated_command_is_not_guessed(dialog, engine):
    talk(dialog, engine, "what time is it")
    assert talk(dialog, engine, "and the kitchen").text == "Sorry, I didn't catch that."


def test_weather_what_about_tomorrow(tmp_path, engine):
    forecasts = {
        (51.51, -0.13): [
            {"code": 3, "max": 9, "min": 4, "rain": 10},
            {"code": 61, "max": 8, "min": 2, "rain": 60},
            {"code": 0, "max": 1, "min": 0, "rain": 0},
        ],
        (39.9, 116.41): [{"code": 0, "max": 5, "min": -5, "rain": 0}] * 3,
    }
    with OpenMeteoServer({}, forecasts) as meteo:
        conf = {"forecast_url": meteo.url, "geocoding_url": meteo.url, "timeout": 2}
        d = Dialog(settings_for(tmp_path, weather=conf), engine, now=Clock())
        try:
            assert (
                talk(d, engine, "what's the weather in London").text
                == "Today in London: overcast, from 4 degrees to 9 degrees."
            )
            assert (
                talk(d, engine, "what about tomorrow").text
                == "Tomorrow in London: light rain, from 2 degrees to 8 degrees. "
                "Chance of rain 60 percent."
            )
            assert talk(d, engine, "北京呢").text == "北京明天晴，零下5度到5度。"
        finally:
            d.close()
