"""The listening loop's states, one event at a time (assistant/listen_state.py).

No audio, no Whisper, no clock: each test walks the machine through the events a real
scene produces (tests/test_listen_loop.py plays those scenes with the real model) and
checks the state it lands in and what it asks the Listener to do.
"""
from __future__ import annotations

import pytest

from assistant.audio.wake import WakeMatch
from assistant.listen_state import (Earcon, Emit, Heard, Hold, NoSpeech, OpenWindow,
                                    PauseMedia, Phase, Playing, Print, Release, Replied, Reroute,
                                    ResetSegmenter, Rules, RunCommand, SegmentClosed, Spot, Spotted,
                                    State, StopSpeech, Tick, Transcribe, step, window_open)

WAKE = Rules()
ALWAYS = Rules(mode="always")
PTT = Rules(mode="push_to_talk")
SPEAKING = Playing(speech=True)
MUSIC = Playing(media=True)
NAME = WakeMatch("hey cortana", 95.0, "")


def name(rest: str = "") -> WakeMatch:
    return WakeMatch("hey cortana", 95.0, rest)


def seg(start: float = 1.0, duration: float = 1.5, **kw) -> SegmentClosed:
    return SegmentClosed(start=start, closed_at=start + duration + 0.6, duration=duration, **kw)


def run(state: State, rules: Rules, *events):
    """Feed events in order; the final state and every action, as the Listener would see them."""
    actions = []
    for event in events:
        state, more = step(state, event, rules)
        actions += more
    return state, actions


def emitted(actions, name: str) -> list[dict]:
    return [a.info for a in actions if isinstance(a, Emit) and a.name == name]


# -- waiting for the wake phrase ------------------------------------------------------------

def test_a_short_segment_is_transcribed_to_look_for_the_name():
    state, actions = run(State(), WAKE, seg())
    assert state.phase is Phase.WAKE_CHECK and actions == [Transcribe()]


def test_the_name_then_a_command_in_one_breath_runs_the_command():
    state, actions = run(State(), WAKE, seg(), Heard("hey cortana what time is it", "en",
                                                      name=name("what time is it")))
    woke = Emit("wake", {"phrase": "hey cortana", "by": "transcript", "score": 95.0})
    assert actions[1:] == [woke,
                           Earcon("listening"), RunCommand("what time is it", "en")]
    assert state.phase is Phase.IDLE and state.segment is None


def test_the_name_alone_opens_the_window_and_the_next_segment_is_a_command():
    state, actions = run(State(), WAKE, seg(), Heard("hey cortana", "en", name=NAME))
    assert state.phase is Phase.LISTENING
    assert actions[-2:] == [OpenWindow(None), Earcon("listening")]
    state, actions = run(state, WAKE, seg(start=4.0), Heard("turn on the light", "en"))
    assert actions == [Transcribe(), RunCommand("turn on the light", "en")]
    assert state.phase is Phase.IDLE


def test_speech_without_the_name_is_ignored():
    state, actions = run(State(), WAKE, seg(), Heard("what time is it", "en"))
    assert state.phase is Phase.IDLE
    assert actions == [Transcribe(), Emit("ignored", {"text": "what time is it"})]


def test_long_segments_and_other_modes_are_not_transcribed_while_idle():
    assert run(State(), WAKE, seg(duration=9.0)) == (State(), [])
    assert run(State(), PTT, seg()) == (State(), [])
    assert run(State(), Rules(transcript_wake=False), seg()) == (State(), [])


def test_a_window_that_hears_nothing_closes_with_the_done_earcon():
    state, actions = run(State(phase=Phase.LISTENING), WAKE, NoSpeech())
    assert state.phase is Phase.IDLE
    assert actions == [Emit("window_closed", {"reason": "no_speech"}), Earcon("done")]


def test_a_window_where_only_the_name_is_said_again_stays_open():
    state, actions = run(State(phase=Phase.LISTENING), WAKE, seg(),
                         Heard("hey cortana", "en", name=NAME))
    assert state.phase is Phase.LISTENING and OpenWindow(None) in actions


