"""IntentEngine: load intent files once, then turn any text into a `Match`.

The one object the rest of the product talks to; everything below it is plain
functions over data compiled here at load time.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Iterable
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..scripted.spec import missing_replies
from ..types import Match
from . import grammar
from .entities import Entity, find
from .graph import LARGE_EDGES, MAX_TOTAL_EDGES, Label, TemplateGraph, Value, Word, compile_template
from . import learned as learned_stage
from .learned import LearnedModel
from .loader import ELSEWHERE, EXAMPLES, IntentProblem, Library, folder_files, load
from .matcher import STOP_EN, STOP_ZH, Candidate, Matcher
from ..lang import LANGS, detect_lang, is_cjk, pinyin
from .normalize import normalize, tokenize
from .values import ValueIndex

log = logging.getLogger(__name__)

THRESHOLD = 0.62  # below: no intent
MARGIN = 0.04  # a different intent this close to the best: too unsure, no intent
# The learned stage (learned.py), tuned on the tuning half of the development sets only:
LEARNED_ALONE = 0.9  # it answers for the grammar stage's "no intent" from this probability ...
LEARNED_FLOOR = 0.3  # ... when the grammar stage's own best phrase of that intent scored this much
# ... and from this probability, when retrieval did not bring that intent, its graphs are aligned
# (the grammar stage then judges them like any other)
LEARNED_RETRIEVE = 0.8
SURE = 0.8  # a grammar answer from this score stands whatever the learned stage says
LEARNED_REJECT = 0.8  # below SURE, the learned stage's reject class this sure overrules the grammar
# Words that turn a command round ("disable the alarm", "don't play music", "别静音了"): if one
# is heard and the winning phrase does not say it, the phrase read the opposite of what was meant
# ("not" alone is no cue: "i can't hear, turn it up", "should i wear gloves or not")
NEGATION = {
    "en": ("do not", "dont", "never", "cancel", "disable", "deactivate"),
    "zh": ("别", "不要", "不用", "取消", "停止"),
}
MAX_CHARS = 600  # longer input is never a command; cut before any work
MAX_ITEMS = 40


@dataclass(frozen=True)
class TestFailure:
    file: str
    intent: str | None
    lang: str
    sentence: str
    expected: str
    got: str
    line: int = 0

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: [{self.lang}] {self.sentence!r}: "
            f"expected {self.expected}, got {self.got}"
        )


class IntentEngine:
    """Compiled intents of some folders; `parse` never raises."""

    def __init__(self, library: Library):
        self.library = library
        self.values = ValueIndex({name: items for name, items in library.lists.items()})
        self.problems: list[IntentProblem] = list(library.problems)
        self.warnings: list[
            IntentProblem
        ] = []  # works, but the maker should know (slow, ambiguous)
        self.warnings.extend(
            IntentProblem(s.file, line, message)
            for s in library.intents.values()
            if s.script is not None
            for line, message in missing_replies(s.name, s.script, {t.lang for t in s.templates})
        )
        graphs = self._compile()
        slot_types = {n: s.slots for n, s in library.intents.items()}
        for spec in library.elsewhere:
            slot_types.setdefault(ELSEWHERE, {}).update(spec.slots)
        self.matcher = Matcher(
            graphs,
            slot_types,
            {(n, slot) for n, s in library.intents.items() for slot in s.closed},
            self.values,
        )
        self.learned: LearnedModel | None = None  # set by `learn`; None: the grammar stage alone
        self.learned_source = ""  # "trained", "cache", "memory" or "none" (start-up figures)

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(
        cls,
        dirs: list[Path],
        lists: dict | None = None,
        cache_dir: Path | None = None,
        learn: bool = True,
    ) -> IntentEngine:
        """Load and compile; raises ConfigError "FILE:LINE: problem (and N more)" on any problem.

        With `learn` the learned stage is trained too, or read from `cache_dir` (the state dir)
        when these very files trained it before."""
        engine = cls(load([Path(d) for d in dirs], lists))
        if engine.problems:
            first, rest = engine.problems[0], len(engine.problems) - 1
            raise ConfigError(str(first) + (f" (and {rest} more)" if rest else ""))
        if learn:
            files = [f for d in dirs for f in folder_files(Path(d)) if f.is_file()]
            engine.learn(learned_stage.cache_key(files, lists), cache_dir)
        return engine

    def learn(self, key: str, cache_dir: Path | None = None) -> None:
        """Train (or read from `cache_dir`) the learned stage of these intents; `key` names them."""
        self.learned, self.learned_source = learned_stage.obtain(_Sampler(self), key, cache_dir)

    @classmethod
    def check(cls, dirs: list[Path], lists: dict | None = None) -> list[IntentProblem]:
        """Every problem of the folders, without raising."""
        return cls(load([Path(d) for d in dirs], lists)).problems

    def _compile(self) -> list[TemplateGraph]:
        """Every template's graph; compiling stops, with a problem, once they pass
        MAX_TOTAL_EDGES."""
        cache: dict[tuple[str, str], tuple[Label, ...]] = {}
        graphs: list[TemplateGraph] = []
        total = 0
        for spec in list(self.library.intents.values()) + self.library.elsewhere:
            for tpl in spec.templates:

                def tokens(text: str, lang: str = tpl.lang) -> tuple[Label, ...]:
                    got = cache.get((text, lang))
                    if got is None:
                        got = cache[(text, lang)] = self._literal_labels(text, lang)
                    return got

                try:
                    graph = compile_template(
                        tpl.tree,
                        self.library.rules,
                        spec.slots,
                        tokens,
                        intent=spec.name,
                        lang=tpl.lang,
                        template=tpl.text,
                        line=tpl.line,
                    )
                except grammar.TemplateError as exc:
                    self.problems.append(
                        IntentProblem(spec.file, tpl.line, f"intent '{spec.name}': {exc}")
                    )
                    continue
                total += graph.size
                if total > MAX_TOTAL_EDGES:
                    self.problems.append(
                        IntentProblem(
                            spec.file,
                            tpl.line,
                            f"intent '{spec.name}': intents too "
                            f"large in total (more than {MAX_TOTAL_EDGES} graph edges "
                            "with this template): use slots instead of long rules",
                        )
                    )
                    return graphs
                if graph.size > LARGE_EDGES:
                    self.warnings.append(
                        IntentProblem(
                            spec.file,
                            tpl.line,
                            f"intent '{spec.name}': template is large "
                            f"({graph.size} graph edges) and slow to match",
                        )
                    )
                if graph.size:
                    graphs.append(graph)
        return graphs

    def _literal_labels(self, text: str, lang: str) -> tuple[Label, ...]:
        """A template's literal words, cleaned and tagged exactly as heard text is."""
        items = find(tokenize(normalize(text, lang, piece=True), lang), lang, self.values)
        return tuple(
            Value(it.type, it.value, it.raw)
            if isinstance(it, Entity)
            else Word(it.text, pinyin(it.text) if is_cjk(it.text) else "")
            for it in items
        )

    # ------------------------------------------------------------------ understanding
    def parse(self, text: str, lang: str = "auto", explain: bool = False) -> Match:
        """The best intent for `text` with normalised slots, or intent None; never raises for a
        str."""
        original = text if isinstance(text, str) else str(text)
        try:
            return self._parse(original, lang, explain)
        except Exception:  # pragma: no cover - a bug must not take the loop down
            log.exception("parse failed for %r", original[:200])
            return Match(
                None, {}, 0.0, detect_lang(original) if lang not in LANGS else lang, None, original
            )

    def analyse(self, text: str, lang: str) -> list:
        """The tokens and entities the matcher sees (for --explain and debugging)."""
        items = find(tokenize(normalize(text[:MAX_CHARS], lang), lang), lang, self.values)
        return items[:MAX_ITEMS]

    def _parse(self, text: str, lang: str, explain: bool) -> Match:
        if lang not in LANGS:
            lang = detect_lang(text)
        items = self.analyse(text, lang)
        if not items:
            return Match(None, {}, 0.0, lang, None, text, {"items": []} if explain else None)
        prep = self.matcher.prepare(items, lang)
        cands = [self.matcher.align(g, prep) for g in self.matcher.retrieve(prep)]
        best: dict[str, Candidate] = {}
        for cand in cands:
            other = best.get(cand.intent)
            if other is None or _better(cand, other):
                best[cand.intent] = cand
        ranked = sorted(best.values(), key=lambda c: -c.score)
        info: dict[str, Any] | None = None
        if explain:
            info = {
                "items": [
                    f"<{it.type}={it.value}>" if isinstance(it, Entity) else it.text for it in items
                ],
                "candidates": _explained(ranked),
            }
        guess = None
        if self.learned is not None and (not ranked or ranked[0].score < SURE):
            guess = self.learned.guess(learned_stage.tokens_of_items(items), lang)
            if info is not None:
                info["learned"] = {
                    "intent": guess.intent,
                    "known": round(guess.known, 2),
                    "probability": round(guess.probability, 4),
                }
        if (
            guess is not None
            and guess.intent is not None
            and guess.intent not in best
            and guess.probability >= LEARNED_RETRIEVE
        ):
            # retrieval ranks graphs by the words they share with what was heard, and a new name
            # ("关掉地下室的灯": 地下室) can push the right intent out of its dozen; the learned
            # stage, sure of it, has its own graphs aligned, for a score and the slots
            for graph in self.matcher.graphs_of(guess.intent, lang):
                cand = self.matcher.align(graph, prep)
                other = best.get(cand.intent)
                if other is None or _better(cand, other):
                    best[cand.intent] = cand
            ranked = sorted(best.values(), key=lambda c: -c.score)
            if info is not None:
                info["candidates"] = _explained(ranked)
                info["learned"]["aligned its graphs"] = True
        if not ranked:
            return Match(None, {}, 0.0, lang, None, text, info)
        top = ranked[0]
        runner = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score < THRESHOLD or top.score - runner < MARGIN or top.intent == ELSEWHERE:
            if info is not None:
                info["rejected"] = (
                    "below threshold"
                    if top.score < THRESHOLD
                    else "a command for something else"
                    if top.intent == ELSEWHERE
                    else "too close to the runner-up"
                )
            own = best.get(guess.intent) if guess is not None and guess.intent else None
            if (
                guess is not None
                and own is not None
                and guess.probability >= LEARNED_ALONE
                and own.score >= LEARNED_FLOOR
            ):
                if info is not None:
                    info["answered_by"] = "learned"
                    info["grammar_stage"] = info.pop("rejected")
                confidence = round(learned_confidence(guess.probability), 4)
                return Match(
                    own.intent, own.slots, confidence, lang, own.graph.template, text, info
                )
            return Match(None, {}, round(top.score, 4), lang, None, text, info)
        cue = _negation(items, lang)
        if cue and not _says(top.graph, cue, lang):
            other = next(
                (
                    c
                    for c in ranked[1:]
                    if c.score >= THRESHOLD and c.intent != ELSEWHERE and _says(c.graph, cue, lang)
                ),
                None,
            )
            if other is None:
                if info is not None:
                    info["rejected"] = f"'{cue}' turns the command round; the phrase lacks it"
                return Match(None, {}, round(top.score, 4), lang, None, text, info)
            top = other
        if guess is not None and guess.intent is None and guess.probability >= LEARNED_REJECT:
            if info is not None:
                info["rejected"] = "the learned stage reads a command for something else"
            return Match(None, {}, round(top.score, 4), lang, None, text, info)
        if info is not None and top.unknown:
            info["unknown_list_values"] = top.unknown
        return Match(
            top.intent, top.slots, round(top.score, 4), lang, top.graph.template, text, info
        )

    # ------------------------------------------------------------------ checks
    def ambiguities(self, per_template: int = 4, seed: int = 1) -> list[IntentProblem]:
        """Templates that can say something understood as another intent, with file and line.

        A few sentences are made from each template (random paths, slots filled with list names
        and example values) and read back: "turn on {device}" in a file that also has
        "turn on {scene}" under another intent is a grammar the maker should know about.
        """
        rng = random.Random(seed)
        found: list[IntentProblem] = []
        for spec in self.library.intents.values():
            for graph in self.matcher.graphs_of(spec.name):
                for _ in range(per_template):
                    sentence = self._say(graph.sample(rng), graph.lang, rng)
                    got = self.parse(sentence, graph.lang, explain=True)
                    scores = {
                        c["intent"]: c["score"]
                        for c in reversed((got.explain or {}).get("candidates", []))
                    }
                    own = scores.pop(spec.name, 0.0)
                    rival = max(scores, key=lambda k: scores[k], default=None)
                    if (
                        rival is not None
                        and rival != ELSEWHERE
                        and scores[rival] >= THRESHOLD
                        and scores[rival] > own - MARGIN
                    ):
                        found.append(
                            IntentProblem(
                                spec.file,
                                graph.line,
                                f"intent '{spec.name}': template "
                                f"'{graph.template}' can say {sentence!r}, which {rival} "
                                f"understands as well or better",
                            )
                        )
                        break
        return found

    def _say(self, labels: list[Label], lang: str, rng: random.Random) -> str:
        words: list[str] = []
        for label in labels:
            if isinstance(label, Word):
                words.append(label.text)
            elif isinstance(label, Value):
                words.append(label.raw)
            elif label.type.startswith("list:"):
                items = list(self.library.lists.get(label.type[5:], {}).values())
                names = [str(n) for item in items for n in item.get(lang, [])[:1]]
                words.append(rng.choice(names) if names else "")
            else:
                words.append(rng.choice(EXAMPLES.get(label.type, EXAMPLES["text"])[lang]))
        return ("" if lang == "zh" else " ").join(w for w in words if w)

    # ------------------------------------------------------------------ tests
    def run_tests(self) -> list[TestFailure]:
        """Every test sentence of every intent (and the negatives); the failures."""
        failures: list[TestFailure] = []
        cases = [
            c for spec in self.library.intents.values() for c in spec.tests
        ] + self.library.negatives
        for case in cases:
            got = self.parse(case.text, case.lang)
            ok = got.intent == case.intent and (case.slots is None or got.slots == case.slots)
            if not ok:
                expected = f"{case.intent or 'no intent'} {case.slots or ''}".strip()
                actual = f"{got.intent or 'no intent'} {got.slots or ''}".strip()
                failures.append(
                    TestFailure(
                        case.file,
                        case.intent or "(none)",
                        case.lang,
                        case.text,
                        expected,
                        actual,
                        case.line,
                    )
                )
        return failures

    # ------------------------------------------------------------------ data for others
    @property
    def intent_names(self) -> list[str]:
        return list(self.library.intents)

    def list_items(self, list_name: str) -> list[str]:
        return list(self.library.lists.get(list_name, {}))

    def list_name(self, list_name: str, item_id: str, lang: str) -> str:
        """Display name of a list item in a language ("kitchen" -> "厨房"); the id itself if
        unknown."""
        entry = self.library.lists.get(list_name, {}).get(item_id)
        if not entry:
            return item_id
        names = entry.get(lang) or entry.get("en" if lang == "zh" else "zh") or [item_id]
        return str(names[0])

    def list_synonyms(self, list_name: str, item_id: str) -> list[str]:
        """Every name of a list item, English then Chinese."""
        entry = self.library.lists.get(list_name, {}).get(item_id, {})
        return [str(n) for lang in LANGS for n in entry.get(lang, [])]

    def list_data(self, list_name: str, item_id: str) -> dict[str, Any]:
        """Extra fields of a list item (e.g. a city's lat/lon); {} when none."""
        entry = self.library.lists.get(list_name, {}).get(item_id, {})
        return {k: v for k, v in entry.items() if k not in LANGS}

    def domain(self, intent: str) -> list[str]:
        """The intents written in the same file as `intent` (a maker's domain, or a built-in
        one)."""
        spec = self.library.intents.get(intent)
        if spec is None:
            return []
        return [name for name, other in self.library.intents.items() if other.file == spec.file]

    def likely(self, text: str, lang: str, limit: int = 3) -> list[tuple[str, float]]:
        """The intents `text` is nearest to, with their scores, even when none is accepted; then
        the intents of a domain whose own list values were heard ("some sweetener" is the coffee
        maker's, whatever the rest of the sentence), with the score of the nearest intent."""
        match = self.parse(text, lang, explain=True)
        found = [
            (c["intent"], float(c["score"]))
            for c in (match.explain or {}).get("candidates", [])
            if c["intent"] != ELSEWHERE
        ][:limit]
        top = found[0][1] if found else 0.0
        named = {intent for intent, _ in found}
        for it in self.analyse(text, lang):
            if isinstance(it, Entity) and it.type.startswith("list:"):
                owners = {
                    spec.file: spec.name
                    for spec in self.library.intents.values()
                    if it.type in spec.slots.values()
                }
                if len(owners) == 1:
                    intent = next(iter(owners.values()))
                    if intent not in named and not named & set(self.domain(intent)):
                        found.append((intent, top))
                        named.add(intent)
        return found

    def vocabulary(self, lang: str, intents: list[str] | None = None) -> list[str]:
        """Distinctive words of the loaded templates and list names in `lang`, most useful first.

        The recogniser's prompt is short, so the order matters. For everything: command words
        that point at one domain ("timer", "计时器"), then the main name of every list item
        ("kitchen", "北京"), then the other words and synonyms. For some `intents` (a domain):
        the main names of the lists their slots use first (what a recogniser gets wrong is
        "dark rose" for "dark roast", not "can I get"), each only when it adds a word not said
        before ("a bit of soy milk" adds nothing to "a bit of milk" and "soy milk"), then the
        domain's own command words.
        """
        chosen = set(intents) if intents is not None else None
        specs = [s for s in self.library.intents.values() if chosen is None or s.name in chosen]
        templates: Counter[str] = Counter()
        domains: dict[str, set[str]] = {}
        for spec in self.library.intents.values():
            for tpl in spec.templates:
                if tpl.lang != lang:
                    continue
                words = _template_words(tpl.tree, lang)
                if chosen is None or spec.name in chosen:
                    templates.update(words)
                for (
                    w
                ) in words:  # by domain: "timer" is distinctive though three timer intents use it
                    domains.setdefault(w, set()).add(spec.file)
        distinctive = sorted(
            (w for w in templates if len(domains[w]) == 1),
            key=lambda w: (-templates[w] / len(domains[w]), w),
        )
        common = sorted(
            (w for w in templates if len(domains[w]) > 1), key=lambda w: (-templates[w], w)
        )
        lists = (
            list(self.library.lists)
            if chosen is None
            else list(
                dict.fromkeys(
                    stype[5:]
                    for spec in specs
                    for stype in spec.slots.values()
                    if stype.startswith("list:")
                )
            )
        )
        main_names: list[str] = []
        synonyms: list[str] = []
        said: set[str] = set()
        # the lists take turns, so a cut prompt loses the tail of a long list, not a whole short one
        columns = [
            [
                [str(n) for n in entry.get(lang, [])]
                for entry in self.library.lists.get(name, {}).values()
            ]
            for name in lists
        ]
        for row in itertools.zip_longest(*columns):
            for names in row:
                if not names:
                    continue
                words = set(names[0].lower().split()) if lang == "en" else {names[0]}
                if chosen is None or len(words) < 3 or not words <= said:
                    main_names.append(names[0])
                    said |= words
                synonyms.extend(names[1:])
        order = (
            distinctive[:20] + main_names + distinctive[20:]
            if chosen is None
            else main_names + distinctive
        )
        out: list[str] = []
        seen: set[str] = set()
        for w in order + common + synonyms:
            if w not in seen:
                seen.add(w)
                out.append(w)
        return out


