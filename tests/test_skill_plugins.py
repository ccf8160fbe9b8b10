"""Python skill plugins: a folder of files (`skills_dirs`) and an installed package found through
the `assistant.skills` entry points. A plugin that fails on import or in `handle` is one log line
and every other skill keeps answering."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, no_traceback

GOOD = '''\
"""Waters the greenhouse: a plugin in a skills folder."""
from assistant.skills.base import Answer, Skill


class GreenhouseSkill(Skill):
    domain = "greenhouse"

    def handle(self, intent, slots, lang):
        litres = self.env.config("skills").get("greenhouse", {}).get("litres", 2)
        return Answer(f"Watering with {litres} litres." if lang == "en" else f"浇水{litres}升。")
'''

GOOD_INTENTS = """\
intents:
  greenhouse.water:
    en: [water the greenhouse]
    zh: [给温室浇水]
  shed.open:
    en: [open the shed]
    zh: [打开棚子]
"""

BROKEN_IMPORT = """\
import a_module_that_is_not_there  # noqa
"""

BROKEN_HANDLE = """\
from assistant.skills.base import Skill


class ShedSkill(Skill):
    domain = "shed"

    def handle(self, intent, slots, lang):
        raise RuntimeError("the shed door is jammed")
"""


def write_plugins(tmp_path: Path) -> Path:
    folder = tmp_path / "my-skills"
    folder.mkdir()
    (folder / "greenhouse.py").write_text(GOOD, encoding="utf-8")
    (folder / "greenhouse.yaml").write_text(GOOD_INTENTS, encoding="utf-8")
    (folder / "broken_import.py").write_text(BROKEN_IMPORT, encoding="utf-8")
    (folder / "shed.py").write_text(BROKEN_HANDLE, encoding="utf-8")
    return folder


def config(tmp_path: Path, folder: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'skills_dirs = ["{folder}"]\n\n[skills.greenhouse]\nlitres = 5\n{extra}', encoding="utf-8"
    )
    return path


def test_skills_folder_plugins_answer_and_broken_ones_are_one_line_each(tmp_path, cli):
    cfg = config(tmp_path, write_plugins(tmp_path))
    result = cli(
        "chat",
        "--config",
        str(cfg),
        input="water the greenhouse\n给温室浇水\nopen the shed\nwhat time is it\n",
    )
    no_traceback(result)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:3] == [
        "assistant: Watering with 5 litres.",
        "assistant: 浇水5升。",
        "assistant: Sorry, something went wrong with that.",
    ]
    assert lines[3].startswith("assistant: It's ")  # the built-in skills keep working
    err = [line for line in result.err.splitlines() if line.strip()]
    assert len([e for e in err if "broken_import.py" in e]) == 1, result.err
    assert "No module named 'a_module_that_is_not_there'" in result.err
    assert len([e for e in err if "the shed door is jammed" in e]) == 1, result.err
    assert "unknown section [skills" not in result.err  # plugin settings are known


def test_a_plugin_raising_at_start_is_left_out_and_a_config_error_stops_the_start(tmp_path, cli):
    folder = write_plugins(tmp_path)
    (folder / "starter.py").write_text(
        "from assistant.skills.base import Skill\n"
        "class Starter(Skill):\n    domain = 'starter'\n"
        "    def __init__(self, env):\n        raise ValueError('no sensor found')\n",
        encoding="utf-8",
    )
    result = cli("chat", "--config", str(config(tmp_path, folder)), input="water the greenhouse\n")
    no_traceback(result)
    assert result.out.strip() == "assistant: Watering with 5 litres."
    assert "starter.py could not start: ValueError: no sensor found" in result.err

    (folder / "starter.py").write_text(
        "from assistant.errors import ConfigError\nfrom assistant.skills.base import Skill\n"
        "class Starter(Skill):\n    domain = 'starter'\n"
        "    def __init__(self, env):\n"
        "        raise ConfigError('[skills.starter] port must be a number')\n",
        encoding="utf-8",
    )
    result = cli("chat", "--config", str(config(tmp_path, folder)), input="water the greenhouse\n")
    no_traceback(result)
    assert result.code == 1 and "error: [skills.starter] port must be a number" in result.err


@pytest.fixture(scope="module")
def dice_site(tmp_path_factory) -> Path:
    """examples/dice-skill really installed (pip install --target), as a user's pip would."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    source = build / "dice-skill"       # a copy: building writes egg-info beside the sources
    shutil.copytree(ROOT / "examples" / "dice-skill", source)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=build,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(target.glob("assistant_dice-*.dist-info/entry_points.txt"))
    return target


def with_site(site: Path) -> str:
    return os.pathsep.join(
        [str(site), str(ROOT)]
        + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    )


def test_an_installed_plugin_is_found_by_its_entry_point(dice_site, cli):
    result = cli(
        "chat", input="roll two dice\n掷三个骰子\nroll a die\n", PYTHONPATH=with_site(dice_site)
    )
    no_traceback(result)
    assert result.code == 0, result.err
    en2, zh3, en1 = result.out.splitlines()
    assert re.fullmatch(
        r"assistant: You rolled (one|two|three|four|five|six) and (one|two|three|four|five|six)\.",
        en2,
    )
    assert re.fullmatch(
        r"assistant: 你掷出了[一二三四五六]、[一二三四五六]和[一二三四五六]点。", zh3
    )
    assert re.fullmatch(r"assistant: You rolled (one|two|three|four|five|six)\.", en1)
    tested = cli("intents", "test", PYTHONPATH=with_site(dice_site))  # its grammar came with it
    assert tested.code == 0 and "every test sentence passed" in tested.out, tested.out


def test_without_the_plugin_its_sentences_are_not_known(cli):
    result = cli("chat", input="roll two dice\n")
    assert "rolled" not in result.out
