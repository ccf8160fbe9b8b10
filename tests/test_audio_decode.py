"""Any common recording becomes 16 kHz mono, and bad files say clearly what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.audio.decode import load_audio
from assistant.errors import AudioError
from audio_helpers import silence_wav, tone_wav, truncated_wav


@pytest.mark.parametrize(
    "rate,channels,fmt,suffix",
    [
        (8000, 1, None, ".wav"),
        (48000, 2, None, ".wav"),
        (44100, 2, "FLAC", ".flac"),
        (22050, 1, "AIFF", ".aiff"),
        (16000, 1, None, ".wav"),
    ],
)
def test_formats_resampled_to_16k_mono(tmp_path, rate, channels, fmt, suffix):
    import soundfile as sf

    t = np.arange(rate) / rate
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    path = tmp_path / f"tone{suffix}"
    sf.write(path, data, rate, format=fmt)
    utt = load_audio(path)
    assert utt.sample_rate == 16000 and utt.audio.ndim == 1
    assert abs(len(utt.audio) - 16000) <= 2
    spectrum = np.abs(np.fft.rfft(utt.audio))
    assert (
        abs(np.argmax(spectrum) * 16000 / len(utt.audio) - 440) < 5
    )  # the pitch survived resampling


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nope.wav")


def test_non_audio(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is a shopping list, not a recording\n")
    with pytest.raises(AudioError, match="not a readable audio file"):
        load_audio(p)


def test_truncated_wav(tmp_path):
    with pytest.raises(AudioError, match="truncated WAV"):
        load_audio(truncated_wav(tmp_path / "cut.wav"))


def test_silence(tmp_path):
    with pytest.raises(AudioError, match="only silence"):
        load_audio(silence_wav(tmp_path / "quiet.wav"))


def test_quiet_speech_is_not_silence(tmp_path):
    utt = load_audio(tone_wav(tmp_path / "soft.wav", amp=0.02))
    assert len(utt.audio) == 16000
