"""Fuzzy alignment of a tagged utterance with the template graphs of every intent.

Two steps, both over data compiled once at load time:
1. retrieval: each graph is indexed by the words, entity types and slot types on its paths
   (Chinese characters by blurred toneless pinyin, so homophones agree); an utterance
   scores each graph by the weight of its words the graph can explain, and the best few
   graphs go on.
2. alignment: a weighted edit distance between the utterance and the *graph* (a dynamic
   programme over nodes x utterance positions), where words may be near-misses
   ("paws"/"pause", "记"/"计"), slots take entities, list values heard in another form or
   as a near-miss ("12 oz", "dark rose"), and for free text and unknown list values the
   words left over. It gives the score and the slot values.

Every weight and cost is a field of `CostModel`, with what it stands for.
"""

from __future__ import annotations

import enum
from itertools import compress
from operator import not_
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from .entities import Entity, Item
from .graph import Label, SlotRef, TemplateGraph, Value, Word
from ..lang import fuzzy_pinyin, is_cjk, pinyin, sound_key, syllable_similarity
from ..slots import entity_kind
from .normalize import Token
from .values import NEAR_OPEN, ValueIndex

STOP_EN = frozenset(
    [
        "the",
        "a",
        "an",
        "my",
        "your",
        "our",
        "to",
        "of",
        "for",
        "in",
        "at",
        "is",
        "are",
        "be",
        "can",
        "could",
        "would",
        "will",
        "you",
        "i",
        "me",
        "some",
        "with",
        "and",
        "this",
        "that",
        "it",
        "its",
        "there",
        "do",
        "does",
        "just",
        "now",
    ]
)
GLUE_EN = frozenset(
    ["the", "a", "an", "my", "your", "our", "some", "this", "that", "it", "its", "just", "now"]
)  # cheapest to drop
PREPOSITIONS = frozenset(["to", "in", "at", "for", "of", "into", "onto"])  # stand in for each other
STOP_ZH = frozenset("我你把在是个一要想能再就都也给让吗么将")
OPEN_COVER = 0.1  # retrieval: how much of a word a free-text or open list slot explains
HEAD_WEIGHT = (
    3.0  # retrieval: templates this light with free text are found by their first word too
)


@dataclass(frozen=True)
class CostModel:
    """Every weight and cost of the alignment. One content word weighs 1.0; a score is
    1 - cost / weight, so a cost is "how much of a word" a difference is worth."""

    # weights of words (of the template or of what was heard)
    glue: float = 0.15  # "the", "my", "some": cheapest to add or drop
    stop: float = 0.3  # other function words: "to", "is", "我", "把"
    key: float = 1.5  # an English word only `key_users` intents use ("joke", "umbrella")
    key_users: int = 2
    # a template word against a heard word
    near_min: float = 0.6  # similarity from which a heard word is a near-miss of a template word
    clear: float = (
        0.85  # ... and from which it is evidence for the template (homophones, close spellings)
    )
    near: float = 1.2  # near-miss with similarity s: (1 - s) * near * weight
    swap: float = 1.2  # a word heard as an unrelated one, times its weight
    value_mismatch: float = 0.4  # a value written in the template heard with another value
    # slots
    level_from_number: float = 0.1  # a bare number filling a level or a level a number slot
    time_from_number: float = 0.3  # a bare hour filling a time slot ("at 7")
    near_value: float = (
        1.5  # a list value heard as a near-miss with similarity s: 0.1 + (1 - s) * this
    )
    near_value_base: float = 0.1
    unknown: float = 0.6  # a list value nobody configured ("turn off the shed light")
    unknown_more_en: float = 0.3  # each further word of such a name
    unknown_more_zh: float = 0.12  # each further character
    unknown_max_en: int = 3
    unknown_max_zh: int = 4
    free_open: float = 0.15  # a free-text slot taking words at all
    free_word: float = 0.03  # each plain word of free text
    free_number: float = 0.1  # a number inside free text
    free_entity: float = 0.3  # another entity inside free text
    free_zh_word: float = 0.15  # a Chinese character forming a template word with a neighbour
    free_command_word: float = 0.25  # an English word other intents use (it points elsewhere)
    # scoring
    extra: float = 0.6  # words the template does not explain weigh this much of a missing word
    extra_keyed: float = 0.3  # ... once a distinctive word of the intent was heard
    drop_tie: float = 0.001  # of two equal paths, the one explaining more words wins
    unknown_alone: float = 0.5  # score factor for an unknown name with too little command around it
    unheard: float = 0.5  # score factor for a template none of whose words was clearly heard
    unframed: float = 0.7  # score factor for free text whose template lost a content word


COSTS = CostModel()


class Op(enum.IntEnum):
    """One step of an alignment, as kept in the back-pointers."""

    DELETE = 0  # a heard word the template does not explain
    INSERT = 1  # a template label not heard
    NEAR = 2  # a heard word that is (nearly) the template word
    SWAP = 3  # a heard word standing where another template word was
    EMPTY = 4  # an empty edge of the graph
    SLOT = 5  # an entity filling a slot
    FREE = 6  # words taken as free text
    UNKNOWN = 7  # words taken as a list value nobody configured
    NEAR_VALUE = 8  # words that sound like a known list value


