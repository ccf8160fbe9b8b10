"""Handing our Utterance to SpeechRecognition's recognisers, which take `AudioData`."""

from __future__ import annotations

import numpy as np
import speech_recognition as sr

from ..types import Utterance


def to_audio_data(utterance: Utterance) -> sr.AudioData:
    pcm = (np.clip(utterance.audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    return sr.AudioData(pcm, utterance.sample_rate, 2)
