"""Keep the C heap from holding on to memory the recogniser has finished with.

Why: glibc raises its mmap threshold each time a large block is freed, so after a few
commands Whisper's per-decode buffers (encoder output, beam caches, prompts; a few MB each)
are carved from the main heap instead of mapped, and the heap only grows. Measured on the
40 samples x 2 rounds (bench/pipeline.py, same run): glibc's default 497 MB peak RSS at
505 ms per command; a fixed 1 MiB threshold 403 MB but 705 ms (every buffer mapped afresh);
a fixed 4 MiB threshold plus a trim before each command 434 MB at 504 ms. That last one is
what the recogniser does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
THRESHOLD = 4 << 20


@functools.lru_cache(maxsize=1)
def _glibc() -> Any | None:
    """glibc, looked up once (find_library runs ldconfig: a millisecond per call on a hot path)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both exist only in glibc
    except (OSError, AttributeError):  # musl, macOS: nothing to tune
        return None
    return libc


def fix_thresholds() -> bool:
    """Turn off glibc's growing mmap threshold; False where the C library is not glibc."""
    libc = _glibc()
    return (
        libc is not None
        and bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
        and bool(libc.mallopt(M_TRIM_THRESHOLD, THRESHOLD))
    )


def trim() -> None:
    """Give the free memory at the top of the heap back to the system (cheap: one pass)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
