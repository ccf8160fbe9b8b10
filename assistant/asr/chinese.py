"""Traditional -> simplified: moved to assistant/lang/script.py (old name kept importable)."""
from __future__ import annotations

from ..lang.script import to_simplified  # noqa: F401  moved to assistant/lang
