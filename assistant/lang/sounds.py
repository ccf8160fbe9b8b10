"""How words sound: pinyin for Chinese, sound keys for English.

A recogniser's mistakes are mostly words that sound alike ("paws" for "pause", "dark rose"
for "dark roast", 记 for 计, 冒中 for 闹钟), so the matchers compare sounds as well as
spellings. Chinese is compared syllable by syllable in toneless pinyin, with the initials
and finals that speakers and recognisers confuse (n/l, z/zh, c/ch, s/sh, f/h, in/ing,
en/eng, an/ang...) counted as near the same.

English has three keys, each tuned for its own comparison (their figures are in the
NLU and wake-phrase benchmarks, so they are kept apart rather than merged):

* `sound_key`   consonants only ("paws", "pause" -> "ps"): the NLU matcher's near-miss words;
* `spoken_form` vowel runs kept as one class ("mucker" -> "makar"): list values in the NLU;
* `latin_sound` post-vocalic r dropped ("cortana", "Kotano" -> "katana"): the wake-phrase
  matcher, where Whisper misspells a name it does not know.
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .script import is_cjk


# ------------------------------------------------------------------------------ Chinese
@lru_cache(maxsize=16384)
def pinyin(ch: str) -> str:
    """Toneless pinyin of one character (the text itself when it is not Chinese)."""
    if not is_cjk(ch):
        return ch
    from pypinyin import Style, lazy_pinyin
    got = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return got[0] if got else ch


def pinyin_syllables(text: str) -> list[str]:
    """Toneless pinyin of a whole text, words read in context (长大 zhang da, 很长 chang).

    Runs that are not Chinese come back as they are, one item per run ("Jazz Walk").
    """
    from pypinyin import lazy_pinyin
    return list(lazy_pinyin(text))


_FUZZY_PY = [(re.compile(p), r) for p, r in [
    (r"^([zcs])h", r"\1"), (r"^l", "n"), (r"^f", "h"), (r"^r", "l"), (r"ng$", "n"),
    (r"^n(?=[^a-z]|$)", "n")]]


@lru_cache(maxsize=16384)
def fuzzy_pinyin(ch: str) -> str:
    """Pinyin without the distinctions many speakers and recognisers blur (zh/z, n/l, -ng/-n)."""
    key = pinyin(ch)
    for pattern, repl in _FUZZY_PY:
        key = pattern.sub(repl, key)
    return key


_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w")
# pairs of initials heard for each other: the usual regional mergers first, then voicing/aspiration
_INITIAL_NEAR = {frozenset(p): 0.85 for p in [
    ("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("f", "h"), ("r", "l"), ("y", ""),
    ("w", "")]}
_INITIAL_NEAR.update({frozenset(p): 0.6 for p in [
    ("b", "p"), ("d", "t"), ("g", "k"), ("j", "q"), ("z", "c"), ("zh", "ch"), ("m", "n"),
    ("j", "zh"), ("q", "ch"), ("x", "sh"), ("j", "z"), ("q", "c"), ("x", "s"), ("h", "k"),
    ("r", "y")]})
_FINAL_NEAR = {frozenset(p): 0.85 for p in [
    ("in", "ing"), ("en", "eng"), ("an", "ang"), ("ian", "iang"), ("uan", "uang"), ("eng", "ong"),
    ("i", "ü"), ("u", "v"), ("un", "ong")]}
# a nasal ending swallowed ("jin" heard as "ji")
_FINAL_NEAR.update({frozenset(p): 0.7 for p in [
    ("i", "in"), ("a", "an"), ("e", "en"), ("u", "un"), ("i", "ing")]})


def _split(syllable: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial):]
    return "", syllable


@lru_cache(maxsize=65536)
def syllable_similarity(a: str, b: str) -> float:
    """0..1 for two toneless pinyin syllables: 1 same, ~0.9 a usual merger (shi/si, nao/lao)."""
    if a == b:
        return 1.0
    ia, fa = _split(a)
    ib, fb = _split(b)
    init = 1.0 if ia == ib else _INITIAL_NEAR.get(frozenset((ia, ib)), 0.0)
    if fa == fb:
        fin = 1.0
    else:
        fin = (_FINAL_NEAR.get(frozenset((fa, fb)), 0.0)
               or max(0.0, Levenshtein.normalized_similarity(fa, fb) - 0.15))
    return round(0.4 * init + 0.6 * fin, 3)


def pinyin_similarity(a: str, b: str) -> float:
    """Two Chinese strings of one length compared syllable by syllable (0 when lengths differ)."""
    if len(a) != len(b) or not a:
        return 0.0
    pairs = zip(a, b, strict=True)
    return sum(syllable_similarity(pinyin(x), pinyin(y)) for x, y in pairs) / len(a)


# ------------------------------------------------------------------------------ English
_SOUND = [(re.compile(p), r) for p, r in [
    (r"ph", "f"), (r"ck|q|c(?=[aou])|ch", "k"), (r"c", "s"), (r"z", "s"), (r"x", "ks"),
    (r"wh", "w"), (r"(?<=.)[aeiouyhw]", ""), (r"(.)\1+", r"\1")]]


def sound_key(word: str) -> str:
    """A rough consonant key ("paws" and "pause" -> "ps") for words the recogniser spelled wrong."""
    key = word.lower()
    for pattern, repl in _SOUND:
        key = pattern.sub(repl, key)
    return key


_SPOKEN = [(re.compile(p), r) for p, r in [
    (r"[^a-z0-9 ]", ""), (r"(?<=[aeiou])gh", ""), (r"ph", "f"), (r"ck|q|c(?=[aou])|ch", "k"),
    (r"c", "s"), (r"z", "s"), (r"x", "ks"), (r"wh", "w"), (r"(?<=[a-z])ed\b", "d"),
    (r"(?<=[a-z])e\b", ""), (r"[aeiouy]+", "a"), (r"(?<=[a-z])h", ""), (r"(.)\1+", r"\1")]]


@lru_cache(maxsize=16384)
def spoken_form(text: str) -> str:
    """Letters as they roughly sound, a vowel run as one class: "mucker" -> "makar".

    Closer to speech than the spelling for comparing a heard phrase with a list value
    ("dark rose" / "dark roast", "skin milk" / "skim milk").
    """
    key = text.lower()
    for pattern, repl in _SPOKEN:
        key = pattern.sub(repl, key)
    return key


@lru_cache(maxsize=4096)
def latin_sound(word: str) -> str:
    """A rough sound key for an English word: what a recogniser keeps when it misspells a name.

    Whisper writes an unfamiliar "cortana" as "Kotano", "Kotar", "Kotarner" or "Cortardo": the
    consonant frame survives, vowel quality and an r after a vowel do not. So: c/k/q agree,
    a post-vocalic r is dropped, every vowel run becomes "a", doubled letters collapse.
    """
    w = word.lower().replace("'", "")
    if not w.isalpha():
        return w
    w = w.replace("ph", "f").replace("ck", "k").replace("qu", "kw")
    w = re.sub(r"c(?=[eiy])", "s", w)
    w = w.replace("c", "k").replace("q", "k").replace("x", "ks").replace("z", "s")
    w = re.sub(r"(?<=[aeiou])r(?![aeiou])", "", w)
    w = re.sub(r"[aeiou]+", "a", w)
    return re.sub(r"(.)\1+", r"\1", w)
