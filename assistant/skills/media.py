"""Local music: find a song by fuzzy words (title, artist, album, genre, file name, in
either script), decode it with PyAV and play it on the Player's "media" channel, so it
keeps playing in the background while the assistant listens. The scheduler's pass
moves on to the next track when one ends.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..lang import pinyin_syllables
from .base import Answer, Env, Skill, Slots, from_table

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = {
    ".mp3",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".wav",
    ".m4a",
    ".aac",
    ".wma",
    ".aiff",
    ".aif",
}
PLAY_RATE = 22050
# words that say "music" rather than which music
_FILLER = re.compile(
    r"\b(some|music|songs?|tracks?|the|a|an|by|of|please|play|me)\b|的歌|歌曲|音乐|一首|一些|的|播放|放|听",
    re.IGNORECASE,
)


@dataclass
class Track:
    path: Path
    title: str
    artist: str = ""
    album: str = ""
    genre: str = ""

    @property
    def words(self) -> str:
        return " ".join(
            p
            for p in (
                self.title,
                self.artist,
                self.album,
                self.genre,
                self.path.stem.replace("_", " "),
            )
            if p
        )


def read_track(path: Path) -> Track:
    """A file's tags (container and stream metadata, where Ogg keeps them), title = file name if
    untagged."""
    tags: dict[str, str] = {}
    try:
        import av

        with av.open(str(path)) as container:
            meta = dict(container.metadata)
            for stream in container.streams.audio[:1]:
                meta.update({k: v for k, v in stream.metadata.items() if k not in meta})
            tags = {k.lower(): str(v) for k, v in meta.items()}
    except Exception as exc:  # unreadable files are still listed by name; playing them apologises
        log.info("cannot read tags of %s: %s", path, exc)
    return Track(
        path,
        tags.get("title") or path.stem.replace("_", " "),
        tags.get("artist", ""),
        tags.get("album", ""),
        tags.get("genre", ""),
    )


def _blocks(path: Path, rate: int) -> Generator[np.ndarray, None, None]:
    import av

    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Generator[np.ndarray, None, None]:
    yield first
    yield from rest  # closing this generator closes `rest`, and with it the file


def stream(path: Path, rate: int = PLAY_RATE) -> Generator[np.ndarray, None, None]:
    """The file as mono float32 blocks at `rate`, decoded while it plays.

    A two-hour track decoded whole took 2 GB; as a stream it takes a few blocks. The first audio is
    decoded here, so a file that cannot be played fails now, where the skill can say so.
    """
    blocks = _blocks(path, rate)
    for first in blocks:
        if len(first):
            return _chain(first, blocks)
    raise ValueError(f"{path}: no audio")


def _pinyin(text: str) -> str:
    return " ".join(pinyin_syllables(text)).lower()


def search(tracks: list[Track], query: str, cutoff: float = 70.0) -> list[Track]:
    """Tracks ordered by how well `query` matches their words, in characters or in pinyin."""
    from rapidfuzz import fuzz

    query = _FILLER.sub(" ", query.lower())
    query = re.sub(r"\s+", " ", query).strip()
    if not query:
        return list(tracks)
    q_pinyin = _pinyin(query)
    scored = []
    for track in tracks:
        words = track.words.lower()
        score = max(
            fuzz.partial_ratio(query, words) if len(query) > 1 else 0,
            fuzz.token_set_ratio(query, words),
            fuzz.partial_ratio(q_pinyin, _pinyin(words)) if len(q_pinyin) > 2 else 0,
        )
        if score >= cutoff:
            scored.append((score, track))
    scored.sort(key=lambda pair: -pair[0])
    return [track for _, track in scored]


@dataclass(frozen=True)
class MediaSettings:
    """`[media]`: types and ranges are checked by schema.MEDIA; the defaults live here."""

    folder: str = "~/Music"
    match_cutoff: float = 70.0  # 0-100: how well the words must match a track

    @classmethod
    def parse(cls, env: Env) -> MediaSettings:
        return from_table(cls, env.config("media"))


class MediaSkill(Skill):
    domain = "media"

    def __init__(self, env: Env):
        super().__init__(env)
        conf = MediaSettings.parse(env)
        self.folder = Path(conf.folder).expanduser()
        self.cutoff = conf.match_cutoff
        self._tracks: list[Track] | None = None
        self.playlist: list[Track] = []
        self.index = 0
        self._advancing = False
        self.active = False  # we are playing (or paused), so the end of a track moves to the next

    @property
    def tracks(self) -> list[Track]:
        if self._tracks is None:
            files = (
                sorted(
                    p
                    for p in self.folder.rglob("*")  # a FIFO among them would block its reader
                    if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()
                )
                if self.folder.is_dir()
                else []
            )
            self._tracks = [read_track(p) for p in files]
            log.info("media: %d tracks in %s", len(self._tracks), self.folder)
        return self._tracks

    @property
    def current(self) -> Track | None:
        return self.playlist[self.index] if self.active and self.playlist else None

    def handle(self, intent: str, slots: Slots, lang: str) -> Answer:
        player = self.env.player
        if intent == "media.play":
            return self._play_query(str(slots.get("query") or ""), lang)
        if intent == "media.stop":
            self.stop()
            return self.say("media.stopped", lang)
        if self.current is None or player is None:
            return self.say("media.nothing", lang)
        if intent == "media.pause":
            player.pause("media")
            return self.say("media.paused", lang)
        if intent == "media.resume":
            if player.is_paused("media"):
                player.resume("media")
                return self.say("media.resumed", lang, title=self.current.title)
            return self._start(lang)
        if intent in ("media.next", "media.previous"):
            step = 1 if intent == "media.next" else -1
            self.index = (self.index + step) % len(self.playlist)
            return self._start(lang)
        return self.say("unsupported", lang)

    def _play_query(self, query: str, lang: str) -> Answer:
        if not self.tracks:
            return self.say("media.no_music", lang)
        found = search(self.tracks, query, self.cutoff)
        if not found:
            return self.say("media.not_found", lang, query=query)
        # the best matches first, then the rest of the library, so "next" keeps going
        self.playlist = found + [t for t in self.tracks if t not in found]
        self.index = 0
        return self._start(lang)

    def _start(self, lang: str) -> Answer:
        track = self.playlist[self.index]
        if self.env.player is None:
            return self.say("media.cannot_play", lang, title=track.title)
        try:
            audio = stream(track.path)
        except Exception as exc:
            log.warning("cannot decode %s: %s", track.path, exc)
            self.active = False
            return self.say("media.cannot_play", lang, title=track.title)
        self.env.player.play(audio, PLAY_RATE, channel="media")
        self.active = True
        return self.say("media.playing", lang, title=track.title)

    def due(self) -> list[tuple[str, str]]:
        """Scheduler pass: when the current track has ended by itself, start the next one.

        Decoding takes a while on a Pi, so it happens on its own thread: the dialog keeps answering.
        """
        player = self.env.player
        if (
            not self.active
            or self._advancing
            or player is None
            or player.is_playing("media")
            or player.is_paused("media")
        ):
            return []
        if self.index + 1 >= len(self.playlist):
            self.active = False
            return []
        self._advancing = True
        threading.Thread(
            target=self._advance, args=(self.index + 1,), name="media-next", daemon=True
        ).start()
        return []

    def _advance(self, index: int) -> None:
        following = self.playlist[index]
        try:
            audio = stream(following.path)
            player = self.env.player
            # nobody pressed stop or next meanwhile
            if player is not None and self.active and self.index == index - 1:
                player.play(audio, PLAY_RATE, channel="media")
                self.index = index
            else:
                audio.close()
        except Exception as exc:
            log.warning("cannot play %s: %s", following.path, exc)
            self.active = False
        finally:
            self._advancing = False

    def stop(self) -> None:
        self.active = False
        if self.env.player is not None:
            self.env.player.stop("media")

    def close(self) -> None:
        self.stop()
