"""List values heard in any form: the names a maker wrote, as a recogniser writes them.

A list says "twelve ounce"; Whisper writes "12-ounce", "12 oz" or "twelve ounces". A list
says "latte"; Whisper writes "lattes" or, in a noisy kitchen, "lat". So names and what was
heard are both reduced to the same *key* before they are compared (numbers as digits, units
by their full name, plurals as singular, in Chinese numerals as digits), and a name that is
not found exactly can still be found by sound (`ValueIndex.near`): an English spoken form
compared with rapidfuzz, or Chinese compared syllable by syllable in pinyin with the usual
confusions. The matcher asks for near names only where a template has a slot of that list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from ..lang import LANGS, is_cjk, pinyin, pinyin_similarity, spoken_form
from ..lang import words_to_number_en as en_number
from ..lang import words_to_number_zh as zh_number
from .normalize import normalize, tokenize

# Abbreviations and plurals of units, as recognisers write them.
UNITS = {
    "oz": "ounce",
    "ozs": "ounce",
    "ounces": "ounce",
    "lb": "pound",
    "lbs": "pound",
    "pounds": "pound",
    "ml": "milliliter",
    "millilitre": "milliliter",
    "milliliters": "milliliter",
    "millilitres": "milliliter",
    "kg": "kilogram",
    "kilograms": "kilogram",
    "kilos": "kilogram",
    "cm": "centimeter",
    "centimetres": "centimeter",
    "centimeters": "centimeter",
    "centimetre": "centimeter",
    "grams": "gram",
    "liters": "liter",
    "litres": "liter",
    "litre": "liter",
    "pct": "percent",
}
_ZH_NUMERALS = re.compile("[零〇一二两三四五六七八九十百千万]+")
NEAR_MIN = 0.7  # below this similarity a heard phrase is not a near-miss of a name at all
NEAR_OPEN = 0.85  # ... of a list that also takes new names (a new name is likelier there)


@lru_cache(maxsize=8192)
def word_key(word: str) -> str:
    """One English word as a value key: unit names in full, plurals singular ("lattes" ->
    "latte")."""
    if word in UNITS:
        return UNITS[word]
    if len(word) >= 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if (
        len(word) >= 4
        and word.endswith("es")
        and word[-3] in "sxz"
        or word.endswith(("ches", "shes"))
    ):
        return word[:-2]
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def en_keys(words: list[str], start: int = 0, limit: int = 1 << 30) -> tuple[list[str], list[int]]:
    """Keys of `words` from `start` (at most `limit`) and, for each key, the index after its
    words."""
    keys: list[str] = []
    ends: list[int] = []
    i = start
    while i < len(words) and len(keys) < limit:
        got = en_number(words, i) if words[i] not in ("a", "oh") else None
        if got is not None:
            value, j = got
            keys.append(str(value))
            i = j
        else:
            keys.append(word_key(words[i]))
            i += 1
        ends.append(i)
    return keys, ends


def zh_keys(chars: list[str], start: int = 0, limit: int = 1 << 30) -> tuple[list[str], list[int]]:
    """Keys of Chinese tokens: a run of numerals is one key, its value in digits
    ("十二" -> "12")."""
    keys: list[str] = []
    ends: list[int] = []
    i = start
    while i < len(chars) and len(keys) < limit:
        j = i
        while j < len(chars) and len(chars[j]) == 1 and _ZH_NUMERALS.fullmatch(chars[j]):
            j += 1
        value = zh_number("".join(chars[i:j])) if j > i else None
        if value is not None and j - i >= 1 and chars[i] not in "万百千":
            keys.append(str(value))
            i = j
        else:
            keys.append(chars[i])
            i += 1
        ends.append(i)
    return keys, ends


def name_keys(name: str, lang: str) -> tuple[str, ...]:
    words = [t.text for t in tokenize(normalize(name, lang, piece=True), lang)]
    if lang == "zh":
        return tuple(zh_keys(words)[0])
    return tuple(en_keys(words)[0])


@dataclass(frozen=True)
class Near:
    """A list item a heard phrase sounds like."""

    item: str
    similarity: float


class ValueIndex:
    """Every name of every list item, in both languages, for exact, homophone and near lookup."""

    def __init__(self, lists: dict[str, dict[str, dict[str, list[str]]]]):
        self.by_key: dict[tuple[str, ...], tuple[str, str]] = {}
        self.by_pinyin: dict[tuple[str, ...], tuple[str, str]] = {}
        self.max_len = 1
        # per list: English names (as keys and as spoken forms) and Chinese names, for near lookup
        self._spoken: dict[str, tuple[list[str], list[str], list[str]]] = {}
        self._zh: dict[str, list[tuple[str, str]]] = {}
        for list_name, items in lists.items():
            spoken: tuple[list[str], list[str], list[str]] = ([], [], [])
            said: set[str] = set()  # spoken[0] as a set: a list of 100,000 names was quadratic
            for item_id, names in items.items():
                for lang in LANGS:
                    for name in names.get(lang, []):
                        self._add(list_name, item_id, str(name), spoken, said)
            self._spoken[list_name] = spoken
        self.firsts = frozenset(k[0] for k in self.by_key) | frozenset(k[0] for k in self.by_pinyin)
        self._near_cache: dict[tuple[str, str], Near | None] = {}
        # every English name's spoken form with its list, to tell which lists a heard word may be
        # from
        self._all_forms: list[str] = []
        self._all_lists: list[str] = []
        for list_name, (_, forms, _) in self._spoken.items():
            for form in forms:
                self._all_forms.append(form)
                self._all_lists.append(list_name)
        self._lists_cache: dict[str, tuple[tuple[str, float], ...]] = {}

    def _add(
        self,
        list_name: str,
        item_id: str,
        name: str,
        spoken: tuple[list[str], list[str], list[str]],
        said: set[str],
    ) -> None:
        for lang in LANGS:
            keys = name_keys(name, lang)
            if not keys:
                continue
            self.by_key.setdefault(keys, (list_name, item_id))
            self.max_len = max(self.max_len, len(keys))
            if any(is_cjk(k) for k in keys):
                if len(keys) >= 2:
                    self.by_pinyin.setdefault(tuple(pinyin(k) for k in keys), (list_name, item_id))
                chars = "".join(keys)
                if lang == "zh" and all(is_cjk(c) for c in chars):
                    self._zh.setdefault(list_name, []).append((chars, item_id))
            elif lang == "en":
                text = " ".join(keys)
                if text not in said:
                    said.add(text)
                    spoken[0].append(text)
                    spoken[1].append(spoken_form(text))
                    spoken[2].append(item_id)

    def match(self, words: list[str], i: int, lang: str) -> tuple[str, str, int] | None:
        """The longest list name starting at words[i]: (list, item id, index after it)."""
        first = words[i]
        if lang == "zh":
            if (
                first not in self.firsts
                and pinyin(first) not in self.firsts
                and not _ZH_NUMERALS.match(first)
            ):
                return None
            keys, ends = zh_keys(words, i, self.max_len)
        else:
            if (
                first not in self.firsts
                and word_key(first) not in self.firsts
                and not (first[:1].isdigit() or en_number(words, i))
            ):
                return None
            keys, ends = en_keys(words, i, self.max_len)
        for size in range(len(keys), 0, -1):
            key = tuple(keys[:size])
            hit = self.by_key.get(key)
            if hit is None and size >= 2 and lang == "zh":
                hit = self.by_pinyin.get(tuple(pinyin(k) for k in key))
            if hit is not None:
                return hit[0], hit[1], ends[size - 1]
        return None

    def lists_near(self, word: str) -> tuple[tuple[str, float], ...]:
        """The lists with an English name `word` sounds like ("cappucino" -> coffeeDrink), for
        retrieval."""
        got = self._lists_cache.get(word)
        if got is None:
            found: dict[str, float] = {}
            form = spoken_form(word_key(word))
            if len(form) >= 3 and self._all_forms:
                for _, _sound, k in process.extract(
                    form,
                    self._all_forms,
                    scorer=fuzz.ratio,
                    score_cutoff=150 * NEAR_MIN - 50,
                    limit=5,
                ):
                    name = self._all_lists[k]
                    sim = self._near_en(name, word)
                    if sim is not None:
                        found[name] = max(found.get(name, 0.0), sim.similarity)
            got = tuple(sorted(found.items()))
            if len(self._lists_cache) > 20000:
                self._lists_cache.clear()
            self._lists_cache[word] = got
        return got

    def near(self, list_name: str, heard: str, lang: str) -> Near | None:
        """The item of `list_name` whose name `heard` sounds most like, if close enough."""
        key = (list_name, heard)
        if key in self._near_cache:
            return self._near_cache[key]
        got = self._near_zh(list_name, heard) if lang == "zh" else self._near_en(list_name, heard)
        if len(self._near_cache) > 50000:
            self._near_cache.clear()
        self._near_cache[key] = got
        return got

    def _near_en(self, list_name: str, heard: str) -> Near | None:
        """Spelling and sound both count, sound twice: "dark rose" ~ "dark roast", not "shed" ~
        "study"."""
        texts, forms, ids = self._spoken.get(list_name, ([], [], []))
        words = heard.lower().split()
        if not texts or not words:
            return None
        text = " ".join(en_keys(words)[0])
        form = spoken_form(text)
        if len(form) < 3:
            return None
        # (spelling + 2 x sound) / 3 >= NEAR_MIN needs a sound of at least (3 x NEAR_MIN - 1) / 2
        close = process.extract(
            form, forms, scorer=fuzz.ratio, score_cutoff=150 * NEAR_MIN - 50, limit=8
        )
        best, best_k = 0.0, -1
        for _, sound, k in close:
            sim = (fuzz.ratio(text, texts[k]) + 2 * sound) / 300.0
            if sim > best:
                best, best_k = sim, k
        if best < NEAR_MIN:
            return None
        return Near(ids[best_k], round(float(best), 3))

    def _near_zh(self, list_name: str, heard: str) -> Near | None:
        best: Near | None = None
        if len(heard) < 2:
            return None
        for chars, item_id in self._zh.get(list_name, ()):
            sim = pinyin_similarity(heard, chars)
            if sim >= NEAR_MIN and (best is None or sim > best.similarity):
                best = Near(item_id, round(float(sim), 3))
        return best
