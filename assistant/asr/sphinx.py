"""pocketsphinx through SpeechRecognition: English that works with no download at all.

It is the fallback when the Whisper model is missing, and the small-CPU choice on a Pi.
Its bundled acoustic model is English only, so Chinese is refused clearly rather than
transcribed as English nonsense. With a grammar (a JSGF file built from the intents by
`assistant.asr.grammar`) one decoder is loaded once and kept: compiling the grammar takes
a second or two, far too long to repeat per command as SpeechRecognition's helper would.
"""

from __future__ import annotations

import numpy as np
import speech_recognition as sr

from ..errors import RecognizerError
from ..types import Transcript, Utterance
from .srbridge import to_audio_data

DITHER = 0.003  # RMS of the noise floor added before decoding with a grammar (about -50 dBFS)


class SphinxRecognizer:
    name = "sphinx"

    def __init__(self, grammar: str | None = None, keywords: list[tuple[str, float]] | None = None):
        try:
            import pocketsphinx  # noqa: F401
        except ImportError:
            raise RecognizerError(
                "pocketsphinx is not installed: pip install pocketsphinx"
            ) from None
        self._recognizer = sr.Recognizer()
        self.grammar = grammar
        self.keywords = keywords
        self._decoder = self._grammar_decoder(grammar) if grammar and not keywords else None

    @staticmethod
    def _grammar_decoder(path: str):
        """pocketsphinx's bundled en-us model searching only the grammar's sentences."""
        from pocketsphinx import Decoder

        from .grammar import NAME, PRONUNCIATIONS

        try:
            # narrower beams than the defaults: the grammar's graph is large
            # and a Pi has little time
            decoder = Decoder(lm=None, loglevel="FATAL", beam=1e-30, wbeam=1e-20, pbeam=1e-30)
            for word, phones in PRONUNCIATIONS.items():
                if decoder.lookup_word(word) is None:
                    decoder.add_word(word, phones, False)
            decoder.add_jsgf_file(NAME, str(path))
            decoder.activate_search(NAME)
        except (RuntimeError, OSError, ValueError) as exc:
            raise RecognizerError(f"pocketsphinx cannot load the grammar {path}: {exc}") from None
        return decoder

    def _decode(self, utterance: Utterance) -> str:
        from ..audio.decode import to_mono_16k

        audio = to_mono_16k(utterance.audio, utterance.sample_rate)
        # Digital silence (files padded with zeros) breaks pocketsphinx's noise and silence
        # estimates so the grammar search never reaches its end: add a faint fixed noise floor.
        audio = audio + np.random.default_rng(0).normal(0.0, DITHER, len(audio)).astype(np.float32)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        d = self._decoder
        if d is None:
            raise RecognizerError("pocketsphinx has no grammar decoder for this utterance")
        d.start_utt()
        d.process_raw(pcm, False, True)
        d.end_utt()
        hyp = d.hyp()
        return hyp.hypstr if hyp is not None else ""

    def transcribe(self, utterance: Utterance, lang: str = "auto") -> Transcript:
        if lang == "zh":
            raise RecognizerError(
                "pocketsphinx only has an English model here: use --asr whisper for Chinese"
            )
        if self._decoder is not None:
            text = self._decode(utterance)
            return Transcript(text=text.strip(), lang="en", confidence=0.5 if text else 0.0)
        try:
            text = self._recognizer.recognize_sphinx(
                to_audio_data(utterance),
                language="en-US",
                keyword_entries=self.keywords,
                grammar=self.grammar,
            )
        except sr.UnknownValueError:
            text = ""
        except sr.RequestError as exc:
            raise RecognizerError(f"pocketsphinx failed: {exc}") from None
        return Transcript(text=str(text).strip(), lang="en", confidence=0.5 if text else 0.0)
