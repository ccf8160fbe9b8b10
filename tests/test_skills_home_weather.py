"""Home (simulated and Home Assistant over real HTTP) and weather (Open-Meteo format over real
HTTP)."""

from __future__ import annotations

import queue
import socket
import threading
import time

import pytest

from assistant.dialog import Dialog
from helpers_dialog import Clock, m, settings_for
from helpers_http import HomeAssistantServer, HostileServer, OpenMeteoServer, RecordingServer


def test_sim_home_on_off_query_and_restart(tmp_path):
    d = Dialog(settings_for(tmp_path), engine=None, now=Clock())
    assert (
        d.handle(m("home.turn_on", "en", device="light", room="kitchen")).text
        == "Okay, the kitchen light is on."
    )
    assert (
        d.handle(m("home.query", "en", device="light", room="kitchen")).text
        == "Yes, the kitchen light is on."
    )
    assert (
        d.handle(m("home.query", "en", device="light", room="bedroom")).text
        == "No, the bedroom light is off."
    )
    assert (
        d.handle(m("home.set_brightness", "en", level=40, room="kitchen")).text
        == "Okay, the kitchen light is at 40 percent."
    )
    d.close()
    d = Dialog(settings_for(tmp_path), engine=None, now=Clock())
    try:
        assert (
            d.handle(m("home.query", "en", device="light", room="kitchen")).text
            == "Yes, the kitchen light is on at 40 percent."
        )
        assert (
            d.handle(m("home.turn_off", "en", device="light", room="kitchen")).text
            == "Okay, the kitchen light is off."
        )
        assert d.handle(m("home.query", "en", device="light", room="kitchen")).text.startswith("No")
    finally:
        d.close()


def test_unknown_devices_rooms_and_single_room_devices(dialog):
    assert (
        dialog.handle(m("home.turn_off", "en", device="shed light")).text
        == "Sorry, I don't know a device called shed light."
    )
    assert (
        dialog.handle(m("home.turn_on", "zh", device="light", room="车库")).text
        == "抱歉，我不知道车库这个房间。"
    )
    assert (
        dialog.handle(m("home.turn_on", "en", device="tv", room="kitchen")).text
        == "Sorry, there's no tv in the kitchen."
    )
    # the tv is only in the living room: no question needed
    assert (
        dialog.handle(m("home.turn_on", "en", device="tv")).text
        == "Okay, the living room tv is on."
    )
    assert (
        dialog.handle(
            m("home.set_brightness", "en", level=50, device="tv", room="living_room")
        ).text
        == "Sorry, the living room tv can't be dimmed."
    )


def test_home_asks_for_the_room_when_several_have_the_device(dialog):
    reply = dialog.handle(m("home.turn_on", "zh", device="light"))
    assert (
        reply.text == "哪个房间的light？living room、bedroom、kitchen还是study？"
    )  # no engine: ids as names
    assert reply.end_session is False


@pytest.fixture
def ha():
    entities = [
        "light.kitchen_light",
        "light.living_room_light",
        "cover.bedroom_curtains",
        "switch.hall_heater",
        "climate.bedroom_air_conditioner",
    ]
    with HomeAssistantServer("secret-token", entities) as server:
        yield server


def ha_dialog(tmp_path, url, token="secret-token", timeout=2.0):
    home = {
        "backend": "homeassistant",
        "homeassistant": {"url": url, "token": token, "timeout": timeout},
    }
    return Dialog(settings_for(tmp_path, home=home), engine=None, now=Clock())


def test_home_assistant_backend(tmp_path, ha):
    d = ha_dialog(tmp_path, ha.url)
    try:
        assert (
            d.handle(m("home.turn_on", "en", device="light", room="kitchen")).text
            == "Okay, the kitchen light is on."
        )
        assert ha.requests[-1] == (
            "POST",
            "/api/services/light/turn_on",
            {"entity_id": "light.kitchen_light"},
        )
        assert ha.states["light.kitchen_light"]["state"] == "on"
        d.handle(m("home.set_brightness", "zh", level=40, device="light", room="kitchen"))
        assert ha.requests[-1][2] == {"entity_id": "light.kitchen_light", "brightness_pct": 40}
        assert (
            d.handle(m("home.query", "en", device="light", room="kitchen")).text
            == "Yes, the kitchen light is on at 40 percent."
        )
        d.handle(m("home.turn_on", "en", device="curtains", room="bedroom"))
        assert ha.requests[-1][1] == "/api/services/cover/open_cover"
        assert ha.states["cover.bedroom_curtains"]["state"] == "open"
        # an entity Home Assistant does not have
        assert (
            d.handle(m("home.turn_on", "en", device="fan", room="study")).text
            == "Sorry, Home Assistant didn't accept that."
        )
    finally:
        d.close()


