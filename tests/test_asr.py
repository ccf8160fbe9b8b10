"""The real Whisper model, kept loaded, choosing between English and Chinese only."""

from __future__ import annotations

import json

import pytest

from assistant.asr.language import pick_en_zh
from assistant.lang import to_simplified
from assistant.audio.decode import load_audio
from audio_helpers import espeak_wav
from conftest import SAMPLES


def test_pick_between_english_and_chinese_only():
    # 你好 came out as Thai and 嗨 as Japanese on clean audio: only en vs zh may win.
    assert pick_en_zh([("th", 0.6), ("zh", 0.25), ("en", 0.1)])[0] == "zh"
    assert pick_en_zh([("ja", 0.7), ("en", 0.2), ("zh", 0.05)])[0] == "en"
    lang, share = pick_en_zh({"en": 0.3, "zh": 0.1, "yue": 0.3})
    assert lang == "zh" and share == pytest.approx(0.4 / 0.7)
    assert pick_en_zh({}) == ("en", 0.5)


def test_traditional_to_simplified():
    assert to_simplified("播放周結倫的歌") == "播放周结伦的歌"
    assert to_simplified("計時器") == "计时器"


@pytest.fixture(scope="module")
def whisper(model_dir):
    from assistant.asr.whisper import WhisperRecognizer
    from assistant.asr.models import model_path

    return WhisperRecognizer(model_path(model_dir), threads=2)


def test_english_command(whisper, tmp_path):
    utt = load_audio(espeak_wav("set a timer for five minutes", tmp_path / "t.wav"))
    out = whisper.transcribe(utt)
    assert out.lang == "en"
    assert "timer" in out.text.lower() and ("five" in out.text.lower() or "5" in out.text)
    assert 0 < out.confidence <= 1


def test_forced_language(whisper, tmp_path):
    utt = load_audio(espeak_wav("what time is it", tmp_path / "t.wav"))
    assert whisper.transcribe(utt, lang="en").lang == "en"


def test_noise_is_not_heard_as_a_command(whisper, tmp_path):
    import numpy as np
    from assistant.types import Utterance

    noise = np.random.default_rng(1).normal(0, 0.05, 16000 * 2).astype(np.float32)
    out = whisper.transcribe(Utterance(noise, 16000, "noise"))
    assert out.text == ""


def _zh_samples():
    manifest = SAMPLES / "manifest.jsonl"
    if not manifest.exists():
        return []
    rows = [
        json.loads(line)
        for line in manifest.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [r for r in rows if r["lang"] == "zh"][:4]


@pytest.mark.parametrize("row", _zh_samples(), ids=lambda r: r["file"])
def test_mandarin_samples_come_out_chinese_and_simplified(whisper, row):
    out = whisper.transcribe(load_audio(SAMPLES / row["file"]))
    assert out.lang == "zh"
    assert out.text and to_simplified(out.text) == out.text