class Step(NamedTuple):
    """A back-pointer: how the alignment reached a cell of the table (kept as a plain tuple of
    these fields while the table is filled: two million of them would cost 15 % of the time)."""

    op: Op
    node: int  # where the step came from
    pos: int
    label: Label | None = None
    value: Any = None  # the item id of a NEAR_VALUE step


_DELETE, _INSERT, _NEAR, _SWAP, _EMPTY, _SLOT, _FREE, _UNKNOWN, _NEAR_VALUE = (
    Op.DELETE,
    Op.INSERT,
    Op.NEAR,
    Op.SWAP,
    Op.EMPTY,
    Op.SLOT,
    Op.FREE,
    Op.UNKNOWN,
    Op.NEAR_VALUE,
)
Cell = tuple  # a Step's fields, (op, node, pos, label, value)
_K_EMPTY, _K_WORD, _K_VALUE, _K_SLOT = range(4)  # kinds of edge, resolved once per graph


@dataclass
class Prepared:
    """Everything about one utterance that does not depend on the template."""

    items: list[Item]
    weights: list[float]
    absorb: list[float]  # prefix sums of the cost of taking words as free text
    pair_at: list[bool]  # items[k-1] + items[k] form a Chinese template word
    similar: list[dict[str, float] | None]  # per token: template words it may stand for
    owners: list[set[str] | None]  # per token: the intents whose command word it is
    types: frozenset[str] = frozenset()  # entity types heard ("list:device", "day")
    lang: str = "en"
    sums: list[float] = field(default_factory=list)  # prefix sums of `weights`
    _by_intent: dict[str, list[float]] = field(default_factory=dict)
    _near: dict[tuple[str, int], list[tuple[int, str, float]]] = field(default_factory=dict)
    # what each template label costs against this utterance, shared by every graph aligned
    _steps: dict[Any, Any] = field(default_factory=dict)
    _words: dict[int, list[Any]] = field(default_factory=dict)  # by Matcher.word_ids
    _heard: set[str] | None = None  # every word some token may stand for
    entities: list[tuple[int, Entity]] = field(default_factory=list)  # (position, entity)
    _drop: dict[float, list[float]] = field(default_factory=dict)  # by the factor of extra words
    _keyed: dict[Any, bool] = field(default_factory=dict)

    def absorb_for(self, intent: str, own_word: float) -> list[float]:
        """`absorb` where the intent's own command words are cheap (its title may contain them)."""
        got = self._by_intent.get(intent)
        if got is None:
            got = self.absorb
            if any(o is not None and intent in o for o in self.owners):
                got = [0.0]
                for k, o in enumerate(self.owners):
                    step = self.absorb[k + 1] - self.absorb[k]
                    got.append(got[-1] + (own_word if o is not None and intent in o else step))
            self._by_intent[intent] = got
        return got


@dataclass
class Candidate:
    graph: TemplateGraph
    score: float
    slots: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    extra: float = 0.0  # weight of the words the template left unexplained
    needs_command: bool = False  # an unknown name with too little command around it (score halved)

    @property
    def intent(self) -> str:
        return self.graph.intent


def is_stop(word: str) -> bool:
    return word in STOP_ZH if len(word) == 1 and is_cjk(word) else word in STOP_EN


def word_weight(word: str, costs: CostModel = COSTS) -> float:
    if word in GLUE_EN:
        return costs.glue
    return costs.stop if is_stop(word) else 1.0


def item_weight(item: Item, costs: CostModel = COSTS) -> float:
    return word_weight(item.text, costs) if isinstance(item, Token) else 1.0


def _type_code(stype: str) -> str:
    return "t:" + entity_kind(stype)


def label_code(label: Label) -> str | None:
    """What retrieval files a template label under (None: not worth looking up)."""
    if isinstance(label, Word):
        w = label.text
        if w in PREPOSITIONS:
            return "prep"
        return "p:" + fuzzy_pinyin(w) if label.pinyin else "w:" + w
    if isinstance(label, SlotRef):
        return None if label.type == "text" else _type_code(label.type)
    return _type_code(label.type)


@dataclass
class _Indexed:
    """A graph with what retrieval and alignment need of it, worked out once."""

    graph: TemplateGraph
    codes: dict[str, float]  # retrieval code -> the weight of its heaviest label
    least: float  # weight of the lightest path through the graph
    open: bool  # has a free-text slot or an open list slot: takes words it does not name
    heads: frozenset[str]  # "verb {free text}" templates: the codes of the verb
    # per node: (target, kind, label, weight, number of the (word, weight) pair or -1, and the
    # back-pointers of its INSERT (EMPTY) and SWAP steps, made once: see `Matcher.align`)
    edges: list[list[tuple[int, int, Any, float, int, tuple, tuple]]]
    key_words: frozenset[str]  # its distinctive words ("joke")
    key_types: frozenset[str]  # list types only its intent fills ("list:weather_gear")


