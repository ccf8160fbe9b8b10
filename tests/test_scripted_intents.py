"""Intents that answer and act from their YAML file: replies in both languages, the four actions
against real parts (a program writing a file, an HTTP server and a Home Assistant on 127.0.0.1),
failures spoken and logged once, and `intents check` naming file:line for every mistake."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from conftest import ROOT, cli_env, no_traceback
from helpers_dialog import settings_for
from helpers_http import HomeAssistantServer

from assistant.dialog import Dialog
from assistant.nlu import IntentEngine

PY = sys.executable

ROOMS = """\
lists:
  place:
    garage: {en: [garage], zh: [车库]}
    attic: {en: [attic], zh: [阁楼]}
"""


def intent_file(tmp_path: Path, body: str, name: str = "maker.yaml") -> Path:
    folder = tmp_path / "intents"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


def make_dialog(tmp_path: Path, folder: Path, **sections) -> tuple[IntentEngine, Dialog]:
    engine = IntentEngine.load([folder])
    assert engine.problems == [], [str(p) for p in engine.problems]
    return engine, Dialog(settings_for(tmp_path / "state", **sections), engine)


def say(engine: IntentEngine, dialog: Dialog, text: str) -> str:
    match = engine.parse(text)
    assert match.intent, f"{text!r} was not understood"
    return dialog.handle(match).text


# -- a program that writes a file ------------------------------------------------------------------
WRITER = (
    "import json, sys; open(sys.argv[1], 'a').write(' '.join(sys.argv[2:]) + '\\n'); "
    "print(json.dumps(dict(count=sum(1 for _ in open(sys.argv[1])))))"
)


ARGS = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"


def command_file(tmp_path: Path, out: Path, extra: str = "") -> Path:
    return intent_file(
        tmp_path,
        ROOMS
        + f"""
intents:
  shed.heat:
    slots:
      place: place
      duration: duration
    en:
      - heat the {{place}} for {{duration}}
    zh:
      - 把{{place}}加热{{duration}}
    action:
      command:
        run: [{json.dumps(PY)}, "-c", {json.dumps(WRITER)}, {json.dumps(str(out))},
              "{{place}}", "{{duration}}"]
        timeout: 10
    reply:
      en: "Heating the {{place}} for {{duration}}. That is request {{result.count}}."
      zh: "好的，{{place}}加热{{duration}}，这是第{{result.count}}次。"
{extra}""",
    )


def test_a_command_runs_without_a_shell_and_the_reply_is_filled_in_both_languages(tmp_path):
    out = tmp_path / "heater.log"
    engine, dialog = make_dialog(tmp_path, command_file(tmp_path, out))
    try:
        assert (
            say(engine, dialog, "heat the garage for ten minutes")
            == "Heating the garage for 10 minutes. That is request one."
        )
        assert say(engine, dialog, "把阁楼加热五分钟") == "好的，阁楼加热5分钟，这是第二次。"
    finally:
        dialog.close()
    # the machine gets ids and seconds, the person hears names and minutes
    assert out.read_text(encoding="utf-8").splitlines() == ["garage 600", "attic 300"]


def test_slot_values_are_never_shell_words(tmp_path):
    """A slot's text goes into one argument as it is: no shell ever splits or runs it."""
    out = tmp_path / "said.log"
    folder = intent_file(
        tmp_path,
        f"""
intents:
  note.say:
    slots:
      words: text
    en:
      - note down {{words}}
    action:
      command: [{json.dumps(PY)}, "-c", {json.dumps(ARGS)}, {json.dumps(str(out))}, "{{words}}"]
    reply:
      en: "Noted."
      zh: "记下了。"
""",
    )
    engine, dialog = make_dialog(tmp_path, folder)
    try:
        assert say(engine, dialog, "note down hello; touch pwned $(id)") == "Noted."
    finally:
        dialog.close()
    # one argument, as said (the matcher already dropped the punctuation)
    assert json.loads(out.read_text(encoding="utf-8")) == ["hello touch pwned id"]
    assert not (ROOT / "pwned").exists() and not Path("pwned").exists()


