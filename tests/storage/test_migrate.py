"""Migrations on real SQLite files: empty → head, no-op at head, backups, too-new refused, drift."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, make_url, text

from backends import Backend, postgres_admin_url
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.base import Base
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.engine import create_database_engine
from infusion_monitor.storage.errors import DatabaseTooNewError, NotADatabaseError
from infusion_monitor.storage.migrate import (
    HEAD_REVISION,
    _upgrade,
    alembic_config,
    schema_drift,
    stored_revision,
)


def _revision(path: Path) -> str | None:
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    connection.close()
    return None if row is None else str(row[0])


def test_head_revision_constant_matches_alembic_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def _schema(path: Path) -> set[tuple[str, str, str]]:
    """Every table, index and constraint SQLite holds, normalised for comparison."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    connection.close()
    return {
        (kind, name, " ".join((sql or "").replace('"', "").split())) for kind, name, sql in rows
    }


def test_a_new_database_built_from_the_models_equals_one_built_by_migrations(
    data_dir: Path, tmp_path: Path
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as database, database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    migrated = tmp_path / "migrated.sqlite3"
    engine = create_database_engine(make_url(f"sqlite:///{migrated}"))
    try:
        _upgrade(engine, sqlite=True)
    finally:
        engine.dispose()
    assert {name for _kind, name, _sql in _schema(paths.database_file)} == {
        name for _kind, name, _sql in _schema(migrated)
    }
    assert _revision(paths.database_file) == _revision(migrated) == HEAD_REVISION


def test_empty_database_is_created_at_head_without_backup_or_alembic(data_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from infusion_monitor.paths import AppPaths\n"
        "from infusion_monitor.storage.database import open_database\n"
        "with open_database(None, AppPaths.resolve(sys.argv[1])) as database:\n"
        "    print(database.migration.from_revision, 'alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(data_dir)], capture_output=True, text=True, check=True
    )
    assert result.stdout == "None False\n"


def test_a_new_database_is_at_head_without_a_backup(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as database:
        assert database.migration is not None
        assert database.migration.from_revision is None
        assert database.migration.backup is None
        tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert _revision(paths.database_file) == HEAD_REVISION


def test_opening_at_head_is_a_no_op_without_alembic(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths):
        pass
    before = paths.database_file.read_bytes()
    probe = (
        "import sys\n"
        "from infusion_monitor.paths import AppPaths\n"
        "from infusion_monitor.storage.database import open_database\n"
        "with open_database(None, AppPaths.resolve(sys.argv[1])) as database:\n"
        "    print(database.migration, 'alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(data_dir)], capture_output=True, text=True, check=True
    )
    assert result.stdout == "None False\n"
    assert paths.database_file.read_bytes() == before
    assert list(paths.backup_dir.iterdir()) == []


def test_older_database_is_backed_up_before_upgrade(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    with sqlite3.connect(paths.database_file) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    connection.close()
    with open_database(None, paths) as database:
        report = database.migration
    assert report is not None
    assert report.from_revision is None
    assert report.backup is not None
    assert report.backup.parent == paths.backup_dir
    assert stat.S_IMODE(report.backup.stat().st_mode) == 0o600
    with sqlite3.connect(report.backup) as backup:
        tables = {
            row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    backup.close()
    assert tables == {"alembic_version"}
    assert _revision(paths.database_file) == HEAD_REVISION


def test_newer_database_is_refused_and_left_byte_identical(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths):
        pass
    with sqlite3.connect(paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
        connection.execute("UPDATE app_info SET value = '7.1.0'")
    connection.close()
    before = paths.database_file.read_bytes()
    with pytest.raises(DatabaseTooNewError) as caught:
        open_database(None, paths)
    assert "written by a newer Infusion Monitor" in caught.value.message
    assert "Install Infusion Monitor version 7.1.0 or later, or use another database" in (
        caught.value.message
    )
    assert paths.database_file.read_bytes() == before
    assert list(paths.backup_dir.iterdir()) == []


def test_sqlite_file_of_another_program_is_refused(tmp_path: Path, data_dir: Path) -> None:
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    before = foreign.read_bytes()
    with pytest.raises(NotADatabaseError, match="belongs to another program"):
        open_database(f"sqlite:///{foreign}", AppPaths.resolve(data_dir))
    assert foreign.read_bytes() == before


def test_models_and_migrations_do_not_drift() -> None:
    assert schema_drift() == []


def test_drift_is_reported() -> None:
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("unmigrated", metadata, Column("id", Integer, primary_key=True))
    assert any("unmigrated" in difference for difference in schema_drift(metadata))


def test_a_new_database_is_built_at_head_and_reopened_without_alembic_on_each_backend(
    backend: Backend, data_dir: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as database:
        assert database.migration is not None
        assert database.migration.from_revision is None
        with database.engine.connect() as connection:
            assert stored_revision(connection) == HEAD_REVISION
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    probe = (
        "import sys\n"
        "from infusion_monitor.paths import AppPaths\n"
        "from infusion_monitor.storage.database import open_database\n"
        "with open_database(sys.argv[2], AppPaths.resolve(sys.argv[1])) as database:\n"
        "    print(database.migration, 'alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(data_dir), backend.url],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "None False\n"


def test_migrations_from_empty_build_the_models_on_each_backend(backend: Backend) -> None:
    engine = create_database_engine(make_url(backend.url))
    try:
        _upgrade(engine, sqlite=not backend.is_postgres)
        with engine.connect() as connection:
            assert stored_revision(connection) == HEAD_REVISION
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_too_new_database_is_refused_on_each_backend(backend: Backend, data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as database, database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseTooNewError):
        open_database(backend.url, paths)


def test_drift_check_runs_in_a_scratch_schema_on_postgres() -> None:
    url = postgres_admin_url()
    assert schema_drift(url=url) == []
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("unmigrated", metadata, Column("id", Integer, primary_key=True))
    assert any("unmigrated" in difference for difference in schema_drift(metadata, url=url))