class Matcher:
    """The template graphs of every intent, indexed once."""

    def __init__(
        self,
        graphs: list[TemplateGraph],
        slot_types: dict[str, dict[str, str]],
        closed: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
        values: ValueIndex | None = None,
        costs: CostModel = COSTS,
        retrieve: int = 12,
    ):
        self.costs = costs
        self.slot_types = slot_types
        self.closed = closed
        self.values = values or ValueIndex({})
        self.retrieve_limit = retrieve
        # list types only one intent fills ("weather_gear"): a value of one is as telling as a
        # key word
        by_type: dict[str, set[str]] = {}
        for intent, slots in slot_types.items():
            for stype in slots.values():
                by_type.setdefault(stype, set()).add(intent)
        self.keyed_types = frozenset(
            t for t, owners in by_type.items() if t.startswith("list:") and len(owners) == 1
        )
        users: dict[str, set[str]] = {}
        for g in graphs:
            for label in g.labels:
                if isinstance(label, Word):
                    users.setdefault(label.text, set()).add(g.intent)
        self.users = users
        self.vocab: dict[str, set[str]] = {"en": set(), "zh": set()}
        for w in users:
            self.vocab["zh" if is_cjk(w) else "en"].add(w)
        self.zh_pairs = {pair for g in graphs if g.lang == "zh" for pair in _char_pairs(g)}
        self.zh_by_pinyin: dict[str, set[str]] = {}
        for ch in self.vocab["zh"]:
            self.zh_by_pinyin.setdefault(pinyin(ch), set()).add(ch)
        self._zh_cache: dict[str, dict[str, float]] = {}
        self._similar_cache: dict[str, dict[str, float]] = {}
        self.en_words = sorted(self.vocab["en"])
        self.sound: dict[str, set[str]] = {}
        for w in self.en_words:
            if len(w) >= 3:
                self.sound.setdefault(sound_key(w), set()).add(w)
        self.weight: dict[Label, float] = {}
        for g in graphs:
            for label in g.labels:
                if label not in self.weight:
                    self.weight[label] = self._label_weight(label)
        # each (word, weight) pair of a template label gets a number: what it costs against an
        # utterance is worked out once per utterance under that number
        self.word_ids: dict[tuple[str, float], int] = {}
        self.graphs: dict[str, list[_Indexed]] = {"en": [], "zh": []}
        # the weight of each label object of the graphs, by identity: hashing a label is dear
        self.weight_by_id: dict[int, float] = {
            id(e.label): self.weight[e.label]
            for g in graphs
            for out in g.edges
            for e in out
            if e.label is not None
        }
        self._index: dict[int, _Indexed] = {}
        self.postings: dict[str, dict[str, list[int]]] = {"en": {}, "zh": {}}
        self.heads: dict[str, dict[str, list[int]]] = {"en": {}, "zh": {}}
        for g in graphs:
            codes: dict[str, float] = {}
            for label in g.labels:
                code = label_code(label)
                if code is not None:
                    codes[code] = max(codes.get(code, 0.0), self.weight[label])
            if any(
                w >= 1.0 for w in codes.values()
            ):  # "the", "to": found by its content words instead
                codes = {code: w for code, w in codes.items() if w >= 1.0}
            open_ = any(
                isinstance(lb, SlotRef)
                and (
                    lb.type == "text"
                    or lb.type.startswith("list:")
                    and (g.intent, lb.name) not in closed
                )
                for lb in g.labels
            )
            least = self._least_weight(g)
            heads: frozenset[str] = frozenset()
            if least <= HEAD_WEIGHT and any(
                isinstance(lb, SlotRef) and lb.type == "text" for lb in g.labels
            ):
                heads = frozenset(c for c in (label_code(lb) for lb in _first_labels(g)) if c)
            # edges with their weight and kind resolved, so alignment looks nothing up
            edges = [
                [
                    (
                        e.target,
                        _edge_kind(e.label),
                        e.label,
                        self.weight[e.label] if e.label is not None else 0.0,
                        self._word_id(e.label),
                        (_EMPTY if e.label is None else _INSERT, v, e.label),
                        (_SWAP, v, e.label),
                    )
                    for e in out
                ]
                for v, out in enumerate(g.edges)
            ]
            key_words = frozenset(
                lb.text for lb in g.labels if isinstance(lb, Word) and self.weight[lb] >= costs.key
            )
            key_types = frozenset(
                lb.type
                for lb in g.labels
                if isinstance(lb, SlotRef) and lb.type in self.keyed_types
            )
            entry = _Indexed(g, codes, least, open_, heads, edges, key_words, key_types)
            index = len(self.graphs[g.lang])
            self.graphs[g.lang].append(entry)
            self._index[id(g)] = entry
            for code in codes:
                self.postings[g.lang].setdefault(code, []).append(index)
            for code in heads:
                self.heads[g.lang].setdefault(code, []).append(index)

    def graphs_of(self, intent: str, lang: str | None = None) -> list[TemplateGraph]:
        return [
            e.graph
            for key, items in self.graphs.items()
            if lang is None or key == lang
            for e in items
            if e.graph.intent == intent
        ]

    @property
    def size(self) -> dict[str, int]:
        """Graphs per language (for benchmarks and `--explain`)."""
        return {lang: len(items) for lang, items in self.graphs.items()}

    def _label_weight(self, label: Label) -> float:
        if not isinstance(label, Word):
            return 1.0
        w = word_weight(label.text, self.costs)
        if (
            w == 1.0
            and not label.pinyin
            and len(self.users.get(label.text, ())) <= self.costs.key_users
        ):
            return self.costs.key
        return w

    def _least_weight(self, g: TemplateGraph) -> float:
        least = [0.0] + [1e9] * g.end
        for v, out in enumerate(g.edges):
            for e in out:
                w = least[v] + (self.weight[e.label] if e.label is not None else 0.0)
                if w < least[e.target]:
                    least[e.target] = w
        return least[g.end]

    # ------------------------------------------------------------------ word similarity
    def similar(self, word: str) -> dict[str, float]:
        """Vocabulary words an English token may stand for, with similarity 0..1 (cached: words
        repeat)."""
        got = self._similar_cache.get(word)
        if got is None:
            got = self._similar(word)
            if len(self._similar_cache) > 20000:
                self._similar_cache.clear()
            self._similar_cache[word] = got
        return got

    def _similar(self, word: str) -> dict[str, float]:
        if is_cjk(word) or len(word) < 2 or word.isdigit():
            return {}
        out: dict[str, float] = {}
        if len(word) >= 4:
            for cand, score, _ in process.extract(
                word, self.en_words, scorer=fuzz.ratio, score_cutoff=74, limit=3
            ):
                if len(cand) >= 4:
                    out[cand] = score / 100.0
        for cand in sorted(
            self.sound.get(sound_key(word), ())
        ):  # sorted: a set's order changes per process
            out[cand] = max(out.get(cand, 0.0), 0.82)
        return out

    def _zh_similar(self, ch: str) -> dict[str, float]:
        """Template characters a heard character may stand for: homophones, then near sounds."""
        got = self._zh_cache.get(ch)
        if got is None:
            got = {}
            py = pinyin(ch)
            if py != ch:
                for other, others in self.zh_by_pinyin.items():
                    sim = 0.85 if other == py else syllable_similarity(py, other) * 0.85
                    if sim >= 0.6:
                        for o in others:
                            got[o] = sim
            got[ch] = 1.0
            if len(self._zh_cache) > 20000:
                self._zh_cache.clear()
            self._zh_cache[ch] = got
        return got

    # ------------------------------------------------------------------ retrieval
    def retrieve(self, prep: Prepared, per_intent: int = 5) -> list[TemplateGraph]:
        """The graphs most worth aligning: those explaining the most of what was heard, and the
        "verb {free text}" ones whose verb starts the sentence (a long title hides
        "play {query}")."""
        entries = self.graphs.get(prep.lang) or []
        postings = self.postings.get(prep.lang, {})
        if not entries:
            return []
        gained: dict[int, list[float]] = {}
        total = 0.0
        n = len(prep.items)
        for k, it in enumerate(prep.items):
            w = prep.weights[k]
            total += w
            for code, sim in self._item_codes(it, prep.similar[k]):
                gain = w * sim
                for idx in postings.get(code, ()):
                    row = gained.get(idx)
                    if row is None:
                        row = gained[idx] = [0.0] * n
                    if gain > row[k]:
                        row[k] = gain
        # (-score, index): sorting these plainly is best first, ties by index
        ranked: list[tuple[float, int]] = []
        weights = prep.weights
        for idx, row in gained.items():
            entry = entries[idx]
            got = sum(row)
            if entry.open:  # free text and new names can take any word, but that says little
                # the weights of the words it explains nothing of, summed in order
                got += OPEN_COVER * sum(compress(weights, map(not_, row)))
            ranked.append((-(got / max(total, entry.least, 1.0)), idx))
        ranked.sort()
        out: list[TemplateGraph] = []
        count: dict[str, int] = {}
        for _score, idx in ranked:
            g = entries[idx].graph
            if count.get(g.intent, 0) >= per_intent:
                continue
            count[g.intent] = count.get(g.intent, 0) + 1
            out.append(g)
            if len(out) >= self.retrieve_limit:
                break
        seen = {id(g) for g in out}
        firsts = [it for it, w in zip(prep.items, prep.weights, strict=True) if w >= 1.0][:2]
        for it in firsts:
            for code, _sim in self._item_codes(it, None):
                for idx in self.heads[prep.lang].get(code, ()):
                    g = entries[idx].graph
                    if id(g) not in seen:
                        seen.add(id(g))
                        out.append(g)
        return out

    def _item_codes(self, it: Item, similar: dict[str, float] | None) -> list[tuple[str, float]]:
        if isinstance(it, Entity):
            return [(_type_code(it.type), 1.0)]
        w = it.text
        if w in PREPOSITIONS:
            return [("prep", 1.0)]
        if is_cjk(w):
            by_code: dict[str, float] = {}
            for other, sim in (similar or {w: 1.0}).items():
                code = "p:" + fuzzy_pinyin(other)
                by_code[code] = max(by_code.get(code, 0.0), sim)
            return list(by_code.items())
        codes = [("w:" + other, sim) for other, sim in (similar or {w: 1.0}).items()]
        if similar is not None and not is_stop(w) and w not in self.vocab["en"]:
            codes.extend(
                ("t:list:" + name, sim) for name, sim in self.values.lists_near(w)
            )  # "cappucino"
        return codes

    # ------------------------------------------------------------------ alignment
    def prepare(self, items: list[Item], lang: str) -> Prepared:
        """Everything about the utterance that does not depend on the candidate template."""
        costs = self.costs
        n = len(items)
        weights = [item_weight(it, costs) for it in items]
        pair_at = [False] * (n + 1)
        for k in range(1, n):
            a, b = items[k - 1], items[k]
            pair_at[k] = (
                isinstance(a, Token) and isinstance(b, Token) and (a.text + b.text) in self.zh_pairs
            )
        # free text is cheap to absorb, except words that belong to commands (they point elsewhere)
        absorb = [0.0]
        owners: list[set[str] | None] = [None] * n
        similar: list[dict[str, float] | None] = []
        for k, it in enumerate(items):
            if isinstance(it, Entity):
                extra = costs.free_number if it.type == "number" else costs.free_entity
                similar.append(None)
            elif is_cjk(it.text):
                extra = costs.free_zh_word if (pair_at[k] or pair_at[k + 1]) else costs.free_word
                similar.append(self._zh_similar(it.text))
            else:
                command = it.text in self.vocab["en"] and not is_stop(it.text)
                extra = costs.free_command_word if command else costs.free_word
                if command:
                    owners[k] = self.users.get(it.text)
                table = dict(self.similar(it.text))
                if it.text in PREPOSITIONS:
                    table.update(dict.fromkeys(PREPOSITIONS, 0.6))
                table[it.text] = 1.0
                similar.append(table)
            absorb.append(absorb[-1] + extra)
        types = frozenset(it.type for it in items if isinstance(it, Entity))
        sums = [0.0]
        for w in weights:
            sums.append(sums[-1] + w)
        prep = Prepared(items, weights, absorb, pair_at, similar, owners, types, lang, sums)
        prep.entities = [(k, it) for k, it in enumerate(items) if isinstance(it, Entity)]
        return prep

    def _near_values(self, prep: Prepared, stype: str, j: int) -> list[tuple[int, str, float]]:
        """(length, item id, similarity) of spans from items[j] that sound like a value of list
        `stype`."""
        key = (stype, j)
        got = prep._near.get(key)
        if got is not None:
            return got
        got = []
        list_name = stype[5:]
        items, zh = prep.items, prep.lang == "zh"
        longest = self.values.max_len + (2 if zh else 1)
        if zh:
            longest = min(longest * 2, 6)
        heard: list[str] = []
        for k in range(1, min(longest, len(items) - j) + 1):
            it = items[j + k - 1]  # entities too: "light rose" holds the device "light"
            heard.append(it.raw.lower() if not zh else it.raw)
            if zh and (k < 2 or not all(is_cjk(c) for c in heard)):
                continue
            text = "".join(heard) if zh else " ".join(heard)
            near = self.values.near(list_name, text, prep.lang)
            if near is not None:
                got.append((k, near.item, near.similarity))
        prep._near[key] = got
        return got

    def align(self, g: TemplateGraph, prep: Prepared, unknown_names: bool = True) -> Candidate:
        """The cheapest way through the graph that explains what was heard, as a scored Candidate.

        The table holds exactly what the score subtracts: a heard word the template does not
        explain costs `extra` (or `extra_keyed`) of its weight, so the cheapest path is also the
        best-scoring one. An unknown name with too little command around it halves the score
        afterwards, so such a path is compared with the best path that takes no unknown name.
        """
        costs = self.costs
        keyed = self._keyed(g, prep)
        factor = costs.extra_keyed if keyed else costs.extra
        T = prep.items
        n = len(T)
        N = len(g.edges)
        INF = 1e9
        drop = prep._drop.get(factor)
        if drop is None:
            drop = prep._drop[factor] = [factor * w + costs.drop_tie for w in prep.weights]
        D = [[INF] * (n + 1) for _ in range(N)]
        B: list[list[Cell | None]] = [[None] * (n + 1) for _ in range(N)]
        D[0][0] = 0.0
        positions = range(n)
        absorb = prep.absorb_for(g.intent, costs.free_word)
        zh = g.lang == "zh"
        wsteps = prep._words
        # Per edge, the label's own steps first and then "not heard" (INSERT): every cell then
        # receives its offers in the order one interleaved pass over j would make, so ties break
        # exactly as they always did. The cost a label adds at each position depends on the
        # utterance and the label only, so it is worked out once per utterance (`_word_steps`,
        # `_value_steps`, `_slot_offers`) and shared by every graph aligned with it.
        for v, out in enumerate(self._index[id(g)].edges):
            Dv, Bv = D[v], B[v]
            dele = (_DELETE, v, None)
            c = Dv[0]
            for j, d in enumerate(drop):  # heard words this template does not explain
                cost = c + d
                c = Dv[j + 1]
                if cost < c:
                    c = Dv[j + 1] = cost
                    Bv[j + 1] = dele
            for u, kind, label, wp, wid, ins, swp in out:
                Du, Bu = D[u], B[u]
                if kind == _K_EMPTY:
                    for j in range(n + 1):
                        if Dv[j] < Du[j]:
                            Du[j] = Dv[j]
                            Bu[j] = ins
                    continue
                if kind == _K_WORD:
                    steps = wsteps.get(wid)
                    if steps is None:
                        steps = wsteps[wid] = self._word_steps(prep, label.text, wp)
                    # in this order: "not heard", then the word heard
                    for j, c, step in zip(positions, Dv, steps, strict=False):  # Dv[n]: below
                        cost = c + wp
                        if cost < Du[j]:
                            Du[j] = cost
                            Bu[j] = ins
                        if step is not None:
                            cost = c + step[0]
                            if cost < Du[j + 1]:
                                Du[j + 1] = cost
                                near = step[1] is _NEAR
                                Bu[j + 1] = (_NEAR, v, j, label, step[2]) if near else swp
                    cost = Dv[n] + wp
                    if cost < Du[n]:
                        Du[n] = cost
                        Bu[n] = ins
                    continue
                elif kind == _K_VALUE:
                    for j, add in self._value_steps(prep, label):
                        cost = Dv[j] + add
                        if cost < Du[j + 1]:
                            Du[j + 1] = cost
                            Bu[j + 1] = (_NEAR, v, j, label, 1.0)
                elif label.type == "text":
                    free_open = costs.free_open
                    as_entity = self._slot_offers(g, label, prep, zh, unknown_names, factor)
                    for j in range(n):
                        c = Dv[j]
                        if as_entity[j] and c + as_entity[j][0][1] < Du[j + 1]:
                            extra = as_entity[j][0][1]
                            Du[j + 1] = c + extra
                            Bu[j + 1] = (_SLOT, v, j, label, None)
                        base, aj = c + free_open, absorb[j]
                        for m in range(j + 1, n + 1):
                            cost = base + absorb[m] - aj
                            if cost < Du[m]:
                                Du[m] = cost
                                Bu[m] = (_FREE, v, j, label, None)
                else:
                    offers = self._slot_offers(g, label, prep, zh, unknown_names, factor)
                    for j in range(n):
                        c = Dv[j]
                        for m, add, op, value in offers[j]:
                            cost = c + add
                            if cost < Du[m]:
                                Du[m] = cost
                                Bu[m] = (op, v, j, label, value)
                for j in range(n + 1):  # the template's label was not heard
                    cost = Dv[j] + wp
                    if cost < Du[j]:
                        Du[j] = cost
                        Bu[j] = ins
        cand = self._score(g, prep, D, B, factor)
        if cand.unknown and unknown_names and cand.needs_command:
            other = self.align(g, prep, unknown_names=False)
            if other.score > cand.score:
                return other
        return cand

    def _keyed(self, g: TemplateGraph, prep: Prepared) -> bool:
        """Was a distinctive word of this template heard ("joke", "umbrella", a weather_gear
        value)?"""
        entry = self._index[id(g)]
        words, types = entry.key_words, entry.key_types
        if not words and not types:
            return False
        key = (words, types)  # intents' graphs share them; a frozenset keeps its hash
        got = prep._keyed.get(key)
        if got is None:
            got = prep._keyed[key] = self._heard_any(prep, words, types)
        return got

    def _heard_any(self, prep: Prepared, words: frozenset[str], types: frozenset[str]) -> bool:
        for it, table in zip(prep.items, prep.similar, strict=True):
            if isinstance(it, Entity):
                if it.type in types:
                    return True
            elif table is not None and any(table.get(w, 0.0) >= self.costs.clear for w in words):
                return True
        return False

    def _word_id(self, label: Label | None) -> int:
        if not isinstance(label, Word):
            return -1
        return self.word_ids.setdefault((label.text, self.weight[label]), len(self.word_ids))

    def _word_steps(
        self, prep: Prepared, text: str, wp: float
    ) -> list[tuple[float, Op, float | None] | None]:
        """Per heard position, (cost, op, similarity) of a template word of weight `wp` taking
        the word heard there: a near-miss or a swap (None: an entity takes no word)."""
        costs = self.costs
        near_min, near_k, swap_k = costs.near_min, costs.near, costs.swap
        heard = prep._heard
        if heard is None:
            heard = prep._heard = {w for table in prep.similar if table for w in table}
        if text not in heard:  # most template words: a swap everywhere, the same for any word
            key = ("swaps", wp)
            got = prep._steps.get(key)
            if got is None:
                got = prep._steps[key] = [
                    None if table is None else ((wp if wp > wj else wj) * swap_k, _SWAP, None)
                    for table, wj in zip(prep.similar, prep.weights, strict=True)
                ]
            return got
        got = []
        for table, wj in zip(prep.similar, prep.weights, strict=True):
            if table is None:
                got.append(None)
                continue
            s = table.get(text, 0.0)
            w = wp if wp > wj else wj
            if s >= near_min:
                got.append((w * (1.0 - s) * near_k, _NEAR, s))
            else:  # "wherever" for "weather": one edit, no evidence
                got.append((w * swap_k, _SWAP, None))
        return got

    def _value_steps(self, prep: Prepared, label: Value) -> list[tuple[int, float]]:
        """(position, cost) of a value written in the template taking each heard entity."""
        key = ("value", label)
        got = prep._steps.get(key)
        if got is None:
            mismatch = self.costs.value_mismatch
            got = [
                (j, 0.0 if it.value == label.value else mismatch)
                for j, it in enumerate(prep.items)
                if isinstance(it, Entity) and it.type == label.type
            ]
            prep._steps[key] = got
        return got

    def _slot_offers(
        self,
        g: TemplateGraph,
        label: SlotRef,
        prep: Prepared,
        zh: bool,
        unknown_names: bool,
        factor: float,
    ) -> list[list[tuple[int, float, Op, Any]]]:
        """Per heard position j, the (end, cost, op, value) of each way a slot can take the words
        from j: an entity, a near-miss of a list value, a name nobody configured (free text is
        left to `align`: its cost depends on the intent). They depend on the slot type and
        whether the list is closed, not on the graph, so they are worked out once per utterance.
        """
        stype = label.type
        closed = (g.intent, label.name) in self.closed
        key = ("slot", stype, closed, zh, unknown_names, factor)
        got = prep._steps.get(key)
        if got is not None:
            return got
        costs = self.costs
        T, pair_at = prep.items, prep.pair_at
        n = len(T)
        vocab_en, vocab_zh = self.vocab["en"], self.vocab["zh"]
        got = []
        for j in range(n):
            offers: list[tuple[int, float, Op, Any]] = []
            got.append(offers)
            it = T[j]
            if isinstance(it, Entity):
                extra = _compat(stype, it, costs)
                if extra is not None:
                    offers.append((j + 1, extra, _SLOT, None))
            if not stype.startswith("list:"):
                continue
            for k, item_id, sim in self._near_values(prep, stype, j):
                if sim < NEAR_OPEN and not closed:
                    continue  # an open list would rather take it as a new name
                # like a new name, never dearer than leaving the words unexplained
                # ("brew a media latte")
                add = min(
                    costs.near_value_base + (1.0 - sim) * costs.near_value,
                    factor * (prep.sums[j + k] - prep.sums[j]),
                )
                offers.append((j + k, add, _NEAR_VALUE, (item_id, sim)))
            if not unknown_names or closed or stype in prep.types:
                continue  # closed, or a known value was heard: no made-up one
            limit = costs.unknown_max_zh if zh else costs.unknown_max_en
            more = costs.unknown_more_zh if zh else costs.unknown_more_en
            for k in range(1, min(limit, n - j) + 1):
                nxt = T[j + k - 1]
                if isinstance(nxt, Entity):
                    if nxt.type != "number":
                        break
                elif (
                    is_stop(nxt.text)
                    or nxt.text in vocab_en
                    or (nxt.text in vocab_zh and not zh)
                    or (k > 1 and pair_at[j + k - 1])
                ):
                    break
                if zh and k == 1 and isinstance(nxt, Token) and is_cjk(nxt.text):
                    continue  # one Chinese character is no name
                # never dearer than leaving the words unexplained: where the template has a place
                # for a name, "in paris" is the city paris, not two extra words
                add = min(
                    costs.unknown + more * (k - 1), factor * (prep.sums[j + k] - prep.sums[j])
                )
                offers.append((j + k, add, _UNKNOWN, None))
        prep._steps[key] = got
        return got

    def _score(
        self,
        g: TemplateGraph,
        prep: Prepared,
        D: list[list[float]],
        B: list[list[Cell | None]],
        factor: float,
    ) -> Candidate:
        costs = self.costs
        T, wt = prep.items, prep.weights
        n = len(T)
        cost = D[g.end][n]
        weight_of = self.weight_by_id
        slots: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        used: set[int] = set()
        weight_t = extra = path_weight = content = 0.0
        evidence = 0
        free = missed = False
        v, j = g.end, n
        while v > 0 or j > 0:
            cell = B[v][j]
            if cell is None:
                break
            if len(cell) == 3:  # a step made once per edge: where it came from is implied
                op, node, label = cell
                pos = j if op is _INSERT or op is _EMPTY else j - 1
                value: Any = None
            else:
                op, node, pos, label, value = cell  # a Step's fields
            if label is not None:
                wp = weight_of[id(label)]
                path_weight += wp
                content += wp >= 1.0
            if op is _DELETE:
                extra += wt[pos]
            elif op is _INSERT:
                missed = missed or (isinstance(label, Word) and wp >= 1.0)
            elif op is _NEAR:
                weight_t += wt[pos]
                used.add(pos)
                evidence += wp >= 1.0 and value >= costs.clear
            elif op is _SWAP:
                weight_t += wt[pos]
                used.add(pos)
            elif op is _SLOT:
                assert isinstance(label, SlotRef)
                weight_t += 1.0
                evidence += 2  # a value the lists or entity finders know is strong evidence
                used.add(pos)
                slots[label.name] = _convert(label.type, T[pos])
            elif op is _NEAR_VALUE:
                assert isinstance(label, SlotRef)
                weight_t += 1.0
                item_id, sim = value
                evidence += 2 if sim >= 0.85 else 1
                used.update(range(pos, j))
                slots[label.name] = item_id
            elif op is _FREE or op is _UNKNOWN:
                assert isinstance(label, SlotRef)
                weight_t += 1.0
                used.update(range(pos, j))
                value = join_raw(
                    _trim(T[pos : j]) if op is _FREE else T[pos : j], g.lang
                )
                slots[label.name] = value
                if op is _UNKNOWN:
                    unknown[label.name] = value
                else:
                    free = True
            v, j = node, pos
        # words the template does not explain counted `factor` of their weight in the table:
        # "should I take an umbrella today" still asks for the weather
        denom = max(path_weight, weight_t + factor * extra, 1.0)
        score = max(0.0, 1.0 - cost / denom)
        needs_command = bool(unknown) and evidence < 2
        if needs_command:
            score *= (
                costs.unknown_alone
            )  # an unknown name needs a command around it ("start email" is no device)
        elif content and not evidence:
            score *= (
                costs.unheard
            )  # not one of its words clearly heard ("订一张机票" is no "听{query}")
        if free and missed:
            score *= costs.unframed  # "make me a cappuccino" is no "make me a list of {item}"
        # fill every declared slot the utterance mentions, even where this template has none
        declared = self.slot_types.get(g.intent, {})
        for k, it in prep.entities:
            if k in used:
                continue
            for name, stype in declared.items():
                if name not in slots and _compat(stype, it, costs) == 0.0:
                    slots[name] = _convert(stype, it)
                    break
        return Candidate(g, score, slots, unknown, extra, needs_command)