def test_temperature_is_its_own_command_in_both_backends(tmp_path, ha):
    d = Dialog(settings_for(tmp_path / "sim"), engine=None, now=Clock())
    try:
        said = d.handle(m("home.set_temperature", "zh", degrees=30, room="bedroom")).text
        assert (
            said.startswith("好的") and "温度设为30度" in said
        )  # no engine: a room id is its name
        said = d.handle(m("home.query", "en", device="air_conditioner", room="bedroom")).text
        assert said.startswith("Yes")
        assert (
            d.handle(m("home.set_temperature", "en", degrees=90, room="bedroom")).text
            == "Sorry, I can only set between 10 and 32 degrees."
        )
        said = d.handle(m("home.set_temperature", "en", room="bedroom")).text
        assert said == "To how many degrees?"
    finally:
        d.close()
    d = ha_dialog(tmp_path, ha.url)
    try:
        assert (
            d.handle(m("home.set_temperature", "en", degrees=22, room="bedroom")).text
            == "Okay, the bedroom is set to 22 degrees."
        )
        assert ha.requests[-1] == (
            "POST",
            "/api/services/climate/set_temperature",
            {"entity_id": "climate.bedroom_air_conditioner", "temperature": 22.0},
        )
        assert ha.states["climate.bedroom_air_conditioner"]["attributes"]["temperature"] == 22.0
    finally:
        d.close()


def test_home_assistant_bad_token_and_unreachable(tmp_path, ha):
    d = ha_dialog(tmp_path, ha.url, token="wrong")
    try:
        assert (
            d.handle(m("home.turn_on", "en", device="light", room="kitchen")).text
            == "Sorry, Home Assistant didn't accept that."
        )
    finally:
        d.close()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    d = ha_dialog(tmp_path, dead)
    try:
        assert (
            d.handle(m("home.turn_on", "zh", device="light", room="kitchen")).text
            == "抱歉，现在连不上家庭助理。"
        )
    finally:
        d.close()


