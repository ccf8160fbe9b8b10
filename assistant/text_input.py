"""Text from outside the program (stdin lines, command-line words) checked as UTF-8 before it
is used.

Python decodes stdin strictly under a UTF-8 locale, so one stray byte (a Latin-1 "é", a binary
file piped by mistake) raised UnicodeDecodeError and ended `parse -` and `chat`, losing the lines
after it. Lines are therefore read as bytes and decoded one at a time: a bad or endless line is
reported and skipped, every other line goes on. Command-line words arrive with undecodable
bytes smuggled in as lone surrogates, which fail later when printed or spoken; they are refused
up front with the byte named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO
from collections.abc import Callable, Iterator

from .errors import ConfigError

MAX_LINE_BYTES = 64 * 1024  # far above any spoken or typed command; caps memory per line
_CHUNK = 64 * 1024


@dataclass
class Utf8Lines:
    """The lines of a byte stream as text, without their line ends; bad lines go to `report`.

    `skipped` counts the lines reported, so a command can end with a non-zero status.
    """

    stream: BinaryIO
    report: Callable[[str], None]
    skipped: int = field(default=0)

    def __iter__(self) -> Iterator[str]:
        number = 0
        while True:
            raw = self.stream.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                self._drain_line()
                self._skip(
                    f"stdin line {number} is longer than {MAX_LINE_BYTES // 1024} KiB; skipped"
                )
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._skip(
                    f"stdin line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); skipped"
                )
                continue
            yield text.rstrip("\r\n")

    def _drain_line(self) -> None:
        """Read and drop the rest of an over-long line, a chunk at a time."""
        while True:
            rest = self.stream.readline(_CHUNK)
            if not rest or rest.endswith(b"\n"):
                return

    def _skip(self, message: str) -> None:
        self.skipped += 1
        self.report(message)


def require_utf8(words: list[str], what: str) -> list[str]:
    """`words` unchanged, or ConfigError naming the first byte that was not UTF-8.

    Undecodable argument bytes reach Python as lone surrogates U+DC80..U+DCFF (surrogateescape),
    so the original byte is the surrogate's low 8 bits.
    """
    for word in words:
        for ch in word:
            if "\udc80" <= ch <= "\udcff":
                raise ConfigError(f"{what} is not valid UTF-8 (byte 0x{ord(ch) & 0xFF:02x})")
    return words
