"""Where skill plugins keep their intent files, found without importing any plugin (or the skills).

The settings need these folders (the intent engine loads them with the rest), and the settings
load before every command, so this module stays light: package metadata and file-system
look-ups only. Loading the plugins themselves is assistant/skills/plugins.py.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

ENTRY_POINT_GROUP = "assistant.skills"


def folders_of(dirs: Any) -> list[Path]:
    """`skills_dirs` of the config file as paths (a single string is a list of one)."""
    return [Path(d).expanduser() for d in ([dirs] if isinstance(dirs, str) else dirs or [])]


def intent_dirs(dirs: Any) -> list[Path]:
    """Each skills_dirs folder itself (its *.yaml), and the `intents/` folder inside the package an
    `assistant.skills` entry point names. Found without running the plugin's code, so a plugin
    that fails to import still has its grammar checked."""
    found = [d for d in folders_of(dirs) if d.is_dir()]
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        top = ep.value.split(":", 1)[0].split(".", 1)[0]
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        for place in spec.submodule_search_locations or []:     # a package, not a lone module
            folder = Path(place) / "intents"
            if folder.is_dir() and folder not in found:
                found.append(folder)
    return found
