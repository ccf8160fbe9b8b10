"""Understanding: intent files in, `Match` out, for English and Mandarin alike.

engine = IntentEngine.load([Path("intents")])
engine.parse("set a timer for five minutes")
# -> Match(intent="timer.start", slots={"duration": 300}, ...)
"""

from .engine import IntentEngine, TestFailure
from .loader import IntentProblem

__all__ = ["IntentEngine", "IntentProblem", "TestFailure"]
