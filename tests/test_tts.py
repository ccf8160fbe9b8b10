"""Replies are spoken in the language of the reply, and the words survive a round trip through
Whisper."""

from __future__ import annotations

import pytest
import soundfile as sf

from assistant.audio.decode import load_audio
from conftest import no_traceback


def test_say_writes_english_and_mandarin_wavs(cli, tmp_path):
    for lang, text in (("en", "It is three fifteen PM."), ("zh", "现在是下午三点十五分。")):
        out = tmp_path / f"{lang}.wav"
        result = cli("say", "--lang", lang, "-o", str(out), text)
        no_traceback(result)
        assert result.code == 0, result.err
        info = sf.info(out)
        assert info.duration > 1.0


def test_mandarin_uses_the_pinyin_voice():
    from assistant.tts.pyttsx3_engine import Pyttsx3Speaker

    speaker = Pyttsx3Speaker(voice_en="gmw/en-us", voice_zh="sit/cmn-latn-pinyin")
    assert (
        speaker.voices["zh"] == "sit/cmn-latn-pinyin"
    )  # plain `cmn` reads Chinese as English letters
    assert speaker.voices["en"] == "gmw/en-us"


def test_pick_voice_without_preference_finds_mandarin():
    import pyttsx3
    from assistant.tts.voices import pick_voice

    voices = pyttsx3.init().getProperty("voices")
    assert pick_voice(voices, "zh") == "sit/cmn-latn-pinyin"


def test_spoken_reply_is_understood_back(tmp_path, model_dir):
    """What the assistant says in English is what Whisper hears: the voice is intelligible."""
    from assistant.asr.models import model_path
    from assistant.asr.whisper import WhisperRecognizer
    from assistant.tts.pyttsx3_engine import Pyttsx3Speaker

    path = Pyttsx3Speaker().synthesize(
        "The timer is set for five minutes.", "en", tmp_path / "r.wav"
    )
    heard = WhisperRecognizer(model_path(model_dir)).transcribe(load_audio(path))
    assert "timer" in heard.text.lower()


@pytest.mark.without("sound_output")
def test_no_sound_device_is_one_note_not_an_error(cli):
    result = cli("say", "--lang", "en", "hello")
    no_traceback(result)
    assert result.code == 0
    assert "no sound output device" in result.err and result.err.count("\n") == 1
