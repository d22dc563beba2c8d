"""Before the engine touches an SQLite file: is it ours, intact, not too new, and in use?

The engine switches every connection to WAL mode, which rewrites the file header. A file that
is not ours, damaged or too new must stay byte-identical, so it is examined first through a
read-only connection (``?mode=ro``) that changes nothing.

``PRAGMA quick_check`` reads every page: seconds on a year-sized unit database. It runs only
when the last session did not end cleanly (or the file has never been opened by this app); the
backup job checks every backup copy as well. A marker file next to the database
(``<file>.inuse``) records "open" while the app has it open and "closed" after a clean close;
a shared ``flock`` on it tells ``db restore`` that the database is in use.

Standard library only: the app runs these checks before SQLAlchemy is imported.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from types import ModuleType

from infusion_monitor.storage.errors import (
    CorruptDatabaseError,
    DatabaseUnavailableError,
    NotADatabaseError,
    classify_dbapi_error,
)
from infusion_monitor.storage.revisions import (
    APP_VERSION_KEY,
    KNOWN_REVISIONS,
    VERSION_TABLE,
    foreign_error,
    too_new_error,
)

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no in-use detection, always quick_check
    fcntl = None

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: Database files and backups hold patient data: owner read/write only.
FILE_MODE = 0o600
MARKER_SUFFIX = ".inuse"
_OPEN = b"open"
_CLOSED = b"closed"


def read_only_uri(path: Path) -> str:
    """The ``file:`` URI that opens ``path`` read-only (it can never be changed through it)."""
    return f"{path.as_uri()}?mode=ro"


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
    """The ``<file>.inuse`` marker: was the last close clean, and is the database in use now?"""

    def __init__(self, database_file: Path) -> None:
        self.path = database_file.with_name(database_file.name + MARKER_SUFFIX)
        self._fd: int | None = None

    def closed_cleanly(self) -> bool:
        """True if the last app to use the database closed it cleanly (False if never opened)."""
        try:
            return self.path.read_bytes().strip() == _CLOSED
        except OSError:
            return False

    def acquire(self) -> None:
        """Mark the database open and hold a shared lock until :meth:`release` (best effort)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError:
            return  # a read-only folder: no marker, so every start runs quick_check
        self._fd = fd
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        _write(fd, _OPEN)

    def release(self) -> None:
        """Mark the database closed cleanly if nobody else has it open, and drop the lock."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if fcntl is None or _try_exclusive(fd):
                _write(fd, _CLOSED)
        finally:
            os.close(fd)


def in_use(database_file: Path) -> bool:
    """Whether a running app (or command) holds the database open right now."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    marker = UsageMarker(database_file).path
    try:
        fd = os.open(marker, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        if _try_exclusive(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(fd)


def _try_exclusive(fd: int) -> bool:
    assert fcntl is not None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _write(fd: int, content: bytes) -> None:
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, content, 0)
        os.fsync(fd)
