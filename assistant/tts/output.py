"""Delivering synthesized WAV bytes to the path the user named, without ever deleting what is there.

`say -o PATH` and `run --reply-dir` write where the user points, which may be a regular file,
nothing yet, a symlink, a FIFO or a device such as /dev/null. Unlinking PATH first (as the
speech engine's own file writer needs) replaced devices and symlinks with plain files, so:
a regular file (or nothing) is replaced atomically by a temporary file written beside it, and
anything special is written through. Every OS failure (a full disk, no permission, a folder)
becomes one SpeechError line instead of a hang or a half-written file reported as written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from ..errors import SpeechError


def write_audio(path: Path, data: bytes) -> Path:
    """Put `data` at `path` (following a symlink to its target) and return `path`."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise SpeechError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise SpeechError(f"cannot write {path}: it is a folder; give a file name for the WAV")
    try:
        if mode is None or stat.S_ISREG(mode):
            _replace(target, data, None if mode is None else stat.S_IMODE(mode))
        else:
            _write_through(target, data)
    except OSError as exc:
        raise SpeechError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _write_through(target: Path, data: bytes) -> None:
    """A FIFO, a device or another special file: opened for writing as it is, never removed."""
    with open(target, "wb") as out:
        out.write(data)


def _replace(target: Path, data: bytes, keep_mode: int | None) -> None:
    """A regular file or nothing: a complete temporary file beside it, then one rename.

    On a full disk the user's old file (if any) is left as it was and the partial temporary
    file is removed, so no truncated WAV is ever reported as written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), keep_mode if keep_mode is not None else 0o666 & ~_umask())
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process umask (only readable by setting it), so a new WAV gets the usual permissions."""
    current = os.umask(0o022)
    os.umask(current)
    return current
