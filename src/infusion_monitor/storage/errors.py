"""Database faults the user can act on, classified once by result code, never by message text."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from infusion_monitor.errors import UserError


class StorageError(UserError):
    """The database cannot be used; the message says what is wrong and what to do."""


class DatabaseUrlError(StorageError):
    """The database URL cannot be parsed or names a backend this app does not support."""


class NotADatabaseError(StorageError):
    """The file is not an SQLite database; it is left untouched."""


class CorruptDatabaseError(StorageError):
    """The file is an SQLite database but damaged; it is left untouched."""


class DatabaseTooNewError(StorageError):
    """The database was migrated by a newer version of the app; it is left untouched."""


class DatabaseBusyError(StorageError):
    """Another program holds the database lock for longer than the busy timeout."""


class DiskFullError(StorageError):
    """The disk holding the database is full."""


class ReadOnlyDatabaseError(StorageError):
    """The database (or its folder) cannot be written."""


class DatabaseUnavailableError(StorageError):
    """The database file cannot be opened or read, or the server cannot be reached."""


# SQLite primary result codes (https://sqlite.org/rescode.html); extended codes keep these in
# their low byte.
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

# PostgreSQL SQLSTATE codes and classes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_PG_DISK_FULL = "53100"
_PG_READ_ONLY_TRANSACTION = "25006"
_PG_CONNECTION_CLASS = "08"


#: Below this much free space, an SQLite I/O error while writing is reported as a full disk:
#: SQLite reports ENOSPC as SQLITE_FULL only on some paths (growing the WAL index gives
#: SQLITE_IOERR_SHMSIZE, for one), so the folder's free space is asked as well.
DISK_NEARLY_FULL_BYTES = 1 << 20


def classify_dbapi_error(
    orig: BaseException, location: str, folder: Path | None = None
) -> StorageError | None:
    """Map a driver exception to the user's fault it represents, or None if it is our bug.

    ``location`` names the database for the message (a file path or a password-free URL);
    ``folder`` is the SQLite file's folder, whose free space tells a full disk from other I/O
    errors.
    """
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == _SQLITE_IOERR and _nearly_full(folder):
            code = _SQLITE_FULL
        return _classify_sqlite(code, location)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        return _classify_sqlstate(sqlstate, location)
    return None


def _nearly_full(folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        free = shutil.disk_usage(folder).free  # GetDiskFreeSpaceExW on Windows, statvfs on POSIX
    except OSError:
        return False
    return free < DISK_NEARLY_FULL_BYTES


def _classify_sqlite(code: int | None, location: str) -> StorageError | None:
    primary = None if code is None else code & 0xFF
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return DatabaseBusyError(
            f"The database {location} is locked by another program. "
            "Wait a moment and try again; if it persists, close other copies of Infusion Monitor."
        )
    if primary == _SQLITE_FULL:
        return DiskFullError(
            f"The disk holding the database {location} is full, so the entry was not saved. "
            "Free disk space (or ask IT to), then save again."
        )
    if primary in (_SQLITE_READONLY, _SQLITE_PERM):
        return ReadOnlyDatabaseError(
            f"The database {location} is read-only, so the entry was not saved. "
            "Ask IT to give your account write access to the file and its folder."
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return CorruptDatabaseError(
            f"The database {location} is damaged. Do not delete it: ask IT to restore "
            "the latest copy from the backups folder, and keep the damaged file for review."
        )
    if primary in (_SQLITE_CANTOPEN, _SQLITE_IOERR):
        return DatabaseUnavailableError(
            f"The database {location} cannot be opened or read (disk or network problem). "
            "Check the drive is connected and writable, then restart Infusion Monitor."
        )
    return None


def _classify_sqlstate(sqlstate: str, location: str) -> StorageError | None:
    if sqlstate == _PG_DISK_FULL:
        return DiskFullError(
            f"The database server {location} is out of disk space, so the entry was not saved. "
            "Ask IT to free space on the server, then save again."
        )
    if sqlstate == _PG_READ_ONLY_TRANSACTION:
        return ReadOnlyDatabaseError(
            f"The database server {location} accepts no changes (read-only). "
            "Ask IT to point Infusion Monitor at the primary server."
        )
    if sqlstate.startswith(_PG_CONNECTION_CLASS):
        return DatabaseUnavailableError(
            f"The database server {location} cannot be reached. "
            "Check the network, then try again; tell IT if it persists."
        )
    return None
