"""Hearing the assistant's name: a streaming keyword spotter and a transcript matcher.

Two detectors, because one cannot do both languages cheaply:

* `KeywordSpotter` runs pocketsphinx's keyphrase search on every 30 ms frame with its
  bundled English model: a few percent of one core, no Whisper call while the room talks.
  It also says *where* the phrase ended, so "hey cortana what time is it" said in one
  breath is cut right after the name and only the command is transcribed.
* `TranscriptWake` looks for a wake phrase at the start of the transcript of a short
  speech segment, compared on toneless pinyin (Chinese) or letters (English) with a fuzzy
  ratio, so "你好小娜，现在几点" works as one breath, "你好小那" (a homophone Whisper likes)
  still wakes, and an English phrase the spotter missed gets a second chance.

Neither keeps anything per utterance beyond the current pocketsphinx utterance, which is
restarted regularly, so memory stays flat over a day of listening.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..lang import CJK_RANGES, LANGS, has_cjk, is_cjk, latin_sound, pinyin
from ..types import SAMPLE_RATE

log = logging.getLogger(__name__)

DEFAULT_PHRASES = {"en": ["hey cortana"], "zh": ["你好小娜"]}
DEFAULT_STOP_WORDS = {
    "en": ["stop", "stop it", "cancel", "be quiet", "quiet", "enough", "shut up"],
    "zh": ["停", "停止", "停下", "别说了", "闭嘴", "安静", "够了"],
}
# Words not in pocketsphinx's CMU dictionary that the default phrases need (ARPABET).
BUILTIN_PRONUNCIATIONS = {"cortana": ["K AO R T AA N AH", "K AO R T AE N AH"]}
# Short openers the spotter does not need to hear: pocketsphinx scores one-syllable words
# poorly, and the distinctive name alone is what keeps false wakes down.
FILLERS = {"hey", "hi", "ok", "okay", "hello", "yo"}
KWS_FRAME_S = 0.01  # pocketsphinx frames are 10 ms
RESTART_EVERY_S = 30.0

is_chinese = has_cjk  # moved to assistant/lang (old name kept importable; latin_sound too)


@dataclass(frozen=True)
class WakeSettings:
    """Everything `[wake]` in the config file can set; documented in docs/raspberry-pi.md."""

    phrases: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_PHRASES.items()}
    )
    spotter: bool = True  # pocketsphinx keyphrase spotting for English phrases
    kws_threshold: float = 1e-40  # lower = more sensitive (more false wakes)
    confirm: bool = True  # a spotted name counts only if the transcript has it too
    kws_sure_threshold: float | None = (
        1e-25  # a second, strict spotter whose hits need no confirmation
    )
    keyphrases: dict[str, str] = field(
        default_factory=dict
    )  # wake phrase -> what the spotter listens for
    pronunciations: dict[str, list[str]] = field(default_factory=dict)
    transcript: bool = True  # check the start of short segments' transcripts
    transcript_threshold: float = 80.0  # fuzzy ratio 0-100 on toneless pinyin (Chinese phrases)
    transcript_threshold_en: float = (
        88.0  # on English sound keys: stricter, names like "Katie" are close
    )
    max_segment: float = 8.0  # longer segments are not checked for a wake phrase
    stop_words: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_STOP_WORDS.items()}
    )

    @classmethod
    def from_config(cls, table: dict[str, Any], override: list[str] | None = None) -> WakeSettings:
        base = cls()
        phrases = dict(base.phrases)
        for lang in LANGS:
            if lang in table:
                value = table[lang]
                phrases[lang] = [value] if isinstance(value, str) else [str(v) for v in value]
        if isinstance(table.get("phrases"), dict):
            for lang, value in table["phrases"].items():
                phrases[lang] = [value] if isinstance(value, str) else [str(v) for v in value]
        if override:
            phrases = {
                "en": [p for p in override if not has_cjk(p)],
                "zh": [p for p in override if has_cjk(p)],
            }
        stop = dict(base.stop_words)
        if isinstance(table.get("stop_words"), dict):
            stop.update({k: [str(x) for x in v] for k, v in table["stop_words"].items()})
        pron = {
            k.lower(): ([v] if isinstance(v, str) else list(v))
            for k, v in dict(table.get("pronunciations", {})).items()
        }
        try:
            return cls(
                phrases=phrases,
                spotter=bool(table.get("spotter", base.spotter)),
                kws_threshold=float(table.get("kws_threshold", base.kws_threshold)),
                confirm=bool(table.get("confirm", base.confirm)),
                keyphrases={
                    str(k).lower(): str(v).lower()
                    for k, v in dict(table.get("keyphrases", {})).items()
                },
                pronunciations=pron,
                transcript=bool(table.get("transcript", base.transcript)),
                transcript_threshold=float(
                    table.get("transcript_threshold", base.transcript_threshold)
                ),
                transcript_threshold_en=float(
                    table.get("transcript_threshold_en", base.transcript_threshold_en)
                ),
                kws_sure_threshold=(
                    None
                    if table.get("kws_sure_threshold", 1) in (None, False, 0, "off")
                    else float(table.get("kws_sure_threshold", base.kws_sure_threshold or 0.0))
                ),
                max_segment=float(table.get("max_segment", base.max_segment)),
                stop_words=stop,
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[wake] settings: {exc}") from None

    def all_phrases(self) -> list[str]:
        return [p for lang in LANGS for p in self.phrases.get(lang, [])]


# -- the streaming spotter -------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    phrase: str  # the configured wake phrase
    end: float  # stream time (s) where the spotted words ended


def spotted_words(phrase: str, keyphrases: dict[str, str]) -> str:
    """What the spotter listens for: the configured keyphrase, or the phrase without a filler
    opener."""
    phrase = phrase.lower().strip()
    if phrase in keyphrases:
        return keyphrases[phrase]
    words = re.findall(r"[a-z']+", phrase)
    while len(words) > 1 and words[0] in FILLERS:
        words = words[1:]
    return " ".join(words)


class KeywordSpotter:
    """pocketsphinx keyphrase search over a stream of 30 ms int16 frames."""

    def __init__(
        self,
        phrases: list[str],
        threshold: float = 1e-40,
        keyphrases: dict[str, str] | None = None,
        pronunciations: dict[str, list[str]] | None = None,
    ):
        try:
            from pocketsphinx import Decoder
        except ImportError:
            raise ConfigError(
                "pocketsphinx is not installed: pip install pocketsphinx "
                "(or set [wake] spotter = false)"
            ) from None
        pron = {**BUILTIN_PRONUNCIATIONS, **(pronunciations or {})}
        self._decoder = Decoder(lm=None, keyphrase="hey", kws_threshold=1e-20, loglevel="FATAL")
        self._by_words: dict[str, str] = {}
        self.skipped: list[str] = []
        for phrase in phrases:
            words = spotted_words(phrase, keyphrases or {})
            if not words:
                continue
            missing = []
            for word in words.split():
                if self._decoder.lookup_word(word) is not None:
                    continue
                if word in pron:
                    for i, phones in enumerate(pron[word]):
                        self._decoder.add_word(word if i == 0 else f"{word}({i + 1})", phones, True)
                else:
                    missing.append(word)
            if missing:
                log.warning(
                    "wake phrase %r: no pronunciation for %s; add [wake.pronunciations] "
                    "(ARPABET) to spot it, the transcript check still works",
                    phrase,
                    ", ".join(missing),
                )
                self.skipped.append(phrase)
                continue
            self._by_words[words] = phrase
        self.active = bool(self._by_words)
        if self.active:
            fd, path = tempfile.mkstemp(prefix="wake-", suffix=".kws")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    for words in self._by_words:
                        f.write(f"{words} /{threshold:g}/\n")
                self._decoder.add_kws("wake", path)
            finally:
                os.unlink(path)
            self._decoder.activate_search("wake")
        self._utt_start = 0.0
        self._now = 0.0
        self._started = False

    def feed(self, frame: bytes) -> Detection | None:
        """Process one frame; a Detection when a wake phrase was just heard."""
        if not self.active:
            return None
        d = self._decoder
        if not self._started:
            d.start_utt()
            self._started = True
            self._utt_start = self._now
        d.process_raw(frame, False, False)
        self._now += len(frame) / 2 / SAMPLE_RATE
        hyp = d.hyp()
        if hyp is not None:
            end = self._now
            segs = list(d.seg())
            if segs:
                end = self._utt_start + (segs[-1].end_frame + 1) * KWS_FRAME_S
            phrase = self._by_words.get(hyp.hypstr.strip(), hyp.hypstr.strip())
            self._restart()
            return Detection(phrase, min(end, self._now))
        if self._now - self._utt_start > RESTART_EVERY_S:
            self._restart()  # bounded per-utterance state (and CMN keeps adapting)
        return None

    def _restart(self) -> None:
        self._decoder.end_utt()
        self._started = False

    def close(self) -> None:
        if self._started:
            self._restart()


# -- the transcript matcher ------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    sound: str  # toneless pinyin syllable or lowercased English word
    end: int  # index in the text just after this token


def sound_tokens(text: str) -> list[_Token]:
    """Chinese characters as pinyin syllables, Latin words as sound keys; punctuation dropped."""
    tokens: list[_Token] = []
    for m in re.finditer(rf"[{CJK_RANGES}]|[A-Za-z0-9']+", text):
        s = m.group(0)
        sound = pinyin(s) if is_cjk(s) else latin_sound(s)
        tokens.append(_Token(sound, m.end()))
    return tokens


@dataclass(frozen=True)
class WakeMatch:
    phrase: str
    score: float
    rest: str  # what followed the wake phrase (the command), trimmed


class TranscriptWake:
    """A wake phrase at the start of a transcript, matched fuzzily on how it sounds."""

    def __init__(
        self, phrases: list[str], threshold: float = 80.0, en_threshold: float | None = None
    ):
        from rapidfuzz import fuzz

        self._ratio = fuzz.ratio
        self.threshold = threshold
        self.en_threshold = threshold if en_threshold is None else en_threshold
        self._phrases = [(p, " ".join(t.sound for t in sound_tokens(p))) for p in phrases]
        self._phrases = [(p, s) for p, s in self._phrases if s]

    def match(self, text: str) -> WakeMatch | None:
        tokens = sound_tokens(text)
        if not tokens:
            return None
        best: tuple[float, str, int, float] | None = None  # score, phrase, end, margin
        for phrase, sound in self._phrases:
            n = len(sound.split())
            # a Chinese phrase may gain a syllable ("你好啊小娜"); an English one may not: a name
            # plus the next word ("Carter, dinner") would otherwise look like "cortana"
            longest = n + 1 if has_cjk(phrase) else n
            for k in range(max(1, n - 1), min(len(tokens), longest) + 1):
                said = " ".join(t.sound for t in tokens[:k])
                score = self._ratio(said.replace(" ", ""), sound.replace(" ", ""))
                # compared as a margin over each phrase's own threshold
                margin = score - (self.threshold if has_cjk(phrase) else self.en_threshold)
                if best is None or margin > best[3] + 1e-9:
                    best = (score, phrase, tokens[k - 1].end, margin)
        if best is None or best[3] < 0:
            return None
        rest = text[best[2] :].strip(" \t,，。.!！?？、:：;；~-—\ufffd")
        if not _says_something(rest):
            rest = ""
        return WakeMatch(best[1], round(best[0], 1), rest)


def _says_something(rest: str) -> bool:
    """A stray letter after the name ("你好小娜Ｊ", decoder noise) is not a command."""
    tokens = sound_tokens(rest)
    return bool(tokens) and (len(tokens) > 1 or has_cjk(rest) or len(tokens[0].sound) > 1)


class StopWords:
    """ "stop" / "停" and friends, compared on sound so homophones ("听", "挺") still count."""

    def __init__(self, words: dict[str, list[str]], threshold: float = 85.0):
        from rapidfuzz import fuzz

        self._ratio = fuzz.ratio
        self.threshold = threshold
        self._sounds = {
            "".join(t.sound for t in sound_tokens(w)) for ws in words.values() for w in ws
        }
        self._sounds.discard("")

    def match(self, text: str) -> bool:
        said = "".join(t.sound for t in sound_tokens(text))
        if not said or len(said) > 24:
            return False
        return said in self._sounds or any(
            self._ratio(said, s) >= self.threshold for s in self._sounds if len(s) > 3
        )
