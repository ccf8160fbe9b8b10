"""Errors a user can act on: the CLI prints `str(error)` as one line and exits non-zero."""


class AssistantError(Exception):
    """Base for every error that is the user's input or environment, not a bug."""


class AudioError(AssistantError):
    """An audio file or device cannot be used (missing, not audio, truncated, silent, no
    microphone)."""


class ModelError(AssistantError):
    """A speech model is missing, corrupt or cannot be fetched."""


class RecognizerError(AssistantError):
    """A recognizer could not produce a transcript (no network for an online engine, ...)."""


class ConfigError(AssistantError):
    """Settings, flags or an intents file are wrong; the message names the file and line."""


class SpeechError(AssistantError):
    """Text to speech could not produce or play audio."""


class StateError(AssistantError):
    """The state database cannot be used: damaged, on a full disk, or failing to read or write.

    `disk_full` lets the dialog say the one thing the user can fix ("the disk is full")
    instead of a generic apology.
    """

    def __init__(self, message: str, disk_full: bool = False):
        super().__init__(message)
        self.disk_full = disk_full


class NetworkError(AssistantError):
    """A web service or download source failed: unreachable, past its deadline, too large,
    redirected, or it answered with an error. `status` is the HTTP status, None when no answer
    came."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status
