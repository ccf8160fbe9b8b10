"""`assistant serve --wyoming` started for real and spoken to with the `wyoming` package's client.

One server for the whole module (loading Whisper takes seconds); the last test stops it with
SIGTERM while a request is in flight. The remote-engine tests run `assistant run`/`say` against
this server and against a port where nothing listens.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
from wyoming.asr import Transcript
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.intent import Recognize
from wyoming.tts import Synthesize, SynthesizeVoice

from conftest import run_cli
from wyoming_helpers import (
    SAMPLES,
    Server,
    ask,
    audio_events,
    free_port,
    manifest,
    read_wav,
    sample_events,
    start_server,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory, model_dir) -> Server:
    srv = start_server(tmp_path_factory.mktemp("serve"))
    yield srv
    srv.stop()


def run(coro):
    return asyncio.run(coro)


def test_describe_advertises_asr_tts_intent_and_handle_in_both_languages(server):
    answer, _ = run(ask(server.uri, [Describe().event()], "info"))
    info = Info.from_event(answer)
    assert info.asr[0].models[0].languages == ["en", "zh"]
    assert sorted(lang for v in info.tts[0].voices for lang in v.languages) == ["en", "zh"]
    assert all(v.installed for v in info.tts[0].voices)
    assert info.intent[0].models[0].languages == ["en", "zh"]
    assert info.handle[0].models[0].languages == ["en", "zh"]


@pytest.mark.parametrize("name", ["en_05_timer.wav", "zh_16_list_add.wav"])
def test_transcribe_then_recognize_both_languages(server, name):
    expected = manifest()[name]
    answer, _ = run(ask(server.uri, sample_events(name), "transcript"))
    heard = Transcript.from_event(answer)
    assert heard.language == expected["lang"] and heard.text
    intent, _ = run(
        ask(server.uri, [Recognize(text=heard.text).event()], ("intent", "not-recognized"))
    )
    assert intent.type == "intent" and intent.data["name"] == expected["intent"]
    entities = {e["name"]: e["value"] for e in intent.data.get("entities", [])}
    for slot, value in expected["slots"].items():
        assert entities[slot] == value


def test_transcribe_accepts_any_rate_width_and_channels(server):
    """The Chinese timer as 44.1 kHz stereo 32-bit, and the English one as 8 kHz mono 8-bit."""
    audio, rate = read_wav(SAMPLES / "zh_05_timer.wav")
    x = audio.astype(np.float32) / 32768
    t44 = np.interp(np.arange(0, len(x), rate / 44100), np.arange(len(x)), x)
    stereo32 = (np.stack([t44, t44 * 0.5], axis=1) * (2**31 - 1)).astype("<i4").tobytes()
    answer, _ = run(ask(server.uri, audio_events(stereo32, 44100, 4, 2), "transcript"))
    assert answer.data["language"] == "zh" and (
        "计时" in answer.data["text"] or "計時" in answer.data["text"]
    )

    audio, rate = read_wav(SAMPLES / "en_05_timer.wav")
    x = audio.astype(np.float32) / 32768
    t8 = np.interp(np.arange(0, len(x), rate / 8000), np.arange(len(x)), x)
    u8 = np.clip(t8 * 127 + 128, 0, 255).astype(np.uint8).tobytes()
    answer, _ = run(ask(server.uri, audio_events(u8, 8000, 1, 1), "transcript"))
    assert answer.data["language"] == "en" and "timer" in answer.data["text"].lower()


def test_recognize_gives_not_recognized_for_out_of_domain(server):
    for text in ("what is the capital of France", "我想吃火锅"):
        answer, _ = run(
            ask(server.uri, [Recognize(text=text).event()], ("intent", "not-recognized"))
        )
        assert answer.type == "not-recognized", (text, answer.data)


def test_handle_runs_the_dialog_with_follow_ups_in_the_language_spoken(server):
    async def talk() -> list[Event]:
        turns = [
            ("set a timer", "en"),
            ("ten minutes", "en"),
            ("把卧室的灯打开", "zh"),
            ("还有厨房的", "zh"),
            ("what is the capital of France", "en"),
            ("add eggs to my shopping list", "en"),
        ]
        out = []
        for text, lang in turns:
            answer, _ = await ask(
                server.uri,
                [Transcript(text=text, language=lang, context={"conversation_id": "c1"}).event()],
                ("handled", "not-handled"),
            )
            out.append(answer)
        return out

    ask_len, timer, bedroom, kitchen, unknown, listed = run(talk())
    assert ask_len.type == "handled" and ask_len.data["context"]["continue_conversation"] is True
    assert ask_len.data["context"]["conversation_id"] == "c1"  # the client's context comes back
    assert "how long" in ask_len.data["text"].lower()
    assert timer.type == "handled" and "10 minute" in timer.data["text"]
    assert (
        bedroom.type == "handled"
        and "卧室" in bedroom.data["text"]
        and bedroom.data["context"]["language"] == "zh"
    )
    assert kitchen.type == "handled" and "厨房" in kitchen.data["text"]
    assert unknown.type == "not-handled" and unknown.data["text"].startswith("Sorry")
    assert listed.type == "handled"
    # the same SQLite file as every other front end: the CLI sees the item the server added
    chat = run_cli("chat", state_dir=server.state_dir, input="what's on my shopping list\n")
    assert "eggs" in chat.out.lower(), chat.out + chat.err
    with sqlite3.connect(server.state_dir / "assistant.db") as db:
        assert db.execute("select count(*) from sqlite_master").fetchone()[0] > 0


def _speech(server: Server, text: str, voice: SynthesizeVoice | None) -> tuple[Event, bytes]:
    start, seen = run(ask(server.uri, [Synthesize(text=text, voice=voice).event()], "audio-stop"))
    assert seen[0].type == "audio-start", [e.type for e in seen]
    return seen[0], b"".join(e.payload or b"" for e in seen if e.type == "audio-chunk")


def test_synthesize_picks_the_voice_by_language_or_by_the_text(server):
    start, zh_by_text = _speech(server, "你好，今天天气很好", None)
    assert start.data["width"] == 2 and start.data["channels"] == 1 and len(zh_by_text) > 20_000
    _, zh_asked = _speech(server, "你好，今天天气很好", SynthesizeVoice(language="zh-CN"))
    _, zh_named = _speech(server, "你好，今天天气很好", SynthesizeVoice(name="assistant-zh"))
    _, en_forced = _speech(server, "你好，今天天气很好", SynthesizeVoice(language="en"))
    # one voice gives about the same length for the same text (under load espeak-ng was once seen
    # 20% shorter); the English voice spells Chinese characters out, about twice as long
    lengths = [len(zh_by_text), len(zh_asked), len(zh_named)]
    assert max(lengths) - min(lengths) < 0.3 * max(lengths), lengths
    assert len(en_forced) > 1.5 * max(lengths), (len(en_forced), lengths)
    _, en = _speech(server, "The timer is done.", None)
    assert len(en) > 20_000


def test_two_clients_at_once_both_answered(server):
    async def both():
        return await asyncio.gather(
            ask(server.uri, sample_events("en_01_time.wav"), "transcript"),
            ask(server.uri, sample_events("zh_03_greeting.wav"), "transcript"),
        )

    (en, _), (zh, _) = run(both())
    assert en.data["language"] == "en" and "time" in en.data["text"].lower()
    assert zh.data["language"] == "zh" and "你好" in zh.data["text"]


def _raw(server: Server, data: bytes, then_close: bool = True) -> bytes:
    """Send raw bytes; what the server answered before it (or we) closed the connection."""
    host, port = server.uri[len("tcp://") :].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(data)
        if then_close:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
        return b"".join(chunks)


def test_bad_clients_cost_their_connection_only(server):
    before = server.log_text()
    _raw(server, b"\x00\xff\xfe garbage that is not json\n")
    _raw(server, b'{"type": "audio-chunk", "payload_length": 99999999999}\n')
    _raw(server, b"x" * 100_000)  # a header line with no end
    answer = _raw(server, b'{"type": "no-such-thing"}\n{"type": "recognize", "data": {}}\n')
    assert b'"unknown-event"' in answer and b'"bad-event"' in answer  # answered, connection kept
    # a client that vanishes in the middle of its audio
    events = sample_events("en_01_time.wav")[:6]

    async def vanish():
        from wyoming.client import AsyncClient

        client = AsyncClient.from_uri(server.uri)
        await client.connect()
        for e in events:
            await client.write_event(e)
        client._writer.write(b'{"type": "audio-chunk", "payload_length": 5000}\n' + b"\0" * 100)
        await client.disconnect()

    run(vanish())
    time.sleep(0.5)
    logged = server.log_text()[len(before) :]
    assert logged.count("dropped:") == 3, logged
    assert "went away mid-event" in logged
    assert "Traceback" not in logged
    answer, _ = run(ask(server.uri, sample_events("en_01_time.wav"), "transcript"))
    assert "time" in answer.data["text"].lower()


def test_audio_over_the_command_limit_is_refused_not_kept(server):
    silence = bytes([128]) * (8000 * 61)  # 61 s, 8 kHz 8-bit
    answer, _ = run(ask(server.uri, audio_events(silence, 8000, 1, 1, chunk_bytes=64_000), "error"))
    assert answer.data["code"] == "audio-too-long"


# -- remote engines ------------------------------------------------------------------------------


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "remote.toml"
    path.write_text(body)
    return path


def test_remote_recogniser_and_voice_through_the_server(server, tmp_path, state_dir):
    before = server.log_text()
    cfg = _config(
        tmp_path,
        f'[asr]\nengine = "wyoming"\nuri = "{server.uri}"\n'
        f'[tts]\nengine = "wyoming"\nuri = "{server.uri}"\n',
    )
    result = run_cli(
        "run",
        "--json",
        "--reply-dir",
        str(tmp_path / "replies"),
        str(SAMPLES / "zh_05_timer.wav"),
        "--config",
        str(cfg),
        state_dir=state_dir,
    )
    assert result.code == 0, result.err
    turn = result.json_lines()[0]
    assert (
        turn["lang"] == "zh"
        and turn["intent"] == "timer.start"
        and turn["slots"] == {"duration": 300}
    )
    assert (tmp_path / "replies" / "zh_05_timer.reply.wav").stat().st_size > 10_000
    assert "heard" in server.log_text()[len(before) :]  # the server did the listening
    assert "warning" not in result.err.lower()


def test_remote_recogniser_down_falls_back_with_one_line(tmp_path, state_dir, model_dir):
    dead = f"tcp://127.0.0.1:{free_port()}"
    cfg = _config(tmp_path, f'[asr]\nengine = "wyoming"\nuri = "{dead}"\ntimeout = 3\n')
    result = run_cli(
        "run",
        "--json",
        "--reply-dir",
        str(tmp_path / "r"),
        str(SAMPLES / "en_01_time.wav"),
        "--config",
        str(cfg),
        state_dir=state_dir,
    )
    assert result.code == 0, result.err
    assert result.json_lines()[0]["intent"] == "clock.time"
    lines = [line for line in result.err.splitlines() if dead in line]
    assert len(lines) == 1 and "unreachable" in lines[0] and "local recogniser" in lines[0], (
        result.err
    )
    voice = _config(tmp_path, f'[tts]\nengine = "wyoming"\nuri = "{dead}"\ntimeout = 3\n')
    said = run_cli("say", "-o", str(tmp_path / "hi.wav"), "你好", "--config", str(voice),
                   state_dir=state_dir)
    assert said.code == 0 and (tmp_path / "hi.wav").stat().st_size > 10_000, said.err
    assert len([line for line in said.err.splitlines() if "local voice" in line]) == 1, said.err
    cfg = _config(tmp_path, f'[asr]\nengine = "wyoming"\nuri = "{dead}"\nfallback = "none"\n')
    result = run_cli(
        "run", str(SAMPLES / "en_01_time.wav"), "--config", str(cfg), state_dir=state_dir
    )
    assert result.code == 1 and "unreachable" in result.err and "Traceback" not in result.err
    bad = _config(tmp_path, '[asr]\nengine = "wyoming"\nuri = "http://x"\n')
    result = run_cli(
        "run", str(SAMPLES / "en_01_time.wav"), "--config", str(bad), state_dir=state_dir
    )
    assert result.code == 1 and "[asr] uri must be a tcp://HOST:PORT" in result.err


def test_bad_address_or_busy_port_is_one_line(server, state_dir):
    bad = run_cli("serve", "--wyoming", "http://0.0.0.0:10700", state_dir=state_dir)
    assert bad.code == 1 and "--wyoming must be a tcp://HOST:PORT or unix://PATH" in bad.err
    busy = run_cli("serve", "--wyoming", server.uri, state_dir=state_dir)
    assert busy.code == 1 and f"cannot listen on {server.uri}" in busy.err
    assert "Traceback" not in bad.err + busy.err


def test_unix_socket_server_answers_and_removes_its_socket(tmp_path, model_dir):
    """A second, light server (no Whisper loaded: pocketsphinx) on a unix socket."""
    sock = tmp_path / "wy.sock"
    cfg = _config(tmp_path, '[asr]\nengine = "sphinx"\n')
    srv = start_server(tmp_path / "unix", "--config", str(cfg), uri=f"unix://{sock}")
    try:
        turn_on = Recognize(text="把灯打开").event()
        answer, _ = run(ask(srv.uri, [turn_on], ("intent", "not-recognized")))
        assert answer.type == "intent" and answer.data["name"] == "home.turn_on"
        assert sock.exists()
    finally:
        assert srv.stop() == 0
    assert not sock.exists()


def test_a_client_that_says_nothing_is_closed_after_idle_seconds(tmp_path, model_dir):
    """A connection that sends no event (or trickles one for ever) is closed after
    `[serve] idle_seconds`, so it cannot hold a client slot; the server goes on serving."""
    cfg = _config(tmp_path, '[asr]\nengine = "sphinx"\n\n[serve]\nidle_seconds = 1\n')
    srv = start_server(tmp_path / "idle", "--config", str(cfg))
    try:
        host, port = srv.uri[len("tcp://") :].split(":")
        started = time.monotonic()
        with socket.create_connection((host, int(port)), timeout=15) as silent:
            silent.sendall(b'{"type": "describe", "data_le')  # half a header, then nothing
            assert silent.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 10
        answer, _ = run(ask(srv.uri, [Recognize(text="turn on the light").event()], "intent"))
        assert answer.data["name"] == "home.turn_on"
        assert "no whole event in 1 s ([serve] idle_seconds)" in srv.log_text()
    finally:
        assert srv.stop() == 0


# -- last: stopping --------------------------------------------------------------------------------


def test_sigterm_answers_the_request_in_hand_and_keeps_state(server):
    """SIGTERM arrives while a client is half-way through sending a command: the rest is taken and
    answered, an idle client is let go, and the server exits 0."""

    async def in_flight():
        from wyoming.client import AsyncClient

        events = sample_events("zh_05_timer.wav")
        idle = AsyncClient.from_uri(server.uri, read_timeout=60)
        await idle.connect()
        async with AsyncClient.from_uri(server.uri, read_timeout=60) as client:
            for event in events[: len(events) // 2]:
                await client.write_event(event)
            await asyncio.sleep(0.3)
            server.proc.terminate()
            await asyncio.sleep(0.5)
            for event in events[len(events) // 2 :]:
                await client.write_event(event)
            answer = await client.read_event()
        let_go = await idle.read_event()  # None: the server closed the idle connection
        await idle.disconnect()
        return answer, let_go

    answer, let_go = run(in_flight())
    assert answer is not None and answer.type == "transcript" and answer.data["language"] == "zh"
    assert let_go is None
    assert server.proc.wait(timeout=60) == 0
    assert "stopped" in server.out.read_text()
    # the 10 minute timer set through the dialog earlier is still there for the next front end
    chat = run_cli("chat", state_dir=server.state_dir, input="how much time is left\n")
    assert "minute" in chat.out, chat.out + chat.err