def test_a_window_where_nothing_is_understood_closes():
    state, actions = run(State(phase=Phase.LISTENING), WAKE, seg(), Heard("", "en"))
    assert state.phase is Phase.IDLE
    assert actions[1:] == [Emit("window_closed", {"reason": "nothing_understood"}), Earcon("done")]


# -- modes ----------------------------------------------------------------------------------

def test_always_listening_treats_every_segment_as_a_command():
    assert window_open(State(), ALWAYS) and not window_open(State(), WAKE)
    state, actions = run(State(), ALWAYS, seg(), Heard("what time is it", "en"), Replied(True),
                         seg(start=5.0), Heard("", "en"))
    commands = [a for a in actions if isinstance(a, RunCommand)]
    assert commands == [RunCommand("what time is it", "en")]
    assert emitted(actions, "window_closed") == []      # nothing to close in always mode
    assert window_open(state, ALWAYS)


def test_push_to_talk_opens_one_window_per_press():
    state, actions = run(State(), PTT, Tick(pressed=True))
    assert state.phase is Phase.LISTENING
    assert actions == [ResetSegmenter(), OpenWindow(None), Earcon("listening")]
    state, _ = run(state, PTT, seg(), Heard("what time is it", "en"), Replied(True))
    assert state.phase is Phase.IDLE
    assert run(state, PTT, seg())[1] == []              # the next command needs another press


def test_pressing_during_a_reply_cuts_it():
    _, actions = run(State(), PTT, Tick(pressed=True, playing=SPEAKING))
    assert actions[0] == StopSpeech("button")


# -- follow-up questions --------------------------------------------------------------------

def test_a_question_reopens_the_window_once_it_has_been_heard():
    follow = Rules(followup_timeout=6.0)
    state, _ = run(State(), follow, Replied(end_session=False, speaking=True))
    assert state.phase is Phase.FOLLOWUP and not window_open(state, follow)
    state, actions = run(state, follow, Tick(playing=SPEAKING))
    assert state.phase is Phase.FOLLOWUP and actions == []
    state, actions = run(state, follow, Tick())
    assert state.phase is Phase.LISTENING and actions == [OpenWindow(6.0), Earcon("listening")]


def test_a_question_not_spoken_opens_the_window_at_once():
    state, actions = run(State(), WAKE, Replied(end_session=False, speaking=False))
    assert state.phase is Phase.LISTENING and actions == [OpenWindow(8.0), Earcon("listening")]


def test_an_answer_over_the_question_cuts_it_and_is_the_command():
    state, actions = run(State(phase=Phase.FOLLOWUP), WAKE, seg(playing=SPEAKING),
                         Heard("five minutes", "en", playing=Playing()))
    assert actions == [StopSpeech("answer"), Transcribe(), RunCommand("five minutes", "en")]
    assert state.phase is Phase.IDLE


def test_a_finished_conversation_leaves_the_loop_idle():
    assert run(State(), WAKE, Replied(end_session=True)) == (State(), [])


# -- barge-in while a reply or music plays --------------------------------------------------

def test_stop_during_a_reply_cuts_it():
    state, actions = run(State(), WAKE, seg(duration=0.6, playing=SPEAKING),
                         Heard("Stop.", "en", stop=True, playing=SPEAKING))
    assert actions == [Transcribe(), Emit("barge_in", {"by": "stop", "text": "Stop."}),
                       Print("heard: Stop."), StopSpeech("stop")]
    assert state.phase is Phase.IDLE


def test_stop_in_a_long_segment_is_not_a_barge_in_but_the_name_is():
    _, actions = run(State(), WAKE, seg(duration=4.0, playing=MUSIC),
                     Heard("stop", "en", stop=True, playing=MUSIC))
    assert actions == [Transcribe()]
    state, actions = run(State(), WAKE, seg(duration=4.0, playing=MUSIC),
                         Heard("hey cortana next song", "en", name=name("next song"),
                               playing=MUSIC))
    assert PauseMedia() in actions and actions[-1] == RunCommand("next song", "en")


def test_segments_longer_than_any_check_are_left_alone_during_playback():
    assert run(State(), WAKE, seg(duration=9.0, playing=SPEAKING)) == (State(), [])


# -- a name heard by the keyword spotter ----------------------------------------------------

