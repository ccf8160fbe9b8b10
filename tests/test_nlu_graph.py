"""Templates matched as graphs: any size, any order, nothing dropped, every problem with
file:line."""

from __future__ import annotations

import itertools
import math
import random
import time
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.nlu import IntentEngine, grammar
from assistant.nlu.graph import MAX_PERMUTED, SlotRef, Word, compile_template


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "robot.yaml").write_text(text, encoding="utf-8")
    return folder


# Seven optional parts in any order, each a list of four values, after a choice of verbs:
# 5 x (sum over subsets and orders of 4^k) ~ 5 x 1.7 million sentences. The old matcher kept
# the first 1000 expansions of such a template and silently lost the rest.
ROBOT = """\
lists:
  colour: {red: [red], blue: [blue], green: [green], yellow: [yellow]}
  speed: {slow: [slowly], fast: [quickly], careful: [carefully], normal: [normally]}
  side: {left: [left], right: [right], front: [front], back: [back]}
  count: {one: [once], two: [twice], three: [three times], four: [four times]}
  light: {on: [lights on], off: [lights off], blink: [blinking], dim: [dimmed]}
  sound: {beep: [beeping], quiet: [quietly], music: [with music], song: [singing]}
  arm: {up: [arm up], down: [arm down], open: [hand open], closed: [hand closed]}
  thing: {ball: [ball], box: [box], cup: [cup], block: [block]}
rules:
  go: (move|drive|roll|go|head)
intents:
  robot.move:
    slots:
      colour: {type: colour, open: false}
      speed: {type: speed, open: false}
      side: {type: side, open: false}
      count: {type: count, open: false}
      light: {type: light, open: false}
      sound: {type: sound, open: false}
      arm: {type: arm, open: false}
      thing: {type: thing, open: false}
    en:
      - "<go> [to] [the] ([{colour}]; [{speed}]; [to the {side}]; [{count}]; [{light}]; \
[{sound}]; [{arm}]) {thing}"
"""


@pytest.fixture(scope="module")
def robot(tmp_path_factory):
    return IntentEngine.load([write(tmp_path_factory.mktemp("robot"), ROBOT)])


def test_a_grammar_of_millions_of_sentences_is_a_small_graph(robot):
    (graph,) = robot.matcher.graphs_of("robot.move")
    tree = grammar.parse(robot.library.intents["robot.move"].templates[0].text)
    # the old expansion stops at its cap: most sentences were never indexed
    assert len(grammar.expand(tree, robot.library.rules)) == grammar.MAX_PHRASES
    parts = 7
    orders = sum(math.comb(parts, k) * math.factorial(k) for k in range(parts + 1))
    assert orders > 13000  # orders of the parts alone, before any value
    assert graph.size < 2000  # edges: grows with n * 2^(n-1), not n!


@pytest.mark.parametrize(
    "text, slots",
    [
        ("drive to the blue ball", {"colour": "blue", "thing": "ball"}),
        (
            "head with music arm up twice to the left quickly green cup",
            {
                "sound": "music",
                "arm": "up",
                "count": "two",
                "side": "left",
                "speed": "fast",
                "colour": "green",
                "thing": "cup",
            },
        ),
        (
            "roll dimmed hand closed singing three times carefully to the back yellow block",
            {
                "light": "dim",
                "arm": "closed",
                "sound": "song",
                "count": "three",
                "speed": "careful",
                "side": "back",
                "colour": "yellow",
                "thing": "block",
            },
        ),
    ],
)
def test_rare_orders_of_every_part_match_with_every_slot(robot, text, slots):
    m = robot.parse(text, "en")
    assert m.intent == "robot.move" and m.slots == slots


def test_random_sentences_of_the_grammar_all_match(robot):
    """Sentences drawn from the whole grammar (not its first expansions) come back with their
    slots."""
    rng = random.Random(7)
    (graph,) = robot.matcher.graphs_of("robot.move")
    lists = robot.library.lists
    for _ in range(60):
        words, want = [], {}
        for label in graph.sample(rng):
            if isinstance(label, Word):
                words.append(label.text)
            else:
                assert isinstance(label, SlotRef)
                item = rng.choice(sorted(lists[label.type[5:]]))
                want[label.name] = item
                words.append(lists[label.type[5:]][item]["en"][0])
        m = robot.parse(" ".join(words), "en")
        assert (m.intent, m.slots) == ("robot.move", want), " ".join(words)


