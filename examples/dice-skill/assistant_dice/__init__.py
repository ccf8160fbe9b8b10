"""An example skill plugin: "roll two dice" / "掷两个骰子".

A plugin is a Skill subclass with a `domain` (the part of its intents' names before the dot)
and a `handle` that returns an Answer; its intents are in `intents/` beside this file.
"""

from __future__ import annotations

import random
from typing import Any

from assistant.lang import number_to_words_en as en_number
from assistant.lang import number_to_words_zh as zh_number
from assistant.phrases.locale import say_list
from assistant.skills.base import Answer, Env, Skill

MAX_DICE = 10


class DiceSkill(Skill):
    domain = "dice"

    def __init__(self, env: Env):
        super().__init__(env)
        # [skills.dice] sides = 6 in the config file
        self.sides = int(env.config("skills").get("dice", {}).get("sides", 6))
        self.rng = random.Random()

    def handle(self, intent: str, slots: dict[str, Any], lang: str) -> Answer:
        count = int(slots.get("count") or slots.get("zhCount") or 1)
        if not 1 <= count <= MAX_DICE:
            return Answer(
                f"I can roll one to {en_number(MAX_DICE)} dice."
                if lang == "en"
                else f"我一次只能掷一到{zh_number(MAX_DICE)}个骰子。"
            )
        rolls = [self.rng.randint(1, self.sides) for _ in range(count)]
        if lang == "zh":
            return Answer(f"你掷出了{say_list([zh_number(r) for r in rolls], lang)}点。")
        return Answer(f"You rolled {say_list([en_number(r) for r in rolls], lang)}.")
