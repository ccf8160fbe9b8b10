"""Intents that act and answer from their YAML file alone: `reply:`, `action:` (docs/skills.md)."""
