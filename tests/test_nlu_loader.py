"""Intent files: every problem reported with file and line; the syntax documented in
docs/intents.md."""

import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, no_traceback

from assistant.errors import ConfigError
from assistant.nlu import IntentEngine, IntentProblem
from assistant.nlu import grammar

GOOD = """\
lists:
  size:
    small: {en: [small], zh: [小杯]}
    large: {en: [large, big], zh: [大杯]}
intents:
  coffee.order:
    slots:
      size: size
    en:
      - (order|get me) a [{size}] coffee
    zh:
      - 来一杯[{size}]咖啡
    tests:
      en:
        - get me a large coffee: {size: large}
      zh:
        - 来一杯大杯咖啡: {size: large}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_good_file_loads_and_its_tests_pass(tmp_path):
    engine = IntentEngine.load([write(tmp_path, "coffee.yaml", GOOD)])
    assert engine.intent_names == ["coffee.order"]
    assert engine.run_tests() == []
    assert IntentEngine.check([tmp_path]) == []


@pytest.mark.parametrize(
    "body,line,words",
    [
        ('intents:\n  a.b:\n    en: ["x"\n', 4, "YAML syntax"),
        (
            "intents:\n  a.b:\n    slots: {when: weekday}\n    en: ['at {when}']\n",
            3,
            "unknown type 'weekday'",
        ),
        ("intents:\n  a.b:\n    slots:\n      room: roomz\n", 4, "unknown type 'roomz'"),
        ("intents:\n  a.b:\n    en:\n      - turn (on|off the light\n", 4, "never closed"),
        ("intents:\n  a.b:\n    en:\n      - turn on] the light\n", 4, "unbalanced"),
        ("intents:\n  a.b:\n    en:\n      - set {level}\n", 4, "undeclared slot {level}"),
        ("intents:\n  a.b:\n    en: [hello]\n  a.b:\n    en: [hi]\n", 4, "duplicate intent 'a.b'"),
        ("intents:\n  a.b:\n    en: [hello]\n    tset: {}\n", 4, "unknown key 'tset'"),
        ("intents:\n  a.b:\n    en: [hello <polite>]\n", 3, "unknown rule <polite>"),
        ("intnets: {}\n", 1, "unknown top-level key"),
    ],
)
def test_each_problem_has_file_and_line(tmp_path, body, line, words):
    write(tmp_path, "bad.yaml", body)
    problems = IntentEngine.check([tmp_path])
    assert problems, body
    first = problems[0]
    assert isinstance(first, IntentProblem)
    assert first.file.endswith("bad.yaml") and first.line == line, str(first)
    assert words in first.message
    assert str(first) == f"{first.file}:{first.line}: {first.message}"


def test_load_raises_one_line_config_error_with_count(tmp_path):
    write(
        tmp_path,
        "bad.yaml",
        "intents:\n  a.b:\n    en: ['set {x}', '(open']\n  c.d:\n    slots: {y: nope}\n",
    )
    problems = IntentEngine.check([tmp_path])
    assert len(problems) == 3
    with pytest.raises(ConfigError) as err:
        IntentEngine.load([tmp_path])
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "bad.yaml") + ":3:")
    assert message.endswith("(and 2 more)")


def test_duplicate_across_folders_names_the_first(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    write(a, "x.yaml", "intents:\n  same.name:\n    en: [hello]\n")
    write(b, "y.yaml", "intents:\n  same.name:\n    en: [hi]\n")
    (problem,) = IntentEngine.check([a, b])
    assert (
        problem.file.endswith("y.yaml")
        and "first defined at" in problem.message
        and "x.yaml:2" in problem.message
    )


def test_missing_folder_is_a_problem(tmp_path):
    (problem,) = IntentEngine.check([tmp_path / "nope"])
    assert "does not exist" in problem.message


def test_config_lists_extend_and_override(tmp_path):
    write(tmp_path, "coffee.yaml", GOOD)
    engine = IntentEngine.load(
        [tmp_path],
        {
            "size": {
                "medium": {"en": ["medium", "regular"], "zh": ["中杯"]},
                "small": {"en": ["tiny"]},
            }
        },
    )
    assert engine.parse("get me a regular coffee", "en").slots == {"size": "medium"}
    assert engine.parse("来一杯中杯咖啡", "zh").slots == {"size": "medium"}
    assert engine.parse("get me a tiny coffee", "en").slots == {"size": "small"}
    assert engine.list_name("size", "small", "zh") == "小杯"
    assert engine.list_name("size", "medium", "en") == "medium"
    assert engine.list_items("size") == ["small", "large", "medium"]


def test_bad_config_lists_are_reported(tmp_path):
    write(tmp_path, "coffee.yaml", GOOD)
    problems = IntentEngine.check([tmp_path], {"size": ["not", "a", "mapping"]})
    assert any("config [lists]" in p.file and "must map item ids" in p.message for p in problems)


def test_grammar_expansion():
    tree = grammar.parse("(turn|switch) [the] light (on|off)")
    phrases = {
        " ".join("".join(p for p in ph if isinstance(p, str)).split())
        for ph in grammar.expand(tree, {})
    }
    assert "turn the light on" in phrases and "switch light off" in phrases and len(phrases) == 8
    perm = grammar.parse("a coffee (large; iced; with oat milk)")
    assert len(grammar.expand(perm, {})) == 6
    slots = grammar.names(grammar.parse("set {a} to [{b}]"), grammar.Slot)
    assert slots == ["a", "b"]
    with pytest.raises(grammar.TemplateError):
        grammar.parse("a (b; c|d)")


def test_closed_list_slot_refuses_unknown_names(tmp_path):
    body = GOOD.replace("      size: size\n", "      size: {type: size, open: false}\n")
    write(tmp_path, "coffee.yaml", body)
    engine = IntentEngine.load([tmp_path])
    assert engine.parse("get me a large coffee", "en").slots == {"size": "large"}
    assert engine.parse("get me a humongous coffee", "en").slots.get("size") is None
    write(tmp_path, "coffee.yaml", GOOD)
    assert IntentEngine.load([tmp_path]).parse("get me a humongous coffee", "en").slots == {
        "size": "humongous"
    }


def test_bad_slot_mapping_is_reported(tmp_path):
    write(
        tmp_path,
        "bad.yaml",
        "lists: {size: {s: [small]}}\nintents:\n  a.b:\n"
        "    slots:\n      size: {type: size, open: maybe}\n",
    )
    (problem,) = IntentEngine.check([tmp_path])
    assert problem.line == 5 and "open: true|false" in problem.message


PLAYER = """\
intents:
  music.play:
    slots:
      query: text
    en:
      - play {query}
      - put on {query}
