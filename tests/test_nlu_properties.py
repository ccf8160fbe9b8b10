"""No input string, however odd, makes understanding raise."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.config import BUILTIN_INTENTS
from assistant.nlu import IntentEngine
from assistant.nlu.entities import parse_day, parse_duration, parse_level, parse_number, parse_time

ENGINE = IntentEngine.load([BUILTIN_INTENTS])
WORDS = st.sampled_from(
    [
        "set",
        "a",
        "timer",
        "for",
        "five",
        "minutes",
        "七点",
        "百分之",
        "明天",
        "turn",
        "on",
        "the",
        "light",
        "的",
        "了",
        "吧",
        "%",
        ":",
        ".",
        "一",
        "两",
        "半",
        "half",
        "past",
        "quarter",
        "to",
        "am",
        "pm",
        "percent",
        "🙂",
        "\x00",
        "\u200b",
        "！",
        "TV",
        "灯",
        "音量",
    ]
)
ODD = st.one_of(
    st.text(max_size=200),
    st.lists(WORDS, max_size=30).map(" ".join),
    st.lists(WORDS, max_size=30).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ODD, st.sampled_from(["auto", "en", "zh", "fr"]))
def test_parse_never_raises(text, lang):
    m = ENGINE.parse(text, lang)
    assert m.intent is None or m.intent in ENGINE.intent_names
    assert 0.0 <= m.score <= 1.0 and m.text == text and m.lang in ("en", "zh")


@settings(max_examples=200, deadline=None)
@given(ODD, st.sampled_from(["auto", "en", "zh"]))
def test_entity_parsers_never_raise(text, lang):
    for fn in (parse_duration, parse_time, parse_day, parse_number, parse_level):
        fn(text, lang)


def test_huge_and_control_inputs():
    for text in [
        "a" * 10_000,
        "播放" * 5000,
        "\x00\x07\x1b[31m",
        "!!!???...",
        "🙂" * 1000,
        "\n\t\r",
        "1" * 10_000,
        "turn on the " * 1000,
    ]:
        ENGINE.parse(text)
        ENGINE.parse(text, "zh")
        parse_time(text)