def _template_words(tree: grammar.Node, lang: str) -> set[str]:
    """The words of a template worth telling a recogniser (no particles, no short glue)."""
    words: set[str] = set()
    for node_text in _texts(tree):
        if lang == "zh":
            for chunk in normalize(node_text, "zh", piece=True).split():
                chunk = "".join(ch for ch in chunk if is_cjk(ch))
                if 2 <= len(chunk) <= 4 and chunk[0] not in STOP_ZH and chunk[-1] not in STOP_ZH:
                    words.add(chunk)
        else:
            for w in normalize(node_text, "en", piece=True).lower().split():
                if w not in STOP_EN and len(w) > 2:
                    words.add(w)
    return words


def _negation(items: list, lang: str) -> str:
    """The first negation or cancel cue heard, or ""."""
    if lang == "zh":
        heard = "".join(it.text for it in items if not isinstance(it, Entity))
        return next((cue for cue in NEGATION["zh"] if cue in heard), "")
    heard = " " + " ".join(it.text.lower() for it in items if not isinstance(it, Entity)) + " "
    return next((cue for cue in NEGATION["en"] if f" {cue} " in heard), "")


def _says(graph: TemplateGraph, cue: str, lang: str) -> bool:
    """Whether a template can say the cue itself (its first character in Chinese, its last word
    in English: "do not" is said by "i (do not|dont) need an alarm")."""
    word = cue[0] if lang == "zh" else cue.split()[-1]
    return any(isinstance(label, Word) and label.text == word for label in graph.labels)


