"""A JSGF grammar for pocketsphinx, compiled from the loaded English intent templates.

pocketsphinx's open vocabulary is poor on free speech, but constrained to the sentences the
assistant understands it is both cheap (a Raspberry Pi) and accurate. The grammar is built
from the same templates the matcher uses, so a new intent file is recognised without any
extra work:

- `(a|b)`, `[x]`, `<rule>` map to JSGF directly; `(a; b; c)` any-order groups of up to
  four parts become every order, longer ones their written order and its reverse (as the
  matcher's own expansion does);
- list slots become the list's English names; number, level, duration, time, day, date and
  language slots become small rules of spoken number words ("twenty five", "forty percent",
  "ten minutes", "seven am", "tomorrow");
- free-text slots (`play {query}`, `add {item} ...`) become a loop of words from a modest
  vocabulary: the free-text values in the intents' own English tests and a short list of
  common things people play and buy (list names already have their own slots). Each free
  slot copies that vocabulary into the compiled FSG, so it is kept small, and free slots of
  `elsewhere` phrases are left out (the phrase without them still catches the command). A
  loop over the whole dictionary would make the grammar as loose as the open vocabulary;
  dropping those templates would lose "play some jazz" and "add milk to my list" altogether.

pocketsphinx refuses a grammar holding a word its dictionary lacks, so every word is
checked against the dictionary the decoder uses; an alternative with an unknown word is
left out (and reported in `Grammar.dropped`), the rest of the template stays.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..lang import EN_ORDINALS, MONTHS_EN, WORDS_TO_WEEKDAY_EN, number_to_words_en
from ..nlu import grammar as tg
from ..slots import FREE_TEXT, SLOT_TYPES

NAME = "commands"  # the grammar's name and its public rule: <commands.commands>
FREE_WORDS = 1  # a free-text slot is this many words at most (each one copies the vocabulary)
ELSEWHERE = True  # include the `elsewhere` phrases (commands for other services)
MAX_PERMUTED = 4  # any-order groups up to this many parts give every order

# Things people commonly play, add to a list or name; a modest set so free text stays constrained.
COMMON_FREE = [
    "music",
    "songs",
    "album",
    "playlist",
    "radio",
    "podcast",
    "jazz",
    "rock",
    "pop",
    "blues",
    "classical",
    "piano",
    "country",
    "folk",
    "rap",
    "soul",
    "dance",
    "news",
    "relaxing",
    "christmas",
    "milk",
    "eggs",
    "bread",
    "butter",
    "cheese",
    "coffee",
    "tea",
    "sugar",
    "rice",
    "pasta",
    "apples",
    "bananas",
    "juice",
    "water",
    "chicken",
    "fish",
    "fruit",
    "soap",
    "paper",
    "batteries",
    "call",
    "mom",
    "dad",
    "pay",
    "bills",
    "laundry",
    "dinner",
    "lunch",
    "breakfast",
    "movie",
    "cooking",
]

ONES = [number_to_words_en(n) for n in range(1, 10)]
TEENS = [number_to_words_en(n) for n in range(10, 20)]
TENS = [number_to_words_en(n) for n in range(20, 100, 10)]
ORDINALS = list(EN_ORDINALS)  # first ... twentieth, thirtieth
MONTHS = [m.lower() for m in MONTHS_EN]
WEEKDAYS = list(WORDS_TO_WEEKDAY_EN)

# Helper rules the built-in slot types' own rules (their `sphinx` in assistant/slots.py) refer
# to, in JSGF. Each word is in pocketsphinx's en-us dictionary.
HELPER_RULES = {
    "digit": " | ".join(ONES),
    "num": (
        f"zero | <digit> | {' | '.join(TEENS)} | ({' | '.join(TENS)}) [<digit>] | [a | one] hundred"
    ),
    "unit": "second | seconds | minute | minutes | hour | hours",
    "hour": " | ".join(ONES + ["ten", "eleven", "twelve"]),
    "minutes": f"oh <digit> | {' | '.join(TEENS)} | ({' | '.join(TENS[:4])}) [<digit>]",
    "clock": (
        "(<hour> [<minutes> | o'clock] | noon | midnight | half past <hour> "
        "| [a] quarter (past | to) <hour> | <num> [minutes] (past | to) <hour>) "
        "[am | pm | in the (morning | afternoon | evening) | at night | tonight]"
    ),
    "weekday": " | ".join(WEEKDAYS),
    "ordinal": f"{' | '.join(ORDINALS)} | (twenty | thirty) ({' | '.join(ORDINALS[:9])})",
}
TYPE_RULES = {
    **HELPER_RULES,
    **{t.name: t.sphinx for t in SLOT_TYPES.values() if t.sphinx is not None},
}

# Command words the bundled dictionary lacks, in ARPABET; the recogniser adds them to its decoder.
PRONUNCIATIONS = {
    "unmute": "AH N M Y UW T",
    "unpause": "AH N P AO Z",
    "dont": "D OW N T",
    "didnt": "D IH D AH N T",
}

_WORD = re.compile(r"[a-z0-9']+")
_SPECIAL = set('<>()[]|;=*+/{}"')


@dataclass
class Grammar:
    """A compiled grammar: its JSGF text and what had to be left out."""

    text: str
    dropped: set[str] = field(default_factory=set)  # words pocketsphinx does not know
    templates: int = 0  # English templates used
    skipped: int = 0  # templates left out entirely (every alternative unknown)


def dictionary_path() -> Path:
    """The pronunciation dictionary bundled with the `pocketsphinx` package (what the decoder
    loads)."""
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


@lru_cache(maxsize=2)
def load_dictionary(path: str | None = None) -> frozenset[str]:
    """The words of a CMU-format dictionary (alternates like `read(2)` folded in)."""
    words = set()
    with open(path or dictionary_path(), encoding="utf-8", errors="replace") as f:
        for line in f:
            head = line.split(" ", 1)[0]
            if head:
                words.add(head.split("(", 1)[0])
    return frozenset(words | set(PRONUNCIATIONS))


def _rule_name(prefix: str, name: str) -> str:
    return f"<{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}>"


class _Compiler:
    """Turns template trees into JSGF expressions; None means "cannot be said" (unknown words)."""

    def __init__(self, engine, words: frozenset[str]):
        self.lib = engine.library
        self.words = words
        self.dropped: set[str] = set()
        self.rules: dict[str, str] = {}  # rule name -> expansion (helpers, lists, slot types)
        self.free_text = True  # off while compiling `elsewhere` phrases

    # ---------------------------------------------------------------- words
    def phrase(self, text: str) -> str | None:
        """A literal run of words, or None when the dictionary lacks one of them."""
        tokens = _WORD.findall(text.lower())
        missing = [t for t in tokens if t not in self.words]
        if missing:
            self.dropped.update(missing)
            return None
        return " ".join(tokens)

    # ---------------------------------------------------------------- slots
    def slot(self, name: str, slots: dict[str, str]) -> str | None:
        kind = slots.get(name, FREE_TEXT)
        if kind == FREE_TEXT and not self.free_text:
            return None
        if kind.startswith("list:"):
            return self.list_rule(kind[5:])
        if kind == FREE_TEXT:
            return self.free_rule()
        if kind in TYPE_RULES:
            self.type_rule(kind)
            return _rule_name("t", kind)
        return None

    def type_rule(self, kind: str) -> None:
        name = _rule_name("t", kind)
        if name in self.rules:
            return
        body = TYPE_RULES[kind]
        self.rules[name] = re.sub(r"<(\w+)>", lambda m: _rule_name("t", m.group(1)), body)
        for ref in re.findall(r"<(\w+)>", body):
            self.type_rule(ref)

    def list_rule(self, list_name: str) -> str | None:
        name = _rule_name("l", list_name)
        if name not in self.rules:
            names = sorted(
                {
                    p
                    for entry in self.lib.lists.get(list_name, {}).values()
                    for n in entry.get("en", [])
                    if (p := self.phrase(str(n)))
                }
            )
            self.rules[name] = " | ".join(names) if names else ""
        return name if self.rules[name] else None

    def free_rule(self) -> str | None:
        name = "<free_word>"
        if name not in self.rules:
            vocab: set[str] = set(COMMON_FREE)
            for spec in self.lib.intents.values():
                text_slots = {s for s, k in spec.slots.items() if k == "text"}
                for case in spec.tests:
                    if case.lang == "en" and case.slots:
                        for s in text_slots & set(case.slots):
                            vocab.update(_WORD.findall(str(case.slots[s]).lower()))
            known = sorted(w for w in vocab if w in self.words)
            self.dropped.update(w for w in vocab if w not in self.words)
            self.rules[name] = " | ".join(known)
            self.rules["<free>"] = "<free_word>" + " [<free_word>]" * (FREE_WORDS - 1)
        return "<free>" if self.rules[name] else None

    # ---------------------------------------------------------------- trees
    def node(self, node: tg.Node, slots: dict[str, str]) -> str | None:
        if isinstance(node, tg.Text):
            text = node.text
            if not text.strip():
                return ""
            return self.phrase(text)
        if isinstance(node, tg.Slot):
            return self.slot(node.name, slots)
        if isinstance(node, tg.Rule):
            return self.user_rule(node.name)
        if isinstance(node, tg.Alt):
            empty = any(isinstance(o, tg.Seq) and not o.items for o in node.options)
            options = [
                self.node(o, slots)
                for o in node.options
                if not (isinstance(o, tg.Seq) and not o.items)
            ]
            kept = [o for o in dict.fromkeys(options) if o is not None]
            empty = empty or "" in kept
            kept = [o for o in kept if o]
            if not kept:
                return "" if empty else None
            body = " | ".join(kept)
            return f"[{body}]" if empty else (f"({body})" if len(kept) > 1 else kept[0])
        if isinstance(node, tg.Perm):
            heard = [self.node(p, slots) for p in node.items]
            if any(p is None for p in heard):
                return None
            parts = [p for p in heard if p]
            if len(parts) <= 1:
                return parts[0] if parts else ""
            orders = (
                itertools.permutations(parts)
                if len(parts) <= MAX_PERMUTED
                else [tuple(parts), tuple(reversed(parts))]
            )
            return "(" + " | ".join(" ".join(o) for o in orders) + ")"
        # Seq
        items = [self.node(i, slots) for i in node.items]
        if any(i is None for i in items):
            return None
        return " ".join(i for i in items if i)

    def user_rule(self, name: str) -> str | None:
        ref = _rule_name("r", name)
        if ref not in self.rules:
            self.rules[ref] = ""  # guards against a rule that refers to itself
            tree = self.lib.rules.get(name)
            body = self.node(tree, {}) if tree is not None else None
            self.rules[ref] = body or ""
        return ref if self.rules[ref] else None


def build_grammar(engine, dictionary: frozenset[str] | None = None) -> Grammar:
    """The JSGF grammar of every English template (intents and `elsewhere` phrases) of `engine`."""
    words = dictionary if dictionary is not None else load_dictionary()
    comp = _Compiler(engine, words)
    alternatives: list[str] = []
    used = skipped = 0
    for spec in list(engine.library.intents.values()) + (
        list(engine.library.elsewhere) if ELSEWHERE else []
    ):
        bodies = []
        comp.free_text = spec in engine.library.intents.values()
        for tpl in spec.templates:
            if tpl.lang != "en":
                continue
            body = comp.node(tpl.tree, spec.slots)
            if body:
                bodies.append(body)
                used += 1
            else:
                skipped += 1
        if bodies:
            rule = _rule_name("i", spec.name)
            while rule in comp.rules:  # elsewhere specs may share a name
                rule = rule[:-1] + "_>"
            comp.rules[rule] = " | ".join(f"({b})" for b in dict.fromkeys(bodies))
            alternatives.append(rule)
    if not alternatives:
        raise ValueError("no English template can be said with pocketsphinx's dictionary")
    lines = [
        "#JSGF V1.0;",
        "",
        f"grammar {NAME};",
        "",
        f"public <{NAME}> = {' | '.join(alternatives)};",
        "",
    ]
    lines += [f"{name} = {body};" for name, body in comp.rules.items() if body]
    return Grammar("\n".join(lines) + "\n", dropped=comp.dropped, templates=used, skipped=skipped)


def grammar_key(engine) -> str:
    """A hash of everything the grammar depends on: templates, rules, lists, test values, this
    module."""
    h = hashlib.sha256()
    lib = engine.library
    for spec in list(lib.intents.values()) + list(lib.elsewhere):
        h.update(repr((spec.name, sorted(spec.slots.items()))).encode())
        for tpl in spec.templates:
            if tpl.lang == "en":
                h.update(tpl.text.encode() + b"\0")
        for case in spec.tests:
            if case.lang == "en" and case.slots:
                h.update(repr(sorted(case.slots.items())).encode())
    h.update(repr(sorted((k, repr(v)) for k, v in lib.rules.items())).encode())
    h.update(
        repr(
            sorted(
                (k, sorted((i, sorted(e.get("en", []))) for i, e in v.items()))
                for k, v in lib.lists.items()
            )
        ).encode()
    )
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def write_grammar(engine, path: Path) -> Path:
    """Write the grammar to `path` unless the file there was built from the same intents.

    The key sits in the first comment line; a stale compiled `.fsg` beside it (SpeechRecognition
    caches one) is removed so it cannot outlive its grammar.
    """
    path = Path(path)
    key = grammar_key(engine)
    stamp = f"// intents {key}"
    try:
        with open(path, encoding="utf-8") as f:
            f.readline()
            if f.readline().strip() == stamp:
                return path
    except OSError:
        pass
    grammar = build_grammar(engine)
    text = grammar.text.replace("#JSGF V1.0;\n", f"#JSGF V1.0;\n{stamp}\n", 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    path.with_suffix(".fsg").unlink(missing_ok=True)
    return path
