"""The built-in intents understood in both languages, misheard words and all; "no intent" for the
rest."""

import pytest

from assistant.config import BUILTIN_INTENTS
from assistant.nlu import IntentEngine


@pytest.fixture(scope="module")
def engine():
    return IntentEngine.load([BUILTIN_INTENTS])


def test_every_builtin_test_sentence_passes(engine):
    failures = engine.run_tests()
    assert failures == [], "\n".join(map(str, failures))


def test_every_builtin_intent_has_eight_tests_per_language(engine):
    for spec in engine.library.intents.values():
        for lang in ("en", "zh"):
            n = sum(1 for t in spec.tests if t.lang == lang)
            assert n >= 8, f"{spec.name} has {n} {lang} tests"
            assert any(t.lang == lang for t in spec.templates), (
                f"{spec.name} has no {lang} template"
            )


def test_catalogue_of_design_section_4(engine):
    wanted = [
        "clock.time",
        "clock.date",
        "timer.start",
        "timer.cancel",
        "timer.status",
        "alarm.set",
        "alarm.cancel",
        "volume.up",
        "volume.down",
        "volume.set",
        "volume.mute",
        "volume.unmute",
        "media.play",
        "media.pause",
        "media.resume",
        "media.next",
        "media.previous",
        "home.turn_on",
        "home.turn_off",
        "home.set_brightness",
        "home.set_temperature",
        "home.query",
        "weather.query",
        "list.add",
        "list.show",
        "list.remove",
        "list.clear",
        "system.help",
        "system.stop",
        "system.repeat",
        "system.language",
        "chat.greeting",
        "chat.thanks",
        "chat.joke",
        "chat.identity",
    ]
    assert sorted(wanted) == sorted(engine.intent_names)


@pytest.mark.parametrize(
    "text,intent,slots",
    [
        ("set a timer for five minutes", "timer.start", {"duration": 300}),
        ("设一个五分钟的计时器", "timer.start", {"duration": 300}),
        ("wake me up at 7 am tomorrow", "alarm.set", {"time": "07:00", "day": 1}),
        ("明天早上七点叫我起床", "alarm.set", {"time": "07:00", "day": 1}),
        ("set the volume to 30", "volume.set", {"level": 30}),
        ("音量调到百分之三十", "volume.set", {"level": 30}),
        (
            "turn on the living room light",
            "home.turn_on",
            {"device": "light", "room": "living_room"},
        ),
        ("打开卧室的空调", "home.turn_on", {"device": "air_conditioner", "room": "bedroom"}),
        ("dim the lights to 40 percent", "home.set_brightness", {"level": 40, "device": "light"}),
        ("把灯调到百分之四十", "home.set_brightness", {"level": 40, "device": "light"}),
        ("what's the weather in Beijing tomorrow", "weather.query", {"city": "beijing", "day": 1}),
        ("明天上海天气怎么样", "weather.query", {"city": "shanghai", "day": 1}),
        ("add milk to my shopping list", "list.add", {"item": "milk", "list": "shopping"}),
        ("购物清单上有什么", "list.show", {"list": "shopping"}),
        ("speak Chinese", "system.language", {"language": "zh"}),
        ("请说英文", "system.language", {"language": "en"}),
        ("播放周杰伦的歌", "media.play", {"query": "周杰伦"}),
        ("播放 Taylor Swift 的歌", "media.play", {"query": "Taylor Swift"}),
        ("is the kitchen light on", "home.query", {"device": "light", "room": "kitchen"}),
        ("厨房的灯开着吗", "home.query", {"device": "light", "room": "kitchen"}),
    ],
)
def test_design_examples(engine, text, intent, slots):
    m = engine.parse(text)
    assert (m.intent, m.slots) == (intent, slots)
    assert 0 < m.score <= 1 and m.template


@pytest.mark.parametrize(
    "text,intent",
    [
        ("记时器还剩多久", "timer.status"),  # 记 for 计: same pinyin
        ("音亮调大一点", "volume.up"),  # 亮 for 量
        ("今天天起怎么样", "weather.query"),  # 起 for 气
        ("set a time for ten minutes", "timer.start"),
        ("paws the music", "media.pause"),
        ("站停", "media.pause"),  # zh/z blurred
        ("turn of the lamp", "home.turn_off"),
        ("stop", "system.stop"),
        ("停", "system.stop"),
        ("算了", "system.stop"),
        ("never mind", "system.stop"),
    ],
)
def test_recogniser_mistakes(engine, text, intent):
    assert engine.parse(text).intent == intent


