"""A bilingual (English + Mandarin) offline-first voice assistant."""

__version__ = "0.1.0"
