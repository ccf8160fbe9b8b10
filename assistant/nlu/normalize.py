"""Text clean-up shared by templates and utterances, per language.

Templates and what the recogniser heard go through the *same* functions, so a
filler or particle dropped here can never make the two sides disagree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..lang.script import CJK_RANGES, to_simplified
from ..lang.script import detect_lang, is_cjk  # noqa: F401  moved to assistant/lang (old names kept)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Invisible format characters (Unicode category Cf): zero-width space/joiners, word joiner, BOM,
# soft hyphen, bidi marks and embeddings, tag characters. They sit *inside* words
# ("ti\u200bmer"), so they are removed, never turned into a space that splits the word.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0001-\U000e007f]"
)

# English contractions, expanded before punctuation is stripped.
_CONTRACTIONS = [
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bain't\b", "is not"),
    (r"\blet's\b", "let us"),
    (r"\bwhat's\b", "what is"),
    (r"\bthat's\b", "that is"),
    (r"\bit's\b", "it is"),
    (r"\bhow's\b", "how is"),
    (r"\bwhere's\b", "where is"),
    (r"\bwho's\b", "who is"),
    (r"\bthere's\b", "there is"),
    (r"\bi'm\b", "i am"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
    (r"o'clock\b", "oclock"),
    (r"'s\b", ""),
]
# the same contractions after a recogniser or keyboard lost the apostrophe ("what s the time")
_SPLIT_CONTRACTIONS = [
    (re.compile(p, re.I), r)
    for p, r in [
        (r"\b(what|that|it|how|where|who|there) s\b", r"\1 is"),
        (r"\b(is|does|do|are|was|can) nt\b", r"\1 not"),
    ]
]
_CONTRACTION_RES = [(re.compile(p, re.I), r) for p, r in _CONTRACTIONS]

# Words that carry no meaning for a command; removed on both sides.
EN_FILLERS = frozenset(["um", "umm", "uh", "uhh", "er", "erm", "hmm", "mm", "please", "kindly"])
# Dropped only when more words follow (alone they are a greeting or an answer).
EN_LEADING = (
    "hey",
    "ok",
    "okay",
    "so",
    "well",
    "oh",
    "alright",
    "and",
    "olly",
    "alexa",
    "siri",
    "google",
    "computer",
)
EN_ASK = ("can", "could", "would", "will")
# Chinese particles and politeness, longest first; removed on both sides.
ZH_FILLERS = (
    "麻烦你",
    "麻烦",
    "听听",
    "这里",
    "这边",
    "这儿",
    "所有",
    "全部",
    "帮我",
    "帮忙",
    "给我",
    "替我",
    "请你",
    "请问",
    "请",
    "一下子",
    "一下",
    "好吗",
    "可以吗",
    "行吗",
    "好不好",
    "嗯",
    "呃",
    "额",
    "啊",
    "呀",
    "吧",
    "呢",
    "哦",
    "喔",
    "噢",
    "啦",
    "嘛",
    "的",
    "了",
)
_ZH_FILLER_RE = re.compile("|".join(map(re.escape, ZH_FILLERS)))
_ZH_NUMERAL = "零〇一二两三四五六七八九十百千万点半"


def clean(text: str) -> str:
    """Unicode clean-up for both languages: NFKC (full-width -> half-width), no invisible or
    control chars."""
    text = unicodedata.normalize("NFKC", text or "")
    return _CONTROL.sub(" ", _INVISIBLE.sub("", text))


_PERCENT = re.compile(r"(\d)\s*%")
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_DIGIT_WORD = re.compile(r"(?<=\d)(?=[a-zA-Z])|(?<=[a-zA-Z])(?=\d)")
_AM_PM = re.compile(r"\b([ap])\.\s?m\b\.?", re.I)
_PUNCT = re.compile(r"(?<!\d)[.:]|[.:](?!\d)|[^\w\s.:]")


def normalize_en(text: str, piece: bool = False) -> str:
    """Case-preserving English clean-up: contractions, punctuation, fillers."""
    text = clean(text).replace("\u2019", "'").replace("\u2018", "'")
    if "'" in text:
        for pattern, repl in _CONTRACTION_RES:
            text = pattern.sub(repl, text)
    if " s " in text or text.endswith(" s") or " nt" in text:
        for pattern, repl in _SPLIT_CONTRACTIONS:
            text = pattern.sub(repl, text)
    if "%" in text:
        text = _PERCENT.sub(r"\1 percent", text)
    text = _HYPHEN.sub(" ", text)
    text = _DIGIT_WORD.sub(" ", text)
    # keep "7:30", "a.m.", "1.5"; everything else that is not a word character goes
    if "." in text:
        text = _AM_PM.sub(r"\1m", text)
    text = _PUNCT.sub(" ", text)
    words = [w for w in text.split() if w.lower() not in EN_FILLERS]
    while not piece and len(words) > 1 and words[0].lower() in EN_LEADING:
        words.pop(0)
    # "can you ...", "could you ...": a polite frame around the command itself
    if len(words) > 2 and words[0].lower() in EN_ASK and words[1].lower() == "you":
        words = words[2:]
    return " ".join(words)


def normalize_zh(text: str, piece: bool = False) -> str:
    """Chinese clean-up: simplified characters, half-width, no particles, no spaces between
    characters."""
    text = to_simplified(clean(text))
    text = re.sub(r"(\d)\s*%", r"\1 percent", text)
    text = re.sub(r"[^\w\s.:%]", " ", text)
    stripped = _ZH_FILLER_RE.sub(" ", text)
    if piece or stripped.strip():
        text = stripped
    # recognisers insert spaces between characters: keep a space only between two Latin words
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[^\x00-\x7f]) (?=.)|(?<=.) (?=[^\x00-\x7f])", "", text)
    return text


def normalize(text: str, lang: str, piece: bool = False) -> str:
    """`piece`: a fragment of a template, cleaned the same way but never kept whole."""
    return normalize_zh(text, piece) if lang == "zh" else normalize_en(text, piece)


@dataclass(frozen=True)
class Token:
    """One word (English) or character / Latin word (Chinese) of a normalised text."""

    text: str  # lower-case form used for matching
    raw: str  # as written (case kept), for free-text slots


_ZH_SPLIT = re.compile(rf"[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.:]\d+)?|[{CJK_RANGES}]|[^\s]")


def tokenize(text: str, lang: str) -> list[Token]:
    """Tokens of an already normalised text."""
    parts = _ZH_SPLIT.findall(text) if lang == "zh" else text.split()
    return [Token(p.lower(), p) for p in parts if p.strip(".:")]