"""
ELSEWHERE = (
    PLAYER
    + """\
elsewhere:
  slots:
    who: text
  en:
    - (let us|want to) play (chess|checkers|cards) [with {who}]
    - play (chess|checkers|cards) [with {who}]
"""
)


def test_elsewhere_phrases_give_no_intent_and_are_no_intent_themselves(tmp_path):
    """A game is not music: "play chess" must not fall to the nearest real intent."""
    plain = IntentEngine.load([write(tmp_path, "music.yaml", PLAYER)])
    assert (
        plain.parse("play chess with me", "en").intent == "music.play"
    )  # the problem: nearest wins
    engine = IntentEngine.load([write(tmp_path, "music.yaml", ELSEWHERE)])
    assert engine.intent_names == ["music.play"]
    for text in ("play chess with me", "let's play checkers", "play cards with grandma"):
        m = engine.parse(text, "en", explain=True)
        assert m.intent is None and m.explain["rejected"] == "a command for something else", text
    assert engine.parse("put on checkers by the checkers", "en").intent == "music.play"


def test_elsewhere_may_not_have_tests(tmp_path):
    write(tmp_path, "x.yaml", "elsewhere:\n  en: [play chess]\n  tests: {en: [play chess]}\n")
    assert any("unknown key 'tests'" in str(p) for p in IntentEngine.check([tmp_path]))


# ------------------------------------------------------- hostile files (issue 13, defects 4 and 13)
def laughs(levels: int, width: int) -> str:
    """The "billion laughs" file: each anchor is `width` aliases of the one before."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return (
        "\n".join(lines) + f"\nintents:\n  x.y:\n    en: [hello]\n    description: *a{levels - 1}\n"
    )


