"""Reading intent files (YAML) into plain specs, collecting *every* problem with its file and line.

Users write these files by hand, so a mistake must be reported where it is, all of
them at once, instead of as a traceback from deep inside the matcher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..lang import LANGS
from ..slots import SLOT_TYPES as BUILTIN_TYPES
from ..scripted.spec import Script, read_script
from ..smallfile import TooBig, read_small_text
from . import grammar

# The built-in types and their example phrases live in assistant/slots.py (one entry per type);
# these names are kept for the loader's messages and the engine's example sentences.
SLOT_TYPES = tuple(BUILTIN_TYPES)
# what a person might say for each built-in type, to make example sentences of a template
EXAMPLES = {t.name: t.examples for t in BUILTIN_TYPES.values()}


@dataclass(frozen=True)
class IntentProblem:
    """One thing wrong in an intent file; str() gives "file:line: message"."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Template:
    text: str
    lang: str
    line: int
    tree: grammar.Node


@dataclass
class TestCase:
    lang: str
    text: str
    slots: dict[str, Any] | None  # None: do not check slots
    line: int
    file: str
    intent: str | None  # None: must give no intent


@dataclass
class IntentSpec:
    name: str
    file: str
    line: int
    slots: dict[str, str] = field(
        default_factory=dict
    )  # slot name -> type ("duration", "list:room", ...)
    closed: set[str] = field(default_factory=set)  # list slots that take only configured names
    templates: list[Template] = field(default_factory=list)
    tests: list[TestCase] = field(default_factory=list)
    description: str = ""
    script: Script | None = None  # `reply:` / `action:` of a maker's intent (assistant/scripted)


@dataclass
class Library:
    intents: dict[str, IntentSpec] = field(default_factory=dict)
    lists: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=dict
    )  # list -> id -> {"en": [...], "zh": [...], ...}
    rules: dict[str, grammar.Node] = field(default_factory=dict)
    negatives: list[TestCase] = field(default_factory=list)
    problems: list[IntentProblem] = field(default_factory=list)
    # commands for things the assistant does not do ("play chess", "add a meeting"): when one of
    # these phrases fits best, the answer is no intent rather than the nearest real one
    elsewhere: list[IntentSpec] = field(default_factory=list)


ELSEWHERE = "(elsewhere)"


# ------------------------------------------------------------------ YAML with line numbers
class _Map(dict):
    lines: dict[Any, int]
    line: int


class _List(list):
    lines: list[int]
    line: int


def _plain(node: yaml.Node) -> Any:
    """Convert a composed YAML node, keeping 1-based line numbers of keys and items."""
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.lines, out.line = {}, node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = _plain(key_node)
            if isinstance(key, (dict, list)):
                key = str(key)
            if key in out:
                out.lines.setdefault(("dup", key), key_node.start_mark.line + 1)
            out[key] = _plain(value_node)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = _List(_plain(v) for v in node.value)
        seq.lines, seq.line = [v.start_mark.line + 1 for v in node.value], node.start_mark.line + 1
        return seq
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    return _SCALARS.construct_object(node, deep=True)


_SCALARS = yaml.SafeLoader("")  # only used to build ints, floats, bools, nulls
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Hostile files must cost bounded memory and stack. The biggest real intent file is under 10 KB;
# a maker's long list (thousands of songs) stays well under this.
MAX_FILE_BYTES = 4_000_000
# Mappings and lists inside each other: real files use about six levels; converting a node
# recurses once a level.
MAX_YAML_DEPTH = 40


def _refused(text: str) -> tuple[int, str] | None:
    """The line and reason when a file's YAML must not be composed, else None.

    Aliases are refused, not expanded: `*a` is the same node as its anchor, and nine levels
    of nine aliases each ("billion laughs") become 9**9 strings once made into plain data.
    Intent files never need them. Reads the parser's events only, so it takes no more memory
    than the text; raises yaml.YAMLError for a syntax error, like compose.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_COMPOSER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            return (
                line,
                f"YAML alias '*{event.anchor}' is not allowed in intent files: write the value out",
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return line, f"YAML nested more than {MAX_YAML_DEPTH} levels deep"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _read(path: Path) -> str:
    """The file's text, refused past MAX_FILE_BYTES before it is all read (see smallfile.py)."""
    try:
        return read_small_text(path, MAX_FILE_BYTES)
    except TooBig:
        raise ValueError(
            f"file larger than {MAX_FILE_BYTES // 1_000_000} MB; intent files are small"
        ) from None


