"""Real speakers' coffee orders through the whole loop, with the recogniser steered by the
intents."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.app import make_recognizer
from assistant.asr.biased import BiasedRecognizer
from assistant.asr.whisper import WhisperRecognizer
from assistant.audio.decode import load_audio
from assistant.config import BUILTIN_INTENTS, load_settings
from assistant.nlu import IntentEngine
from assistant.types import Utterance
from conftest import ROOT, no_traceback, run_cli

COFFEE = ROOT / "examples" / "coffee"
DATA = ROOT / "tests" / "data" / "coffee"
LABELS = [
    json.loads(line)
    for line in (DATA / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    if line
]


@pytest.fixture(scope="module")
def engine():
    return IntentEngine.load([BUILTIN_INTENTS, COFFEE])


@pytest.fixture(scope="module")
def biased(model_dir, engine, tmp_path_factory):
    settings = load_settings(state_dir=tmp_path_factory.mktemp("state"), model_dir=model_dir)
    recognizer = make_recognizer(settings, "whisper", engine)
    assert isinstance(recognizer, BiasedRecognizer)
    return recognizer


def test_orders_through_the_whole_loop(tmp_path, model_dir):
    files = [str(DATA / label["file"]) for label in LABELS]
    result = run_cli(
        "run",
        "--json",
        "--intents",
        str(COFFEE),
        "--reply-dir",
        str(tmp_path / "replies"),
        *files,
        state_dir=tmp_path / "state",
    )
    no_traceback(result)
    got = {Path(obj["source"]).name: obj for obj in result.json_lines()}
    for label in LABELS:
        turn = got[label["file"]]
        assert (turn["intent"], turn["slots"]) == (label["intent"], label["slots"]), turn
        assert turn["lang"] == "en" and turn["reply"]
        assert sf.info(turn["reply_audio"]).duration > 0.3


def test_what_whisper_alone_misses_the_steered_pass_hears(biased, engine):
    """Greedy Whisper without the intents writes "May I help a cappuccino with sweet love?" (no
    command); steered by the coffee domain it writes the maker's words and the order is
    understood."""
    label = LABELS[0]
    utterance = load_audio(DATA / label["file"])
    alone = biased.whisper.decode(biased.whisper.encode(utterance), "en", beam_size=1)[0]
    assert engine.parse(alone.text, "en").intent is None, alone
    heard = biased.transcribe(utterance)
    assert "sweetener" in heard.text.lower() and "cappuccino" in heard.text.lower(), heard
    assert engine.parse(heard.text, heard.lang).slots == label["slots"]


def test_an_unsure_language_is_decided_by_what_is_understood(biased, engine):
    """English speech that Whisper thinks slightly more likely Chinese is still read as English."""
    label = LABELS[0]
    encoded = biased.whisper.encode(load_audio(DATA / label["file"]))
    assert encoded is not None and encoded.language[0] == "en"
    for share in (0.55, 0.45, 0.3):  # English from barely ahead to well behind
        heard = biased.hear(replace(encoded, languages={"en": share, "zh": 1 - share}))
        assert heard.lang == "en" and engine.parse(heard.text, "en").slots == label["slots"], (
            share,
            heard,
        )


def test_a_domain_the_command_is_not_about_is_never_forced_on_it(biased, model_dir, tmp_path):
    """With only the built-in intents, a coffee order is out of domain and stays so with biasing
    on."""
    builtin = IntentEngine.load([BUILTIN_INTENTS])
    recognizer = BiasedRecognizer(biased.whisper, builtin, biased.settings)
    for label in LABELS:
        heard = recognizer.transcribe(load_audio(DATA / label["file"]))
        assert builtin.parse(heard.text, heard.lang).intent is None, heard
    noise = np.random.default_rng(3).normal(0, 0.05, 16000 * 3).astype(np.float32)
    assert recognizer.transcribe(Utterance(noise, 16000, "noise")).text == ""


def test_biasing_can_be_turned_off(model_dir, engine, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[asr]\nbias = false\n", encoding="utf-8")
    settings = load_settings(config, state_dir=tmp_path, model_dir=model_dir)
    assert type(make_recognizer(settings, "whisper", engine)) is WhisperRecognizer


def test_the_prompt_is_the_domain_s_vocabulary_with_every_list_represented(biased, engine):
    prompt = biased.prompt("en", engine.domain("orderDrink"))
    for value in (
        "twelve ounce",
        "dark roast",
        "triple shot",
        "cappuccino",
        "almond milk",
        "sweetener",
    ):
        assert value in prompt
    assert "timer" not in prompt and "kitchen" not in prompt  # the built-ins stay out of it
    timers = biased.prompt("zh", engine.domain("timer.start"))
    assert "计时器" in timers and "拿铁" not in timers