@pytest.mark.parametrize(
    "run,timeout,lang,expected",
    [
        ([PY, "-c", "import sys; sys.exit(3)"], 10, "en", "Sorry, that didn't work."),
        ([PY, "-c", "import sys; sys.exit(3)"], 10, "zh", "抱歉，没有办成。"),
        (["/nonexistent/heater"], 10, "en", "Sorry, that didn't work."),
        ([PY, "-c", "import time; time.sleep(30)"], 0.5, "zh", "抱歉，没有办成。"),
    ],
)
def test_a_failing_command_is_spoken_and_logged_once(
    tmp_path, caplog, run, timeout, lang, expected
):
    folder = intent_file(
        tmp_path,
        ROOMS
        + f"""
intents:
  shed.light:
    slots:
      place: place
    en: ['light the {{place}}']
    zh: ['点亮{{place}}']
    action:
      command: {{run: {json.dumps(run)}, timeout: {timeout}}}
    reply:
      en: "The {{place}} is lit."
      zh: "{{place}}亮了。"
""",
    )
    engine, dialog = make_dialog(tmp_path, folder)
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    try:
        reply = say(engine, dialog, "light the garage" if lang == "en" else "点亮车库")
    finally:
        dialog.close()
    assert reply == expected
    assert time.monotonic() - started < timeout + 5
    lines = [r for r in caplog.records if r.name == "assistant.skills.scripted"]
    assert len(lines) == 1 and "shed.light" in lines[0].getMessage(), caplog.text
    assert "Traceback" not in caplog.text


# -- HTTP ------------------------------------------------------------------------------------------
class OrderServer:
    """A real HTTP server on 127.0.0.1 that records JSON bodies; `status` is what it answers."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict, object]] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null"
                )
                owner.requests.append(("POST", self.path, dict(self.headers), body))
                data = json.dumps({"order": len(owner.requests), "wait": 90}).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def orders():
    server = OrderServer()
    yield server
    server.close()


TEA = """\
lists:
  tea:
    green: {en: [green tea], zh: [绿茶]}
    black: {en: [black tea], zh: [红茶]}
intents:
  tea.order:
    slots:
      tea: tea
      cups: number
    en:
      - (brew|make) [me] [{cups} cups of] {tea}
    zh:
      - 泡[一杯|{cups}杯]{tea}
    action:
      http:
        method: POST
        url: "${TEA_URL}/order/{tea}"
        headers: {Authorization: "Bearer ${TEA_TOKEN}"}
        body: {tea: "{tea}", cups: "{cups}", note: "for {tea}"}
        timeout: 2
    reply:
      en: "Okay, {tea}. Order {result.order}, ready in {result.wait} seconds."
      zh: "好的，{tea}，{result.order}号，{result.wait}秒后好。"