def test_yaml_aliases_are_refused_with_their_line(tmp_path):
    write(tmp_path, "bad.yaml", laughs(5, 10))  # 100,000 strings once written out
    (problem,) = IntentEngine.check([tmp_path])
    assert problem.line == 2 and "alias '*a0'" in problem.message, str(problem)


def test_billion_laughs_is_refused_in_bounded_memory(tmp_path, state_dir):
    """Nine levels of nine: 9**9 strings took 11.7 GB. Run under a 1 GB address-space limit."""
    write(tmp_path, "bad.yaml", laughs(9, 9))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "intents", "check", "--intents", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(state_dir),
        cwd=ROOT,
        preexec_fn=limit,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{tmp_path / 'bad.yaml'}:2: YAML alias '*a0' is not allowed" in proc.stdout, proc.stdout


def nested(depth: int) -> str:
    return "[x " * depth + "y" + "]" * depth


@pytest.mark.parametrize(
    "body,line",
    [
        ("intents:\n  x.y:\n    en:\n      - '" + "(" * 5000 + "hi" + ")" * 5000 + "'\n", 4),
        ("intents:\n  x.y:\n    en:\n      - 'a " + "[" * 5000 + "hi" + "]" * 5000 + "'\n", 4),
        ("intents:\n  x.y:\n    en:\n      - '" + "([" * 2500 + "hi" + "])" * 2500 + "'\n", 4),
        ("intents:\n  x.y:\n    en:\n      - '" + "(a|" * 5000 + "b" + ")" * 5000 + "'\n", 4),
        ("rules:\n  deep: '" + "(" * 5000 + "hi" + ")" * 5000 + "'\n", 2),
    ],
)
def test_deeply_nested_brackets_are_refused_with_file_and_line(tmp_path, body, line):
    write(tmp_path, "bad.yaml", body)
    problem = IntentEngine.check([tmp_path])[0]
    assert problem.line == line and "nested more than 30 deep" in problem.message, str(problem)[
        :300
    ]
    assert len(str(problem)) < 300  # the template is quoted short
    assert grammar.parse(nested(30)) and IntentEngine.check([write(tmp_path, "bad.yaml", "")]) == []


def rule_chain(length: int, body: str) -> str:
    """Rules r0 .. r{length-1}; `body` is each one's text with {next} the rule after it."""
    rules = "".join(f"  r{i}: '{body.format(next=f'<r{i + 1}>')}'\n" for i in range(length - 1))
    return f"rules:\n{rules}  r{length - 1}: word\nintents:\n  x.y:\n    en: ['hello <r0>']\n"


@pytest.mark.parametrize(
    "body,line,words",
    [
        (
            "rules:\n  a: '<a> <a>'\nintents:\n  x.y:\n    en: ['hello <a>']\n",
            5,
            "rule <a> refers to itself (<a> -> <a>)",
        ),
        (
            "rules:\n  a: '[<b>]'\n  b: 'x (<c>|y)'\n  c: '<a>'\n"
            "intents:\n  x.y:\n    en: ['hi <b>']\n",
            7,
            "rule <b> refers to itself (<b> -> <c> -> <a> -> <b>)",
        ),
        # each rule three times the one after it: 3**19 words
        (rule_chain(20, "({next} {next} {next})"), 24, "template too large to match"),
        # twenty rules, each brackets 29 deep around the next: deeper than the stack, not larger
        (
            rule_chain(20, "[" * 29 + "x {next}" + "]" * 29),
            24,
            "nested too deeply through its rules",
        ),
    ],
)
def test_rules_inside_rules_are_bounded(tmp_path, body, line, words):
    write(tmp_path, "bad.yaml", body)
    (problem,) = IntentEngine.check([tmp_path])
    assert problem.line == line and words in problem.message, str(problem)


