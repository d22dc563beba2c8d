"""Which databases the first screen is read from at once, and which are opened the regular way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.engine import parse_url, sqlite_file
from infusion_monitor.storage.errors import DatabaseTooNewError, NotADatabaseError
from infusion_monitor.storage.first_read import plain_sqlite_file, readable_at_once
from infusion_monitor.storage.preflight import UsageMarker
from infusion_monitor.storage.revisions import KNOWN_REVISIONS


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////srv/infusion/unit.sqlite3",
        "sqlite:///relative/unit.sqlite3",
        "sqlite:///~/unit.sqlite3",
        "sqlite:///with space/and@at.db",
    ],
)
def test_plain_sqlite_urls_name_the_file_the_engine_opens(url: str) -> None:
    assert plain_sqlite_file(url) == sqlite_file(parse_url(url))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://user@host/unit",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file.db?mode=ro",
        "sqlite:///caf%C3%A9.db",
        "sqlite+pysqlite:///unit.db",
    ],
)
def test_other_urls_take_the_regular_path(url: str) -> None:
    assert plain_sqlite_file(url) is None


def test_at_once_only_when_ours_at_head_and_closed_cleanly(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    assert readable_at_once(None, paths) is None  # no database yet: created the regular way
    with open_database(None, paths):
        assert readable_at_once(None, paths) is None  # open (or ended uncleanly): quick_check
    assert readable_at_once(None, paths) == paths.database_file.resolve()
    assert readable_at_once(f"sqlite:///{paths.database_file}", paths) is not None
    with sqlite3.connect(paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (KNOWN_REVISIONS[-2],))
    connection.close()
    assert readable_at_once(None, paths) is None  # to migrate: the regular path, backup first
    with sqlite3.connect(paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    with pytest.raises(DatabaseTooNewError):
        readable_at_once(None, paths)


def test_files_that_are_not_ours_are_refused_as_before(tmp_path: Path, data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n", encoding="utf-8")
    marker = UsageMarker(notes)
    marker.acquire()
    marker.release()  # even one that looks cleanly closed
    with pytest.raises(NotADatabaseError):
        readable_at_once(f"sqlite:///{notes}", paths)
    assert notes.read_text(encoding="utf-8") == "shopping list\n"
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert readable_at_once(f"sqlite:///{empty}", paths) is None  # created the regular way
