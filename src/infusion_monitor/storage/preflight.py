"""Before the engine touches an SQLite file: is it ours, intact, not too new, and in use?

The engine switches every connection to WAL mode, which rewrites the file header. A file that
is not ours, damaged or too new must stay byte-identical, so it is examined first through a
read-only connection (``?mode=ro``) that changes nothing.

``PRAGMA quick_check`` reads every page: seconds on a year-sized unit database. It runs only
when the last session did not end cleanly (or the file has never been opened by this app); the
backup job checks every backup copy as well. A marker file next to the database
(``<file>.inuse``) records "open" while the app has it open and "closed" after a clean close;
a shared lock on ``<file>.lock`` (portalocker: ``flock`` on POSIX, ``LockFileEx`` on Windows)
tells ``db restore`` that the database is in use.

Standard library and portalocker only: the app runs these checks before SQLAlchemy is imported.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from infusion_monitor.files import create_empty
from infusion_monitor.storage.errors import (
    CorruptDatabaseError,
    DatabaseUnavailableError,
    NotADatabaseError,
    classify_dbapi_error,
)
from infusion_monitor.storage.location import sqlite_uri
from infusion_monitor.storage.revisions import (
    APP_VERSION_KEY,
    KNOWN_REVISIONS,
    VERSION_TABLE,
    foreign_error,
    too_new_error,
)

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
MARKER_SUFFIX = ".inuse"
LOCK_SUFFIX = ".lock"
_OPEN = b"open"
_CLOSED = b"closed"


def read_only_uri(path: Path) -> str:
    """The ``file:`` URI that opens ``path`` read-only (it can never be changed through it)."""
    return sqlite_uri(path, mode="ro")


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database; read-only, the file is never changed."""
    try:
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except IsADirectoryError as exc:
        raise NotADatabaseError(
            f"{path} is a folder, not a database file. Give the path of a database file."
        ) from exc
    except OSError as exc:
        raise DatabaseUnavailableError(
            f"The database {path} cannot be read ({exc.strerror}). "
            "Check the file's permissions and that its drive is connected."
        ) from exc
    if header not in (b"", SQLITE_HEADER):
        raise NotADatabaseError(
            f"{path} is not an Infusion Monitor database (not an SQLite file, or its header is "
            "damaged), so it was not opened and was left unchanged. Check the --db path or the "
            "config file; if it should be the database, ask IT to restore it from the backups."
        )


def check_existing_file(path: Path, location: str, *, quick_check: bool) -> str | None:
    """Refuse a file that is not ours, damaged or too new, without changing a byte of it.

    Returns the schema revision stored in it (None: an empty file or one with no tables yet).
    """
    check_sqlite_file(path)
    if path.stat().st_size == 0:
        return None
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as connection:
            if quick_check:
                problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise damaged_error(location, problems[0])
            return _check_identity(connection, location)
    except sqlite3.Error as exc:
        fault = classify_dbapi_error(exc, location)
        if fault is None:
            raise
        raise fault from exc


def damaged_error(location: str, problem: str) -> CorruptDatabaseError:
    """The refusal of a database that failed ``quick_check``."""
    return CorruptDatabaseError(
        f"The database {location} is damaged ({problem}), so it was not opened. "
        "Do not delete it: ask IT to restore the latest copy from the backups folder "
        "(infusion-monitor db restore)."
    )


def _check_identity(connection: sqlite3.Connection, location: str) -> str | None:
    tables = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if not tables:
        return None
    if VERSION_TABLE not in tables:
        raise foreign_error(location)
    revision = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    if revision is None or revision[0] in KNOWN_REVISIONS:
        return None if revision is None else str(revision[0])
    hint = None
    if "app_info" in tables:
        row = connection.execute(
            "SELECT value FROM app_info WHERE key = ?", (APP_VERSION_KEY,)
        ).fetchone()
        hint = row[0] if row else None
    raise too_new_error(location, hint)


class UsageMarker:
    """Was the last close clean, and is the database in use now?

    Two files beside the database: ``<file>.inuse`` holds the state ("open", or "closed" after a
    clean close) and ``<file>.lock`` carries the lock. Every app or command that has the database
    open holds a shared lock on the lock file; only with the lock exclusive (nobody else holds
    it) is "closed" written. The lock is portalocker's: ``flock`` on POSIX, ``LockFileEx`` on
    Windows. Windows forbids writing a locked byte range even to the lock's holder, hence the
    separate state file.
    """

    def __init__(self, database_file: Path) -> None:
        self.path = database_file.with_name(database_file.name + MARKER_SUFFIX)
        self.lock_path = lock_file(database_file)
        self._lock: BinaryIO | None = None

    def closed_cleanly(self) -> bool:
        """True if the last app to use the database closed it cleanly (False if never opened)."""
        try:
            return self.path.read_bytes().strip() == _CLOSED
        except OSError:
            return False

    def acquire(self) -> None:
        """Hold a shared lock until :meth:`release` and mark the database open (best effort).

        Waits while ``db restore`` or a closing app holds the lock exclusively (a moment).
        """
        stream = _open_lock(self.lock_path)
        if stream is None:
            return  # a read-only folder: no marker, so every start runs quick_check
        locks = _locks()
        try:
            locks.lock(stream, locks.LockFlags.SHARED)
        except (locks.LockException, OSError):
            stream.close()
            return
        self._lock = stream
        _write_state(self.path, _OPEN)

    def release(self) -> None:
        """Mark the database closed cleanly if nobody else has it open, and drop the lock."""
        stream, self._lock = self._lock, None
        if stream is None:
            return
        try:
            _locks().unlock(stream)
            if _try_exclusive(stream):
                _write_state(self.path, _CLOSED)
                _locks().unlock(stream)
        finally:
            stream.close()


def lock_file(database_file: Path) -> Path:
    """The file whose lock says the database is in use (``<file>.lock``)."""
    return database_file.with_name(database_file.name + LOCK_SUFFIX)


def in_use(database_file: Path) -> bool:
    """Whether a running app (or command) holds the database open right now."""
    with exclusive_use(database_file) as free:
        return not free


@contextlib.contextmanager
def exclusive_use(database_file: Path) -> Iterator[bool]:
    """Hold the database's lock exclusively for the block if nobody has it open.

    Yields False (and holds nothing) if an app or command has it open. While the lock is held, an
    app that starts waits at :meth:`UsageMarker.acquire` instead of opening the file.
    """
    stream = _open_lock(lock_file(database_file))
    if stream is None:
        yield True  # a folder that cannot be written: no app can have opened it there
        return
    try:
        if not _try_exclusive(stream):
            yield False
            return
        try:
            yield True
        finally:
            _locks().unlock(stream)
    finally:
        stream.close()


def _open_lock(path: Path) -> BinaryIO | None:
    try:
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                create_empty(path)
        return path.open("r+b")
    except OSError:
        return None


def _locks() -> ModuleType:
    """portalocker, imported at first use: it is not needed for the app's first screen."""
    import portalocker

    return portalocker


def _try_exclusive(stream: BinaryIO) -> bool:
    portalocker = _locks()
    try:
        portalocker.lock(
            stream, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING
        )
    except portalocker.AlreadyLocked:
        return False
    return True


def _write_state(path: Path, content: bytes) -> None:
    """Write the state and flush it to the disk (no ``os.pwrite``: Windows has none)."""
    with contextlib.suppress(OSError):
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                create_empty(path)
        with path.open("r+b") as stream:
            stream.truncate(0)
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
