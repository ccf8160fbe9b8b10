"""One SQLite file for everything the assistant must remember across restarts.

Timers, alarms, lists, simulated device states and small settings (reply language,
volume) live here. Every write is one transaction, so a crash never leaves half a
timer; one connection shared under a lock, because the scheduler thread reads it too.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Iterator

from .errors import StateError

log = logging.getLogger(__name__)

# Below this much free space a failed write is blamed on the disk: SQLite reports a full
# disk as "disk I/O error" when it cannot even create its -wal/-shm files.
_FULL_BELOW = 1 << 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('timer', 'alarm')),
    duration INTEGER,               -- seconds, for timers (their name: "the 5 minute timer")
    due REAL NOT NULL,              -- end time, seconds since the epoch (UTC)
    lang TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS list_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list TEXT NOT NULL,
    item TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    room TEXT NOT NULL,
    device TEXT NOT NULL,
    is_on INTEGER NOT NULL DEFAULT 0,
    brightness INTEGER,
    PRIMARY KEY (room, device)
);
"""


@dataclass(frozen=True)
class TimerRow:
    id: int
    kind: str
    duration: int | None
    due: float
    lang: str


@dataclass(frozen=True)
class DeviceState:
    room: str
    device: str
    is_on: bool
    brightness: int | None


