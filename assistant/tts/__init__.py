"""Text to speech behind one small protocol; the voice is chosen by the reply's language."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Speaker(Protocol):
    name: str

    def synthesize(self, text: str, lang: str, path: Path) -> Path:
        """Write `text` spoken in `lang` ("en" | "zh") as a WAV file at `path`."""
        ...