def test_an_unsure_spot_holds_what_plays_until_the_transcript_confirms_it():
    both = Playing(speech=True, media=True)
    state, actions = run(State(), WAKE, Spotted("hey cortana", 2.0, playing=both))
    assert state.spot == Spot(2.0, sure=False) and state.held == {"speech", "media"}
    assert actions == [Emit("spotted", {"phrase": "hey cortana", "at": 2.0}),
                       Hold(("speech", "media")), Emit("held", {"channels": ["media", "speech"]})]
    state, actions = run(state, WAKE, seg(start=1.5, rest_voiced=1.0))
    assert state.phase is Phase.CONFIRMING and actions == [Transcribe()]
    state, actions = run(state, WAKE, Heard("hey cortana play jazz", "en",
                                            spotted=name("play jazz")))
    woke = Emit("wake", {"phrase": "hey cortana", "by": "spotter", "score": 95.0, "sure": False})
    assert actions == [woke,
                       StopSpeech("wake"), Earcon("listening"), RunCommand("play jazz", "en")]
    assert state.held == frozenset() and state.spot is None


def test_an_unconfirmed_spot_is_a_false_wake_and_the_segment_is_decided_again():
    state, _ = run(State(), WAKE, Spotted("hey cortana", 2.0, playing=SPEAKING))
    state, actions = run(state, WAKE, seg(start=1.5, rest_voiced=1.0),
                         heard := Heard("stop", "en", stop=True, playing=Playing()))
    rerouted = seg(start=1.5, rest_voiced=1.0, heard=heard)
    assert actions[1:] == [Emit("wake_rejected", {"text": "stop"}), Reroute(rerouted)]
    # the Listener feeds it back with the player as it is now: the held reply is resumed first
    state, actions = run(state, WAKE, rerouted)
    assert actions == [Release(("speech",)), Reroute(rerouted)] and state.held == frozenset()
    state, actions = run(state, WAKE, SegmentClosed(**{**rerouted.__dict__, "playing": SPEAKING}))
    assert actions == [Emit("barge_in", {"by": "stop", "text": "stop"}), Print("heard: stop"),
                       StopSpeech("stop")]


def test_a_sure_spot_opens_the_window_at_once_and_the_name_alone_waits_silently():
    state, actions = run(State(), WAKE, Spotted("hey cortana", 2.0, sure=True, playing=SPEAKING))
    woke = Emit("wake", {"phrase": "hey cortana", "at": 2.0, "by": "spotter", "sure": True})
    assert actions == [woke,
                       StopSpeech("wake"), OpenWindow(None), Earcon("listening")]
    assert state.phase is Phase.LISTENING and state.spot == Spot(2.0, True)
    state, actions = run(state, WAKE, seg(start=1.5, rest_voiced=0.1))
    assert actions == [OpenWindow(None)] and state.spot is None   # chimed already


def test_a_sure_spot_whose_name_is_garbled_runs_what_followed_it():
    state, _ = run(State(), WAKE, Spotted("hey cortana", 2.0, sure=True))
    state, actions = run(state, WAKE, seg(start=1.5, rest_voiced=1.0),
                         Heard("hey gotta set a timer", "en"))
    assert actions[-1] == Transcribe(after=2.0) and state.phase is Phase.COMMAND
    state, actions = run(state, WAKE, Heard("set a timer", "en"))
    assert actions == [RunCommand("set a timer", "en")]


def test_without_confirmation_every_spot_is_sure():
    state, actions = run(State(), Rules(confirm=False), Spotted("hey cortana", 2.0))
    assert state.phase is Phase.LISTENING and state.spot == Spot(2.0, True)
    assert emitted(actions, "wake")[0]["sure"] is False


def test_a_spot_outside_the_segment_is_dropped_and_held_audio_resumes():
    state, _ = run(State(), WAKE, Spotted("hey cortana", 9.0, playing=SPEAKING))
    state, actions = run(state, WAKE, seg(start=1.0))
    assert actions == [Release(("speech",)), Reroute(seg(start=1.0))] and state.spot is None


def test_a_transcript_nobody_waits_for_is_a_clear_error():
    with pytest.raises(ValueError, match="no segment waits"):
        step(State(), Heard("hello", "en"), WAKE)
