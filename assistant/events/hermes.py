"""The JSON of each event, in the shape Rhasspy / Hermes users' flows already read.

`<prefix>/intent/<name>`           an intent was recognised (Hermes `hermes/intent/<name>`)
`<prefix>/nlu/intentNotRecognized` a sentence fitted no intent
`<prefix>/asr/textCaptured`        what was heard (or typed)
`<prefix>/dialogueManager/endSession`  a listener's answer: {"sessionId": ..., "text": ...}

With `topic_prefix = "hermes"` the topics are Rhasspy's own. "lang" and "text" are extras.
"""

from __future__ import annotations

from typing import Any

from ..types import Match


def _slot_value(kind: str, value: Any) -> dict[str, Any]:
    if kind == "duration" and isinstance(value, (int, float)):
        return {"kind": "Duration", "seconds": value, "value": value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"kind": "Number", "value": value}
    return {"kind": "Custom", "value": value}


def intent_event(match: Match, kinds: dict[str, str], session: str, site: str) -> dict[str, Any]:
    """hermes/intent/<name>: the intent, its confidence and its slots with their entity."""
    slots = [
        {
            "slotName": name,
            "entity": kinds.get(name, "text").removeprefix("list:"),
            "rawValue": str(value),
            "value": _slot_value(kinds.get(name, ""), value),
            "confidence": 1.0,
        }
        for name, value in (match.slots or {}).items()
    ]
    return {
        "input": match.text,
        "text": match.text,
        "lang": match.lang,
        "intent": {"intentName": match.intent, "confidenceScore": round(float(match.score), 4)},
        "slots": slots,
        "siteId": site,
        "sessionId": session,
        "customData": None,
    }


def not_recognized_event(match: Match, session: str, site: str) -> dict[str, Any]:
    return {
        "input": match.text,
        "text": match.text,
        "lang": match.lang,
        "siteId": site,
        "sessionId": session,
        "customData": None,
    }


def text_captured_event(match: Match, session: str, site: str) -> dict[str, Any]:
    return {
        "text": match.text,
        "lang": match.lang,
        "likelihood": 1.0,
        "seconds": 0.0,
        "siteId": site,
        "sessionId": session,
    }


def topics(prefix: str) -> dict[str, str]:
    p = prefix.rstrip("/")
    return {
        "intent": f"{p}/intent/",
        "not_recognized": f"{p}/nlu/intentNotRecognized",
        "text": f"{p}/asr/textCaptured",
        "end_session": f"{p}/dialogueManager/endSession",
    }
