"""Speech recognition that knows what it is listening for.

Whisper alone writes what it thinks it heard, and it has never heard of a "triple shot
dark roast americano": it writes "dark rose", "12-ounce", "mucker". The intent engine knows
what can be said but only sees the text. Here the two work together on one encoded command
(the encoder runs once; each decoding pass costs a fraction of it):

1. a plain pass (beam search, no prompt) in the likelier language, in both when the language
   is unsure; the intent engine reads its hypotheses (one a little less likely than Whisper's
   first may win when it is understood better) and names the domain the best is about: the
   intent file of its nearest intent (a maker's coffee file, the built-in timers...), accepted
   or not, and of a close second one;
2. a biased pass: beam search with that domain's vocabulary as Whisper's prompt (list values
   first, then its command words; a maker's domain is never crowded out by the built-ins,
   because only the domain the command is about is in the prompt), several hypotheses;
3. the intent engine reads every hypothesis and the one it understands best wins, Whisper's
   own score breaking ties. A biased reading only counts where it can be trusted: when the
   plain pass was understood, one with the same intent and other, better-scoring slot values
   (the prompt corrects "dark rose" and adds the "8 Ants" size, and never rewrites a wake
   phrase in front of a command already understood); when it was not, one whose intent is
   of the domain it was decoded for. Otherwise the plain pass's text is kept: a prompt must
   never put words in the mouth of someone saying something else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from ..lang import LANGS
from ..types import Match, Transcript, Utterance
from .prompt import build_prompt
from .whisper import Encoded, Hypothesis, WhisperRecognizer

log = logging.getLogger(__name__)


class Understanding(Protocol):
    """What the recogniser needs from the intent engine (`nlu.IntentEngine` is one)."""

    def parse(self, text: str, lang: str = "auto", explain: bool = False) -> Match: ...

    def likely(self, text: str, lang: str, limit: int = 3) -> list[tuple[str, float]]: ...

    def domain(self, intent: str) -> list[str]: ...

    def vocabulary(self, lang: str, intents: list[str] | None = None) -> list[str]: ...


@dataclass(frozen=True)
class BiasSettings:
    """How hard the recogniser listens for the intents (config `[asr]`)."""

    beam_size: int = 5  # of the biased pass
    hypotheses: int = 5  # hypotheses of the biased pass read by the intent engine
    unsure_language: float = 0.8  # below this share for the likelier language, both are decoded
    sure: float = 0.97  # a plain pass understood this well needs no second pass
    domain_evidence: float = (
        0.3  # the plain pass must be at least this near a domain to bias towards it
    )
    second_domain: float = 0.75  # a second domain this close to the first is in the prompt too
    asr_weight: float = 0.1  # Whisper's mean token log-probability, added to the intent score
    plain_margin: float = (
        0.3  # a plain hypothesis this close to Whisper's first (mean log-prob) may replace it
    )


@dataclass
class _Reading:
    hypothesis: Hypothesis
    match: Match

    def key(self, asr_weight: float) -> tuple[bool, float]:
        return (
            self.match.intent is not None,
            self.match.score + asr_weight * self.hypothesis.logprob,
        )


class BiasedRecognizer:
    """Whisper steered by the loaded intents; a `Recognizer` like any other."""

    name = "whisper"

    def __init__(
        self,
        whisper: WhisperRecognizer,
        understanding: Understanding,
        settings: BiasSettings | None = None,
    ):
        self.whisper = whisper
        self.understanding = understanding
        self.settings = settings or BiasSettings()
        self._prompts: dict[tuple[str, tuple[str, ...]], str | None] = {}

    def prompt(self, lang: str, intents: list[str]) -> str | None:
        """The vocabulary of some intents as a Whisper prompt (built once per domain and
        language)."""
        key = (lang, tuple(sorted(intents)))
        if key not in self._prompts:
            self._prompts[key] = build_prompt(self.understanding.vocabulary(lang, intents), lang)
        return self._prompts[key]

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        encoded = self.whisper.encode(utterance)
        if encoded is None:
            return Transcript(text="", lang=lang if lang != "auto" else "en", confidence=0.0)
        return self.hear(encoded, lang)

    def hear(self, encoded: Encoded, lang: str = "auto") -> Transcript:
        s = self.settings
        best_lang, share = encoded.language
        if lang in LANGS:
            langs, share = [lang], 1.0
        elif share < s.unsure_language:
            langs = [best_lang, "zh" if best_lang == "en" else "en"]
        else:
            langs = [best_lang]
        plain = [self._plain(encoded, lg) for lg in langs]
        # the other language wins only by being understood (better): an intent score of gibberish
        # in the wrong language says nothing
        first = max(
            plain,
            key=lambda r: (
                r.match.intent is not None,
                r.key(s.asr_weight)[1] if r.match.intent else 0.0,
                r.hypothesis.lang == best_lang,
            ),
        )
        chosen = first
        if first.hypothesis.text and not (first.match.intent and first.match.score >= s.sure):
            chosen = self._biased(encoded, first) or first
        h = chosen.hypothesis
        alternatives = tuple(
            dict.fromkeys(r.hypothesis.text for r in plain if r is not chosen and r.hypothesis.text)
        )
        lang_share = encoded.languages.get(h.lang, share) if lang not in LANGS else 1.0
        confidence = round(h.confidence * lang_share, 4) if h.text else 0.0
        return Transcript(h.text, h.lang, confidence, alternatives)

    def _plain(self, encoded: Encoded, lang: str) -> _Reading:
        """The plain pass's best reading: Whisper's first hypothesis, or one close behind it that
        the intent engine understands better ("What? I visit." / "What time is it?")."""
        s = self.settings
        beam = self.whisper.beam_size
        readings = [
            self._read(h)
            for h in self.whisper.decode(encoded, lang, None, beam, min(beam, s.hypotheses))
        ]
        top = readings[0]
        close = [
            r for r in readings if top.hypothesis.logprob - r.hypothesis.logprob <= s.plain_margin
        ]
        return max(close, key=lambda r: r.key(s.asr_weight))

    def _read(self, hypothesis: Hypothesis) -> _Reading:
        match = (
            self.understanding.parse(hypothesis.text, hypothesis.lang)
            if hypothesis.text
            else Match(None, lang=hypothesis.lang)
        )
        return _Reading(hypothesis, match)

    def _biased(self, encoded: Encoded, first: _Reading) -> _Reading | None:
        """Decode again with the vocabulary of the domain the plain pass is nearest to."""
        s = self.settings
        lang = first.hypothesis.lang
        near = [
            (intent, score)
            for intent, score in self.understanding.likely(first.hypothesis.text, lang)
            if score >= s.domain_evidence
        ]
        if not near:
            return None
        intents = self.understanding.domain(near[0][0])
        for intent, score in near[1:]:  # a close second domain shares the prompt
            if intent not in intents and score >= s.second_domain * near[0][1]:
                intents = intents + self.understanding.domain(intent)
                break
        prompt = self.prompt(lang, intents)
        if not prompt:
            return None
        readings = [
            self._read(h)
            for h in self.whisper.decode(encoded, lang, prompt, s.beam_size, s.hypotheses)
        ]
        if first.match.intent is not None:
            # the prompt may add or correct slot values of what was understood, never change the
            # intent (nor rewrite a wake phrase in front of an already understood command)
            better = [
                r
                for r in readings
                if r.match.intent == first.match.intent
                and r.match.slots != first.match.slots
                and r.match.score >= first.match.score
            ]
            if better:
                better.append(first)
        else:
            # a command of the domain it was decoded for, or nothing: "5 minutes" decoded with
            # the timers' words must not come back as "time", the clock
            better = [r for r in readings if r.match.intent in intents]
        if not better:
            return None
        best = max(better, key=lambda r: r.key(s.asr_weight))
        log.debug(
            "biased towards %s: %r -> %r", intents[0], first.hypothesis.text, best.hypothesis.text
        )
        return best
