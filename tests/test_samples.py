"""Every sample recording, through the whole loop as `assistant run --json`, gives its intent
and a spoken reply."""

from __future__ import annotations

import json

import pytest
import soundfile as sf

from conftest import SAMPLES, no_traceback, run_cli

FREE_TEXT = {"query", "item"}
MANIFEST = [
    json.loads(line)
    for line in (SAMPLES / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def results(tmp_path_factory, model_dir):
    tmp = tmp_path_factory.mktemp("samples")
    files = [str(SAMPLES / row["file"]) for row in MANIFEST]
    result = run_cli(
        "run", "--json", "--reply-dir", str(tmp / "replies"), *files, state_dir=tmp / "state"
    )
    no_traceback(result)
    assert result.code == 0, result.err
    return {obj["source"].rsplit("/", 1)[-1]: obj for obj in result.json_lines()}


def test_enough_samples_in_both_languages():
    for lang in ("en", "zh"):
        assert sum(r["lang"] == lang for r in MANIFEST) >= 12


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["file"])
def test_sample(results, row):
    got = results[row["file"]]
    assert got["lang"] == row["lang"], got
    assert got["intent"] == row["intent"], got
    for name, value in row["slots"].items():
        if name not in FREE_TEXT:
            assert got["slots"].get(name) == value, got
    assert got["reply"]
    assert set(got["timings_ms"]) == {"asr", "nlu", "skill", "tts"}
    info = sf.info(got["reply_audio"])
    assert info.duration > 0.3
