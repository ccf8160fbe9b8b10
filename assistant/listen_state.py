"""The listening loop's decisions as one state machine: `step(state, event) -> (state, actions)`.

The Listener (listener.py) hears: it feeds frames to the spotter and the endpointer, runs
Whisper, the matchers, the NLU and the player. This module decides: what a closed segment
means (a command, "stop", a wake phrase, nothing), when the microphone window opens and
closes, what a reply being played does to all that. It is pure (no audio, no model, no
clock), so each state is tested event by event in tests/test_listen_states.py, and the
whole of the loop's memory is one `State` value instead of flags written across the class.

Stable phases say what the next segment is for; transient phases say why a segment's
transcript is being waited for (the Listener answers a `Transcribe` action at once with
a `Heard` event). `Transcribe`, `Reroute` and `RunCommand` always end a step's actions,
because the Listener feeds their outcome back as the next event.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from .audio.wake import WakeMatch

CHANNELS = ("speech", "media")


class Phase(Enum):
    """Where the loop is; the first three are stable, the others last one transcript."""

    IDLE = "idle"              # no command expected: a segment may carry the wake phrase or "stop"
    LISTENING = "listening"    # a window is open: the next segment is a command
    FOLLOWUP = "followup"      # a question is being spoken: the window opens when it ends, or
    #                            an answer spoken over it is taken as the answer
    CONFIRMING = "confirming"  # a segment holds a spotted name: its transcript must confirm it
    COMMAND = "command"        # a segment's transcript is a command
    BARGE_IN = "barge_in"      # speech over a reply or music: is it "stop", or the wake phrase?
    WAKE_CHECK = "wake_check"  # a short segment: does it start with the wake phrase?


STABLE = (Phase.IDLE, Phase.LISTENING, Phase.FOLLOWUP)


@dataclass(frozen=True)
class Rules:
    """The settings the decisions depend on (from `ListenSettings`)."""

    mode: str = "wake"                 # wake | push_to_talk | always
    confirm: bool = True               # a spotted name needs the transcript's confirmation
    transcript_wake: bool = True       # short segments' transcripts are checked for the name
    max_segment: float = 8.0           # longer segments are never checked for the name
    barge_in_max: float = 3.0          # longer segments during playback are not "stop"
    followup_timeout: float = 8.0      # the window a follow-up question opens


@dataclass(frozen=True)
class Spot:
    """The spotter heard the name ending at `end` (stream seconds); `sure`: needs no confirming."""

    end: float
    sure: bool


@dataclass(frozen=True)
class State:
    phase: Phase = Phase.IDLE
    spot: Spot | None = None                  # a spotted name the next segment will contain
    held: frozenset[str] = frozenset()        # channels paused while a spotted name is confirmed
    segment: SegmentClosed | None = None      # the segment whose transcript is awaited
    before: Phase = Phase.IDLE                # the stable phase a transient one came from


def window_open(state: State, rules: Rules) -> bool:
    """A segment closing now is a command (always-listening mode keeps the window open)."""
    return rules.mode == "always" or state.phase is Phase.LISTENING


# -- events ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Playing:
    """What the player is doing when the event happens."""

    speech: bool = False
    media: bool = False

    @property
    def any(self) -> bool:
        return self.speech or self.media


@dataclass(frozen=True)
class Tick:
    """Between frames: Enter pressed (push-to-talk), or a spoken question may have ended."""

    pressed: bool = False
    playing: Playing = Playing()


@dataclass(frozen=True)
class Spotted:
    """The keyword spotter heard the name; `sure` when the strict spotter did."""

    phrase: str
    end: float
    sure: bool = False
    playing: Playing = Playing()


@dataclass(frozen=True)
class NoSpeech:
    """The open window timed out with nobody speaking."""


@dataclass(frozen=True)
class Heard:
    """A segment's transcript, with what the matchers found in it."""

    text: str
    lang: str
    name: WakeMatch | None = None      # the wake phrase at its start (strict matcher)
    spotted: WakeMatch | None = None   # the same with the looser matcher used after a spotter hit
    stop: bool = False                 # it is a stop word ("stop", "停")
    playing: Playing = Playing()


@dataclass(frozen=True)
class SegmentClosed:
    """The endpointer closed a segment of speech (times in stream seconds).

    `rest_voiced` is the voiced time after a pending spotted name; `heard` is set when a
    segment comes back (`Reroute`) with its transcript already known.
    """

    start: float
    closed_at: float
    duration: float
    rest_voiced: float = 0.0
    playing: Playing = Playing()
    heard: Heard | None = None


@dataclass(frozen=True)
class Replied:
    """A command was answered; `speaking` when its reply is being played now."""

    end_session: bool
    speaking: bool = False


Event = Tick | Spotted | NoSpeech | SegmentClosed | Heard | Replied


# -- actions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Emit:
    """A loop event for the log and `on_event` ("wake", "ignored", ...)."""

    name: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Print:
    line: str


@dataclass(frozen=True)
class Earcon:
    name: str                          # listening | done | error


