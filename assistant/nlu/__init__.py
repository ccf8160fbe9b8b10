"""Understanding: intent files in, `Match` out, for English and Mandarin alike.

engine = IntentEngine.load([Path("intents")])
engine.parse("set a timer for five minutes")
# -> Match(intent="timer.start", slots={"duration": 300}, ...)
"""

from .. import native

# the matcher's compiled copy, when `make setup` built one from these very sources (native.py)
COMPILED = native.use_compiled(__path__, "nlu")

from .engine import IntentEngine, TestFailure  # noqa: E402
from .loader import IntentProblem  # noqa: E402

__all__ = ["IntentEngine", "IntentProblem", "TestFailure"]
