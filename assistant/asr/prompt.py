"""A domain's vocabulary as a Whisper prompt.

Whisper treats the prompt as the text that came before the command, so words in it are
likelier to be written, in the form they are written there ("twelve ounce", "dark roast").
Measured on real speakers' coffee orders (bench/speech_to_intent.py): the plain list of the
domain's values lifts the orders understood far more than any general prompt, and a prompt
of every loaded intent's words at once does worse than none, because a maker's values are
crowded out by the built-ins' (so `biased.py` prompts with one domain at a time).
"""

from __future__ import annotations

MAX_CHARS = {
    "en": 700,
    "zh": 250,
}  # ~150 tokens, inside Whisper's 223; the length costs ~10 ms a pass
SEPARATOR = {"en": ", ", "zh": "，"}
END = {"en": ".", "zh": "。"}


def build_prompt(words: list[str], lang: str) -> str | None:
    """The words, most useful first, cut to the language's budget; None when there are none."""
    limit, sep = MAX_CHARS.get(lang, 700), SEPARATOR.get(lang, ", ")
    picked: list[str] = []
    size = 0
    for word in dict.fromkeys(w.strip() for w in words):
        if not word:
            continue
        if size + len(word) + len(sep) > limit:
            break
        picked.append(word)
        size += len(word) + len(sep)
    if not picked:
        return None
    return sep.join(picked) + END.get(lang, ".")