def _short(text: str, limit: int = 80) -> str:
    """A template as quoted in a message: a hostile one may be thousands of characters."""
    return text if len(text) <= limit else text[:limit] + "..."


def _line(obj: Any, key: Any, default: int) -> int:
    lines = getattr(obj, "lines", None)
    try:
        return lines[key] if lines is not None else default
    except (KeyError, IndexError, TypeError):
        return default


# ------------------------------------------------------------------ loading
def load(dirs: list[Path], lists: dict | None = None) -> Library:
    """Every *.yaml of the folders (in order) plus list overrides from the config file."""
    lib = Library()
    raw_intents: list[tuple[str, str, dict, int]] = []
    for folder in dirs:
        folder = Path(folder)
        if not folder.exists():
            lib.problems.append(IntentProblem(str(folder), 0, "intents folder does not exist"))
            continue
        for path in folder_files(folder):
            if (
                not path.is_file()
            ):  # a FIFO would block the read until a writer came, a device never end
                lib.problems.append(IntentProblem(str(path), 0, "is not a regular file"))
                continue
            _load_file(path, lib, raw_intents)
    if lists:
        _merge_lists("config [lists]", lists, lib, 0)
    for name, file, body, line in raw_intents:
        _load_intent(name, file, body, line, lib)
    return lib


def folder_files(folder: Path) -> list[Path]:
    """The intent files of a folder, in the order they are read (a file stands for itself)."""
    if not folder.is_dir():
        return [folder]
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


