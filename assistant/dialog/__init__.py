"""The conversation layer: session context, follow-ups, reply language and wording."""
from .dialog import Dialog

__all__ = ["Dialog"]
