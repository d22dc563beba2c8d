"""The one entry point the composition root calls: open (create, check, migrate) the database."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage import changes  # noqa: F401 - registers every writer's NOTIFY
from infusion_monitor.storage.engine import (
    create_database_engine,
    describe,
    parse_url,
    sqlite_file,
)
from infusion_monitor.storage.errors import CorruptDatabaseError
from infusion_monitor.storage.migrate import MigrationReport, migrate


class Database:
    """An open database: the engine, the session factory and where the data lives.

    Use cases run ``with database.sessions.begin() as db:``; repository functions take ``db``
    and never commit.
    """

    def __init__(self, engine: Engine, location: str, migration: MigrationReport | None) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine)
        #: Human-readable location: the file path, or the server URL without its password.
        self.location = location
        #: What opening it upgraded (and where the backup went), or None if it was up to date.
        self.migration = migration

    def close(self) -> None:
        """Close every pooled connection (SQLite then checkpoints the WAL into the file)."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def database_url(url: str | None, paths: AppPaths) -> str:
    """The URL to open: the one given, else the embedded SQLite file in the data folder."""
    return url or f"sqlite:///{paths.database_file}"


def open_database(url: str | None, paths: AppPaths) -> Database:
    """Open the database at ``url`` (None: the embedded SQLite file), creating or migrating it.

    Raises a ``StorageError`` (a ``UserError``) whose message says what is wrong and what to do
    when the database cannot be used; a file that is not ours, damaged or too new is never
    changed.
    """
    if url is None:
        paths.ensure()
    parsed = parse_url(database_url(url, paths))
    path = sqlite_file(parsed)
    location = describe(parsed)
    engine = create_database_engine(parsed)
    try:
        if path is not None:
            _quick_check(engine, location)
        migration = migrate(
            engine, location=location, backup_dir=paths.backup_dir, sqlite_path=path
        )
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, location, migration)


def _quick_check(engine: Engine, location: str) -> None:
    """Refuse a damaged SQLite file (``PRAGMA quick_check`` reads every page, not every index)."""
    with engine.connect() as connection:
        problems = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise CorruptDatabaseError(
            f"The database {location} is damaged ({problems[0]}), so it was not opened. "
            "Do not delete it: ask IT to restore the latest copy from the backups folder."
        )