def learned_confidence(probability: float) -> float:
    """The learned stage's probability on the grammar stage's scale, where THRESHOLD is where an
    answer starts: LEARNED_ALONE maps to THRESHOLD and certainty to 1, so "score >= THRESHOLD"
    means accepted whichever stage answered, in both languages."""
    share = (probability - LEARNED_ALONE) / (1.0 - LEARNED_ALONE)
    return THRESHOLD + (1.0 - THRESHOLD) * min(1.0, max(0.0, share))


class _Sampler:
    """The engine's graphs and example sentences, as the learned stage's training needs them."""

    def __init__(self, engine: IntentEngine):
        self.engine = engine

    def graphs(self) -> Iterable[tuple[str, TemplateGraph]]:
        for name in [*self.engine.intent_names, ELSEWHERE]:
            for graph in self.engine.matcher.graphs_of(name):
                yield (learned_stage.REJECT if name == ELSEWHERE else name), graph

    def sentences(self) -> Iterable[tuple[str, str, list]]:
        lib = self.engine.library
        for case in [c for spec in lib.intents.values() for c in spec.tests] + lib.negatives:
            items = self.engine.analyse(case.text, case.lang)
            yield case.intent or learned_stage.REJECT, case.lang, items


def _explained(ranked: list[Candidate]) -> list[dict[str, Any]]:
    """The best candidates as `--explain` shows them."""
    return [
        {
            "intent": c.intent,
            "score": round(c.score, 4),
            "template": c.graph.template,
            "slots": c.slots,
        }
        for c in ranked[:5]
    ]


def _better(a: Candidate, b: Candidate) -> bool:
    """Among one intent's phrases: the higher score, but of two near-equal ones the phrase that
    explains every word ("listen to {query}") beats one that tolerates extras ("listen to
    music")."""
    if (
        a.graph.lang == "en" and abs(a.score - b.score) <= 0.06 and abs(a.extra - b.extra) >= 0.5
    ):  # a content word
        return a.extra < b.extra
    return a.score > b.score


def _texts(node: grammar.Node) -> list[str]:
    if isinstance(node, grammar.Text):
        return [node.text]
    children = getattr(node, "items", None) or getattr(node, "options", None) or ()
    return [t for child in children for t in _texts(child)]
