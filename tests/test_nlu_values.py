"""List values heard in any form: digits or words, units, plurals, near-misses in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import BUILTIN_INTENTS
from assistant.nlu import IntentEngine
from assistant.lang import pinyin_similarity, syllable_similarity
from assistant.nlu.values import ValueIndex, en_keys, zh_keys

ROOT = Path(__file__).resolve().parent.parent
COFFEE = ROOT / "examples" / "coffee"


@pytest.fixture(scope="module")
def coffee():
    return IntentEngine.load([BUILTIN_INTENTS, COFFEE])


@pytest.mark.parametrize(
    "heard",
    [
        "a 12-ounce latte",
        "a 12 ounce latte",
        "a twelve ounce latte",
        "a 12 oz latte",
        "a twelve ounces latte",
        "a 12oz latte",
    ],
)
def test_numbers_and_units_in_list_names(coffee, heard):
    m = coffee.parse("can I get " + heard, "en")
    assert m.intent == "orderDrink" and m.slots == {"size": "twelve ounce", "coffeeDrink": "latte"}


@pytest.mark.parametrize(
    "heard, slot, value",
    [
        ("give me a dark rose mocha", "roast", "dark roast"),
        ("I'd like a latte with skin milk", "milkAmount", "skim milk"),
        ("make me an ice mocha", "coffeeDrink", "iced mocha"),
        ("brew a media latte", "size", "medium"),
        ("can I get a lat with sugar", "coffeeDrink", "latte"),
        ("give me a medium mocker", "coffeeDrink", "mocha"),
        ("get me a double shots espresso", "numberOfShots", "double shot"),
        ("can I have an americana", "coffeeDrink", "americano"),
        ("a cappucino with some sweetner please", "sugarAmount", "some sweetener"),
    ],
)
def test_near_misses_of_a_closed_list_are_its_values(coffee, heard, slot, value):
    m = coffee.parse(heard, "en")
    assert m.intent == "orderDrink" and m.slots.get(slot) == value, m


def test_a_closed_list_never_takes_a_new_name(coffee):
    m = coffee.parse("can I get a humongous latte", "en")
    assert m.intent == "orderDrink" and m.slots == {"coffeeDrink": "latte"}


def test_an_open_list_takes_a_new_name_only_when_no_known_one_is_close():
    engine = IntentEngine.load([BUILTIN_INTENTS])
    assert engine.parse("turn on the shed light", "en").slots == {"device": "light", "room": "shed"}
    assert engine.parse("turn on the kitchin light", "en").slots == {
        "device": "light",
        "room": "kitchen",
    }
    assert engine.parse("turn on the living rom light", "en").slots == {
        "device": "light",
        "room": "living_room",
    }


def test_keys_make_digits_words_units_and_plurals_agree():
    assert en_keys(["twelve", "ounces"])[0] == en_keys(["12", "oz"])[0] == ["12", "ounce"]
    assert en_keys(["twenty", "four", "ounce", "lattes"]) == (["24", "ounce", "latte"], [2, 3, 4])
    assert zh_keys(list("十二盎司"))[0] == zh_keys(["12", "盎", "司"])[0] == ["12", "盎", "司"]


def test_chinese_values_by_pinyin_with_the_usual_confusions(tmp_path):
    (tmp_path / "tea.yaml").write_text(
        """\
lists:
  drink:
    oolong: {en: [oolong], zh: [乌龙茶]}
    latte: {en: [latte], zh: [拿铁]}
    jasmine: {en: [jasmine tea], zh: [茉莉花茶]}
  size:
    twelve: {en: [twelve ounce], zh: [十二盎司]}
intents:
  tea.order:
    slots: {drink: {type: drink, open: false}, size: {type: size, open: false}}
    zh:
      - "(来|要)一杯[{size}][的]{drink}"
""",
        encoding="utf-8",
    )
    engine = IntentEngine.load([tmp_path])
    for text, slots in [
        ("来一杯那铁", {"drink": "latte"}),  # n/l
        ("要一杯莫利花茶", {"drink": "jasmine"}),  # homophones
        ("来一杯12盎司的乌龙茶", {"size": "twelve", "drink": "oolong"}),
        ("来一杯十二盎司的乌笼茶", {"size": "twelve", "drink": "oolong"}),
    ]:
        m = engine.parse(text, "zh")
        assert (m.intent, m.slots) == ("tea.order", slots), text


def test_syllables_that_recognisers_confuse_are_near():
    assert syllable_similarity("shi", "si") > syllable_similarity("shi", "ma")
    assert syllable_similarity("nao", "lao") >= 0.9  # n/l
    assert syllable_similarity("jin", "jing") >= 0.9  # -n/-ng
    assert syllable_similarity("tian", "dian") >= 0.8  # t/d
    assert pinyin_similarity("冒中", "闹钟") >= 0.8
    assert pinyin_similarity("冒中", "闹钟表") == 0.0  # lengths differ


def test_near_lookup_is_by_sound_and_spelling():
    index = ValueIndex(
        {
            "roast": {"dark": {"en": ["dark roast"]}, "light": {"en": ["light roast"]}},
            "room": {"study": {"en": ["study"]}},
        }
    )
    assert index.near("roast", "dark rose", "en").item == "dark"
    assert index.near("roast", "light roasted", "en").item == "light"
    assert index.near("room", "shed", "en") is None  # sounds a little alike, but no
    assert index.match(["dark", "roasts"], 0, "en") == ("roast", "dark", 2)


@pytest.mark.parametrize(
    "heard, intent, slots",
    [
        ("取消冒钟", "alarm.cancel", {}),  # m/n: 冒 mao for 闹 nao
        ("关掉天视", "home.turn_off", {"device": "tv"}),  # t/d: 天 tian for 电 dian
        (
            "设一个五分钟的近时器",
            "timer.start",
            {"duration": 300},
        ),  # a nasal added: 近 jin for 计 ji
        ("把音凉调大", "volume.up", {}),  # a homophone: 凉 liang for 量 liang
    ],
)
def test_chinese_command_words_heard_as_near_syllables(heard, intent, slots):
    engine = IntentEngine.load([BUILTIN_INTENTS])
    m = engine.parse(heard, "zh")
    assert (m.intent, m.slots) == (intent, slots), m
