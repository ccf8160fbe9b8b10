"""faster-whisper, kept loaded: the default offline recogniser for English and Chinese.

One `WhisperModel` lives as long as the process (loading costs ~0.4 s and 150 MB). A
command is encoded once (`encode`: the encoder is ~0.55 s of a short command on two cores)
and that encoder output serves every question asked about the command afterwards: which
language (English and Chinese only, from the model's own probabilities), and as many
decoding passes as the caller wants (`decode`: greedy or beam search, with or without a
prompt, one or several hypotheses), each ~0.1-0.3 s. `biased.py` uses that to let the
intents steer the recogniser; `transcribe` is the plain one-pass path.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import heap
from ..errors import ModelError
from ..lang import LANGS, to_simplified
from .models import damaged
from ..types import SAMPLE_RATE, Transcript, Utterance
from .language import pick_en_zh

log = logging.getLogger(__name__)

WINDOW_SECONDS = 30  # Whisper hears 30 s at a time; a command is one window
NO_SPEECH = 0.8  # a hypothesis this likely to be "no speech" with a low log-prob is noise
LOW_LOGPROB = -1.0
SPAN_PAD = 0.5  # s kept before the first and after the last voiced frame


def speech_only(audio: np.ndarray) -> np.ndarray:
    """From just before the first voice to just after the last (Silero VAD, shipped with
    faster-whisper).

    The VAD decides whether there is speech at all (noise alone is never 'heard') and trims what
    comes before and after it, but never cuts inside: in a noisy kitchen it misses quiet syllables,
    and cutting the pauses it found lost words (measured on the tuning half of the coffee orders at
    6 dB SNR: 139 of 150 understood with the pauses cut, 143 with the span kept whole).
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(
        audio, VadOptions(min_silence_duration_ms=500, speech_pad_ms=250, threshold=0.4)
    )
    if not stamps:
        return audio[:0]
    pad = int(SPAN_PAD * SAMPLE_RATE)
    return audio[max(0, stamps[0]["start"] - pad) : min(len(audio), stamps[-1]["end"] + pad)]


@dataclass
class Encoded:
    """One command through Whisper's encoder, kept for every later pass over it."""

    output: Any  # ctranslate2.StorageView, [1, 1500, d_model]
    seconds: float  # speech left after trimming silence
    languages: dict[str, float] = field(default_factory=dict)  # "en"/"zh" -> two-way share

    @property
    def language(self) -> tuple[str, float]:
        """The likelier of English and Chinese, and its share."""
        lang = max(LANGS, key=lambda k: self.languages.get(k, 0.0))
        return lang, self.languages.get(lang, 0.5)


@dataclass(frozen=True)
class Hypothesis:
    """One decoding of an encoded command."""

    text: str
    lang: str
    logprob: float  # mean log-probability per token
    no_speech: float = 0.0  # the model's probability that there was no speech

    @property
    def confidence(self) -> float:
        return math.exp(self.logprob)


