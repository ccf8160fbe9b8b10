"""Templates compiled into word graphs, so that matching never expands them into phrases.

A maker's template such as
`[<order>] [a|an] ([{size}]; [{roast}]; [{shots}]) {drink} [with {milk} [and {sugar}]]`
stands for tens of thousands of sentences, but its graph has a few dozen edges: every
alternative, optional part and rule is a branch, and an any-order group `(a; b; c)` is a
small lattice over the subsets of its parts already said (n * 2^(n-1) copies of the parts
instead of n! orders). The matcher aligns what was heard against the graph directly, so no
sentence is ever dropped and the cost grows with the graph, not with the number of phrases.

Nodes are numbered in topological order: 0 is the start, the last node is the end, and every
edge goes from a lower to a higher number, which is what a single left-to-right dynamic
programme over the graph needs.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import grammar
from .grammar import TemplateError

MAX_PERMUTED = 7  # parts of one any-order group: 7 parts are 448 part copies
MAX_EDGES = 20000  # a template past this is refused with its file and line
LARGE_EDGES = 3000  # past this a template works but is slow to match: `intents check` warns
# all templates together (the built-ins have about 6,000): a small template can name a rule of
# almost MAX_EDGES, so without a total a 4 MB file of them would be billions of edges
MAX_TOTAL_EDGES = 200_000
MAX_RULE_DEPTH = 20  # rules inside rules
# Bounds on hostile files, whatever the edges: a template's tree with its rules written out may be
# this many levels deep (the builder recurses once a level; real templates use about ten) ...
MAX_LEVELS = 150
# ... and may visit this many parts per allowed edge (rules that add no words, "<b><b><b>" chained
# twenty deep, would otherwise take hours while adding no edge)
STEPS_PER_EDGE = 4


@dataclass(frozen=True)
class Word:
    """A literal word (English) or character (Chinese) of a template."""

    text: str
    pinyin: str = ""  # toneless pinyin of a Chinese character, "" for other words


@dataclass(frozen=True)
class Value:
    """A literal value written in a template ("for five minutes" is `Value("duration", 300)`)."""

    type: str
    value: Any
    raw: str = field(default="", compare=False)  # as written in the template


@dataclass(frozen=True)
class SlotRef:
    """A slot of the template: `name` as declared, `type` a slot type or "list:NAME"."""

    name: str
    type: str


Label = Word | Value | SlotRef


@dataclass(frozen=True)
class Edge:
    target: int
    label: (
        Label | None
    )  # None: an empty step (an optional part left out, the end of an alternative)


@dataclass
class TemplateGraph:
    """One template of one intent, as a graph; what the matcher aligns utterances with."""

    intent: str
    lang: str
    template: str  # the source text, for `--explain` and `Match.template`
    line: int
    edges: tuple[tuple[Edge, ...], ...]  # out-edges of each node, nodes in topological order
    labels: frozenset[Label]  # every label on some path (what retrieval looks for)

    @property
    def size(self) -> int:
        return sum(len(out) for out in self.edges)

    @property
    def end(self) -> int:
        return len(self.edges) - 1

    def sample(self, rng: random.Random) -> list[Label]:
        """The labels of one random path from start to end (for tests and ambiguity checks)."""
        node, out = 0, []
        while node != self.end:
            edge = rng.choice(self.edges[node])
            if edge.label is not None:
                out.append(edge.label)
            node = edge.target
        return out


Tokenizer = Callable[[str], tuple[Label, ...]]


class _Builder:
    def __init__(
        self,
        rules: dict[str, grammar.Node],
        slots: dict[str, str],
        tokens: Tokenizer,
        max_edges: int,
    ):
        self.rules, self.slots, self.tokens, self.max_edges = rules, slots, tokens, max_edges
        self.out: list[list[Edge]] = []
        self.count = 0
        self.steps = 0
        self.active: list[str] = []  # the rules being written out, outermost first

    def node(self) -> int:
        self.out.append([])
        return len(self.out) - 1

    def edge(self, a: int, b: int, label: Label | None) -> None:
        self.count += 1
        if self.count > self.max_edges:
            raise TemplateError(
                f"template too large to match (more than {self.max_edges} graph edges): "
                "use fewer parts in one any-order group, or a slot instead of long alternatives"
            )
        self.out[a].append(Edge(b, label))

    def build(self, node: grammar.Node, start: int, level: int = 0) -> int:
        """Add `node` after `start`; returns the node where it ends. `level` is the depth of `node`
        in the tree with its rules written out."""
        self.steps += 1
        if self.steps > STEPS_PER_EDGE * self.max_edges:
            raise TemplateError(
                f"template too large to match (its rules write out to more than "
                f"{STEPS_PER_EDGE * self.max_edges} parts)"
            )
        if level > MAX_LEVELS:
            raise TemplateError(
                f"template nested too deeply through its rules (more than {MAX_LEVELS} levels)"
            )
        if isinstance(node, grammar.Text):
            cur = start
            for label in self.tokens(node.text):
                nxt = self.node()
                self.edge(cur, nxt, label)
                cur = nxt
            return cur
        if isinstance(node, grammar.Slot):
            nxt = self.node()
            self.edge(start, nxt, SlotRef(node.name, self.slots.get(node.name, "text")))
            return nxt
        if isinstance(node, grammar.Rule):
            return self._rule(node.name, start, level)
        if isinstance(node, grammar.Seq):
            cur = start
            for item in node.items:
                cur = self.build(item, cur, level + 1)
            return cur
        if isinstance(node, grammar.Alt):
            ends = [self.build(option, start, level + 1) for option in node.options]
            join = self.node()
            for end in dict.fromkeys(ends):
                self.edge(end, join, None)
            return join
        return self._perm(node, start, level)

    def _rule(self, name: str, start: int, level: int) -> int:
        """A rule written out in place; a rule inside itself (directly or through others) is
        refused."""
        if name in self.active:
            loop = self.active[self.active.index(name) :] + [name]
            raise TemplateError(
                f"rule <{name}> refers to itself ({' -> '.join(f'<{n}>' for n in loop)})"
            )
        if len(self.active) >= MAX_RULE_DEPTH:
            raise TemplateError(
                f"rules nested more than {MAX_RULE_DEPTH} deep (<{self.active[0]}> ...)"
            )
        if name not in self.rules:
            raise TemplateError(f"unknown rule <{name}>")
        self.active.append(name)
        end = self.build(self.rules[name], start, level + 1)
        self.active.pop()
        return end

    def _perm(self, node: grammar.Perm, start: int, level: int) -> int:
        """Any order: one state per subset of parts already said, each part once."""
        parts = node.items
        n = len(parts)
        if n > MAX_PERMUTED:
            raise TemplateError(
                f"{n} parts in one any-order group (at most {MAX_PERMUTED}): "
                "split the group or make some parts slots"
            )
        states = {0: start}
        for mask in sorted(range(1 << n), key=lambda m: (bin(m).count("1"), m)):
            here = states[mask]
            for k in range(n):
                if mask & (1 << k):
                    continue
                end = self.build(parts[k], here, level + 1)
                target = states.get(mask | (1 << k))
                if target is None:
                    target = states[mask | (1 << k)] = self.node()
                self.edge(end, target, None)
        return states[(1 << n) - 1]


def compile_template(
    tree: grammar.Node,
    rules: dict[str, grammar.Node],
    slots: dict[str, str],
    tokens: Tokenizer,
    *,
    intent: str = "",
    lang: str = "en",
    template: str = "",
    line: int = 0,
    max_edges: int = MAX_EDGES,
) -> TemplateGraph:
    """The graph of one parsed template; raises TemplateError when it cannot be built."""
    builder = _Builder(rules, slots, tokens, max_edges)
    start = builder.node()
    end = builder.build(tree, start)
    edges = _topological(builder.out, start, end)
    labels = frozenset(e.label for out in edges for e in out if e.label is not None)
    return TemplateGraph(intent, lang, template, line, edges, labels)


def _topological(out: list[list[Edge]], start: int, end: int) -> tuple[tuple[Edge, ...], ...]:
    """Renumber nodes so edges go forward, dropping nodes that cannot reach the end and
    chains of empty steps (a node whose only way on is one empty step is its target)."""
    # skip through nodes that only pass on: `[the]` and alternatives leave many of them
    alias: dict[int, int] = {}

    def resolve(v: int) -> int:
        seen = []
        while v != end and len(out[v]) == 1 and out[v][0].label is None:
            seen.append(v)
            v = out[v][0].target
        for s in seen:
            alias[s] = v
        return v

    for v in range(len(out)):
        out[v] = list(
            dict.fromkeys(Edge(alias.get(e.target) or resolve(e.target), e.label) for e in out[v])
        )
    start = resolve(start)
    # reachable from the start, and able to reach the end
    reach: set[int] = set()
    stack = [start]
    while stack:
        v = stack.pop()
        if v in reach:
            continue
        reach.add(v)
        stack.extend(e.target for e in out[v])
    incoming: dict[int, int] = {v: 0 for v in reach}
    for v in reach:
        for e in out[v]:
            incoming[e.target] += 1
    order: list[int] = []
    ready = [start]
    while ready:
        v = ready.pop()
        order.append(v)
        for e in out[v]:
            incoming[e.target] -= 1
            if incoming[e.target] == 0:
                ready.append(e.target)
    order.remove(end)
    order.append(end)
    number = {v: k for k, v in enumerate(order)}
    return tuple(tuple(Edge(number[e.target], e.label) for e in out[v]) for v in order)
