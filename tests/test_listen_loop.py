"""`assistant listen` end to end, with the real Whisper model, NLU, dialog and TTS.

The recordings of tests/data/listen are streamed through the microphone interface (faster
than real time; replies still "play" in real time on the silent sink, which is what makes
barge-in observable here). A command after the wake phrase is answered; the same command
without it is not; "stop" cuts a reply; a follow-up question reopens the microphone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.audio.sources import StreamedFileSource
from assistant.config import load_settings
from assistant.listener import ListenSettings, Listener
from assistant.store import Store

from conftest import no_traceback

DATA = Path(__file__).parent / "data" / "listen"
SCENES = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["scenes"]


@pytest.fixture(scope="module")
def recognizer(model_dir):
    """One loaded Whisper for the module: the listener must never need its own."""
    settings = load_settings(env={})
    app = Assistant(settings)
    return app.recognizer


class Run:
    def __init__(self):
        self.lines: list[str] = []
        self.events: list[tuple[str, dict]] = []

    def out(self, line: str) -> None:
        self.lines.append(line)

    def event(self, name: str, info: dict) -> None:
        self.events.append((name, info))

    def said(self, prefix: str) -> list[str]:
        return [line[len(prefix) :].strip() for line in self.lines if line.startswith(prefix)]

    def named(self, name: str) -> list[dict]:
        return [info for n, info in self.events if n == name]


def run_scene(
    tmp_path,
    recognizer,
    name: str,
    mode: str | None = None,
    speak: bool = False,
    config: str = "",
    wake: list[str] | None = None,
    before=None,
) -> Run:
    cfg = tmp_path / "assistant.toml"
    cfg.write_text(config, encoding="utf-8")
    settings = load_settings(cfg, state_dir=tmp_path / "state", env={})
    app = Assistant(settings, recognizer=recognizer)
    run = Run()
    try:
        listener = Listener(
            app,
            ListenSettings.from_settings(settings, mode=mode, wake_phrases=wake),
            out=run.out,
            speak=speak,
            on_event=run.event,
        )
        if before:
            before(listener)
        listener.run(StreamedFileSource(DATA / name, realtime=False))
    finally:
        app.close()
    return run


@pytest.mark.parametrize(
    "name", ["en_wake_command.wav", "en_wake_pause.wav", "zh_wake_command.wav", "zh_wake_pause.wav"]
)
def test_a_command_after_the_wake_phrase_is_answered(tmp_path, recognizer, name):
    scene = SCENES[name]
    run = run_scene(tmp_path, recognizer, name)
    replies = run.named("reply")
    assert len(replies) == 1, run.lines
    assert replies[0]["intent"] == scene["intent"], run.lines
    heard = run.said("heard:")
    assert len(heard) == 1 and run.said("assistant:")
    # the wake phrase is not part of the command
    assert "cortana" not in heard[0].lower() and "小娜" not in heard[0]


@pytest.mark.parametrize("name", ["en_no_wake.wav", "zh_no_wake.wav"])
def test_without_the_wake_phrase_nothing_is_answered(tmp_path, recognizer, name):
    run = run_scene(tmp_path, recognizer, name)
    assert run.said("assistant:") == [] and run.said("heard:") == []
    assert len(run.named("ignored")) == 2  # both commands were heard, neither acted on


def test_always_listening_answers_every_command(tmp_path, recognizer):
    run = run_scene(tmp_path, recognizer, "en_no_wake.wav", mode="always")
    assert [r["intent"] for r in run.named("reply")] == ["clock.time", "home.turn_on"]


def test_push_to_talk_opens_the_microphone_for_one_command(tmp_path, recognizer):
    run = run_scene(
        tmp_path,
        recognizer,
        "zh_no_wake.wav",
        mode="push_to_talk",
        before=lambda listener: listener.trigger(),
    )
    assert [r["intent"] for r in run.named("reply")] == [
        "system.help"
    ]  # the second one needed Enter again


@pytest.mark.parametrize("name", ["en_barge_in.wav", "zh_barge_in.wav"])
def test_stop_during_a_long_reply_cuts_it(tmp_path, recognizer, name):
    run = run_scene(tmp_path, recognizer, name, speak=True, config="[listen]\nearcons = false\n")
    assert len(run.named("reply")) == 1, run.lines
    speaking = run.named("speaking")
    assert speaking and speaking[0]["seconds"] > 2.0
    stopped = run.named("speech_stopped")
    assert len(stopped) == 1 and stopped[0]["by"] == "stop", run.events
    assert stopped[0]["at"] < speaking[0]["seconds"] - 0.5  # cut mid-sentence
    assert run.named("barge_in")[0]["by"] == "stop"


def timers(tmp_path) -> list[int]:
    store = Store(tmp_path / "state" / "assistant.db")
    try:
        return [t.duration for t in store.timers("timer")]
    finally:
        store.close()


@pytest.mark.parametrize("name,seconds", [("en_followup.wav", 300), ("zh_followup.wav", 180)])
def test_a_follow_up_question_reopens_the_microphone_without_the_wake_phrase(
    tmp_path, recognizer, name, seconds
):
    run = run_scene(tmp_path, recognizer, name)
    replies = run.named("reply")
    assert len(replies) == 2, run.lines
    assert replies[0]["intent"] == "timer.start" and replies[0]["end_session"] is False
    assert replies[1]["end_session"] is True
    assert timers(tmp_path) == [seconds]  # the answer, heard without the wake phrase, set it


def test_a_follow_up_answer_can_talk_over_the_question(tmp_path, recognizer):
    run = run_scene(
        tmp_path, recognizer, "en_followup.wav", speak=True, config="[listen]\nearcons = false\n"
    )
    assert len(run.named("reply")) == 2, run.lines
    assert timers(tmp_path) == [300]


def test_wake_phrase_from_the_command_line_replaces_the_defaults(tmp_path, recognizer):
    run = run_scene(tmp_path, recognizer, "en_wake_command.wav", wake=["hey jarvis"])
    assert run.said("assistant:") == []


def test_cli_listen_prints_heard_and_assistant_lines(cli):
    result = cli("listen", "--input", str(DATA / "zh_wake_command.wav"), "--fast", "--no-speak")
    no_traceback(result)
    assert result.code == 0, result.err
    assert [line.split(":")[0] for line in result.out.splitlines()] == ["heard", "assistant"]
    assert "天气" in result.out.splitlines()[0]


def test_cli_listen_bad_input_is_one_line(cli, tmp_path):
    result = cli("listen", "--input", str(tmp_path / "missing.wav"), "--fast")
    no_traceback(result)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1


def test_bad_listen_settings_are_one_line(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[listen]\nmode = 'sometimes'\n", encoding="utf-8")
    result = cli("listen", "--input", str(DATA / "en_no_wake.wav"), "--fast", "--config", str(cfg))
    no_traceback(result)
    assert result.code == 1 and "mode" in result.err


def test_push_to_talk_from_stdin_in_the_cli(cli):
    result = cli(
        "listen",
        "--input",
        str(DATA / "en_no_wake.wav"),
        "--fast",
        "--no-speak",
        "--push-to-talk",
        input="\n",
    )
    no_traceback(result)
    assert result.code == 0
    assert len([line for line in result.out.splitlines() if line.startswith("assistant:")]) == 1


SPOT_TIME = (
    '[listen]\nearcons = false\n[wake]\nconfirm = true\nkws_sure_threshold = "off"\n'
    '[wake.keyphrases]\n"hey cortana" = "time"\n'
)


def test_a_spotted_name_the_transcript_does_not_confirm_is_a_false_wake(tmp_path, recognizer):
    # the spotter is made to fire on "time": the transcript ("what time is it") has no name in it
    run = run_scene(tmp_path, recognizer, "en_no_wake.wav", config=SPOT_TIME)
    assert run.named("spotted") and run.named("wake_rejected")
    assert run.said("assistant:") == [] and run.named("wake") == []


def test_a_reply_paused_for_a_spotted_word_resumes_or_stops_on_what_the_transcript_says(
    tmp_path, recognizer
):
    # the spotter listens for "stop" here: it pauses the joke at once; the transcript ("Stop.") is
    # not the name, so the pause is released and the stop word then cuts the reply
    config = (
        '[listen]\nearcons = false\n[wake]\nkws_sure_threshold = "off"\n'
        '[wake.keyphrases]\n"hey cortana" = "stop"\n'
    )
    run = run_scene(tmp_path, recognizer, "en_barge_in.wav", speak=True, config=config)
    assert len(run.named("reply")) == 1, run.lines
    names = [n for n, _ in run.events]
    assert "held" in names and "wake_rejected" in names
    assert names.index("held") < names.index("speech_stopped")
    assert run.named("speech_stopped")[0]["by"] == "stop"


class FlakyMicrophone:
    """A live source (no `path`) that is busy twice, then delivers a recording: the retry path."""

    CHUNK = 480

    def __init__(self, path: Path):
        self._file = StreamedFileSource(path, realtime=False)
        self.failures = 2
        self.stream = None

    def __enter__(self):
        if self.failures:
            self.failures -= 1
            from assistant.errors import AudioError

            raise AudioError(
                "the microphone cannot be opened (Device unavailable); is another program using it?"
            )
        self._file.__enter__()
        self.stream = self._file.stream
        return self

    def __exit__(self, *exc):
        self._file.__exit__(*exc)


def test_a_busy_microphone_is_one_line_and_a_retry(tmp_path, recognizer):
    from assistant.listener import listen

    settings = load_settings(state_dir=tmp_path / "state", env={})
    app = Assistant(settings, recognizer=recognizer)
    lines: list[str] = []
    mic = FlakyMicrophone(DATA / "en_wake_command.wav")
    try:
        listen(app, mic, lines.append, speak=False, retry_seconds=0.01)
    finally:
        app.close()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and "retrying" in errors[0]
    assert any(line.startswith("assistant:") for line in lines)
