"""Every setting is checked at start: a wrong value is one `error:` line naming the key, an unknown
key one `warning:` line naming it, and every shipped or documented config still loads.

Each test writes a real TOML file and runs the real CLI in a subprocess.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, CliResult, no_traceback


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def one_error(result: CliResult) -> str:
    """The single stderr line of a refused start."""
    no_traceback(result)
    lines = result.err.strip().splitlines()
    assert result.code != 0 and len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[asr]\nthreads = 100000\n", "[asr] threads must be between 1 and 64 (got 100000)"),
        ("[asr]\nthreads = 5000\n", "[asr] threads must be between 1 and 64 (got 5000)"),
        ("[asr]\nthreads = 0\n", "[asr] threads must be between 1 and 64 (got 0)"),
        ("[asr]\nbeam_size = 2.5\n", "[asr] beam_size must be a whole number (got 2.5)"),
        (
            '[asr]\nengine = "vosk"\n',
            '[asr] engine must be one of whisper, sphinx, google, wyoming (got "vosk")',
        ),
        ("[tts]\nvolume = 3\n", "[tts] volume must be between 0 and 1 (got 3)"),
        (
            "[listen]\naggressiveness = 7\n",
            "[listen] aggressiveness must be between 0 and 3 (got 7)",
        ),
        ('[wake]\nspotter = "yes"\n', '[wake] spotter must be true or false (got "yes")'),
        ('language = "fr"\n', 'language must be one of auto, en, zh (got "fr")'),
    ],
    ids=[
        "threads-100000",
        "threads-5000",
        "threads-0",
        "beam-fraction",
        "engine",
        "tts-volume",
        "aggressiveness",
        "wake-bool",
        "language",
    ],
)
def test_a_core_setting_out_of_range_is_one_line_naming_the_key(cli, tmp_path, text, expected):
    config = write(tmp_path, text)
    result = cli("parse", "--config", str(config), "what time is it")
    assert one_error(result) == f"error: config {config}: {expected}"


def test_poll_interval_zero_is_refused_instead_of_spinning_a_core(cli, tmp_path):
    config = write(tmp_path, "[dialog]\npoll_interval = 0\n")
    result = cli("chat", "--config", str(config), input="hello\n", timeout=60)
    assert (
        one_error(result)
        == f"error: config {config}: [dialog] poll_interval must be between 0.01 and 10 (got 0)"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[volume]\nstep = "big"\n', '[volume] step must be a whole number (got "big")'),
        (
            '[media]\nmatch_cutoff = "close"\n',
            '[media] match_cutoff must be a number (got "close")',
        ),
        (
            '[home.homeassistant]\ntimeout = "slow"\n',
            '[home.homeassistant] timeout must be a number (got "slow")',
        ),
        ('[weather]\ntimeout = "fast"\n', '[weather] timeout must be a number (got "fast")'),
        (
            "[weather.cities.hangzhou]\nlatitude = 30.27\n",
            "[weather.cities.hangzhou] longitude is missing",
        ),
        (
            '[home]\nrooms = "kitchen"\n',
            '[home] rooms must be a table ([home.rooms]) (got "kitchen")',
        ),
    ],
    ids=["volume", "media", "home", "weather", "weather-city", "home-rooms"],
)
def test_a_skill_setting_of_the_wrong_type_stops_the_start_instead_of_dropping_the_skill(
    cli, tmp_path, text, expected
):
    """Before: a traceback in the log, exit 0, and "I can't do that yet" for every weather
    question."""
    config = write(tmp_path, text)
    result = cli(
        "chat", "--config", str(config), input="what's the weather in beijing\n", timeout=60
    )
    assert one_error(result) == f"error: config {config}: {expected}"
    assert "assistant:" not in result.out


def test_a_single_intents_folder_may_be_written_as_a_string(cli, tmp_path):
    folder = tmp_path / "my-intents"
    folder.mkdir()
    (folder / "coffee.yaml").write_text(
        "intents:\n  coffee.order:\n    en:\n      - make me a flat white\n"
        "    tests:\n      en:\n        - make me a flat white: {}\n",
        encoding="utf-8",
    )
    config = write(tmp_path, f'intents_dirs = "{folder}"\n')
    result = cli("parse", "--json", "--config", str(config), "make me a flat white")
    no_traceback(result)
    assert result.code == 0, result.err
    [obj] = result.json_lines()
    assert obj["intent"] == "coffee.order"


def test_an_unknown_key_is_a_warning_naming_it_and_the_nearest_known_key(cli, tmp_path):
    config = write(tmp_path, "[asr]\ntreads = 3\n[wether]\ntimeout = 2\n")
    result = cli("parse", "--config", str(config), "what time is it")
    no_traceback(result)
    assert result.code == 0, result.err
    assert result.err.strip().splitlines() == [
        f"warning: config {config}: [asr] unknown key "
        '"treads" (did you mean "threads"?) is ignored',
        f'warning: config {config}: unknown section [wether] (did you mean "weather"?) is ignored',
    ]
    assert result.out.startswith("clock.time")


def test_an_environment_variable_gets_the_same_check_as_the_file(cli):
    result = cli("parse", "what time is it", ASSISTANT_MODEL_DIR=" ")
    assert one_error(result) == 'error: ASSISTANT_MODEL_DIR must be a folder or file name (got " ")'


def _documented_tomls() -> list[tuple[str, str]]:
    """Every config file in config/ and every ```toml block of the README and docs."""
    found = [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "config").glob("*.toml"))
    ]
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        blocks = re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
        found += [
            (f"{doc.relative_to(ROOT)} block {i + 1}", block) for i, block in enumerate(blocks)
        ]
    return found


@pytest.mark.parametrize("name, text", _documented_tomls(), ids=[n for n, _ in _documented_tomls()])
def test_every_shipped_and_documented_config_loads_without_a_word(cli, tmp_path, name, text):
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    result = cli("parse", "--config", str(config), "what time is it")
    no_traceback(result)
    assert result.code == 0 and result.err == "", f"{name}: {result.err}"
