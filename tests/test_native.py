"""The compiled matcher: the same answers as the Python source, and never a stale copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import native

ROOT = Path(__file__).resolve().parent.parent

# every intent's test sentences and negatives, parsed with the scores and slots in full
DUMP = r"""
import json, sys
from pathlib import Path
import assistant.nlu as nlu
from assistant import native
from assistant.nlu import IntentEngine, matcher
engine = IntentEngine.load([Path(sys.argv[1])], learn=False)
cases = [(c.text, c.lang) for spec in engine.library.intents.values() for c in spec.tests]
cases += [(c.text, c.lang) for c in engine.library.negatives]
out = []
for text, lang in cases:
    m = engine.parse(text, lang, explain=True)
    out.append([text, m.intent, repr(m.slots), repr(m.score), repr(m.explain["candidates"])])
print(json.dumps({"compiled": native.is_compiled(matcher), "flag": nlu.COMPILED, "parses": out}))
"""


def _dump(pure: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env[native.OFF_ENV] = "1" if pure else ""
    done = subprocess.run(
        [sys.executable, "-c", DUMP, str(ROOT / "intents")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(
    not native.current(native.native_dir()),
    reason="no current compiled matcher here (make setup builds it with mypyc and gcc)",
)
def test_compiled_matcher_gives_exactly_the_python_answers():
    compiled, pure = _dump(pure=False), _dump(pure=True)
    assert compiled["compiled"] and compiled["flag"]
    assert not pure["compiled"] and not pure["flag"]
    assert len(compiled["parses"]) > 500
    # scores as repr: bit for bit, and the top five candidates with their slots
    assert compiled["parses"] == pure["parses"]


def _tree(tmp_path: Path) -> Path:
    """A copy of the package, and a compiled folder stamped for its sources (the folder's
    contents need not be real for the decision under test)."""
    root = tmp_path / "root"
    shutil.copytree(
        native.PACKAGE, root / "assistant", ignore=shutil.ignore_patterns("__pycache__")
    )
    folder = native.native_dir(root)
    (folder / "assistant" / "nlu").mkdir(parents=True)
    stamp = native.sources_stamp(root / "assistant")
    (folder / native.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    return root


def test_a_copy_is_used_only_while_it_matches_the_sources(tmp_path, monkeypatch):
    monkeypatch.delenv(native.OFF_ENV, raising=False)
    root = _tree(tmp_path)
    compiled_nlu = str(native.native_dir(root) / "assistant" / "nlu")

    path = ["/the/source/nlu"]
    assert native.use_compiled(path, "nlu", root=root)
    assert path == [compiled_nlu, "/the/source/nlu"]  # first: it shadows matcher.py
    assert native.use_compiled(path, "nlu", root=root) and path.count(compiled_nlu) == 1

    monkeypatch.setenv(native.OFF_ENV, "1")
    assert not native.use_compiled(["x"], "nlu", root=root)
    monkeypatch.delenv(native.OFF_ENV)

    # a maker edits a module the matcher builds on: the copy is stale, the source runs
    values = root / "assistant" / "nlu" / "values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    path = ["/the/source/nlu"]
    assert not native.use_compiled(path, "nlu", root=root)
    assert path == ["/the/source/nlu"]


@pytest.mark.parametrize("damage", ["missing", "garbage", "list"])
def test_a_damaged_stamp_means_python(tmp_path, monkeypatch, damage):
    monkeypatch.delenv(native.OFF_ENV, raising=False)
    root = _tree(tmp_path)
    stamp = native.native_dir(root) / native.STAMP
    if damage == "missing":
        stamp.unlink()
    else:
        stamp.write_text("{not json" if damage == "garbage" else "[1, 2]", encoding="utf-8")
    assert not native.use_compiled(["x"], "nlu", root=root)


def test_a_failed_build_is_one_line_and_leaves_python(tmp_path):
    """A source mypyc refuses: the build says why in one line, `make setup` goes on (exit 0)
    and --strict fails; no stamp is written, so nothing stale is ever picked up."""
    root = _tree(tmp_path)
    matcher = root / "assistant" / "nlu" / "matcher.py"
    matcher.write_text(
        matcher.read_text(encoding="utf-8") + '\nBROKEN: int = "not a number"\n', encoding="utf-8"
    )
    code = "import sys; from assistant import native; sys.exit(native.main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(root)}
    for strict, want in ((False, 0), (True, 1)):
        done = subprocess.run(
            [sys.executable, "-c", code, "build", *(["--strict"] if strict else [])],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,  # `python -c` looks in the cwd first
            timeout=600,
        )
        assert done.returncode == want, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr
        assert lines[0].startswith("warning: the matcher runs as pure Python: mypyc failed")
        assert "matcher.py" in lines[0]
    assert not native.current(native.native_dir(root), root / "assistant")