class Store:
    """The state database; open with `Store(path)`, close with `close()`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._bad_keys: set[str] = set()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), check_same_thread=False, timeout=5, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            raise self._failure(exc, f"cannot open the state database {self.path}") from None
        try:
            # Checked before anything that could write (journal mode, schema), so a damaged
            # file is refused exactly as it was found.
            self._check_integrity()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except StateError:
            self._db.close()
            raise
        except (OSError, sqlite3.Error) as exc:
            self._db.close()
            raise self._failure(exc, f"cannot open the state database {self.path}") from None

    def _check_integrity(self) -> None:
        """Refuse a file whose header is intact but whose pages are not (PRAGMA quick_check).

        Without this the damage shows only at the first read: every command then fails
        and the scheduler fails on every pass.
        """
        try:
            problems = [str(row[0]) for row in self._db.execute("PRAGMA quick_check(1)").fetchall()]
        except sqlite3.DatabaseError as exc:
            if _code(exc) not in (SQLITE_CORRUPT, SQLITE_NOTADB):
                raise
            problems = [str(exc)]
        if problems != ["ok"]:
            first = " ".join(problems[0].split())
            raise StateError(
                f"the state database {self.path} is damaged ({first}); "
                "move it away and the assistant starts with an empty one"
            )

    def _failure(self, exc: BaseException, doing: str) -> StateError:
        """One clear StateError for an SQLite or OS failure; a full disk is named as such."""
        if _disk_full(exc, self.path):
            return StateError(f"the disk is full: cannot write {self.path}", disk_full=True)
        return StateError(f"{doing}: {exc}")

    # -- plumbing -----------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the lock: the write lock is taken before the first
        read, so a check and the write that depends on it are one step for every process."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:  # SQLite may already have rolled back (disk full)
                        self._db.execute("ROLLBACK")
                    raise
            except (OSError, sqlite3.Error) as exc:
                raise self._failure(exc, f"cannot write the state database {self.path}") from None

    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._transaction() as db:
            return db.execute(sql, args)

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except (OSError, sqlite3.Error) as exc:
                raise self._failure(exc, f"cannot read the state database {self.path}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- settings -----------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or `default`; a row that is not JSON (written by another tool) is
        logged once and ignored, so one bad setting never stops every command."""
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        if not rows:
            return default
        try:
            return json.loads(rows[0][0])
        except (TypeError, ValueError):
            if key not in self._bad_keys:
                self._bad_keys.add(key)
                log.warning(
                    "ignoring setting %r in %s: not JSON (%.40r); using the default",
                    key,
                    self.path,
                    rows[0][0],
                )
            return default

    def set(self, key: str, value: Any) -> None:
        self._write(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # -- timers and alarms --------------------------------------------------------
    def add_timer(self, kind: str, due: float, lang: str, duration: int | None = None) -> int:
        cur = self._write(
            "INSERT INTO timers (kind, duration, due, lang, created) VALUES (?, ?, ?, ?, ?)",
            (kind, duration, due, lang, time.time()),
        )
        return int(cur.lastrowid or 0)

    def timers(self, kind: str | None = None) -> list[TimerRow]:
        sql = "SELECT id, kind, duration, due, lang FROM timers"
        rows = self._read(
            sql + (" WHERE kind = ?" if kind else "") + " ORDER BY due, id", (kind,) if kind else ()
        )
        return [TimerRow(*r) for r in rows]

    def remove_timer(self, timer_id: int) -> bool:
        """Delete one timer; False when it was already gone (fired or cancelled elsewhere)."""
        return self._write("DELETE FROM timers WHERE id = ?", (timer_id,)).rowcount > 0

    def remove_timers(self, kind: str) -> int:
        return self._write("DELETE FROM timers WHERE kind = ?", (kind,)).rowcount

    # -- lists --------------------------------------------------------------------
    def add_item(self, list_name: str, item: str) -> bool:
        """Add `item` unless the list has it already (any case); False when it was there.

        The check and the insert are one transaction, so two processes adding the same
        item at once give one row, and the second is told it is already there."""
        wanted = item.lower()
        with self._transaction() as db:
            rows = db.execute("SELECT item FROM list_items WHERE list = ?", (list_name,)).fetchall()
            if any(str(row[0]).lower() == wanted for row in rows):
                return False
            db.execute(
                "INSERT INTO list_items (list, item, created) VALUES (?, ?, ?)",
                (list_name, item, time.time()),
            )
            return True

    def items(self, list_name: str) -> list[str]:
        return [
            r[0]
            for r in self._read(
                "SELECT item FROM list_items WHERE list = ? ORDER BY id", (list_name,)
            )
        ]

    def remove_item(self, list_name: str, item: str) -> bool:
        cur = self._write(
            "DELETE FROM list_items WHERE id = (SELECT id FROM list_items "
            "WHERE list = ? AND lower(item) = lower(?) ORDER BY id LIMIT 1)",
            (list_name, item),
        )
        return cur.rowcount > 0

    def clear_list(self, list_name: str) -> int:
        return self._write("DELETE FROM list_items WHERE list = ?", (list_name,)).rowcount

    # -- simulated home -----------------------------------------------------------
    def device(self, room: str, device: str) -> DeviceState:
        rows = self._read(
            "SELECT is_on, brightness FROM devices WHERE room = ? AND device = ?", (room, device)
        )
        if not rows:
            return DeviceState(room, device, False, None)
        return DeviceState(room, device, bool(rows[0][0]), rows[0][1])

    def set_device(
        self, room: str, device: str, is_on: bool, brightness: int | None = None
    ) -> None:
        self._write(
            "INSERT INTO devices (room, device, is_on, brightness) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(room, device) DO UPDATE SET is_on = excluded.is_on, "
            "brightness = COALESCE(excluded.brightness, devices.brightness)",
            (room, device, int(is_on), brightness),
        )


# SQLite's primary result codes (sqlite3 names them only from Python 3.11; we support 3.10).
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26


def _code(exc: BaseException) -> int | None:
    """SQLite's primary result code of an exception (None when it carries none)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _disk_full(exc: BaseException, path: Path) -> bool:
    """Whether a failure means no space: SQLITE_FULL, ENOSPC, or an I/O error on a full file
    system."""
    if _code(exc) == SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC:
        return True
    if _code(exc) in (SQLITE_IOERR, SQLITE_CANTOPEN):
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        try:
            return shutil.disk_usage(folder).free < _FULL_BELOW
        except OSError:
            return False
    return False
