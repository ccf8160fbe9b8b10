"""Reading the small text files a user names (settings, intents) in bounded time and memory.

Why one home: a FIFO there blocked until a writer came, /dev/zero was read forever and a huge
file was loaded whole. The file is opened without blocking and checked through its descriptor
(so a FIFO swapped in after a check never waits), and at most `limit` + 1 bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(ValueError):
    """A FIFO, device or folder where a file was wanted."""


class TooBig(ValueError):
    """Larger than the caller's limit (each caller words the limit its own way)."""


def read_small_text(path: Path, limit: int) -> str:
    """The UTF-8 text of PATH. OSError: cannot be opened or read; NotRegularFile, TooBig;
    UnicodeDecodeError: not UTF-8."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile("is not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooBig(f"larger than {limit} bytes")
    return data.decode("utf-8")
