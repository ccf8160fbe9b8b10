"""What `describe` answers: the four programs this server runs, each in English and Chinese.

Home Assistant reads this to offer the server as a speech-to-text, text-to-speech and conversation
agent; the TTS voice names ("assistant-en", "assistant-zh") are what a client may ask for by name.
"""

from __future__ import annotations

from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    HandleModel,
    HandleProgram,
    Info,
    IntentModel,
    IntentProgram,
    TtsProgram,
    TtsVoice,
)

from .. import __version__

LANGS = ["en", "zh"]
VOICE_PREFIX = "assistant-"
ATTRIBUTION = Attribution(name="assistant", url="https://github.com/")
WHISPER = Attribution(
    name="OpenAI Whisper via faster-whisper", url="https://github.com/SYSTRAN/faster-whisper"
)
ESPEAK = Attribution(name="eSpeak NG via pyttsx3", url="https://github.com/espeak-ng/espeak-ng")


def voice_name(lang: str) -> str:
    return VOICE_PREFIX + lang


def build_info(asr_model: str, voices: dict[str, str | None]) -> Info:
    """The `info` event's content; `voices` maps en/zh to the system voice used (None: none)."""
    asr = AsrProgram(
        name="assistant-asr",
        attribution=WHISPER,
        installed=True,
        version=__version__,
        description="Whisper, kept loaded, English and Mandarin chosen per utterance",
        models=[
            AsrModel(
                name=asr_model,
                attribution=WHISPER,
                installed=True,
                version=None,
                description=f"faster-whisper {asr_model}",
                languages=list(LANGS),
            )
        ],
    )
    tts = TtsProgram(
        name="assistant-tts",
        attribution=ESPEAK,
        installed=True,
        version=__version__,
        description="a voice per language, chosen by the requested language or by the text",
        voices=[
            TtsVoice(
                name=voice_name(lang),
                attribution=ESPEAK,
                installed=voices.get(lang) is not None,
                version=None,
                description=str(voices.get(lang) or "no voice installed"),
                languages=[lang],
            )
            for lang in LANGS
        ],
    )
    intent = IntentProgram(
        name="assistant-intent",
        attribution=ATTRIBUTION,
        installed=True,
        version=__version__,
        description="the fuzzy, pinyin-aware intent matcher",
        models=[
            IntentModel(
                name="intents",
                attribution=ATTRIBUTION,
                installed=True,
                version=None,
                description="built-in and user intents",
                languages=list(LANGS),
            )
        ],
    )
    handle = HandleProgram(
        name="assistant-dialog",
        attribution=ATTRIBUTION,
        installed=True,
        version=__version__,
        description="the whole dialog: skills, follow-ups, replies in the language spoken",
        models=[
            HandleModel(
                name="dialog",
                attribution=ATTRIBUTION,
                installed=True,
                version=None,
                description="timers, alarms, lists, media, home, weather, chat",
                languages=list(LANGS),
            )
        ],
    )
    return Info(asr=[asr], tts=[tts], intent=[intent], handle=[handle])
