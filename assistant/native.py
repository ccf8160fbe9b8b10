"""Compiled copies of the hot pure-Python modules, used only while they match the source.

Why: aligning an utterance with the template graphs is most of a parse, and it is a tight
loop of float additions and comparisons that CPython interprets slowly. mypyc (part of mypy,
which type-checks this code anyway) compiles the *same* typed source to a C extension: the
same float operations in the same order, so every score, tie and slot is bit-identical, about
1.5x faster. There is no second implementation to keep in step.

The compiled files live outside the source tree, in `build/native/<python>-<machine>/`, with a
stamp of the hashes of the sources they were built from. `use_compiled` puts that folder first
on the package's search path only when the stamp matches the sources as they are now, so
editing `matcher.py` (or anything it builds on) never runs a stale copy: the module simply
runs as Python until `make setup` (`python -m assistant.native build`) compiles it again.
Without a C compiler, mypyc or a checkout (an installed wheel), everything runs as Python.
`ASSISTANT_PURE_PYTHON=1` turns the compiled copy off (the tests compare both).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent  # assistant/
ROOT = PACKAGE.parent
# the modules compiled, as paths inside the package, and the sources whose change makes a
# compiled copy stale (what they import from the package: mypyc may inline its constants)
COMPILED = ("nlu/matcher.py",)
DEPENDS = ("nlu/*.py", "lang/*.py", "slots.py")
OFF_ENV = "ASSISTANT_PURE_PYTHON"
STAMP = "stamp.json"
# the machine's name from the platform tag ("linux-x86_64", "linux-aarch64"), without the
# import of `platform` (a start-up cost every command would pay)
MACHINE = sysconfig.get_platform().rsplit("-", 1)[-1]
BUILD_SECONDS = 600  # mypyc takes ~15 s on 2 cores, a Raspberry Pi 4 about a minute


def native_dir(root: Path = ROOT) -> Path:
    tag = f"{sys.implementation.cache_tag}-{MACHINE}"
    return root / "build" / "native" / tag


def sources_stamp(package: Path = PACKAGE) -> dict[str, str]:
    """sha256 of every source a compiled copy depends on, plus the interpreter it was built for."""
    stamp = {"python": sys.version, "platform": sysconfig.get_platform()}
    for pattern in DEPENDS:
        for path in sorted(package.glob(pattern)):
            rel = path.relative_to(package).as_posix()
            stamp[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return stamp


def current(folder: Path, package: Path = PACKAGE) -> bool:
    """Does `folder` hold compiled copies built from the sources as they are now?"""
    try:
        built = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(built, dict) and built == sources_stamp(package)


def use_compiled(search_path: list[str], subpackage: str, root: Path = ROOT) -> bool:
    """Put the compiled copies of `subpackage` ("nlu") first on its `__path__` if they are current.

    Called by the subpackage's `__init__` before it imports the compiled module; returns whether
    the compiled copy will be used.
    """
    if os.environ.get(OFF_ENV, "") not in ("", "0"):
        return False
    folder = native_dir(root)
    if not current(folder, root / PACKAGE.name):
        return False
    here = folder / PACKAGE.name / subpackage
    if not here.is_dir():
        return False
    if str(here) not in search_path:
        search_path.insert(0, str(here))
    return True


def is_compiled(module: object) -> bool:
    """Was this module loaded from a compiled file (for the benchmark and `--version`)?"""
    return str(getattr(module, "__file__", "")).endswith((".so", ".pyd"))


def build(root: Path = ROOT, force: bool = False) -> str:
    """Compile COMPILED with mypyc into native_dir(); one line saying what happened.

    Raises RuntimeError with a one-line reason when it cannot (no mypyc, no C compiler, a
    type error mypyc refuses).
    """
    import importlib.metadata  # the build's tools, imported only to build
    import shutil
    import subprocess
    import tempfile
    import time

    folder = native_dir(root)
    package = root / PACKAGE.name
    if not force and current(folder, package):
        return f"compiled matcher is up to date ({folder.relative_to(root)})"
    try:
        importlib.metadata.version("mypy")
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError("mypy (which provides mypyc) is not installed") from None
    start = time.monotonic()
    stamp = sources_stamp(package)  # taken before compiling: an edit meanwhile makes it stale
    with tempfile.TemporaryDirectory(prefix="assistant-native-") as tmp:
        work = Path(tmp)
        # a copy of the package alone: mypyc type-checks the imports and builds in the cwd
        # (no pyproject.toml there, whose settings are for pip, not for this build)
        shutil.copytree(package, work / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        targets = [f"{package.name}/{rel}" for rel in COMPILED]
        try:
            done = subprocess.run(
                [sys.executable, "-m", "mypyc", "--ignore-missing-imports", *targets],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=BUILD_SECONDS,
                env={**os.environ, "MYPYC_OPT_LEVEL": "3"},
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"mypyc took more than {BUILD_SECONDS} s") from None
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
            errors = [line for line in lines if ": error:" in line] or lines[-1:]
            raise RuntimeError(f"mypyc failed: {errors[0][:300]}")
        built = sorted((work / package.name).rglob("*.so")) + sorted(
            (work / package.name).rglob("*.pyd")
        )
        if not built:
            raise RuntimeError("mypyc produced no compiled module")
        staging = folder.with_name(folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        for path in built:
            dest = staging / path.relative_to(work)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        (staging / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)  # the stamp arrives with its files, never before them
    return (
        f"compiled {', '.join(COMPILED)} in {time.monotonic() - start:.0f} s "
        f"({folder.relative_to(root)})"
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m assistant.native",
        description="Compile the matcher with mypyc (optional: without it everything runs as "
        "Python, about 1.5x slower to understand a sentence).",
    )
    ap.add_argument("command", choices=["build", "status"])
    ap.add_argument("--force", action="store_true", help="compile even if up to date")
    ap.add_argument(
        "--strict", action="store_true", help="exit 1 when it cannot compile (default: warn)"
    )
    args = ap.parse_args(argv)
    if args.command == "status":
        folder = native_dir()
        state = "current" if current(folder) else "missing or stale"
        print(f"compiled matcher: {state} ({folder})")
        return 0 if state == "current" else 1
    try:
        print(build(force=args.force))
    except (RuntimeError, OSError) as exc:
        print(f"warning: the matcher runs as pure Python: {exc}", file=sys.stderr)
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
