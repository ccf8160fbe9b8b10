"""Fuzzy matching of a tagged utterance against the compiled phrases of every intent.

Two steps, both over data compiled once at load time:
1. retrieval: each phrase and the utterance become short strings of one code per word
   (Chinese characters coded by toneless pinyin, so homophones agree); rapidfuzz picks
   the few nearest phrases in C.
2. alignment: a small weighted edit distance between the utterance and each candidate,
   where words may be near-misses ("paws"/"pause", "记"/"计"), slots take entities or,
   for free text and unknown list values, the words left over; it gives the score and
   the slot values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from .entities import Entity, Item
from .normalize import Token, fuzzy_pinyin, is_cjk, pinyin

STOP_EN = frozenset("the a an my your our to of for in at is are be can could would will you i me some "
                    "this that it its there do does just now".split())
GLUE_EN = frozenset("the a an my your our some this that it its just now".split())   # cheapest to drop
PREPOSITIONS = frozenset("to in at for of into onto".split())                       # stand in for each other
STOP_ZH = frozenset("我你把在是个一要想能再就都也给让吗么将")
LOW = 0.3
GLUE = 0.15
UNKNOWN = 0.6          # a list value nobody configured ("shed"): allowed, but it must be earned
EXTRA = 0.6            # words the phrase does not explain weigh this much of a missing phrase word
EXTRA_KEYED = 0.3      # ... once a distinctive word of the intent was heard ("weather", "joke")

Ptok = tuple  # ("w", text, pinyin) | ("e", type, value) | ("s", slot name, slot type)


@dataclass
class Phrase:
    intent: str
    lang: str
    template: str
    tokens: tuple[Ptok, ...]
    weight: float = 0.0
    code: str = ""


@dataclass
class Prepared:
    items: list[Item]
    wt: list[float]
    absorb: list[float]
    pair_at: list[bool]
    tsim: list[dict[str, float] | None]
    owners: list[set[str] | None]
    types: frozenset = frozenset()     # entity types heard ("list:device", "day")
    _by_intent: dict[str, list[float]] = field(default_factory=dict)

    def absorb_for(self, intent: str) -> list[float]:
        """Prefix sums of the cost of taking words as free text for `intent`: words only it uses are cheap."""
        got = self._by_intent.get(intent)
        if got is None:
            got = self.absorb
            if any(o is not None and intent in o for o in self.owners):
                got = [0.0]
                for k, o in enumerate(self.owners):
                    step = self.absorb[k + 1] - self.absorb[k]
                    got.append(got[-1] + (0.03 if o is not None and intent in o else step))
            self._by_intent[intent] = got
        return got


@dataclass
class Candidate:
    phrase: Phrase
    score: float
    slots: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    extra: float = 0.0     # weight of the words the phrase left unexplained



def _is_stop(word: str) -> bool:
    return word in STOP_ZH if len(word) == 1 and is_cjk(word) else word in STOP_EN


def _word_weight(word: str) -> float:
    if word in GLUE_EN:
        return GLUE
    return LOW if _is_stop(word) else 1.0


def ptok_weight(tok: Ptok) -> float:
    return _word_weight(tok[1]) if tok[0] == "w" else 1.0


SUBST = 1.2            # cost of one word or character heard as an unrelated one (x its weight)
KEY = 1.5              # a word only a few intents use ("joke", "umbrella") weighs this much


def item_weight(item: Item) -> float:
    return _word_weight(item.text) if isinstance(item, Token) else 1.0


_PHONETIC = [(re.compile(p), r) for p, r in [
    (r"ph", "f"), (r"ck|q|c(?=[aou])|ch", "k"), (r"c", "s"), (r"z", "s"), (r"x", "ks"), (r"wh", "w"),
    (r"(?<=.)[aeiouyhw]", ""), (r"(.)\1+", r"\1")]]


def phonetic(word: str) -> str:
    """A rough sound key ("paws" and "pause" -> "ps") for words the recogniser spelled wrong."""
    key = word.lower()
    for pattern, repl in _PHONETIC:
        key = pattern.sub(repl, key)
    return key


class Matcher:
    """The index of every phrase, compiled once."""

    def __init__(self, phrases: list[Phrase], slot_types: dict[str, dict[str, str]],
                 closed: set[tuple[str, str]] = frozenset()):
        self.slot_types = slot_types
        # list types only one intent fills ("weather_gear"): a value of one is as telling as a key word
        by_type: dict[str, set[str]] = {}
        for intent, slots in slot_types.items():
            for stype in slots.values():
                by_type.setdefault(stype, set()).add(intent)
        self.keyed_types = frozenset(t for t, owners in by_type.items() if t.startswith("list:") and len(owners) == 1)
        self.closed = closed
        self.codes: dict[str, str] = {}
        self.by_lang: dict[str, list[Phrase]] = {"en": [], "zh": []}
        seen: set[tuple] = set()
        unique: list[Phrase] = []
        for ph in phrases:
            key = (ph.intent, ph.lang, ph.tokens)
            if key not in seen:
                seen.add(key)
                unique.append(ph)
        # which intents use each word; Chinese template words as character pairs ("音量" is no name)
        users: dict[str, set[str]] = {}
        self.zh_pairs: set[str] = set()
        for ph in unique:
            prev = ""
            for t in ph.tokens:
                if t[0] != "w":
                    prev = ""
                    continue
                w = t[1]
                got = users.get(w)
                if got is None:
                    users[w] = {ph.intent}
                else:
                    got.add(ph.intent)
                if t[2]:                      # a Chinese character (it has pinyin)
                    if prev:
                        self.zh_pairs.add(prev + w)
                    prev = w
                else:
                    prev = ""
        self.users = users
        self.vocab: dict[str, set[str]] = {"en": set(), "zh": set()}
        for w in users:
            self.vocab["zh" if is_cjk(w) else "en"].add(w)
        self.zh_by_pinyin: dict[str, set[str]] = {}
        self.zh_by_fuzzy: dict[str, set[str]] = {}
        for ch in self.vocab["zh"]:
            self.zh_by_pinyin.setdefault(pinyin(ch), set()).add(ch)
            self.zh_by_fuzzy.setdefault(fuzzy_pinyin(ch), set()).add(ch)
        self._zh_cache: dict[str, dict[str, float]] = {}
        self._similar_cache: dict[str, dict[str, float]] = {}
        self.en_words = sorted(self.vocab["en"])
        self.sound: dict[str, set[str]] = {}
        for w in self.en_words:
            if len(w) >= 3:
                self.sound.setdefault(phonetic(w), set()).add(w)
        codes: dict[Ptok, str] = {}
        weights: dict[Ptok, float] = {}
        self.weights = weights
        for ph in unique:
            for t in ph.tokens:
                if t not in codes:
                    codes[t] = self._code_ptok(t)
                    weights[t] = ptok_weight(t)
                    if t[0] == "w" and weights[t] == 1.0 and not is_cjk(t[1]) and len(users.get(t[1], ())) <= 2:
                        weights[t] = KEY
            ph.weight = sum(weights[t] for t in ph.tokens)
            ph.code = "".join(codes[t] for t in ph.tokens)
            self.by_lang[ph.lang].append(ph)
        # retrieval runs over distinct codes; phrases differing only in glue words share one
        self.groups: dict[str, list[list[Phrase]]] = {}
        self.choices: dict[str, list[str]] = {}
        for lang, items in self.by_lang.items():
            best: dict[tuple[str, str], Phrase] = {}
            for ph in items:
                other = best.get((ph.code, ph.intent))
                if other is None or len(ph.tokens) < len(other.tokens):
                    best[(ph.code, ph.intent)] = ph      # the variant with the fewest glue words
            index: dict[str, list[Phrase]] = {}
            for (code, _), ph in best.items():
                index.setdefault(code, []).append(ph)
            self.groups[lang] = list(index.values())
            self.choices[lang] = list(index)
        # "verb {free text}" phrases by their command words: a long title after "play" makes the
        # whole-string similarity of "play {query}" low, so these are looked up by the head too
        self.heads: dict[str, dict[str, list[int]]] = {}
        for lang, choices in self.choices.items():
            heads: dict[str, list[int]] = {}
            for idx, code in enumerate(choices):
                if 2 <= len(code) <= 3 and code.endswith("\x01") and "\x01" not in code[:-1]:
                    heads.setdefault(code[:-1], []).append(idx)
            self.heads[lang] = heads

    # ------------------------------------------------------------------ codes
    def _code(self, key: str) -> str:
        code = self.codes.get(key)
        if code is None:
            n = len(self.codes)
            code = chr(0xF0000 + n) if n >= 6000 else chr(0xE000 + n)
            self.codes[key] = code
        return code

    def _code_ptok(self, tok: Ptok) -> str:
        kind, a, b = tok
        if kind == "w":
            if a in GLUE_EN or a in STOP_ZH:
                return ""
            if a in PREPOSITIONS:
                return self._code("prep")
            return self._code("p:" + fuzzy_pinyin(a)) if is_cjk(a) else self._code(a)
        if kind == "s" and b == "text":
            return "\x01"
        typ = b if kind == "s" else a
        return self._code("t:" + ("number" if typ == "level" else typ))

    def _code_item(self, item: Item, sims: dict[str, float], guess: bool = True) -> str:
        if isinstance(item, Entity):
            return self.codes.get("t:" + ("number" if item.type == "level" else item.type), "\x01")
        if item.text in GLUE_EN or item.text in STOP_ZH:
            return ""
        if item.text in PREPOSITIONS:
            return self.codes.get("prep", "")
        if is_cjk(item.text):
            return self.codes.get("p:" + fuzzy_pinyin(item.text), "\x01")
        code = self.codes.get(item.text)
        if code is None and sims and guess:
            best = max(sims, key=sims.get)
            code = self.codes.get(best)
        return code or "\x01"

    # ------------------------------------------------------------------ word similarity
    def similar(self, word: str) -> dict[str, float]:
        """Vocabulary words an English token may stand for, with similarity 0..1 (cached: words repeat)."""
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
            for cand, score, _ in process.extract(word, self.en_words, scorer=fuzz.ratio, score_cutoff=74, limit=3):
                if len(cand) >= 4:
                    out[cand] = score / 100.0
        for cand in sorted(self.sound.get(phonetic(word), ())):     # sorted: a set's order changes per process
            out[cand] = max(out.get(cand, 0.0), 0.82)
        return out

    # ------------------------------------------------------------------ retrieval
    def retrieve(self, items: list[Item], lang: str, sims: list[dict[str, float]], limit: int = 6) -> list[Phrase]:
        groups = self.groups.get(lang) or []
        if not groups:
            return []
        # two readings of the utterance: unknown words as the command word they sound like
        # ("paws" -> pause), and as plain free text ("play top country": names, not "type count")
        found: dict[int, float] = {}
        # a list, not a set: a set's order follows the per-process string hash, and ties in
        # retrieval would then pick different phrases from one run to the next
        codes = list(dict.fromkeys(re.sub("\x01+", "\x01", "".join(self._code_item(it, s, guess)
                                                                  for it, s in zip(items, sims)))
                                   for guess in (True, False)))
        for code in codes:
            for _, score, idx in process.extract(code, self.choices[lang], scorer=fuzz.ratio,
                                                 limit=limit * 3, score_cutoff=30):
                if score > found.get(idx, -1.0):
                    found[idx] = score
        ranked = sorted(found, key=lambda idx: (-found[idx], idx))
        out: list[Phrase] = []
        per_intent: dict[str, int] = {}
        for idx in ranked:
            for ph in groups[idx]:
                if per_intent.get(ph.intent, 0) >= 3:
                    continue
                per_intent[ph.intent] = per_intent.get(ph.intent, 0) + 1
                out.append(ph)
            if len(out) >= limit:
                break
        seen = {id(ph) for ph in out}
        heads = self.heads.get(lang, {})
        for code in codes:
            for k in (1, 2):
                if len(code) > k and "\x01" not in code[:k]:
                    for idx in heads.get(code[:k], ()):
                        for ph in groups[idx]:
                            if id(ph) not in seen:
                                seen.add(id(ph))
                                out.append(ph)
        return out

    # ------------------------------------------------------------------ alignment
    def prepare(self, items: list[Item], sims: list[dict[str, float]]) -> "Prepared":
        """Everything about the utterance that does not depend on the candidate phrase."""
        n = len(items)
        wt = [item_weight(it) for it in items]
        pair_at = [False] * (n + 1)      # items[k-1] items[k] form a template word (Chinese)
        for k in range(1, n):
            a, b = items[k - 1], items[k]
            pair_at[k] = isinstance(a, Token) and isinstance(b, Token) and (a.text + b.text) in self.zh_pairs
        # free text is cheap to absorb, except words that belong to commands (they point elsewhere)
        absorb = [0.0]
        owners: list[set[str] | None] = [None] * n     # intents whose own words these are
        tsim: list[dict[str, float] | None] = []
        for k, it in enumerate(items):
            if isinstance(it, Entity):
                extra = 0.1 if it.type == "number" else 0.3
                tsim.append(None)
            elif is_cjk(it.text):
                extra = 0.15 if (pair_at[k] or pair_at[k + 1]) else 0.03
                tsim.append(self._zh_sims(it.text))
            else:
                extra = 0.25 if it.text in self.vocab["en"] and not _is_stop(it.text) else 0.03
                if extra > 0.03:
                    owners[k] = self.users.get(it.text)
                table = dict(sims[k])
                if it.text in PREPOSITIONS:
                    table.update(dict.fromkeys(PREPOSITIONS, 0.6))
                table[it.text] = 1.0
                tsim.append(table)
            absorb.append(absorb[-1] + extra)
        types = frozenset("list:" + it.type.split(":", 1)[1] if it.type.startswith("list:") else it.type
                          for it in items if isinstance(it, Entity))
        return Prepared(items, wt, absorb, pair_at, tsim, owners, types)

    def _zh_sims(self, ch: str) -> dict[str, float]:
        got = self._zh_cache.get(ch)
        if got is None:
            got = dict.fromkeys(self.zh_by_fuzzy.get(fuzzy_pinyin(ch), ()), 0.7)
            got.update(dict.fromkeys(self.zh_by_pinyin.get(pinyin(ch), ()), 0.85))
            got[ch] = 1.0
            self._zh_cache[ch] = got
        return got

    def align(self, ph: Phrase, prep: "Prepared") -> Candidate:
        P, T = ph.tokens, prep.items
        m, n = len(P), len(T)
        INF = 1e9
        D = [[INF] * (n + 1) for _ in range(m + 1)]
        B: list[list[Any]] = [[None] * (n + 1) for _ in range(m + 1)]
        D[0][0] = 0.0
        wt, pair_at, tsim = prep.wt, prep.pair_at, prep.tsim
        absorb = prep.absorb_for(ph.intent)
        wp = [self.weights.get(t, 1.0) for t in P]
        for i in range(m + 1):
            Di = D[i]
            for j in range(n + 1):
                c = Di[j]
                if c >= INF:
                    continue
                if j < n and c + wt[j] < Di[j + 1]:
                    Di[j + 1] = c + wt[j]
                    B[i][j + 1] = ("del", i, j)
                if i == m:
                    continue
                tok = P[i]
                Dn = D[i + 1]
                if c + wp[i] < Dn[j]:
                    Dn[j] = c + wp[i]
                    B[i + 1][j] = ("ins", i, j)
                if j == n:
                    continue
                kind = tok[0]
                it = T[j]
                if kind == "w":
                    table = tsim[j]
                    if table is not None:
                        s = table.get(tok[1], 0.0)
                        if s >= 0.6:
                            cost = c + max(wp[i], wt[j]) * (1.0 - s) * 1.2
                            if cost < Dn[j + 1]:
                                Dn[j + 1] = cost
                                B[i + 1][j + 1] = ("sub", i, j)
                        else:          # a word heard as another ("wherever" for "weather"): one edit, no evidence
                            cost = c + max(wp[i], wt[j]) * SUBST
                            if cost < Dn[j + 1]:
                                Dn[j + 1] = cost
                                B[i + 1][j + 1] = ("swap", i, j)
                elif kind == "e":
                    if isinstance(it, Entity) and it.type == tok[1]:
                        cost = c + (0.0 if it.value == tok[2] else 0.4)
                        if cost < Dn[j + 1]:
                            Dn[j + 1] = cost
                            B[i + 1][j + 1] = ("sub", i, j)
                else:
                    stype = tok[2]
                    if isinstance(it, Entity):
                        extra = _compat(stype, it)
                        if extra is not None and c + extra < Dn[j + 1]:
                            Dn[j + 1] = c + extra
                            B[i + 1][j + 1] = ("slot", i, j)
                    if stype == "text":
                        for k in range(1, n - j + 1):
                            cost = c + 0.15 + absorb[j + k] - absorb[j]
                            if cost < Dn[j + k]:
                                Dn[j + k] = cost
                                B[i + 1][j + k] = ("absorb", i, j)
                    elif stype.startswith("list:") and (ph.intent, tok[1]) not in self.closed \
                            and stype not in prep.types:      # a known value was heard: no made-up one
                        limit = 4 if ph.lang == "zh" else 3
                        for k in range(1, min(limit, n - j) + 1):
                            nxt = T[j + k - 1]
                            if isinstance(nxt, Entity):
                                if nxt.type != "number":
                                    break
                            elif _is_stop(nxt.text) or nxt.text in self.vocab["en"] \
                                    or (nxt.text in self.vocab["zh"] and ph.lang == "en") or (k > 1 and pair_at[j + k - 1]):
                                break
                            if ph.lang == "zh" and k == 1 and is_cjk(nxt.text if isinstance(nxt, Token) else ""):
                                continue          # one Chinese character is no name
                            cost = c + UNKNOWN + (0.12 if ph.lang == "zh" else 0.3) * (k - 1)
                            if cost < Dn[j + k]:
                                Dn[j + k] = cost
                                B[i + 1][j + k] = ("unknown", i, j)
        cost = D[m][n]
        # walk back for slots and the effective text weight (an absorbed span counts once)
        slots: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        used: set[int] = set()
        weight_t = extra = 0.0
        evidence = 0
        keyed = False
        i, j = m, n
        while i > 0 or j > 0:
            step = B[i][j]
            if step is None:
                break
            op, pi, pj = step
            if op == "del":
                extra += wt[pj]
            elif op == "sub":
                weight_t += wt[pj]
                used.add(pj)
                evidence += wp[pi] >= 1.0
                keyed = keyed or wp[pi] >= KEY
            elif op == "swap":
                weight_t += wt[pj]
                used.add(pj)
            elif op == "slot":
                weight_t += 1.0
                evidence += 2          # a value the lists or entity finders know is strong evidence
                used.add(pj)
                slots[P[pi][1]] = _convert(P[pi][2], T[pj])
                keyed = keyed or P[pi][2] in self.keyed_types
            elif op in ("absorb", "unknown"):
                weight_t += 1.0
                used.update(range(pj, j))
                value = join_raw(_trim(T[pj:j]) if op == "absorb" else T[pj:j], ph.lang)
                slots[P[pi][1]] = value
                if op == "unknown":
                    unknown[P[pi][1]] = value
            i, j = pi, pj
        # words the phrase does not explain count less than phrase words that are missing:
        # "should I take an umbrella today" still asks for the weather
        factor = EXTRA_KEYED if keyed else EXTRA
        denom = max(ph.weight, weight_t + factor * extra, 1.0)
        score = max(0.0, 1.0 - (cost - (1.0 - factor) * extra) / denom)
        if unknown and evidence < 2:
            score *= 0.5       # an unknown name needs a command around it ("start email" is not a device)
        # fill every declared slot the utterance mentions, even where this phrase has none
        declared = self.slot_types.get(ph.intent, {})
        for k, it in enumerate(T):
            if k in used or not isinstance(it, Entity):
                continue
            for name, stype in declared.items():
                if name not in slots and _compat(stype, it) == 0.0:
                    slots[name] = _convert(stype, it)
                    break
        return Candidate(ph, score, slots, unknown, extra)


def _compat(stype: str, it: Entity) -> float | None:
    """Extra cost of filling a slot of type `stype` with entity `it` (None: cannot)."""
    t = it.type
    if t == stype:
        return 0.0
    if stype == "level" and t == "number" and 0 <= it.value <= 100:
        return 0.1
    if stype == "number" and t == "level":
        return 0.1
    if stype == "time" and t == "number" and float(it.value).is_integer() and 0 <= it.value <= 24:
        return 0.3
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


_TRIM_START = frozenset("some a an me my to".split())
_TRIM_END = frozenset("please now for into onto my the".split())   # "paper towels into my (list)"


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
        if out and (lang == "en" or (out[-1].isascii() and out[-1].isalnum() and raw[:1].isascii() and raw[:1].isalnum())):
            out += " "
        out += raw
    return out.strip()
