"""How words sound: the one home for pinyin and English sound keys.

A recogniser's mistakes are mostly words that sound alike ("paws" for "pause", "dark rose"
for "dark roast", 记 for 计, 冒中 for 闹钟), so the matcher compares sounds as well as
spellings. English gets rough consonant keys; Chinese is compared syllable by syllable in
toneless pinyin, with the initials and finals that speakers and recognisers confuse
(n/l, z/zh, c/ch, s/sh, f/h, in/ing, en/eng, an/ang...) counted as near the same.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein

from .normalize import is_cjk

# ------------------------------------------------------------------------------ Chinese
@lru_cache(maxsize=16384)
def pinyin(ch: str) -> str:
    """Toneless pinyin of one character (the text itself when it is not Chinese)."""
    if not is_cjk(ch):
        return ch
    got = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return got[0] if got else ch


_FUZZY_PY = [(re.compile(p), r) for p, r in [(r"^([zcs])h", r"\1"), (r"^l", "n"), (r"^f", "h"), (r"^r", "l"),
                                              (r"ng$", "n"), (r"^n(?=[^a-z]|$)", "n")]]


@lru_cache(maxsize=16384)
def fuzzy_pinyin(ch: str) -> str:
    """Pinyin with the distinctions many speakers and recognisers blur (zh/z, n/l, -ng/-n) removed."""
    key = pinyin(ch)
    for pattern, repl in _FUZZY_PY:
        key = pattern.sub(repl, key)
    return key


_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w")
# pairs of initials heard for each other: the usual regional mergers first, then voicing/aspiration
_INITIAL_NEAR = {frozenset(p): 0.85 for p in [("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("f", "h"),
                                             ("r", "l"), ("y", ""), ("w", "")]}
_INITIAL_NEAR.update({frozenset(p): 0.6 for p in [
    ("b", "p"), ("d", "t"), ("g", "k"), ("j", "q"), ("z", "c"), ("zh", "ch"), ("m", "n"), ("j", "zh"),
    ("q", "ch"), ("x", "sh"), ("j", "z"), ("q", "c"), ("x", "s"), ("h", "k"), ("r", "y")]})
_FINAL_NEAR = {frozenset(p): 0.85 for p in [("in", "ing"), ("en", "eng"), ("an", "ang"), ("ian", "iang"),
                                           ("uan", "uang"), ("eng", "ong"), ("i", "ü"), ("u", "v"), ("un", "ong")]}
# a nasal ending swallowed ("jin" heard as "ji")
_FINAL_NEAR.update({frozenset(p): 0.7 for p in [("i", "in"), ("a", "an"), ("e", "en"), ("u", "un"), ("i", "ing")]})


def _split(syllable: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial):]
    return "", syllable


@lru_cache(maxsize=65536)
def syllable_similarity(a: str, b: str) -> float:
    """0..1 for two toneless pinyin syllables: 1 same, ~0.9 a usual merger (shi/si, nao/lao), less for others."""
    if a == b:
        return 1.0
    ia, fa = _split(a)
    ib, fb = _split(b)
    init = 1.0 if ia == ib else _INITIAL_NEAR.get(frozenset((ia, ib)), 0.0)
    if fa == fb:
        fin = 1.0
    else:
        fin = _FINAL_NEAR.get(frozenset((fa, fb)), 0.0) or max(0.0, Levenshtein.normalized_similarity(fa, fb) - 0.15)
    return round(0.4 * init + 0.6 * fin, 3)


def pinyin_similarity(a: str, b: str) -> float:
    """Two Chinese strings of the same length compared syllable by syllable (0 when lengths differ)."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(syllable_similarity(pinyin(x), pinyin(y)) for x, y in zip(a, b)) / len(a)


# ------------------------------------------------------------------------------ English
_SOUND = [(re.compile(p), r) for p, r in [
    (r"ph", "f"), (r"ck|q|c(?=[aou])|ch", "k"), (r"c", "s"), (r"z", "s"), (r"x", "ks"), (r"wh", "w"),
    (r"(?<=.)[aeiouyhw]", ""), (r"(.)\1+", r"\1")]]


def sound_key(word: str) -> str:
    """A rough consonant key ("paws" and "pause" -> "ps") for words the recogniser spelled wrong."""
    key = word.lower()
    for pattern, repl in _SOUND:
        key = pattern.sub(repl, key)
    return key


_SPOKEN = [(re.compile(p), r) for p, r in [
    (r"[^a-z0-9 ]", ""), (r"(?<=[aeiou])gh", ""), (r"ph", "f"), (r"ck|q|c(?=[aou])|ch", "k"), (r"c", "s"), (r"z", "s"),
    (r"x", "ks"), (r"wh", "w"), (r"(?<=[a-z])ed\b", "d"), (r"(?<=[a-z])e\b", ""), (r"[aeiouy]+", "a"),
    (r"(?<=[a-z])h", ""), (r"(.)\1+", r"\1")]]


@lru_cache(maxsize=16384)
def spoken_form(text: str) -> str:
    """Letters as they roughly sound, vowels kept as one class: "mucker" -> "makar", "mocha" -> "maka".

    Closer to speech than the spelling for comparing a heard phrase with a list value
    ("dark rose" / "dark roast", "skin milk" / "skim milk").
    """
    key = text.lower()
    for pattern, repl in _SPOKEN:
        key = pattern.sub(repl, key)
    return key