class WhisperRecognizer:
    name = "whisper"

    def __init__(
        self,
        model_path: str | Path,
        threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 1,
        use_vad: bool = True,
        workers: int = 1,
    ):
        model_path = Path(model_path)
        if not (model_path / "model.bin").is_file():
            raise ModelError(f"speech model not found in {model_path}: run `assistant models pull`")
        heap.fix_thresholds()  # before the model's buffers are allocated
        try:
            from faster_whisper import WhisperModel

            self.model = WhisperModel(
                str(model_path),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads,
                num_workers=workers,
            )
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - the tokenizers library raises bare Exception on a bad file
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise damaged(model_path, f"cannot be loaded: {first}") from None
        self.beam_size = beam_size
        self.use_vad = use_vad
        self._tokenizers: dict[str, Any] = {}

    # -- the primitives ----------------------------------------------------------------------
    def encode(self, utterance: Utterance) -> Encoded | None:
        """Trim silence, run the encoder once and weigh English against Chinese; None: no speech."""
        from faster_whisper.audio import pad_or_trim

        heap.trim()  # the last command's decoding buffers go back before this one's are made
        audio = utterance.audio
        if self.use_vad:
            audio = speech_only(audio)
        if len(audio) < SAMPLE_RATE * 0.1:
            return None
        features = self.model.feature_extractor(audio[: SAMPLE_RATE * WINDOW_SECONDS])
        window = pad_or_trim(features[:, : features.shape[-1] - 1])  # the last frame is padding
        output = self.model.encode(window)
        probs = self.model.model.detect_language(output)[0]
        lang, share = pick_en_zh([(code.strip("<|>"), p) for code, p in probs])
        other = "zh" if lang == "en" else "en"
        return Encoded(output, len(audio) / SAMPLE_RATE, {lang: share, other: 1.0 - share})

    def decode(
        self,
        encoded: Encoded,
        lang: str,
        prompt: str | None = None,
        beam_size: int | None = None,
        hypotheses: int = 1,
    ) -> list[Hypothesis]:
        """Decode the encoded command in `lang`, best first; `prompt` is the text said "before"."""
        tokenizer = self._tokenizer(lang)
        ids: list[int] = []
        if prompt:
            limit = self.model.max_length // 2 - 1
            ids = [tokenizer.sot_prev] + tokenizer.encode(" " + prompt.strip())[
                :limit
            ]  # most useful first
        ids += list(tokenizer.sot_sequence) + [tokenizer.no_timestamps]
        beam = max(beam_size or self.beam_size, hypotheses)
        result = self.model.model.generate(
            encoded.output,
            [ids],
            beam_size=beam,
            num_hypotheses=hypotheses,
            return_scores=True,
            return_no_speech_prob=True,
            max_length=self.model.max_length,
            suppress_blank=True,
        )[0]
        out: list[Hypothesis] = []
        seen: set[str] = set()
        for tokens, score in zip(result.sequences_ids, result.scores, strict=True):
            text = (
                tokenizer.decode(tokens).replace("\ufffd", "").strip()
            )  # a byte-level token cut in half
            if lang == "zh":
                text = to_simplified(text)
            if text in seen:
                continue
            seen.add(text)
            logprob = score * len(tokens) / (len(tokens) + 1)  # per token, the end token counted
            if result.no_speech_prob > NO_SPEECH and logprob < LOW_LOGPROB:
                text = ""
            out.append(Hypothesis(text, lang, logprob, result.no_speech_prob))
        return out

    def _tokenizer(self, lang: str) -> Any:
        got = self._tokenizers.get(lang)
        if got is None:
            from faster_whisper.tokenizer import Tokenizer

            got = self._tokenizers[lang] = Tokenizer(
                self.model.hf_tokenizer,
                self.model.model.is_multilingual,
                task="transcribe",
                language=lang,
            )
        return got

    # -- the plain recogniser ----------------------------------------------------------------
    def detect(self, audio: np.ndarray) -> tuple[str, float]:
        encoded = self.encode(Utterance(audio))
        return encoded.language if encoded else ("en", 0.5)

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        encoded = self.encode(utterance)
        if encoded is None:
            return Transcript(text="", lang=lang if lang != "auto" else "en", confidence=0.0)
        lang_conf = 1.0
        if lang == "auto":
            lang, lang_conf = encoded.language
        best = self.decode(encoded, lang)[0]
        if encoded.seconds > WINDOW_SECONDS:
            best = self._long(utterance, lang)
        return Transcript(
            best.text, lang, round(best.confidence * lang_conf, 4) if best.text else 0.0
        )

    def _long(self, utterance: Utterance, lang: str) -> Hypothesis:
        """More than one window of speech: faster-whisper's own segment loop."""
        audio = speech_only(utterance.audio) if self.use_vad else utterance.audio
        segments, _ = self.model.transcribe(
            audio,
            language=lang,
            beam_size=self.beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        texts, logprobs = [], []
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH and seg.avg_logprob < LOW_LOGPROB:
                continue
            texts.append(seg.text.strip())
            logprobs.append(seg.avg_logprob)
        text = ("" if lang == "zh" else " ").join(texts).replace("\ufffd", "").strip()
        if lang == "zh":
            text = to_simplified(text)
        return Hypothesis(text, lang, sum(logprobs) / len(logprobs) if logprobs else -10.0)