"""


def test_an_http_action_posts_the_order_with_a_token_from_the_environment(
    tmp_path, orders, monkeypatch
):
    monkeypatch.setenv("TEA_URL", orders.url)
    monkeypatch.setenv("TEA_TOKEN", "s3cret")
    engine, dialog = make_dialog(tmp_path, intent_file(tmp_path, TEA))
    try:
        assert (
            say(engine, dialog, "brew me three cups of green tea")
            == "Okay, green tea. Order one, ready in ninety seconds."
        )
        assert say(engine, dialog, "泡十二杯红茶") == "好的，红茶，二号，九十秒后好。"
    finally:
        dialog.close()
    (m1, path1, headers1, body1), (_, path2, _, body2) = orders.requests
    assert path1 == "/order/green" and path2 == "/order/black"
    assert headers1["Authorization"] == "Bearer s3cret"
    assert body1 == {"tea": "green", "cups": 3, "note": "for green"}  # a number stays a number
    assert body2 == {"tea": "black", "cups": 12, "note": "for black"}


@pytest.mark.parametrize("case", ["status500", "down", "no_token"])
def test_a_failing_http_action_is_spoken_and_logged_once(
    tmp_path, orders, monkeypatch, caplog, case
):
    monkeypatch.setenv("TEA_URL", orders.url)
    monkeypatch.setenv("TEA_TOKEN", "s3cret")
    if case == "status500":
        orders.status = 500
    elif case == "down":
        orders.close()
    else:
        monkeypatch.delenv("TEA_TOKEN")
    engine, dialog = make_dialog(tmp_path, intent_file(tmp_path, TEA))
    caplog.set_level(logging.WARNING)
    try:
        assert say(engine, dialog, "泡一杯绿茶") == "抱歉，没有办成。"
    finally:
        dialog.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.skills.scripted"]
    assert len(lines) == 1, caplog.text
    if case == "no_token":
        assert "TEA_TOKEN is not set" in lines[0] and orders.requests == []


def test_a_homeassistant_action_calls_the_configured_instance(tmp_path):
    with HomeAssistantServer("tok", ["light.garage", "light.attic"]) as ha:
        folder = intent_file(
            tmp_path,
            ROOMS
            + """
intents:
  party.start:
    slots:
      place: place
    en: ['start the party in the {place}']
    zh: ['在{place}开派对']
    action:
      homeassistant:
        service: light.turn_on
        data: {entity_id: "light.{place}", brightness_pct: 100}
    reply:
      en: "Party in the {place}!"
      zh: "{place}派对开始！"
""",
        )
        engine, dialog = make_dialog(
            tmp_path, folder, home={"homeassistant": {"url": ha.url, "token": "tok", "timeout": 2}}
        )
        try:
            assert say(engine, dialog, "在阁楼开派对") == "阁楼派对开始！"
        finally:
            dialog.close()
        assert ha.requests == [
            (
                "POST",
                "/api/services/light/turn_on",
                {"entity_id": "light.attic", "brightness_pct": 100},
            )
        ]
        assert ha.states["light.attic"]["state"] == "on"


def test_a_reply_without_an_action_and_a_missing_language(tmp_path):
    folder = intent_file(
        tmp_path,
        ROOMS
        + """
intents:
  shed.where:
    slots:
      place: place
    en: ['where is the {place}']
    zh: ['{place}在哪']
    reply:
      en: "The {place} is out back."
