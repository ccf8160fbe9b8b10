"""Fuzzing `parse`: random Unicode and bytes never raise, always give a Match, and cost bounded
time per line.

`IntentEngine.parse` catches a crash and logs it (a bug must not take the listening loop down), so a
crash is seen here as an error logged by the engine, not as an exception. Lines are made by a seeded
generator, so a failure is reproducible from its seed and index.
"""

from __future__ import annotations

import json
import logging
import random
import time

import pytest

from assistant.config import BUILTIN_INTENTS
from assistant.nlu import IntentEngine
from assistant.types import Match

SEED = 13
LINES = 3000  # through the engine, in this process
CLI_LINES = 300  # through `python -m assistant parse -`, one subprocess
SLOW = 2.0  # seconds: far above any real line (about a millisecond), to catch blow-ups only

# words the matcher and entity parsers act on, so random lines reach the deep code paths
WORDS = [
    "set",
    "a",
    "timer",
    "for",
    "five",
    "minutes",
    "turn",
    "on",
    "off",
    "the",
    "kitchen",
    "light",
    "volume",
    "to",
    "percent",
    "half",
    "past",
    "quarter",
    "seven",
    "am",
    "pm",
    "tomorrow",
    "friday",
    "play",
    "jazz",
    "add",
    "milk",
    "shopping",
    "list",
    "cancel",
    "alarm",
    "what",
    "time",
    "is",
    "it",
    "weather",
    "in",
    "beijing",
    "twenty",
    "thousand",
    "million",
    "hundred",
    "and",
    "one",
    "two",
    "three",
    "point",
    "0",
    "1",
    "9",
    "99",
    "12:30",
    "100%",
    "-5",
    "1e9",
    "设",
    "一个",
    "五分钟",
    "计时器",
    "打开",
    "客厅",
    "灯",
    "音量",
    "百分之",
    "四十",
    "明天",
    "早上",
    "七点",
    "半",
    "播放",
    "音乐",
    "天气",
    "北京",
    "加",
    "牛奶",
    "清单",
    "取消",
    "闹钟",
    "几点",
    "了",
    "吧",
    "呢",
    "的",
    "一",
    "两",
    "十",
    "百",
    "千",
    "万",
    "亿",
    "零",
    "点",
    "个",
    "号",
    "月",
    "星期",
]

RANGES = {  # (first, last) code points of each family, surrogates never included
    "ascii": (0x20, 0x7E),
    "control": (0x00, 0x1F),
    "c1": (0x7F, 0x9F),
    "latin": (0xA0, 0x24F),
    "combining": (0x300, 0x36F),
    "cjk": (0x4E00, 0x9FFF),
    "cjk_ext": (0x20000, 0x2A6DF),
    "fullwidth": (0xFF01, 0xFF5E),
    "emoji": (0x1F300, 0x1FAFF),
    "zero_width": (0x200B, 0x200F),
    "arabic": (0x600, 0x6FF),
    "private": (0xE000, 0xF8FF),
    "any_bmp": (0x0, 0xD7FF),
    "astral": (0x10000, 0x10FFFF),
}
SPECIALS = [
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u3000",
    "\ufffd",
    "\u0085",
    "\x00",
    "\t",
    "\x1b[31m",
    "️",
    "👨‍👩‍👧",
    "🇨🇳",
    "e\u0301" * 3,
    "%",
    ":",
    "：",
    "。",
    "？",
    "—",
    "…",
]


def _char(rng: random.Random, family: str) -> str:
    first, last = RANGES[family]
    return chr(rng.randint(first, last))


def random_line(rng: random.Random) -> str:
    """One hostile line: command words mixed with odd characters, sometimes thousands long."""
    kind = rng.random()
    length = rng.choice((1, 3, 8, 20, 60, 200)) if rng.random() < 0.9 else rng.randint(1000, 10_000)
    if kind < 0.3:  # command words with odd characters between them
        parts = [
            rng.choice(WORDS)
            if rng.random() < 0.7
            else rng.choice(SPECIALS) + _char(rng, rng.choice(list(RANGES)))
            for _ in range(max(1, length // 4))
        ]
        return rng.choice(("", " ")).join(parts)
    if kind < 0.5:  # one family, e.g. a wall of emoji, CJK or stacked combining marks
        family = rng.choice(list(RANGES))
        return "".join(_char(rng, family) for _ in range(length))
    if kind < 0.6:  # digits and separators: huge and malformed numbers, times, percentages
        return "".join(
            rng.choice("0123456789  .:%,-+一二三四五六七八九十百千万亿点半") for _ in range(length)
        )
    if kind < 0.7:  # random bytes as a careless decoder would give them
        raw = rng.randbytes(length)
        return raw.decode("utf-8", errors=rng.choice(("replace", "ignore", "surrogateescape")))
    return "".join(
        _char(rng, rng.choice(list(RANGES))) if rng.random() < 0.6 else rng.choice(SPECIALS)
        for _ in range(length)
    )


def lines(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [random_line(rng) for _ in range(count)]


@pytest.fixture(scope="module")
def engine() -> IntentEngine:
    return IntentEngine.load([BUILTIN_INTENTS])


def test_random_lines_through_the_engine(engine, caplog):
    caplog.set_level(logging.ERROR, logger="assistant")
    slowest = (0.0, -1)
    for index, text in enumerate(lines(SEED, LINES)):
        lang = ("auto", "en", "zh")[index % 3]
        began = time.perf_counter()
        match = engine.parse(text, lang)
        took = time.perf_counter() - began
        slowest = max(slowest, (took, index))
        assert isinstance(match, Match) and match.text == text, (SEED, index)
        assert match.intent is None or match.intent in engine.intent_names, (SEED, index)
        assert 0.0 <= match.score <= 1.0 and match.lang in ("en", "zh"), (SEED, index)
    crashes = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crashes, crashes[:3]
    assert slowest[0] < SLOW, f"line {slowest[1]} of seed {SEED} took {slowest[0]:.2f} s"


def test_random_lines_through_parse_stdin(cli):
    """The same kind of lines as a user pipes them: one JSON result per line, no crash logged.
    Lines hold no line breaks (they would split), and no lone surrogates (stdin is UTF-8)."""
    texts = [
        t.replace("\n", " ").replace("\r", " ").encode("utf-8", "replace").decode("utf-8")
        for t in lines(SEED + 1, CLI_LINES)
    ]
    result = cli("parse", "--json", "-", input="\n".join(texts) + "\n", timeout=120)
    assert (
        result.code == 0 and "Traceback" not in result.err and "parse failed" not in result.err
    ), result.err[:500]
    out = [
        json.loads(line) for line in result.out.split("\n")[:-1]
    ]  # not splitlines: U+2028 is in a line
    assert len(out) == len(texts)
    assert [o["text"] for o in out] == texts  # no line lost, split or changed
    assert all(o["intent"] is None or isinstance(o["intent"], str) for o in out)