def _load_file(path: Path, lib: Library, raw_intents: list) -> None:
    file = str(path)
    try:
        text = _read(path)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        lib.problems.append(IntentProblem(file, 0, f"cannot read: {exc}"))
        return
    try:
        refused = _refused(text)
        if refused is not None:
            lib.problems.append(IntentProblem(file, *refused))
            return
        node = yaml.compose(text, Loader=_COMPOSER)
        data = _plain(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        lib.problems.append(
            IntentProblem(file, line, f"YAML syntax: {getattr(exc, 'problem', None) or exc}")
        )
        return
    except Exception as exc:  # constructor errors (bad timestamps, ...)
        lib.problems.append(IntentProblem(file, 0, f"YAML: {exc}"))
        return
    if not isinstance(data, dict):
        lib.problems.append(
            IntentProblem(file, 1, "the file must be a mapping with 'intents:' and/or 'lists:'")
        )
        return
    for key in data:
        if key not in (
            "intents",
            "lists",
            "rules",
            "negatives",
            "elsewhere",
            "language",
            "version",
        ):
            lib.problems.append(
                IntentProblem(
                    file,
                    _line(data, key, 1),
                    f"unknown top-level key '{key}' (expected intents, lists, rules, negatives, "
                    "elsewhere)",
                )
            )
    if "lists" in data:
        _merge_lists(file, data["lists"], lib, _line(data, "lists", 1))
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        lib.problems.append(
            IntentProblem(file, _line(data, "rules", 1), "'rules' must map names to templates")
        )
        rules = {}
    for name, body in rules.items():
        try:
            lib.rules[str(name)] = grammar.parse(str(body))
        except grammar.TemplateError as exc:
            lib.problems.append(IntentProblem(file, _line(rules, name, 1), f"rule <{name}>: {exc}"))
    negatives = data.get("negatives") or {}
    if isinstance(negatives, dict):
        for lang, items in negatives.items():
            if lang not in LANGS or not isinstance(items, list):
                lib.problems.append(
                    IntentProblem(
                        file,
                        _line(negatives, lang, 1),
                        "negatives: expected en/zh lists of sentences",
                    )
                )
                continue
            for k, sentence in enumerate(items):
                lib.negatives.append(
                    TestCase(lang, str(sentence), None, _line(items, k, 1), file, None)
                )
    if data.get("elsewhere") is not None:
        raw_intents.append((ELSEWHERE, file, data["elsewhere"], _line(data, "elsewhere", 1)))
    intents = data.get("intents") or {}
    if not isinstance(intents, dict):
        lib.problems.append(
            IntentProblem(
                file,
                _line(data, "intents", 1),
                "'intents' must map intent names to their definition",
            )
        )
        return
    for name, body in intents.items():
        line = _line(intents, name, 1)
        dup = getattr(intents, "lines", {}).get(("dup", name))
        if dup:
            lib.problems.append(IntentProblem(file, dup, f"duplicate intent '{name}' in this file"))
        raw_intents.append((str(name), file, body, line))


def _names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    return None


def _merge_lists(file: str, lists: Any, lib: Library, line: int) -> None:
    if not isinstance(lists, dict):
        lib.problems.append(IntentProblem(file, line, "'lists' must map list names to items"))
        return
    for list_name, items in lists.items():
        lline = _line(lists, list_name, line)
        if str(list_name) in SLOT_TYPES:
            lib.problems.append(
                IntentProblem(file, lline, f"list name '{list_name}' is a built-in slot type")
            )
            continue
        if not isinstance(items, dict):
            lib.problems.append(
                IntentProblem(file, lline, f"list '{list_name}' must map item ids to names")
            )
            continue
        target = lib.lists.setdefault(str(list_name), {})
        for item_id, value in items.items():
            iline = _line(items, item_id, lline)
            if isinstance(value, dict):
                entry = dict(target.get(str(item_id), {}))
                ok = True
                for key, names in value.items():
                    if key in LANGS:
                        got = _names(names)
                        if got is None:
                            lib.problems.append(
                                IntentProblem(
                                    file,
                                    _line(value, key, iline),
                                    f"list '{list_name}' item '{item_id}': {key} must be a name "
                                    "or a list of names",
                                )
                            )
                            ok = False
                        else:
                            entry[key] = got
                    else:
                        entry[key] = names  # extra data, e.g. lat/lon of a city
                if ok:
                    target[str(item_id)] = entry
            else:
                got = _names(value)
                if got is None:
                    lib.problems.append(
                        IntentProblem(
                            file,
                            iline,
                            f"list '{list_name}' item '{item_id}' must be names or "
                            f"{{en: [...], zh: [...]}}",
                        )
                    )
                    continue
                target[str(item_id)] = {
                    "en": [n for n in got if n.isascii()],
                    "zh": [n for n in got if not n.isascii()],
                }


def _slot_type(kind: Any, lib: Library) -> str | None:
    kind = str(kind)
    if kind in SLOT_TYPES:
        return kind
    name = kind[5:] if kind.startswith("list:") else kind
    return f"list:{name}" if name in lib.lists else None


def _load_intent(name: str, file: str, body: Any, line: int, lib: Library) -> None:
    problems = lib.problems
    if name in lib.intents and name != ELSEWHERE:
        other = lib.intents[name]
        problems.append(
            IntentProblem(
                file,
                line,
                f"duplicate intent '{name}' (first defined at {other.file}:{other.line})",
            )
        )
        return
    if not isinstance(body, dict):
        problems.append(
            IntentProblem(
                file, line, f"intent '{name}' must be a mapping with slots, en, zh, tests"
            )
        )
        return
    spec = IntentSpec(name, file, line, description=str(body.get("description", "")))
    for key in body:
        if key not in ("slots", "en", "zh", "tests", "description", "reply", "action") or (
            name == ELSEWHERE and key in ("tests", "reply", "action")
        ):
            problems.append(
                IntentProblem(file, _line(body, key, line), f"intent '{name}': unknown key '{key}'")
            )
    slots = body.get("slots") or {}
    if not isinstance(slots, dict):
        problems.append(
            IntentProblem(
                file,
                _line(body, "slots", line),
                f"intent '{name}': 'slots' must map slot names to types",
            )
        )
        slots = {}
    for slot, kind in slots.items():
        if isinstance(kind, dict):  # {type: shopping_list, open: false}
            if (
                not isinstance(kind.get("open", True), bool)
                or set(kind) - {"type", "open"}
                or "type" not in kind
            ):
                problems.append(
                    IntentProblem(
                        file,
                        _line(slots, slot, line),
                        f"intent '{name}': slot '{slot}' must be a type or "
                        f"{{type: T, open: true|false}}",
                    )
                )
                continue
            if kind.get("open", True) is False:
                spec.closed.add(str(slot))
            kind = kind["type"]
        resolved = _slot_type(kind, lib)
        if resolved is None:
            problems.append(
                IntentProblem(
                    file,
                    _line(slots, slot, line),
                    f"intent '{name}': slot '{slot}' has unknown type '{kind}' "
                    f"(types: {', '.join(SLOT_TYPES)} or a list name: "
                    f"{', '.join(sorted(lib.lists)) or 'none'})",
                )
            )
        else:
            spec.slots[str(slot)] = resolved
    for lang in LANGS:
        templates = body.get(lang) or []
        if isinstance(templates, str):
            templates = [templates]
        if not isinstance(templates, list):
            problems.append(
                IntentProblem(
                    file,
                    _line(body, lang, line),
                    f"intent '{name}': '{lang}' must be a list of templates",
                )
            )
            continue
        tlines = getattr(templates, "lines", None) or [_line(body, lang, line)] * len(templates)
        for text, tline in zip(templates, tlines, strict=False):  # one line number per template
            text = str(text)
            try:
                tree = grammar.parse(text)
            except grammar.TemplateError as exc:
                problems.append(
                    IntentProblem(file, tline, f"intent '{name}': template '{_short(text)}': {exc}")
                )
                continue
            bad = False
            for slot in grammar.names(tree, grammar.Slot):
                if slot not in slots:
                    problems.append(
                        IntentProblem(
                            file,
                            tline,
                            f"intent '{name}': template uses undeclared slot {{{slot}}}",
                        )
                    )
                    bad = True
            for rule in grammar.names(tree, grammar.Rule):
                if rule not in lib.rules:
                    problems.append(
                        IntentProblem(
                            file, tline, f"intent '{name}': template uses unknown rule <{rule}>"
                        )
                    )
                    bad = True
            if not bad:
                spec.templates.append(Template(text, lang, tline, tree))
    if name == ELSEWHERE:
        lib.elsewhere.append(spec)
        return
    _load_tests(spec, body.get("tests"), _line(body, "tests", line), lib)
    spec.script, script_problems = read_script(name, body, {str(s) for s in slots}, line)
    problems.extend(IntentProblem(file, p.line, p.message) for p in script_problems)
    lib.intents[name] = spec


def _load_tests(spec: IntentSpec, tests: Any, line: int, lib: Library) -> None:
    if tests is None:
        return
    if not isinstance(tests, dict):
        lib.problems.append(
            IntentProblem(
                spec.file, line, f"intent '{spec.name}': 'tests' must map en/zh to sentences"
            )
        )
        return
    for lang, items in tests.items():
        lline = _line(tests, lang, line)
        if lang not in LANGS or not isinstance(items, list):
            lib.problems.append(
                IntentProblem(
                    spec.file, lline, f"intent '{spec.name}': tests must be 'en:' / 'zh:' lists"
                )
            )
            continue
        for k, item in enumerate(items):
            iline = _line(items, k, lline)
            if isinstance(item, dict) and len(item) == 1:
                text, slots = next(iter(item.items()))
                if slots is None:
                    slots = {}
                if not isinstance(slots, dict):
                    lib.problems.append(
                        IntentProblem(
                            spec.file,
                            iline,
                            f"intent '{spec.name}': expected slots of '{text}' must be a mapping",
                        )
                    )
                    continue
                for slot in slots:
                    if slot not in spec.slots:
                        lib.problems.append(
                            IntentProblem(
                                spec.file,
                                iline,
                                f"intent '{spec.name}': test expects undeclared slot '{slot}'",
                            )
                        )
                spec.tests.append(
                    TestCase(lang, str(text), dict(slots), iline, spec.file, spec.name)
                )
            elif isinstance(item, (str, int, float)):
                spec.tests.append(TestCase(lang, str(item), {}, iline, spec.file, spec.name))
            else:
                lib.problems.append(
                    IntentProblem(
                        spec.file,
                        iline,
                        f"intent '{spec.name}': a test is a sentence or 'sentence: "
                        f"{{slot: value}}'",
                    )
                )