@pytest.mark.parametrize(
    "text,room", [("turn off the shed light", "shed"), ("关掉门口的灯", "门口")]
)
def test_unknown_room_keeps_the_intent(engine, text, room):
    m = engine.parse(text)
    assert (m.intent, m.slots) == ("home.turn_off", {"device": "light", "room": room})


@pytest.mark.parametrize(
    "text",
    [
        "what is the capital of France",
        "我想吃火锅",
        "",
        "   ",
        "🙂🙂",
        "???",
        "the",
        "的",
        "how old is the universe",
        "给我讲讲量子力学",
        "book a flight to paris",
        "明天股票会涨吗",
    ],
)
def test_out_of_domain_gives_no_intent(engine, text):
    assert engine.parse(text).intent is None


def test_free_text_needs_the_words_around_it(engine):
    # "make me a {drink}" is no list: free text only counts where its template's words were heard
    assert engine.parse("make me a cappuccino", "en").intent is None
    m = engine.parse("make me a list of groceries", "en")
    assert (m.intent, m.slots.get("item")) == ("list.add", "groceries")


def test_language_detection_and_forcing(engine):
    assert engine.parse("打开 TV").lang == "zh"
    assert engine.parse("打开 TV").slots == {"device": "tv"}
    assert engine.parse("turn on the tv", lang="en").lang == "en"
    assert engine.parse("現在幾點了").intent == "clock.time"


def test_match_contract_and_explain(engine):
    m = engine.parse("Set a timer for 5 minutes please!", explain=True)
    assert m.text == "Set a timer for 5 minutes please!"
    assert m.to_json() == {
        "text": m.text,
        "lang": "en",
        "intent": "timer.start",
        "slots": {"duration": 300},
        "score": m.score,
    }
    assert m.explain["candidates"][0]["intent"] == "timer.start"
    assert "<duration=300>" in m.explain["items"]
    assert engine.parse("set a timer").explain is None


def test_vocabulary_and_lists(engine):
    en, zh = engine.vocabulary("en"), engine.vocabulary("zh")
    assert "kitchen" in en and "timer" in en and "the" not in en
    assert "厨房" in zh and "计时器" in zh
    assert engine.list_name("room", "kitchen", "zh") == "厨房"
    assert engine.list_name("room", "nowhere", "zh") == "nowhere"
    assert "beijing" in engine.list_items("city")
    assert engine.list_data("city", "tokyo")["lat"] == pytest.approx(35.6762)


COFFEE = """\
lists:
  size: {small: {en: [small], zh: [小杯]}, large: {en: [large, big], zh: [大杯]}}
  temp: {iced: {en: [iced, cold], zh: [冰, 冰的]}, hot: {en: [hot], zh: [热, 热的]}}
  milk: {oat: {en: [oat milk], zh: [燕麦奶]}, soy: {en: [soy milk], zh: [豆奶]}}
  drink: {latte: {en: [latte], zh: [拿铁]}, mocha: {en: [mocha], zh: [摩卡]}}
intents:
  coffee.order:
    slots: {size: size, temp: temp, milk: milk, drink: drink, shots: number}
    en:
      - "[i would like|give me|can i get] a ([{size}]; [{temp}]) {drink} [with {milk}]"
    zh:
      - "[给我|我要]来一杯([{size}]; [{temp}]){drink}"
"""


def test_user_intent_fills_every_slot_in_any_order(tmp_path):
    (tmp_path / "coffee.yaml").write_text(COFFEE, encoding="utf-8")
    engine = IntentEngine.load([BUILTIN_INTENTS, tmp_path])
    m = engine.parse("give me a iced large latte with oat milk")
    assert (m.intent, m.slots) == (
        "coffee.order",
        {"size": "large", "temp": "iced", "drink": "latte", "milk": "oat"},
    )
    m = engine.parse("给我来一杯冰的大杯拿铁")
    assert (m.intent, m.slots) == (
        "coffee.order",
        {"size": "large", "temp": "iced", "drink": "latte"},
    )
    m = engine.parse("我要来一杯大杯豆奶摩卡")
    assert m.intent == "coffee.order" and m.slots["milk"] == "soy" and m.slots["drink"] == "mocha"