def _edge_kind(label: Label | None) -> int:
    if label is None:
        return _K_EMPTY
    return _K_WORD if isinstance(label, Word) else _K_VALUE if isinstance(label, Value) else _K_SLOT


def _first_labels(g: TemplateGraph) -> list[Label]:
    """The labels a path can start with, past empty edges and glue words."""
    out: list[Label] = []
    stack, seen = [0], set()
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        for e in g.edges[v]:
            if e.label is None or (isinstance(e.label, Word) and e.label.text in GLUE_EN):
                stack.append(e.target)
            else:
                out.append(e.label)
    return out


def _char_pairs(g: TemplateGraph) -> set[str]:
    """Two Chinese characters that follow each other on some path (through empty edges too)."""
    firsts: list[set[str]] = [set() for _ in g.edges]
    for v in range(len(g.edges) - 1, -1, -1):
        for e in g.edges[v]:
            if e.label is None:
                firsts[v] |= firsts[e.target]
            elif isinstance(e.label, Word) and e.label.pinyin:
                firsts[v].add(e.label.text)
    pairs: set[str] = set()
    for out in g.edges:
        for e in out:
            if isinstance(e.label, Word) and e.label.pinyin:
                pairs.update(e.label.text + b for b in firsts[e.target])
    return pairs


