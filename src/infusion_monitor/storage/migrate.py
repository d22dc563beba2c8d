"""Bring a database to the schema this app expects: back up, refuse too-new, upgrade atomically.

At head (the common case) this module only reads ``alembic_version``; Alembic is imported only
when there is work to do, which keeps the app's start-up fast. A brand-new, empty database is
built straight from the models and stamped at head (Alembic cookbook, "Building an Up to Date
Database from Scratch"); a test proves that schema equals the one the migrations build.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    insert,
    inspect,
    make_url,
    select,
    text,
)

from infusion_monitor import __version__
from infusion_monitor.files import create_empty, make_folder
from infusion_monitor.storage.base import Base
from infusion_monitor.storage.engine import create_database_engine, parse_url
from infusion_monitor.storage.errors import DatabaseUnavailableError
from infusion_monitor.storage.location import sqlite_uri
from infusion_monitor.storage.models import AppInfo
from infusion_monitor.storage.revisions import (
    APP_VERSION_KEY,
    HEAD_REVISION,
    VERSION_TABLE,
    foreign_error,
    too_new_error,
)

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the shipped migrations, built without an ``alembic.ini``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def stored_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, or None if it has never been migrated."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


@dataclass(frozen=True)
class MigrationReport:
    """What an upgrade did: from which revision (None: a new database) and where the backup is."""

    from_revision: str | None
    to_revision: str
    backup: Path | None


def migrate(
    engine: Engine, *, location: str, backup_dir: Path, sqlite_path: Path | None
) -> MigrationReport | None:
    """Upgrade the database to :data:`HEAD_REVISION`; return what was done, None if nothing.

    A database already at head is left alone (and Alembic is not imported). One written by a newer
    app, or an SQLite file that belongs to another program, is refused and left untouched. Before
    upgrading an existing SQLite database, a copy is saved in ``backup_dir``. The upgrade runs in
    one transaction: it applies completely or not at all.
    """
    with engine.connect() as connection:
        revision = stored_revision(connection)
        tables = set(inspect(connection).get_table_names())
        too_new_hint = _recorded_app_version(connection, tables)
    if revision == HEAD_REVISION:
        return None
    if revision is None and not tables:
        _create_at_head(engine)
        log.info("Created a new database at %s", HEAD_REVISION)
        return MigrationReport(from_revision=None, to_revision=HEAD_REVISION, backup=None)
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    if revision is not None and revision not in {
        script.revision for script in scripts.walk_revisions()
    }:
        raise too_new_error(location, too_new_hint)
    if revision is None and tables - {VERSION_TABLE}:
        raise foreign_error(location)
    backup = None
    if sqlite_path is not None and tables:
        backup = backup_sqlite(sqlite_path, backup_dir)
    _upgrade(engine, sqlite=sqlite_path is not None)
    log.info("Migrated the database from %s to %s", revision, HEAD_REVISION)
    return MigrationReport(from_revision=revision, to_revision=HEAD_REVISION, backup=backup)


def _recorded_app_version(connection: Connection, tables: set[str]) -> str | None:
    if AppInfo.__tablename__ not in tables:
        return None
    return connection.scalar(select(AppInfo.value).where(AppInfo.key == APP_VERSION_KEY))


def _create_at_head(engine: Engine) -> None:
    """Build an empty database from the models and stamp it at head, in one transaction."""
    version_table = Table(
        VERSION_TABLE,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
    )
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        version_table.create(connection)
        connection.execute(insert(version_table).values(version_num=HEAD_REVISION))
        _record_app_version(connection)


def _record_app_version(connection: Connection) -> None:
    connection.execute(delete(AppInfo).where(AppInfo.key == APP_VERSION_KEY))
    connection.execute(insert(AppInfo).values(key=APP_VERSION_KEY, value=__version__))


def _upgrade(engine: Engine, *, sqlite: bool) -> None:
    from alembic import command

    with (
        engine.connect() as connection,
        _foreign_keys_deferred_to_end(connection, sqlite=sqlite),
        connection.begin(),
    ):
        command.upgrade(alembic_config(connection), "head")
        _record_app_version(connection)
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise DatabaseUnavailableError(
                "The database upgrade was stopped because it would break links between "
                "records; nothing was changed. Report this to the Infusion Monitor team."
            )


@contextmanager
def _foreign_keys_deferred_to_end(connection: Connection, *, sqlite: bool) -> Iterator[None]:
    """On SQLite, switch foreign keys off (outside the transaction) so batch table rebuilds work.

    SQLite ignores this pragma inside a transaction, hence the raw driver connection; the
    upgrade checks every key with ``PRAGMA foreign_key_check`` before committing instead.
    """
    if not sqlite:
        yield
        return
    raw: Any = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def backup_sqlite(source: Path, backup_dir: Path) -> Path:
    """Copy an SQLite database with the online backup API into ``backup_dir`` (owner-only)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{source.stem}-{stamp}-before-{HEAD_REVISION}{source.suffix}"
    try:
        make_folder(backup_dir)
        create_empty(target)
        with (
            closing(sqlite3.connect(sqlite_uri(source, mode="ro"), uri=True)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseUnavailableError(
            f"The database could not be backed up to {backup_dir} before upgrading it ({exc}), "
            "so it was not upgraded. Free disk space or fix the folder's permissions, then restart."
        ) from exc
    return target


def schema_drift(metadata: MetaData = Base.metadata, *, url: str | None = None) -> list[str]:
    """Differences between ``metadata`` (the models) and a scratch database built by migrations.

    The scratch database is a temporary SQLite file, or, given a PostgreSQL ``url``, a temporary
    schema on that server (dropped afterwards; the server's other schemas are not touched).
    An empty list means the migrations create exactly what the models describe.
    """
    if url is not None and parse_url(url).get_backend_name() == "postgresql":
        return _postgres_drift(metadata, url)
    with tempfile.TemporaryDirectory(prefix="infusion-monitor-check-") as folder:
        engine = create_database_engine(make_url(f"sqlite:///{Path(folder) / 'check.sqlite3'}"))
        try:
            _upgrade(engine, sqlite=True)
            with engine.connect() as connection:
                differences = _compare(connection, metadata)
        finally:
            engine.dispose()
    return differences


def _compare(connection: Connection, metadata: MetaData) -> list[str]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [str(difference) for difference in compare_metadata(context, metadata)]


def _postgres_drift(metadata: MetaData, url: str) -> list[str]:
    """Migrate a throwaway schema on the PostgreSQL server and compare it with ``metadata``."""
    schema = f"im_check_{uuid.uuid4().hex[:12]}"
    engine = create_database_engine(make_url(url))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            connection.exec_driver_sql(f'SET search_path TO "{schema}"')
            connection.commit()
            try:
                with connection.begin():
                    command_upgrade(connection)
                return _compare(connection, metadata)
            finally:
                connection.rollback()
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                connection.exec_driver_sql("SET search_path TO DEFAULT")
                connection.commit()
    finally:
        engine.dispose()


def command_upgrade(connection: Connection) -> None:
    """Run every migration up to head on ``connection`` (inside the caller's transaction)."""
    from alembic import command

    command.upgrade(alembic_config(connection), "head")