@dataclass(frozen=True)
class OpenWindow:
    """Expect a command; `timeout` None = the endpointer's no-speech timeout."""

    timeout: float | None = None


@dataclass(frozen=True)
class ResetSegmenter:
    pass


@dataclass(frozen=True)
class StopSpeech:
    why: str


@dataclass(frozen=True)
class PauseMedia:
    pass


@dataclass(frozen=True)
class Hold:
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Release:
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Transcribe:
    """Transcribe the awaited segment (from `after` stream seconds on, if set); answer: Heard."""

    after: float | None = None


@dataclass(frozen=True)
class Reroute:
    """Feed this segment again with the player as it is now (after a Release, or once heard)."""

    segment: SegmentClosed


@dataclass(frozen=True)
class RunCommand:
    """Understand and answer `text`; answer with Replied (nothing when it failed)."""

    text: str
    lang: str


Action = (Emit | Print | Earcon | OpenWindow | ResetSegmenter | StopSpeech | PauseMedia | Hold
          | Release | Transcribe | Reroute | RunCommand)


def step(state: State, event: Event, rules: Rules) -> tuple[State, list[Action]]:
    """The one transition function."""
    s = _Step(state, rules)
    if isinstance(event, Tick):
        s.tick(event)
    elif isinstance(event, Spotted):
        s.spotted(event)
    elif isinstance(event, NoSpeech):
        s.no_speech()
    elif isinstance(event, SegmentClosed):
        s.segment(event)
    elif isinstance(event, Heard):
        s.heard(event)
    elif isinstance(event, Replied):
        s.replied(event)
    else:  # pragma: no cover - a new event type without a rule
        raise TypeError(f"no rule for {event!r}")
    return s.state, s.actions