def _compat(stype: str, it: Entity, costs: CostModel = COSTS) -> float | None:
    """Extra cost of filling a slot of type `stype` with entity `it` (None: cannot)."""
    t = it.type
    if t == stype:
        return 0.0
    if stype == "level" and t == "number" and 0 <= it.value <= 100:
        return costs.level_from_number
    if stype == "number" and t == "level":
        return costs.level_from_number
    if stype == "time" and t == "number" and float(it.value).is_integer() and 0 <= it.value <= 24:
        return costs.time_from_number
    return None


def _convert(stype: str, it: Item) -> Any:
    if isinstance(it, Token):
        return it.raw
    if stype == "level":
        return max(0, min(100, int(round(it.value))))
    if stype == "time" and it.type == "number":
        return f"{int(it.value) % 24:02d}:00"
    if stype == "text":
        return it.raw
    return it.value


_TRIM_START = frozenset(["some", "a", "an", "me", "my", "to"])
# "paper towels into my (list)"
_TRIM_END = frozenset(["please", "now", "for", "into", "onto", "my", "the"])


def _trim(items: list[Item]) -> list[Item]:
    """Free text without the glue words around it ("some jazz please" -> "jazz")."""
    items = list(items)
    while len(items) > 1 and isinstance(items[0], Token) and items[0].text in _TRIM_START:
        items.pop(0)
    while len(items) > 1 and isinstance(items[-1], Token) and items[-1].text in _TRIM_END:
        items.pop()
    return items


def join_raw(items: list[Item], lang: str) -> str:
    """The words of a span as spoken (Latin words keep their spaces inside Chinese)."""
    out = ""
    for it in items:
        raw = it.raw
        ascii_seam = (
            out
            and out[-1].isascii()
            and out[-1].isalnum()
            and raw[:1].isascii()
            and raw[:1].isalnum()
        )
        if out and (lang == "en" or ascii_seam):
            out += " "
        out += raw
    return out.strip()
