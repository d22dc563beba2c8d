"""Create the SQLAlchemy engine; an SQLite file is opened as a durable clinical record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from infusion_monitor.files import absolute, create_empty
from infusion_monitor.storage.errors import (
    DatabaseUnavailableError,
    DatabaseUrlError,
    classify_dbapi_error,
)
from infusion_monitor.storage.preflight import check_sqlite_file

#: How long a connection waits for another writer's lock before failing. The window never
#: waits on the database itself (``ui.db_worker``: its calls run on a database thread while
#: alarms keep flashing and sounding), so a save can ride out a lock held by a backup copy,
#: another workstation's burst or a command-line export (seconds), and still tell the nurse
#: within 20 s that her entry is NOT stored (it stays in the form) when the lock does not go.
BUSY_TIMEOUT_MS = 20_000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
#: The execution option of a read-only transaction. On SQLite it begins deferred (``BEGIN``):
#: it reads the last commit while another connection or program holds the write lock, instead
#: of waiting for it. Every other transaction begins ``IMMEDIATE``.
READ_ONLY = "infusion_monitor_read_only"
#: The statements a read-only transaction may run.
_READS = ("SELECT", "WITH", "PRAGMA", "EXPLAIN")

_URL_HELP = (
    "Use sqlite:///PATH/TO/FILE.sqlite3 or postgresql+psycopg://USER@HOST/DATABASE "
    "in --db or in the config file's [database] url."
)


def parse_url(url: str) -> URL:
    """Parse a database URL or raise a one-line :class:`DatabaseUrlError` (password never shown)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUrlError(f"The database URL is not valid. {_URL_HELP}") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUrlError(
            f"The database type '{backend}' is not supported (only SQLite and PostgreSQL). "
            + _URL_HELP
        )
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The file behind an SQLite URL, or None for an in-memory or non-SQLite database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("mode") == "memory":
        return None
    return absolute(url.database)


def describe(url: URL) -> str:
    """A human-readable location: the file path, or the server URL without its password."""
    path = sqlite_file(url)
    if path is not None:
        return str(path)
    return url.render_as_string(hide_password=True)


def _create_private_file(path: Path) -> None:
    """Create an empty database file, owner-only unless its folder is shared with a group
    (SQLite fills it on first use)."""
    try:
        create_empty(path)
    except FileExistsError:
        return
    except OSError as exc:
        raise DatabaseUnavailableError(
            f"The database {path} cannot be created ({exc.strerror}). "
            "Choose a writable folder with --data-dir or fix its permissions."
        ) from exc


def create_database_engine(url: URL, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """Create an engine for a parsed ``url``; driver faults surface as ``StorageError`` subclasses.

    An SQLite file is checked to really be SQLite before it is opened (and created owner-only if
    it does not exist). Every SQLite connection runs with ``journal_mode=WAL``,
    ``synchronous=FULL``, ``foreign_keys=ON`` and ``busy_timeout``; transactions start with
    ``BEGIN IMMEDIATE`` so DDL is transactional and a writer never fails half-way for a lock
    (a deferred transaction that reads, then writes after another connection committed, cannot
    take the lock at all), except those of connections with the :data:`READ_ONLY` option:
    ``BEGIN`` (deferred), which never waits for the write lock and may not write.
    """
    path = sqlite_file(url)
    if path is not None:
        if path.exists():
            check_sqlite_file(path)
        else:
            _create_private_file(path)
    try:
        engine = create_engine(url, hide_parameters=True)  # no patient data in error text
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseUrlError(
            f"The database driver '{url.drivername}' is not installed. "
            "Install it (PostgreSQL: the psycopg package) or use another URL."
        ) from exc
    location = describe(url)
    folder = path.parent if path is not None else None

    @event.listens_for(engine, "handle_error")
    def _classify(context: ExceptionContext) -> None:
        fault = classify_dbapi_error(context.original_exception, location, folder)
        if fault is not None:
            raise fault from context.original_exception

    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, _record: object) -> None:
        # The driver's own transaction handling would run DDL outside any transaction;
        # SQLAlchemy's "begin" event below starts every transaction instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _reads_only(
        connection: Connection,
        _cursor: object,
        statement: str,
        _parameters: object,
        _context: object,
        _executemany: bool,
    ) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
            if verb not in _READS and verb not in ("BEGIN", "COMMIT", "ROLLBACK"):
                raise ReadOnlyTransactionError(
                    f"A read-only transaction tried to write ({verb}); a write must run in "
                    "sessions.begin(), which takes the write lock first."
                )


class ReadOnlyTransactionError(RuntimeError):
    """A programming error: a read-only (deferred) SQLite transaction tried to write.

    Its write could fail at once for the lock (another connection committed since it read), so
    it is refused every time, where tests see it."""