def test_yaml_nested_deeper_than_the_stack_is_refused_with_its_line(tmp_path):
    write(
        tmp_path,
        "bad.yaml",
        "intents:\n  x.y:\n    en: [hello]\n    description: " + "[" * 900 + "]" * 900 + "\n",
    )
    (problem,) = IntentEngine.check([tmp_path])
    assert problem.line == 4 and "nested more than 40 levels deep" in problem.message, str(problem)


def test_huge_intent_file_is_refused_unread(tmp_path):
    write(tmp_path, "big.yaml", "intents:\n  x.y:\n    en: [hello]\n" + "# padding\n" * 500_000)
    (problem,) = IntentEngine.check([tmp_path])
    assert problem.file.endswith("big.yaml") and "larger than 4 MB" in problem.message, str(problem)


def test_hostile_intent_files_get_file_and_line_from_the_cli(tmp_path, cli):
    """`intents check` and `parse` on rules that write out to nothing, chained twenty deep (4**19
    steps that add no word: hung for hours), and on brackets 5000 deep (was "unexpected
    RecursionError")."""
    chain = tmp_path / "chain"
    chain.mkdir()
    write(
        chain,
        "chain.yaml",
        rule_chain(20, "{next}{next}{next}{next}").replace("r19: word", "r19: ' '"),
    )
    deep = tmp_path / "deep"
    deep.mkdir()
    write(
        deep,
        "deep.yaml",
        "intents:\n  x.y:\n    en:\n      - '" + "(" * 5000 + "hi" + ")" * 5000 + "'\n",
    )
    for folder, where, words in (
        (chain, "chain.yaml:24:", "template too large to match"),
        (deep, "deep.yaml:4:", "nested more than 30 deep"),
    ):
        checked = cli("intents", "check", "--intents", str(folder), timeout=60)
        no_traceback(checked)
        assert checked.code == 1 and f"{folder / where}" in checked.out and words in checked.out, (
            checked.out[:500]
        )
        parsed = cli("parse", "--intents", str(folder), "hello", timeout=60)
        no_traceback(parsed)
        (line,) = parsed.err.splitlines()
        assert parsed.code != 0 and line.startswith(f"error: {folder / where}") and words in line, (
            parsed.err[:500]
        )


def test_many_large_templates_are_refused_past_a_total(tmp_path):
    """Each template is under the per-template limit through one rule (12,000 edges); 4 MB of
    them were billions of edges. Compiling stops at a total, with the line of the template that
    passed it."""
    words = " | ".join(f"w{i}" for i in range(100))
    body = (
        f"rules:\n  b: '({words})'\n  big: '{' '.join(['<b>'] * 60)}'\nintents:\n  x.y:\n    en:\n"
    )
    write(tmp_path, "many.yaml", body + "".join(f"      - 'hello{i} <big>'\n" for i in range(30)))
    (problem,) = IntentEngine.check([tmp_path])
    # templates start at line 7; the 17th passes 200,000 edges
    assert problem.line == 7 + 16 and "intents too large in total" in problem.message, str(problem)


def test_list_of_a_hundred_thousand_names_loads_in_bounded_time(tmp_path, cli):
    """A 3 MB list file (under the size limit) took minutes to load: every name was looked up in
    a list."""
    rng = random.Random(4)
    names = {
        " ".join(
            "".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(3, 8)))
            for _ in range(rng.randint(1, 4))
        )
        for _ in range(100_000)
    }
    items = "".join(f"    t{k}: ['{name}']\n" for k, name in enumerate(sorted(names)))
    write(
        tmp_path,
        "big.yaml",
        f"lists:\n  thing:\n{items}intents:\n  x.y:\n    slots: {{t: thing}}\n"
        "    en: ['get {t}']\n",
    )
    result = cli(
        "parse", "--json", "--intents", str(tmp_path), "get " + sorted(names)[7], timeout=90
    )
    no_traceback(result)
    assert result.code == 0 and result.json_lines()[0]["slots"] == {"t": "t7"}, result.err[:300]
