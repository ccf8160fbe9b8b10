"""The intents' JSGF grammar: pocketsphinx loads it, and the English samples come out right
through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pocketsphinx")

from assistant.asr.grammar import build_grammar, load_dictionary, write_grammar  # noqa: E402
from assistant.asr.sphinx import SphinxRecognizer  # noqa: E402
from assistant.nlu import IntentEngine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FLOOR = 12  # measured 15/20 (bench/sphinx_grammar.py); pocketsphinx hears the espeak samples poorly


@pytest.fixture(scope="module")
def engine():
    return IntentEngine.load([ROOT / "intents"])


def test_grammar_loads_in_pocketsphinx(engine, tmp_path):
    path = write_grammar(engine, tmp_path / "grammar.jsgf")
    text = path.read_text()
    assert text.startswith("#JSGF V1.0;")
    assert "public <commands>" in text
    SphinxRecognizer(grammar=str(path))  # raises RecognizerError if pocketsphinx refuses it


def test_every_grammar_word_is_in_the_dictionary(engine):
    import re

    g = build_grammar(engine)
    words = load_dictionary()
    body = re.sub(r"<[^>]+>|//[^\n]*|#JSGF V1.0;|grammar \w+;|public", " ", g.text)
    tokens = set(re.findall(r"[a-z0-9'.]+", body))
    assert tokens and tokens <= words


def test_rebuild_only_when_intents_change(engine, tmp_path):
    path = write_grammar(engine, tmp_path / "grammar.jsgf")
    stamp = path.stat().st_mtime_ns
    write_grammar(engine, path)
    assert path.stat().st_mtime_ns == stamp
    other = tmp_path / "intents"
    other.mkdir()
    (other / "robot.yaml").write_text(
        "intents:\n  robot.wave:\n    en: [wave your arm]\n    zh: [挥手]\n"
        "    tests:\n      en: [wave your arm]\n      zh: [挥手]\n",
        encoding="utf-8",
    )
    write_grammar(IntentEngine.load([ROOT / "intents", other]), path)
    assert "wave your arm" in path.read_text()


def test_unknown_word_still_builds_a_loading_grammar(tmp_path):
    folder = tmp_path / "intents"
    folder.mkdir()
    (folder / "robot.yaml").write_text(
        "intents:\n  robot.dance:\n"
        "    en: ['(frobnicate|do) the (zorblax|dance)', 'zorblax zorblax']\n    zh: [跳舞]\n"
        "    tests:\n      en: [do the dance]\n      zh: [跳舞]\n",
        encoding="utf-8",
    )
    engine = IntentEngine.load([folder])
    g = build_grammar(engine)
    assert {"frobnicate", "zorblax"} <= g.dropped
    assert g.skipped == 1 and "do the dance" in g.text and "zorblax" not in g.text
    path = write_grammar(engine, tmp_path / "grammar.jsgf")
    SphinxRecognizer(grammar=str(path))


def test_english_samples_through_assistant_run(tmp_path):
    config = tmp_path / "pi-sphinx.toml"
    config.write_text(
        'language = "en"\n[asr]\nengine = "sphinx"\nsphinx_grammar = true\n', encoding="utf-8"
    )
    manifest = [
        json.loads(line)
        for line in (SAMPLES / "manifest.jsonl").read_text().splitlines()
        if line.strip()
    ]
    english = [m for m in manifest if m["lang"] == "en"]
    env = dict(os.environ, LANG="C.UTF-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "run",
            "--json",
            "--asr",
            "sphinx",
            "--config",
            str(config),
            "--state-dir",
            str(tmp_path / "state"),
            "--reply-dir",
            str(tmp_path / "replies"),
        ]
        + [str(SAMPLES / m["file"]) for m in english],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(english), out.stderr[-2000:]
    right = sum(r.get("intent") == m["intent"] for r, m in zip(results, english, strict=True))
    assert (tmp_path / "state" / "grammar.jsgf").exists()
    assert right >= FLOOR, [
        (m["file"], r.get("transcript"), r.get("intent"))
        for r, m in zip(results, english, strict=True)
    ]


def test_grammar_that_cannot_be_written_is_one_clear_error(tmp_path):
    """A state folder the grammar cannot be written to gives a RecognizerError, not a crash."""
    from assistant.app import make_recognizer
    from assistant.config import load_settings
    from assistant.errors import RecognizerError
    from assistant.nlu import IntentEngine

    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")
    settings = load_settings(state_dir=blocker)
    settings.raw = {"asr": {"sphinx_grammar": True}}
    engine = IntentEngine.load(settings.intents_dirs)
    with pytest.raises(RecognizerError, match="cannot build the pocketsphinx grammar"):
        make_recognizer(settings, "sphinx", engine)