def handled_within(d, match, seconds: float, server: HostileServer):
    """The reply to `match`; the test fails when the call is still going after `seconds` (a
    hang)."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(d.handle(match)), daemon=True)
    worker.start()
    worker.join(seconds)
    hung = worker.is_alive()
    if hung:  # let the stuck call end, so the dialog can close and the test report
        server.stopping.set()
        worker.join(30)
    assert not hung, f"still waiting after {seconds} s: no overall deadline"
    return out[0]


def test_home_assistant_redirect_to_another_host_never_gets_the_token(tmp_path):
    """A 302 from Home Assistant to another host: not followed, the token stays home, the reply says
    it failed."""
    with RecordingServer() as other, HostileServer("redirect", target=other.url) as ha:
        d = ha_dialog(tmp_path, ha.url)
        try:
            assert (
                d.handle(m("home.turn_on", "en", device="light", room="kitchen")).text
                == "Sorry, Home Assistant didn't accept that."
            )
            assert (
                d.handle(m("home.query", "zh", device="light", room="kitchen")).text
                == "抱歉，家庭助理没有执行。"
            )
        finally:
            d.close()
        assert [(method, headers.get("Authorization")) for method, _, headers in ha.requests] == [
            ("POST", "Bearer secret-token"),
            ("GET", "Bearer secret-token"),
        ]
        assert other.requests == []


@pytest.mark.parametrize("mode", ["trickle_head", "trickle_body", "endless"])
def test_home_assistant_that_trickles_or_never_ends_fails_within_its_timeout(tmp_path, mode):
    with HostileServer(mode) as ha:
        d = ha_dialog(tmp_path, ha.url, timeout=1.0)
        try:
            reply = handled_within(
                d, m("home.turn_on", "en", device="light", room="kitchen"), 15, ha
            )
        finally:
            d.close()
    assert reply.text in (
        "Sorry, I can't reach Home Assistant right now.",
        "Sorry, Home Assistant didn't accept that.",
    )
    assert (
        ha.sent < 64 << 20
    )  # the endless answer was dropped at the 1 MB cap (plus socket buffers)


@pytest.mark.parametrize("mode", ["trickle_head", "trickle_body", "endless"])
def test_weather_that_trickles_or_never_ends_fails_within_its_timeout(tmp_path, mode):
    with HostileServer(mode) as meteo:
        d = weather_dialog(tmp_path, meteo.url, timeout=1.0)
        try:
            reply = handled_within(d, m("weather.query", "zh"), 15, meteo)
        finally:
            d.close()
    assert reply.text == "抱歉，现在查不到天气。"
    assert meteo.sent < 64 << 20


def test_a_timer_rings_while_a_weather_call_is_stuck(tmp_path):
    """The scheduler is not shut out while a command waits on a trickling web service."""
    clock = Clock()
    announced: queue.Queue = queue.Queue()
    with HostileServer("trickle_body") as meteo:
        conf = {"forecast_url": meteo.url, "geocoding_url": meteo.url, "timeout": 20.0}
        d = Dialog(settings_for(tmp_path, weather=conf), engine=None, now=clock)
        asking = threading.Thread(target=d.handle, args=(m("weather.query", "en"),), daemon=True)
        try:
            assert "2 second timer" in d.handle(m("timer.start", "en", duration=2)).text
            d.start(announced.put)
            asking.start()
            assert meteo.got_request.wait(10)
            clock.advance(3)
            assert announced.get(timeout=10).text == "Your 2 second timer is done."
            assert asking.is_alive()  # the weather call is still waiting on its 20 s deadline
        finally:
            meteo.stopping.set()
            if asking.is_alive():
                asking.join(30)
            d.close()


PLACES = {
    "paris": {"name": "Paris", "latitude": 48.85, "longitude": 2.35, "country": "France"},
    "巴黎": {"name": "巴黎", "latitude": 48.85, "longitude": 2.35, "country": "法国"},
}
FORECASTS = {
    (39.9, 116.41): [
        {"code": 0, "max": 12.4, "min": -2.6, "rain": 0},
        {"code": 61, "max": 9.0, "min": 3.2, "rain": 80},
        {"code": 3, "max": 7.0, "min": 1.0, "rain": 10},
    ],
    (31.23, 121.47): [
        {"code": 2, "max": 18, "min": 11, "rain": 20},
        {"code": 95, "max": 22, "min": 15, "rain": 90},
        {"code": 1, "max": 20, "min": 12, "rain": 0},
    ],
    (48.85, 2.35): [{"code": 45, "max": 8, "min": 1, "rain": 5}] * 3,
}


@pytest.fixture
def meteo():
    with OpenMeteoServer(PLACES, FORECASTS) as server:
        yield server


def weather_dialog(tmp_path, url, timeout=2.0):
    conf = {
        "forecast_url": url,
        "geocoding_url": url,
        "timeout": timeout,
        "default_city": "beijing",
    }
    return Dialog(settings_for(tmp_path, weather=conf), engine=None, now=Clock())


def test_weather_known_city_and_days(tmp_path, meteo):
    d = weather_dialog(tmp_path, meteo.url)
    try:
        assert (
            d.handle(m("weather.query", "en")).text
            == "Today in Beijing: clear skies, from minus 3 degrees to 12 degrees."
        )
        assert (
            d.handle(m("weather.query", "en", day=1)).text
            == "Tomorrow in Beijing: light rain, from 3 degrees to 9 degrees. "
            "Chance of rain 80 percent."
        )
        assert (
            d.handle(m("weather.query", "zh", city="shanghai", day=1)).text
            == "shanghai明天雷阵雨，15度到22度。降水概率百分之九十。"
        )
        assert (
            d.handle(m("weather.query", "zh", city="shanghai", day=2)).text
            == "shanghai后天晴间多云，12度到20度。"
        )
        assert (
            d.handle(m("weather.query", "en", day=12)).text
            == "Sorry, I only have the forecast for the next few days."
        )
    finally:
        d.close()


def test_weather_spoken_city_is_geocoded(tmp_path, meteo):
    d = weather_dialog(tmp_path, meteo.url)
    try:
        assert d.handle(m("weather.query", "zh", city="巴黎")).text == "巴黎今天有雾，1度到8度。"
        assert (
            "GET",
            "/v1/search",
            {"name": "巴黎", "count": "1", "language": "zh", "format": "json"},
        ) in meteo.requests
        assert (
            d.handle(m("weather.query", "en", city="Atlantis")).text
            == "Sorry, I couldn't find a place called Atlantis."
        )
    finally:
        d.close()


def test_weather_service_down_or_slow_gives_an_apology(tmp_path, meteo):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    d = weather_dialog(tmp_path, dead)
    try:
        assert (
            d.handle(m("weather.query", "en")).text == "Sorry, I can't get the weather right now."
        )
    finally:
        d.close()
    meteo.delay = 2.0
    d = weather_dialog(tmp_path, meteo.url, timeout=0.3)
    try:
        started = time.monotonic()
        assert d.handle(m("weather.query", "zh")).text == "抱歉，现在查不到天气。"
        assert time.monotonic() - started < 1.5
    finally:
        d.close()
