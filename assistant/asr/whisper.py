"""faster-whisper, kept loaded: the default offline recogniser for English and Chinese.

One `WhisperModel` lives as long as the process (loading costs ~0.4 s and 150 MB).
Language is decided between English and Chinese only, from the model's own
probabilities, and the encoder output of that decision is reused for decoding: the
encoder is ~0.55 s of the ~0.65 s a short command costs on two cores, so running it
once instead of twice nearly halves the latency.
"""
from __future__ import annotations

import hashlib
import logging
import math
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..types import Transcript, Utterance
from .chinese import to_simplified
from .language import pick_en_zh

log = logging.getLogger(__name__)


def _speech_only(audio: np.ndarray) -> np.ndarray:
    """Keep the voiced parts (Silero VAD, shipped with faster-whisper) so noise is not 'heard'."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    stamps = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=500, speech_pad_ms=250,
                                                     threshold=0.4))
    if not stamps:
        return audio[:0]
    chunks, _ = collect_chunks(audio, stamps)
    return np.concatenate(chunks) if isinstance(chunks, list) else chunks


def _model_class():
    from faster_whisper import WhisperModel

    class _CachedEncoderModel(WhisperModel):
        """Remembers the last encoder output so language detection and decoding share it."""

        _last_key: bytes | None = None
        _last_out = None

        def encode(self, features):
            key = hashlib.blake2b(np.ascontiguousarray(features).tobytes(), digest_size=16).digest()
            if key != self._last_key:
                self._last_out = super().encode(features)
                self._last_key = key
            return self._last_out

    return _CachedEncoderModel


class WhisperRecognizer:
    name = "whisper"

    def __init__(self, model_path: str | Path, threads: int = 2, compute_type: str = "int8",
                 beam_size: int = 1, prompts: dict[str, str | None] | None = None, use_vad: bool = True):
        model_path = Path(model_path)
        if not (model_path / "model.bin").is_file():
            raise ModelError(f"speech model not found in {model_path}: run `assistant models pull`")
        try:
            self.model = _model_class()(str(model_path), device="cpu", compute_type=compute_type,
                                        cpu_threads=threads, num_workers=1)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"speech model in {model_path} cannot be loaded ({exc}); "
                             "run `assistant models verify`") from None
        self.beam_size = beam_size
        self.prompts = prompts or {}
        self.use_vad = use_vad

    def detect(self, audio: np.ndarray) -> tuple[str, float]:
        # Features cut exactly as transcribe() cuts its first window (it drops the last
        # frame), so the encoder output is computed once and found in the cache.
        features = self.model.feature_extractor(audio)[..., :-1]
        _, _, all_probs = self.model.detect_language(features=features)
        return pick_en_zh(all_probs)

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        audio = utterance.audio
        if self.use_vad:
            audio = _speech_only(audio)
            if len(audio) < utterance.sample_rate * 0.1:
                return Transcript(text="", lang=lang if lang != "auto" else "en", confidence=0.0)
        lang_conf = 1.0
        if lang == "auto":
            lang, lang_conf = self.detect(audio)
        segments, _info = self.model.transcribe(
            audio, language=lang, beam_size=self.beam_size, temperature=0.0,
            condition_on_previous_text=False, without_timestamps=True,
            initial_prompt=self.prompts.get(lang), vad_filter=False)
        texts, logprobs = [], []
        for seg in segments:
            if seg.no_speech_prob > 0.8 and seg.avg_logprob < -1.0:
                continue
            texts.append(seg.text)
            logprobs.append(seg.avg_logprob)
        # A byte-level token cut at the end of a segment decodes to U+FFFD: drop it.
        text = ("" if lang == "zh" else " ").join(t.strip() for t in texts).replace("\ufffd", "").strip()
        if lang == "zh":
            text = to_simplified(text)
        confidence = math.exp(sum(logprobs) / len(logprobs)) * lang_conf if logprobs else 0.0
        return Transcript(text=text, lang=lang, confidence=round(confidence, 4))