""",
    )
    engine, dialog = make_dialog(tmp_path, folder)
    try:
        assert say(engine, dialog, "where is the attic") == "The attic is out back."
        assert say(engine, dialog, "阁楼在哪") == "好的。"
    finally:
        dialog.close()


# -- intents check ---------------------------------------------------------------------------------
HEAD = "intents:\n  a.b:\n    slots: {size: number}\n    en: ['hello {size}']\n"


@pytest.mark.parametrize(
    "tail,line,words",
    [
        ("    reply: {en: 'Okay, {colour}.'}\n", 5, "{colour} is not a slot"),
        ("    reply: {en: 'Okay, {result}.'}\n", 5, "only known in a reply after an action"),
        ("    reply: {fr: 'Bon.'}\n", 5, "unknown language 'fr'"),
        ("    reply: Okay\n", 5, "reply must give en: and zh:"),
        ("    reply: {en: 'Okay {size'}\n", 5, "lone '{'"),
        ("    action:\n      command: 'rm -rf {size}'\n", 6, "never run through a shell"),
        (
            "    action:\n      command:\n        run: [echo]\n        timeout: 0\n",
            8,
            "timeout must be",
        ),
        ("    action:\n      command: ['{size}', x]\n", 6, "must be a fixed name"),
        ("    action:\n      shell: [ls]\n", 6, "unknown action 'shell'"),
        ("    action:\n      http:\n        url: ftp://x\n", 7, "url must be an http"),
        (
            "    action:\n      http:\n        url: http://x\n        body: {a: '{nope}'}\n",
            8,
            "{nope} is not a slot",
        ),
        (
            "    action:\n      http:\n        url: http://x\n        verb: GET\n",
            8,
            "unknown key 'verb'",
        ),
        ("    action:\n      homeassistant: {service: 'turn on'}\n", 6, "domain.service"),
        ("    action:\n      mqtt: {topic: 'home/#'}\n", 6, "without wildcards"),
        ("    action:\n      command: [echo]\n      mqtt: {topic: a}\n", 5, "exactly one of"),
    ],
)
def test_intents_check_names_file_and_line(tmp_path, tail, line, words):
    folder = intent_file(tmp_path, HEAD + tail, "bad.yaml")
    problems = IntentEngine.check([folder])
    assert problems, tail
    assert any(
        p.file.endswith("bad.yaml") and p.line == line and words in p.message for p in problems
    ), [str(p) for p in problems]


def test_intents_check_from_the_cli(tmp_path, cli):
    folder = intent_file(tmp_path, HEAD + "    action:\n      command: 'ls {size}'\n", "bad.yaml")
    result = cli("intents", "check", "--intents", str(folder))
    no_traceback(result)
    assert result.code == 1
    assert f"{folder / 'bad.yaml'}:6:" in result.out and "shell" in result.out
    good = cli("intents", "check", "--intents", str(ROOT / "examples" / "coffee"))
    assert good.code == 0, good.out + good.err


# -- the coffee example, as a maker tries it -------------------------------------------------------
def test_chat_with_the_coffee_example_orders_from_the_machine(tmp_path, state_dir):
    machine = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "coffee" / "fake_machine.py"), "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert machine.stdout is not None
        url = machine.stdout.readline().split()[-1]
        env = cli_env(state_dir, COFFEE_MAKER_URL=url, COFFEE_MAKER_TOKEN="beans")
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", "chat", "--intents", "examples/coffee"],
            input="can I get a large latte\n我要一杯大杯拿铁\n",
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines() == [
            "assistant: Okay, a large latte. Order one is on its way.",
            "assistant: 好的，一杯大杯拿铁，二号订单马上就好。",
        ]
        orders = [json.loads(machine.stdout.readline()) for _ in range(2)]
    finally:
        machine.terminate()
        machine.wait(timeout=5)
    for order in orders:
        assert order["received"]["drink"] == "latte" and order["received"]["size"] == "large"
        assert order["authorization"] == "Bearer beans"


@pytest.mark.parametrize("url,token", [("${TEA_URL}", "bad\r\nX-Injected: 1"), ("not a url", "ok")])
def test_an_environment_that_breaks_the_call_is_a_failed_action(tmp_path, orders, monkeypatch, url,
                                                                 token):
    monkeypatch.setenv("TEA_URL", orders.url if url == "${TEA_URL}" else url)
    monkeypatch.setenv("TEA_TOKEN", token)
    engine, dialog = make_dialog(tmp_path, intent_file(tmp_path, TEA))
    try:
        assert say(engine, dialog, "brew me green tea") == "Sorry, that didn't work."
    finally:
        dialog.close()
    assert orders.requests == []


def test_intents_check_warns_of_a_language_without_a_reply(tmp_path, cli):
    folder = intent_file(tmp_path, ROOMS + """
intents:
  shed.where:
    slots:
      place: place
    en: ['where is the {place}']
    zh: ['{place}在哪']
    reply:
      en: "The {place} is out back."
""", "half.yaml")
    result = cli("intents", "check", "--intents", str(folder))
    assert result.code == 0, result.err
    assert f"{folder / 'half.yaml'}:12: warning: intent 'shed.where': reply has no zh: sentence" \
        in result.out, result.out
