"""The one entry point the composition root calls: open (create, check, migrate) the database."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage import changes  # noqa: F401 - writes each commit's change record
from infusion_monitor.storage.engine import (
    BUSY_TIMEOUT_MS,
    READ_ONLY,
    create_database_engine,
    describe,
    parse_url,
    sqlite_file,
)
from infusion_monitor.storage.first_read import database_url as database_url
from infusion_monitor.storage.location import refuse_network_share
from infusion_monitor.storage.migrate import MigrationReport, migrate
from infusion_monitor.storage.preflight import UsageMarker, check_existing_file


class ReadOrWriteSession(Session):
    """A database session that reads in a read-only transaction unless it was begun to write.

    Use cases write in ``with sessions.begin() as db:`` (on SQLite ``BEGIN IMMEDIATE``: the
    write lock first, so a writer never fails half-way); queries read in
    ``with sessions() as db:``, whose transaction begins by itself with the first query, on the
    read-only engine (on SQLite a deferred ``BEGIN``: it reads the last commit while another
    program holds the write lock, instead of waiting up to the busy timeout for it).
    """

    def __init__(self, *, writer: Engine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._writer = writer

    def begin(self, nested: bool = False) -> SessionTransaction:
        """Begin a transaction that writes (on SQLite: ``BEGIN IMMEDIATE``)."""
        if not nested:
            self.bind = self._writer
        return super().begin(nested)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` that read without the write lock and write with it first."""
    return sessionmaker(
        bind=engine.execution_options(**{READ_ONLY: True}),
        class_=ReadOrWriteSession,
        writer=engine,
    )


class Database:
    """An open database: the engine, the session factory and where the data lives.

    Use cases run ``with database.sessions.begin() as db:``; repository functions take ``db``
    and never commit.
    """

    def __init__(
        self,
        engine: Engine,
        location: str,
        migration: MigrationReport | None,
        *,
        file: Path | None = None,
        marker: UsageMarker | None = None,
        quick_checked: bool = False,
    ) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)
        #: Human-readable location: the file path, or the server URL without its password.
        self.location = location
        #: What opening it upgraded (and where the backup went), or None if it was up to date.
        self.migration = migration
        #: The SQLite file, or None for a server or in-memory database.
        self.file = file
        #: Whether opening ran ``PRAGMA quick_check`` (after an unclean shutdown or a first open).
        self.quick_checked = quick_checked
        self._marker = marker

    def close(self) -> None:
        """Close every pooled connection (SQLite then checkpoints the WAL into the file).

        Then the usage marker records a clean close, so the next start skips ``quick_check``.
        """
        self.engine.dispose()
        if self._marker is not None:
            self._marker.release()
            self._marker = None

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_database(
    url: str | None, paths: AppPaths, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> Database:
    """Open the database at ``url`` (None: the embedded SQLite file), creating or migrating it.

    Raises a ``StorageError`` (a ``UserError``) whose message says what is wrong and what to do
    when the database cannot be used; a file that is not ours, damaged or too new is never
    changed (it is examined read-only before the engine sets its pragmas). ``quick_check`` runs
    only if the last session did not close cleanly (see :mod:`.preflight`).
    """
    if url is None:
        paths.ensure()
    parsed = parse_url(database_url(url, paths))
    path = sqlite_file(parsed)
    location = describe(parsed)
    marker = None
    quick_checked = False
    if path is not None:
        refuse_network_share(path, location)
        marker = UsageMarker(path)
        if path.exists():
            quick_checked = not marker.closed_cleanly()
            check_existing_file(path, location, quick_check=quick_checked)
    engine = create_database_engine(parsed, busy_timeout_ms=busy_timeout_ms)
    try:
        migration = migrate(
            engine, location=location, backup_dir=paths.backup_dir, sqlite_path=path
        )
    except BaseException:
        engine.dispose()
        raise
    if marker is not None:
        marker.acquire()
    return Database(
        engine, location, migration, file=path, marker=marker, quick_checked=quick_checked
    )
