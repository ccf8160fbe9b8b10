"""The template syntax: `(a|b)` alternatives, `[x]` optional, `(a; b; c)` any order, `{slot}`,
`<rule>`.

Parsing gives a small tree. The matcher never expands it: `graph.compile_template` turns
the tree into a word graph. `expand` lists a tree's phrases (bounded) for the benchmark's
naive baseline and for tests.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass


class TemplateError(ValueError):
    """A template that cannot be parsed; the message says what and where (column)."""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Slot:
    name: str


@dataclass(frozen=True)
class Rule:
    name: str


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Perm:
    """Parts that may come in any order: `(large; iced; with oat milk)`."""

    items: tuple[Node, ...]


Node = Text | Slot | Rule | Seq | Alt | Perm
MAX_PHRASES = 1000
MAX_PERMUTED = 5
# brackets inside brackets: real templates use three or four levels; a hostile file with
# thousands would otherwise end in a RecursionError here or in everything that walks the tree
MAX_NESTING = 30


def parse(template: str) -> Node:
    """Parse one template; raises TemplateError on unbalanced or too deeply nested brackets or
    empty names."""
    node, pos = _parse_seq(template, 0, "", 0)
    if pos != len(template):
        raise TemplateError(f"unexpected '{template[pos]}' at column {pos + 1}")
    return node


_CLOSE = {"(": ")", "[": "]"}


def _parse_seq(s: str, pos: int, closer: str, depth: int) -> tuple[Node, int]:
    """Parse until `closer` (or end); returns Alt/Perm/Seq and the position of the closer.

    `depth` is the number of open brackets around `pos`, refused past MAX_NESTING so that
    neither this parser nor any walk of the tree can run out of stack."""
    options: list[list[Node]] = [[]]
    perm_parts: list[list[Node]] | None = None
    buf = ""

    def flush() -> None:
        nonlocal buf
        if buf:
            options[-1].append(Text(buf))
            buf = ""

    while pos < len(s):
        ch = s[pos]
        if ch in "([":
            flush()
            if depth >= MAX_NESTING:
                raise TemplateError(
                    f"brackets nested more than {MAX_NESTING} deep at column {pos + 1}"
                )
            inner, end = _parse_seq(s, pos + 1, _CLOSE[ch], depth + 1)
            if end >= len(s):
                raise TemplateError(f"'{ch}' at column {pos + 1} is never closed")
            options[-1].append(Alt((inner, Seq(()))) if ch == "[" else inner)
            pos = end + 1
            continue
        if ch in ")]":
            if ch != closer:
                raise TemplateError(f"unbalanced '{ch}' at column {pos + 1}")
            break
        if ch == "{" or ch == "<":
            flush()
            close = "}" if ch == "{" else ">"
            end = s.find(close, pos)
            name = s[pos + 1 : end].strip() if end >= 0 else ""
            if end < 0:
                raise TemplateError(f"'{ch}' at column {pos + 1} is never closed")
            if not name or any(c in name for c in "{}()[]<>|;"):
                raise TemplateError(
                    f"bad {'slot' if ch == '{' else 'rule'} name '{s[pos : end + 1]}' "
                    f"at column {pos + 1}"
                )
            options[-1].append(Slot(name) if ch == "{" else Rule(name))
            pos = end + 1
            continue
        if ch in "}>":
            raise TemplateError(f"unbalanced '{ch}' at column {pos + 1}")
        if ch == "|":
            flush()
            if perm_parts is not None:
                raise TemplateError(f"cannot mix '|' and ';' in one group (column {pos + 1})")
            options.append([])
            pos += 1
            continue
        if ch == ";":
            if not closer:
                raise TemplateError(f"';' outside a group at column {pos + 1}")
            flush()
            if len(options) > 1:
                raise TemplateError(f"cannot mix '|' and ';' in one group (column {pos + 1})")
            perm_parts = (perm_parts or []) + [options[0]]
            options = [[]]
            pos += 1
            continue
        buf += ch
        pos += 1
    flush()
    if perm_parts is not None:
        parts = perm_parts + [options[0]]
        return Perm(tuple(Seq(tuple(p)) for p in parts)), pos
    if len(options) == 1:
        return Seq(tuple(options[0])), pos
    return Alt(tuple(Seq(tuple(o)) for o in options)), pos


def names(node: Node, kind: type) -> list[str]:
    """Every Slot or Rule name used in a tree."""
    if isinstance(node, kind):
        return [node.name]  # type: ignore[union-attr]
    children = getattr(node, "items", None) or getattr(node, "options", None) or ()
    return [n for child in children for n in names(child, kind)]


Piece = str | Slot


def expand(
    node: Node, rules: dict[str, Node], limit: int = MAX_PHRASES, _depth: int = 0
) -> list[tuple[Piece, ...]]:
    """All phrases of a tree (at most `limit`), each a tuple of literal strings and Slots."""
    if _depth > 20:
        raise TemplateError("rules refer to each other in a loop")
    if isinstance(node, Text):
        return [(node.text,)]
    if isinstance(node, Slot):
        return [(node,)]
    if isinstance(node, Rule):
        if node.name not in rules:
            raise TemplateError(f"unknown rule <{node.name}>")
        return expand(rules[node.name], rules, limit, _depth + 1)
    if isinstance(node, Alt):
        out: list[tuple[Piece, ...]] = []
        for option in node.options:
            out.extend(expand(option, rules, limit, _depth))
            if len(out) >= limit:
                break
        return out[:limit]
    if isinstance(node, Perm):
        parts = list(node.items)
        orders = (
            itertools.permutations(parts)
            if len(parts) <= MAX_PERMUTED
            else [tuple(parts), tuple(parts[::-1])]
        )
        out = []
        for order in orders:
            out.extend(expand(Seq(tuple(_spaced(order))), rules, limit, _depth))
            if len(out) >= limit:
                break
        return out[:limit]
    # Seq: cartesian product, bounded
    results: list[tuple[Piece, ...]] = [()]
    for item in node.items:
        tails = expand(item, rules, limit, _depth)
        results = [head + tail for head in results for tail in tails]
        if len(results) > limit:  # keep an even spread, not just the first alternatives
            step = len(results) / limit
            results = [results[int(k * step)] for k in range(limit)]
    return results


def _spaced(order: tuple[Node, ...]) -> list[Node]:
    """Permuted parts are separate words in English: keep a space between them."""
    out: list[Node] = []
    for i, part in enumerate(order):
        if i:
            out.append(Text(" "))
        out.append(part)
    return out