class _Step:
    """One transition under construction: the state so far and the actions in order."""

    def __init__(self, state: State, rules: Rules):
        self.state = state
        self.rules = rules
        self.actions: list[Action] = []

    def set(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def do(self, *actions: Action) -> None:
        self.actions.extend(actions)

    # -- events -----------------------------------------------------------------------------
    def tick(self, e: Tick) -> None:
        if e.pressed:
            self.barge_in("button", e.playing)
            self.do(ResetSegmenter())
            self.open_window()
        if self.state.phase is Phase.FOLLOWUP and not e.playing.speech and not self.state.held:
            self.open_window(self.rules.followup_timeout)

    def spotted(self, e: Spotted) -> None:
        sure = e.sure or not self.rules.confirm
        self.set(spot=Spot(e.end, sure))
        if not sure:
            self.do(Emit("spotted", {"phrase": e.phrase, "at": round(e.end, 2)}))
            # quiet the reply and the music until the transcript confirms the name
            new = tuple(ch for ch in CHANNELS if getattr(e.playing, ch))
            if new:
                self.do(Hold(new))
            held = self.state.held | set(new)
            self.set(held=held)
            if held:
                self.do(Emit("held", {"channels": sorted(held)}))
            return
        self.do(Emit("wake", {"phrase": e.phrase, "at": round(e.end, 2), "by": "spotter",
                              "sure": e.sure}))
        self.barge_in("wake", e.playing)
        self.open_window()

    def no_speech(self) -> None:
        if self.state.phase is Phase.LISTENING:
            self.set(phase=Phase.IDLE)
        self.do(Emit("window_closed", {"reason": "no_speech"}), Earcon("done"))

    def segment(self, e: SegmentClosed) -> None:
        spot = self.state.spot
        self.set(spot=None)
        if e.heard is None and spot is not None and e.start - 0.1 <= spot.end <= e.closed_at:
            if e.rest_voiced < 0.2 and spot.sure:
                self.open_window(earcon=False)  # already chimed when spotted: wait for the command
                return
            # The whole breath goes to Whisper: it writes the name more reliably than it hears a
            # command cut at the spotter's boundary, and its transcript is the second opinion
            # that turns away the spotter's false wakes.
            self.set(spot=spot)
            self.await_transcript(Phase.CONFIRMING, e)
            return
        if self.state.held:
            # resume what was paused for a name that was not in this segment, then decide
            # with the player as it is after that
            self.do(Release(tuple(sorted(self.state.held))))
            self.set(held=frozenset())
            self.do(Reroute(e))
            return
        self.route(e)

    def route(self, e: SegmentClosed) -> None:
        r = self.rules
        if window_open(self.state, r):
            self.hear(Phase.COMMAND, e)
        elif e.playing.any and self.state.phase is Phase.FOLLOWUP:
            # the user answers the follow-up question before it has finished: that is the answer
            self.barge_in("answer", e.playing)
            self.set(phase=Phase.IDLE)
            self.hear(Phase.COMMAND, e)
        elif e.playing.any:
            # short segments may be "stop"; up to max_segment they may start with the name
            if e.duration <= max(r.barge_in_max, r.max_segment):
                self.hear(Phase.BARGE_IN, e)
        elif r.mode == "wake" and r.transcript_wake and e.duration <= r.max_segment:
            self.hear(Phase.WAKE_CHECK, e)

    def hear(self, why: Phase, e: SegmentClosed) -> None:
        if e.heard is not None:
            self.on_heard(why, e, replace(e.heard, playing=e.playing))
        else:
            self.await_transcript(why, e)

    def await_transcript(self, why: Phase, e: SegmentClosed, after: float | None = None) -> None:
        before = self.state.phase if self.state.phase in STABLE else self.state.before
        self.set(phase=why, segment=e, before=before)
        self.do(Transcribe(after))

    def heard(self, e: Heard) -> None:
        why, seg = self.state.phase, self.state.segment
        if why in STABLE or seg is None:
            raise ValueError(f"a transcript arrived in phase {why.value}, no segment waits for one")
        self.set(phase=self.state.before, segment=None)
        self.on_heard(why, seg, e)

    def on_heard(self, why: Phase, seg: SegmentClosed, e: Heard) -> None:
        if why is Phase.CONFIRMING:
            self.confirm(seg, e)
        elif why is Phase.COMMAND:
            self.command(e)
        elif why is Phase.BARGE_IN:
            self.barge_in_check(seg, e)
        elif why is Phase.WAKE_CHECK:
            if e.name is not None:
                self.do(_wake_by_transcript(e.name))
                self.wake_then(e.name.rest, e.lang)
            elif e.text:
                self.do(Emit("ignored", {"text": e.text}))

    def replied(self, e: Replied) -> None:
        if e.end_session:
            return
        if e.speaking:
            self.set(phase=Phase.FOLLOWUP)  # reopen once the question has been heard
        else:
            self.open_window(self.rules.followup_timeout)

    # -- what a transcript means --------------------------------------------------------------
    def confirm(self, seg: SegmentClosed, e: Heard) -> None:
        spot = self.state.spot
        self.set(spot=None)
        confirm = spot is None or not spot.sure
        found = e.spotted
        if found is None and confirm:
            # not the name: the segment is handled like any other (it may be "stop", or a command)
            self.do(Emit("wake_rejected", {"text": e.text}), Reroute(replace(seg, heard=e)))
            return
        if found is not None and confirm:
            self.do(Emit("wake", {"phrase": found.phrase, "by": "spotter", "score": found.score,
                                  "sure": False}))
        self.barge_in("wake", e.playing)
        if found is not None:
            self.wake_then(found.rest, e.lang, announced=not confirm)
        elif spot is not None:  # the name came out unrecognisable: cut where the spotter heard it
            self.await_transcript(Phase.COMMAND, seg, after=spot.end)

    def command(self, e: Heard) -> None:
        """A segment heard while a window was open: strip a leading wake phrase, then act."""
        text = e.text
        if e.name is not None:
            text = e.name.rest
            if not text:
                self.open_window()  # the name said again: keep listening
                return
        self.set(phase=Phase.FOLLOWUP if self.state.phase is Phase.FOLLOWUP else Phase.IDLE)
        if not text:
            if self.rules.mode != "always":
                self.do(Emit("window_closed", {"reason": "nothing_understood"}), Earcon("done"))
            return
        self.run_command(text, e.lang)

    def barge_in_check(self, seg: SegmentClosed, e: Heard) -> None:
        if seg.duration <= self.rules.barge_in_max and e.stop:
            self.do(Emit("barge_in", {"by": "stop", "text": e.text}), Print(f"heard: {e.text}"))
            self.barge_in("stop", e.playing)
            return
        if e.name is not None:
            self.do(_wake_by_transcript(e.name))
            self.barge_in("wake", e.playing)
            self.wake_then(e.name.rest, e.lang)

    # -- shared moves --------------------------------------------------------------------------
    def wake_then(self, rest: str, lang: str, announced: bool = False) -> None:
        """After the wake phrase: run what followed it, or open the microphone for the command."""
        if rest:
            if not announced:
                self.do(Earcon("listening"))
            self.run_command(rest, lang)
        else:
            self.open_window(earcon=not announced)

    def run_command(self, text: str, lang: str) -> None:
        self.set(phase=Phase.IDLE)
        self.do(RunCommand(text, lang))

    def open_window(self, timeout: float | None = None, earcon: bool = True) -> None:
        self.set(phase=Phase.LISTENING)
        self.do(OpenWindow(timeout))
        if earcon:
            self.do(Earcon("listening"))

    def barge_in(self, why: str, playing: Playing) -> None:
        """Cut the reply mid-sentence and pause music (resumable by the media skill)."""
        cut = False
        if playing.speech or "speech" in self.state.held:
            self.do(StopSpeech(why))
            cut = True
        if playing.media:
            self.do(PauseMedia())
            cut = True
        self.set(held=frozenset())  # held music stays paused
        if cut and self.state.phase is Phase.FOLLOWUP:
            self.set(phase=Phase.IDLE)


def _wake_by_transcript(found: WakeMatch) -> Emit:
    return Emit("wake", {"phrase": found.phrase, "by": "transcript", "score": found.score})
