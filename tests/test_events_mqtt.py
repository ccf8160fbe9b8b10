"""Intents as events on a real mosquitto broker (started by the tests on a free port): what was
heard and understood is published in the Hermes shape, a program on the broker can answer an
intent, an intent file can publish, and a broker that is down costs one log line, not an answer."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from conftest import ROOT
from helpers_dialog import settings_for
from helpers_mqtt import Broker, Subscriber, free_port

from assistant.app import Assistant
from assistant.events import close_hubs


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path).start()
    yield b
    close_hubs()
    b.stop()


@pytest.fixture
def watcher(broker):
    sub = Subscriber(broker)
    yield sub
    sub.close()


def assistant_for(tmp_path: Path, events: dict, *intent_dirs: Path) -> Assistant:
    settings = settings_for(tmp_path / "state", events={"connect_wait": 3.0, **events})
    settings.intents_dirs.extend(intent_dirs)
    return Assistant(settings)


def ask(app: Assistant, text: str) -> str:
    return app.respond(app.understand(text)).text


def test_every_command_is_published_in_the_hermes_shape(tmp_path, broker, watcher):
    app = assistant_for(tmp_path, {"mqtt": broker.url, "site_id": "kitchen"})
    try:
        assert ask(app, "set a timer for five minutes").startswith("Okay, 5 minute timer")
        heard = watcher.wait_for("assistant/asr/textCaptured")
        intent = watcher.wait_for("assistant/intent/timer.start")
        assert heard["text"] == "set a timer for five minutes" and heard["siteId"] == "kitchen"
        assert intent["input"] == "set a timer for five minutes" and intent["lang"] == "en"
        assert intent["intent"] == {"intentName": "timer.start", "confidenceScore": 1.0}
        assert intent["siteId"] == "kitchen" and intent["sessionId"] == heard["sessionId"]
        assert intent["slots"] == [
            {
                "slotName": "duration",
                "entity": "duration",
                "rawValue": "300",
                "value": {"kind": "Duration", "seconds": 300, "value": 300},
                "confidence": 1.0,
            }
        ]
        ask(app, "把客厅的灯打开")
        zh = watcher.wait_for("assistant/intent/home.turn_on")
        assert zh["lang"] == "zh" and {s["slotName"]: s["value"]["value"] for s in zh["slots"]} == {
            "room": "living_room",
            "device": "light",
        }
        ask(app, "purple monkey dishwasher")
        missed = watcher.wait_for("assistant/nlu/intentNotRecognized")
        assert missed["input"] == "purple monkey dishwasher"
    finally:
        app.close()


def test_a_program_on_the_broker_answers_an_intent(tmp_path, broker, watcher):
    def bartender(topic, payload):
        if topic != "assistant/intent/orderDrink":
            return None
        slots = {s["slotName"]: s["value"]["value"] for s in payload["slots"]}
        text = (
            f"Node-RED made a {slots['size']} {slots['coffeeDrink']}."
            if payload["lang"] == "en"
            else "好的，马上做。"
        )
        return "assistant/dialogueManager/endSession", {
            "sessionId": payload["sessionId"],
            "text": text,
        }

    watcher.answer = bartender
    app = assistant_for(
        tmp_path,
        {"mqtt": broker.url, "listeners": ["orderDrink"], "reply_timeout": 5},
        ROOT / "examples" / "coffee",
    )
    try:
        assert ask(app, "can I get a large latte") == "Node-RED made a large latte."
        assert ask(app, "我要一杯大杯拿铁") == "好的，马上做。"
    finally:
        app.close()


def test_no_answer_from_the_broker_in_time_is_spoken_and_logged_once(tmp_path, broker, caplog):
    app = assistant_for(
        tmp_path,
        {"mqtt": broker.url, "listeners": ["orderDrink"], "reply_timeout": 0.5},
        ROOT / "examples" / "coffee",
    )
    caplog.set_level(logging.WARNING)
    try:
        started = time.monotonic()
        assert ask(app, "我要一杯大杯拿铁") == "抱歉，没有办成。"
        assert time.monotonic() - started < 3
    finally:
        app.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.skills.remote"]
    assert len(lines) == 1 and "no answer" in lines[0]


BELL = """\
lists:
  door:
    front: {en: [front door], zh: [前门]}
intents:
  bell.ring:
    slots:
      door: door
    en: ['ring the bell at the {door}']
    zh: ['按{door}的门铃']
    action:
      mqtt:
        topic: "home/bell/{door}"
        payload: {door: "{door}", loud: true}
    reply:
      en: "Ringing at the {door}."
      zh: "{door}的门铃响了。"
"""


def test_an_intent_file_publishes_with_an_mqtt_action(tmp_path, broker, watcher):
    folder = tmp_path / "bell"
    folder.mkdir()
    (folder / "bell.yaml").write_text(BELL, encoding="utf-8")
    app = assistant_for(tmp_path, {"mqtt": broker.url}, folder)
    try:
        assert ask(app, "按前门的门铃") == "前门的门铃响了。"
        assert watcher.wait_for("home/bell/front") == {"door": "front", "loud": True}
    finally:
        app.close()


def test_a_broker_that_is_down_costs_one_log_line_and_no_answer(tmp_path, caplog):
    port = free_port()
    folder = tmp_path / "bell"
    folder.mkdir()
    (folder / "bell.yaml").write_text(BELL, encoding="utf-8")
    caplog.set_level(logging.INFO)
    app = assistant_for(tmp_path, {"mqtt": f"mqtt://127.0.0.1:{port}", "connect_wait": 0.5}, folder)
    try:
        started = time.monotonic()
        assert ask(app, "what time is it").startswith("It's ")
        assert ask(app, "现在几点").startswith("现在是")
        assert ask(app, "ring the bell at the front door") == "Sorry, that didn't work."
        assert time.monotonic() - started < 5
        down = [
            r
            for r in caplog.records
            if r.name == "assistant.events.bus" and r.levelno >= logging.WARNING
        ]
        assert len(down) == 1 and "unreachable" in down[0].getMessage(), caplog.text

        # the broker comes up: the assistant connects by itself and publishes again
        broker = Broker(tmp_path, port=port).start()
        try:
            watcher = Subscriber(broker)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                ask(app, "what time is it")
                if any(t == "assistant/intent/clock.time" for t, _ in watcher.messages):
                    break
                time.sleep(0.5)
            watcher.close()
            assert any(t == "assistant/intent/clock.time" for t, _ in watcher.messages)
        finally:
            close_hubs()
            broker.stop()
    finally:
        app.close()
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("value,words", [
    ('"localhost:1883"', "[events] mqtt must be an mqtt://host:port address"),
    ('"mqtt://host:99999"', "[events] mqtt must be an mqtt://host:port address with a port"),
    ("1883", "[events] mqtt must be an mqtt://host:port address"),
])
def test_a_wrong_broker_address_is_one_line_naming_the_key(tmp_path, cli, value, words):
    config = tmp_path / "c.toml"
    config.write_text(f"[events]\nmqtt = {value}\n", encoding="utf-8")
    result = cli("chat", "--config", str(config), input="what time is it\n")
    assert result.code == 1 and result.out == ""
    assert result.err.strip().startswith("error: config") and words in result.err, result.err
    assert "Traceback" not in result.err