def test_loading_does_not_grow_with_the_number_of_phrases(tmp_path):
    """A flat template and one with a million times more sentences load in comparable time."""

    def load(body: str) -> float:
        folder = write(tmp_path / str(hash(body)), body)
        start = time.perf_counter()
        IntentEngine.load([folder])
        return time.perf_counter() - start

    small = ROBOT.replace(
        '"<go> [to] [the] ([{colour}]; [{speed}]; [to the {side}]; [{count}]; [{light}]; '
        '[{sound}]; [{arm}]) {thing}"',
        '"<go> [to] [the] [{colour}] {thing}"',
    )
    assert small != ROBOT
    assert load(ROBOT) < 2.0 + 20 * load(small)


def test_optional_alternatives_and_rules_inside_chinese_templates(tmp_path):
    folder = write(
        tmp_path,
        """\
lists:
  drink: {latte: {en: [latte], zh: [拿铁]}, mocha: {en: [mocha], zh: [摩卡]}}
  size: {large: {en: [large], zh: [大杯]}, small: {en: [small], zh: [小杯]}}
  temp: {iced: {en: [iced], zh: [冰的, 冰]}, hot: {en: [hot], zh: [热的, 热]}}
rules:
  want: (我要|给我来|来)
intents:
  coffee.order:
    slots: {drink: drink, size: size, temp: temp}
    zh:
      - "[<want>][一杯]([{size}]; [{temp}]){drink}"
""",
    )
    engine = IntentEngine.load([folder])
    for text, slots in [
        ("给我来一杯冰的大杯拿铁", {"temp": "iced", "size": "large", "drink": "latte"}),
        ("来一杯大杯冰摩卡", {"size": "large", "temp": "iced", "drink": "mocha"}),
        ("我要热的拿铁", {"temp": "hot", "drink": "latte"}),
    ]:
        m = engine.parse(text, "zh")
        assert (m.intent, m.slots) == ("coffee.order", slots), text


def test_every_path_of_a_small_template_is_in_its_graph():
    """The graph says exactly what the expansion says, for a template small enough to expand."""
    tree = grammar.parse("(set|start) [a|the] ([quick]; [{size}]) timer [for {duration}]")

    def tokens(text: str) -> tuple:
        return tuple(Word(w) for w in text.split())

    graph = compile_template(tree, {}, {"size": "list:size", "duration": "duration"}, tokens)

    def words(piece) -> list[str]:
        return piece.split() if isinstance(piece, str) else ["{" + piece.name + "}"]

    expanded = {
        tuple(w for piece in phrase for w in words(piece)) for phrase in grammar.expand(tree, {})
    }
    paths: set[tuple[str, ...]] = set()

    def walk(node: int, said: tuple[str, ...]) -> None:
        if node == graph.end:
            paths.add(said)
            return
        for edge in graph.edges[node]:
            label = edge.label
            word = (
                ()
                if label is None
                else (label.text,)
                if isinstance(label, Word)
                else ("{" + label.name + "}",)
            )
            walk(edge.target, said + word)

    walk(0, ())
    assert paths == expanded


def test_too_many_parts_in_any_order_is_one_clear_problem(tmp_path, capsys):
    parts = "; ".join(f"[{w}]" for w in itertools.islice("abcdefghijk", MAX_PERMUTED + 1))
    write(tmp_path, f'intents:\n  x.y:\n    en:\n      - "go ({parts}) now"\n')
    assert main(["intents", "check", "--intents", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"robot.yaml:4: intent 'x.y': {MAX_PERMUTED + 1} parts in one any-order group" in out


def test_a_large_template_is_a_warning_with_file_and_line(tmp_path, capsys):
    many = "; ".join(f"[with {{s{k}}} paint in coat {k}]" for k in range(MAX_PERMUTED))
    slots = "".join(f"      s{k}: {{type: colour}}\n" for k in range(MAX_PERMUTED))
    write(
        tmp_path,
        "lists:\n  colour: {red: [red], blue: [blue]}\nintents:\n  x.y:\n    slots:\n"
        + slots
        + f'    en:\n      - "(paint|colour|draw) [the] ({many}) (wall|door|roof)"\n',
    )
    assert main(["intents", "check", "--intents", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"robot.yaml:{7 + MAX_PERMUTED}: warning: intent 'x.y': template is large" in out


def test_an_ambiguous_template_is_a_warning_naming_the_other_intent(tmp_path, capsys):
    write(
        tmp_path,
        "intents:\n  gadget.on:\n    slots: {thing: device}\n"
        '    en:\n      - "switch on the {thing}"\n',
    )
    assert main(["intents", "check", "--intents", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "robot.yaml:5: warning: intent 'gadget.on'" in out and "home.turn_on" in out
    assert "intents OK (1 warning(s))" in out
