"""Engine set-up on real SQLite files: pragmas, URL errors, files that are not databases."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import make_url

from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.engine import create_database_engine, describe, parse_url
from infusion_monitor.storage.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseUrlError,
    NotADatabaseError,
)


def test_sqlite_pragmas_are_in_effect(data_dir: Path) -> None:
    with (
        open_database(None, AppPaths.resolve(data_dir)) as database,
        database.engine.connect() as connection,
    ):
        values = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert values == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 20_000,  # the database thread waits; the window never does
    }


def test_database_file_is_owner_only(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths):
        pass
    assert stat.S_IMODE(paths.database_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("url", ["not a url", "sqlite:/", "postgresql://u:secret@host:port/db"])
def test_malformed_url_is_a_one_line_user_error(url: str, data_dir: Path) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        open_database(url, AppPaths.resolve(data_dir))
    assert isinstance(caught.value, UserError)
    assert "\n" not in caught.value.message
    assert "secret" not in caught.value.message


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+nosuchdriver://u@h/db"])
def test_unsupported_backend_or_driver_is_refused(url: str, data_dir: Path) -> None:
    with pytest.raises(DatabaseUrlError, match=r"not supported|not installed"):
        open_database(url, AppPaths.resolve(data_dir))


def test_server_location_hides_the_password() -> None:
    url = parse_url("postgresql+psycopg://nurse:secret@db.example/infusions")
    assert describe(url) == "postgresql+psycopg://nurse:***@db.example/infusions"


def test_text_file_is_refused_and_left_unchanged(tmp_path: Path, data_dir: Path) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("Chair 3: patient prefers the left arm.\n", encoding="utf-8")
    before = notes.read_bytes()
    with pytest.raises(NotADatabaseError, match="not an Infusion Monitor database"):
        open_database(f"sqlite:///{notes}", AppPaths.resolve(data_dir))
    assert notes.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == [
        "notes.sqlite3"
    ]


def test_damaged_database_is_refused(tmp_path: Path, data_dir: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    with sqlite3.connect(damaged) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 50)
    connection.close()
    content = bytearray(damaged.read_bytes())
    content[4096:8192] = b"\xff" * 4096
    damaged.write_bytes(bytes(content))
    with pytest.raises(CorruptDatabaseError, match="damaged"):
        open_database(f"sqlite:///{damaged}", AppPaths.resolve(data_dir))


def test_lock_held_by_another_program_is_a_user_error(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths):
        pass
    engine = create_database_engine(make_url(f"sqlite:///{paths.database_file}"), busy_timeout_ms=1)
    other = sqlite3.connect(paths.database_file, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with (
            pytest.raises(DatabaseBusyError, match="locked by another program"),
            engine.connect() as connection,
        ):
            connection.exec_driver_sql("SELECT 1")
    finally:
        other.close()
        engine.dispose()
