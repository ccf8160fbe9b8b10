"""The listening loop's parts on their own: endpointing, wake phrase detectors, stop words, earcons.

No Whisper here: these run on the committed recordings of tests/data/listen (see
scripts/make_listen_samples.py) and on generated audio, in a couple of seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.earcons import earcon
from assistant.audio.sources import StreamedFileSource
from assistant.audio.vad import FRAME_BYTES, EndpointSettings, Segment, Segmenter
from assistant.audio.wake import (
    DEFAULT_STOP_WORDS,
    KeywordSpotter,
    StopWords,
    TranscriptWake,
    WakeSettings,
    latin_sound,
    spotted_words,
)
from assistant.errors import ConfigError

DATA = Path(__file__).parent / "data" / "listen"
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
SCENES = MANIFEST["scenes"]


def frames(path: Path):
    src = StreamedFileSource(path, realtime=False)
    with src:
        while True:
            chunk = src.stream.read(src.CHUNK)
            if len(chunk) < FRAME_BYTES:
                return
            yield chunk


def pcm_frames(audio: np.ndarray):
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        yield pcm[i : i + FRAME_BYTES]


def segments(path: Path, settings: EndpointSettings | None = None) -> list[Segment]:
    seg = Segmenter(settings)
    out = [r for f in frames(path) if isinstance(r := seg.feed(f), Segment)]
    last = seg.flush()
    return out + ([last] if last else [])


# -- endpointing -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_spoken_part_is_one_segment_closed_soon_after_it_ends(name):
    spans = SCENES[name]["speech_spans"]
    # parts closer than the trailing silence belong to one breath
    merged = []
    for start, end in spans:
        if merged and start - merged[-1][1] < 0.6:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    found = segments(DATA / name)
    assert len(found) == len(merged), (name, [(s.start, s.speech_end) for s in found], merged)
    for seg, (start, end) in zip(found, merged, strict=True):
        assert seg.start <= start + 0.1
        assert abs(seg.speech_end - end) < 0.25
        # closed by the trailing silence (0.6 s), not by the end of the file
        assert seg.reason == "silence"
        assert 0.55 <= seg.closed_at - seg.speech_end <= 0.7


def test_trailing_silence_is_configurable():
    name = DATA / "en_wake_command.wav"
    short = segments(name, EndpointSettings(trailing_silence=0.3))[0]
    long = segments(name, EndpointSettings(trailing_silence=1.0))[0]
    assert short.closed_at - short.speech_end == pytest.approx(0.3, abs=0.05)
    assert long.closed_at - long.speech_end == pytest.approx(1.0, abs=0.05)


def test_a_command_longer_than_the_maximum_is_cut():
    found = segments(DATA / "zh_wake_command.wav", EndpointSettings(max_command=1.5))
    assert found[0].reason == "max_length"
    assert found[0].duration == pytest.approx(1.5, abs=0.05)


def test_an_open_window_times_out_when_nothing_is_said():
    seg = Segmenter(EndpointSettings(no_speech_timeout=1.0))
    seg.open_window()
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 0.003, 16000 * 3).astype(np.float32)
    results = [(seg.now, r) for f in pcm_frames(noise) if (r := seg.feed(f)) is not None]
    assert results and results[0][1] == "timeout"
    assert results[0][0] == pytest.approx(1.0, abs=0.05)
    assert len(results) == 1


def test_noise_alone_gives_no_segment_and_buffers_stay_bounded():
    rng = np.random.default_rng(2)
    seg = Segmenter()
    for f in pcm_frames(rng.normal(0, 0.003, 16000 * 20).astype(np.float32)):
        assert seg.feed(f) is None
    assert seg.flush() is None
    assert len(seg._buf) == 0 and len(seg._pre) <= seg._pre.maxlen


def test_bad_endpoint_settings_are_one_clear_error():
    with pytest.raises(ConfigError, match="aggressiveness"):
        EndpointSettings.from_config({"aggressiveness": 7})
    with pytest.raises(ConfigError, match="listen"):
        EndpointSettings.from_config({"trailing_silence": "soon"})


# -- the keyword spotter ---------------------------------------------------------------


def spot(path: Path, phrases=("hey cortana",)) -> list[float]:
    ks = KeywordSpotter(list(phrases))
    return [hit.end for f in frames(path) if (hit := ks.feed(f)) is not None]


@pytest.mark.parametrize("name", [n for n in sorted(SCENES) if n.startswith("en_")])
def test_spotter_hears_the_english_name_where_it_is_said_and_nowhere_else(name):
    hits = spot(DATA / name)
    if SCENES[name]["wake"]:
        first = SCENES[name]["speech_spans"][0]
        assert len(hits) == 1, hits
        assert first[0] + 0.3 < hits[0] < first[1] + 0.3
    else:
        assert hits == []


@pytest.mark.parametrize("name", [n for n in sorted(SCENES) if n.startswith("zh_")])
def test_spotter_stays_quiet_on_mandarin(name):
    assert spot(DATA / name) == []


def test_spotter_listens_for_the_name_without_the_filler():
    assert spotted_words("Hey Cortana", {}) == "cortana"
    assert spotted_words("ok computer", {}) == "computer"
    assert spotted_words("hey", {}) == "hey"
    assert spotted_words("hey cortana", {"hey cortana": "hey cortana"}) == "hey cortana"


def test_a_name_without_pronunciation_is_skipped_not_fatal():
    ks = KeywordSpotter(["hey zzxqvy"])
    assert not ks.active and ks.skipped == ["hey zzxqvy"]
    ks = KeywordSpotter(["hey zzxqvy"], pronunciations={"zzxqvy": ["Z IH K V IY"]})
    assert ks.active


# -- the transcript matcher --------------------------------------------------------------


@pytest.fixture(scope="module")
def matcher() -> TranscriptWake:
    w = WakeSettings()
    return TranscriptWake(
        ["hey cortana", "你好小娜"], w.transcript_threshold, w.transcript_threshold_en
    )


@pytest.mark.parametrize(
    "word,key",
    [
        ("Cortana", "katana"),
        ("Kotarner", "katana"),
        ("quick", "kwak"),
        ("phone", "fana"),
        ("stop", "stap"),
        ("42", "42"),
    ],
)
def test_english_sound_keys(word, key):
    assert latin_sound(word) == key


@pytest.mark.parametrize(
    "text,phrase,rest",
    [
        ("你好小娜，现在几点", "你好小娜", "现在几点"),
        ("你好小娜", "你好小娜", ""),
        ("你好小那，声音大一点。", "你好小娜", "声音大一点"),  # homophone
        ("你好小纳先再几点了", "你好小娜", "先再几点了"),
        ("Hey, Cortana. What time is it?", "hey cortana", "What time is it"),
        ("Hey Kortana", "hey cortana", ""),
        ("你好小娜Ｊ", "你好小娜", ""),  # decoder noise is not a command
        ("Hey Kotano, what time is it?", "hey cortana", "what time is it"),  # how Whisper spells an
        ("Hey Cortardo, turn it up.", "hey cortana", "turn it up"),  # unfamiliar name
    ],
)
def test_wake_phrase_at_the_start_of_a_transcript(matcher, text, phrase, rest):
    found = matcher.match(text)
    assert found is not None and found.phrase == phrase and found.rest == rest


@pytest.mark.parametrize(
    "text",
    [
        "你好",
        "你好，今天几号",
        "Hello there.",
        "What time is it?",
        "小明你好",
        "",
        "turn on the light, cortana",
        "Hey can you pass the salt",
        "Hey Katie!",
        "Hey Carter, dinner is ready",
    ],
)
def test_no_wake_phrase(matcher, text):
    assert matcher.match(text) is None


def test_threshold_is_respected():
    strict = TranscriptWake(["你好小娜"], threshold=99)
    assert strict.match("你好小娜") is not None
    assert strict.match("你好小拿铁") is None or strict.match("你好小拿铁").score >= 99


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Stop.", True),
        ("停", True),
        ("停止。", True),
        ("聽!", True),
        ("Stop it!", True),
        ("听职，", True),
        ("stop the music and play jazz", False),
        ("What time is it", False),
        ("好", False),
        ("", False),
    ],
)
def test_stop_words(text, expected):
    assert StopWords(DEFAULT_STOP_WORDS).match(text) is expected


def test_wake_settings_from_config_and_flags():
    s = WakeSettings.from_config({"en": "ok jarvis", "zh": ["小娜小娜"], "kws_threshold": 1e-30})
    assert s.phrases == {"en": ["ok jarvis"], "zh": ["小娜小娜"]} and s.kws_threshold == 1e-30
    s = WakeSettings.from_config({}, override=["hey computer", "你好电脑"])
    assert s.phrases == {"en": ["hey computer"], "zh": ["你好电脑"]}
    with pytest.raises(ConfigError, match="wake"):
        WakeSettings.from_config({"transcript_threshold": "high"})


# -- earcons -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["listening", "done", "error"])
def test_earcons_are_short_clean_and_distinct(name):
    audio, rate = earcon(name)
    assert 0.1 < len(audio) / rate < 0.3
    assert np.max(np.abs(audio)) <= 1.0 and abs(audio[0]) < 0.05 and abs(audio[-1]) < 0.05
    others = [earcon(n)[0] for n in ("listening", "done", "error") if n != name]
    assert all(len(o) != len(audio) or not np.allclose(o, audio) for o in others)


def test_the_raspberry_pi_profile_loads():
    from assistant.config import load_settings
    from assistant.listener import ListenSettings

    settings = load_settings(Path(__file__).parent.parent / "config" / "pi.toml", env={})
    listen = ListenSettings.from_settings(settings)
    assert settings.asr.threads < 4 and settings.asr.beam_size == 1
    assert listen.endpoint.aggressiveness == 3 and listen.wake.confirm
    assert listen.wake.phrases == {"en": ["hey cortana"], "zh": ["你好小娜"]}


def test_the_systemd_unit_restarts_and_logs_to_the_journal():
    unit = (Path(__file__).parent.parent / "deploy" / "assistant.service").read_text(
        encoding="utf-8"
    )
    lines = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in unit.splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert lines["Restart"] == "on-failure" and lines["StandardOutput"] == "journal"
    assert "listen" in lines["ExecStart"] and int(lines["StartLimitBurst"]) <= 10


def test_vad_calibrates_to_the_room_noise():
    """A steady fan as loud as soft speech is not speech once the room has been measured."""
    import numpy as np
    from assistant.audio.vad import FRAME_SAMPLES, Vad

    rng = np.random.default_rng(3)
    fan = [(rng.normal(0, 0.02, FRAME_SAMPLES) * 32767).astype("<i2").tobytes() for _ in range(40)]
    plain = Vad(aggressiveness=0, min_energy=0.004)
    calibrated = Vad(aggressiveness=0, min_energy=0.004)
    calibrated.start_calibration(0.5)
    plain_hits = sum(plain.is_speech(f) for f in fan[17:])
    calibrated_hits = [calibrated.is_speech(f) for f in fan][17:]
    assert calibrated.ambient_rms is not None and 0.015 < calibrated.ambient_rms < 0.025
    assert sum(calibrated_hits) == 0
    assert plain_hits > 0  # without calibration webrtcvad hears the fan as speech
