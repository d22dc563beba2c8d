"""Backups: checked owner-only copies, retention, restore that refuses in-use or damaged input."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infusion_monitor.cli import main
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.backup import (
    DatabaseInUseError,
    auto_backups,
    latest_backup_time,
    prune_backups,
    restore_backup,
    take_backup,
)
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.errors import CorruptDatabaseError, NotADatabaseError
from infusion_monitor.storage.models import Chair

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _chairs(paths: AppPaths) -> int:
    with open_database(None, paths) as database, database.sessions() as db:
        return db.scalar(select(func.count()).select_from(Chair)) or 0


def _add_chair(paths: AppPaths, name: str) -> None:
    with open_database(None, paths) as database, database.sessions.begin() as db:
        db.add(Chair(name=name, position=0))


@pytest.fixture
def paths(data_dir: Path) -> AppPaths:
    """A data folder whose database holds one chair."""
    resolved = AppPaths.resolve(data_dir)
    _add_chair(resolved, "Chair 1")
    return resolved


def test_backup_while_open_is_checked_and_owner_only(paths: AppPaths) -> None:
    with open_database(None, paths) as database:
        with database.sessions.begin() as db:
            db.add(Chair(name="Chair 2", position=1))
        result = take_backup(paths.database_file, paths.backup_dir, at=T0)
    assert result.ok
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    with sqlite3.connect(result.path) as copy:
        assert copy.execute("SELECT count(*) FROM chair").fetchone() == (2,)
    copy.close()
    assert latest_backup_time(paths.database_file, paths.backup_dir) == T0


def test_retention_keeps_the_newest(paths: AppPaths) -> None:
    for hour in range(5):
        take_backup(paths.database_file, paths.backup_dir, at=T0 + timedelta(hours=hour))
    removed = prune_backups(paths.database_file, paths.backup_dir, keep=2)
    assert len(removed) == 3
    kept = auto_backups(paths.database_file, paths.backup_dir)
    assert len(kept) == 2
    assert latest_backup_time(paths.database_file, paths.backup_dir) == T0 + timedelta(hours=4)


def test_restore_replaces_and_keeps_the_replaced_file(paths: AppPaths) -> None:
    backup = take_backup(paths.database_file, paths.backup_dir, at=T0).path
    _add_chair(paths, "Chair 2")
    assert _chairs(paths) == 2
    kept = restore_backup(backup, paths.database_file, paths.backup_dir, at=T0)
    assert _chairs(paths) == 1
    assert kept is not None and stat.S_IMODE(kept.stat().st_mode) == 0o600
    with sqlite3.connect(kept) as replaced:
        assert replaced.execute("SELECT count(*) FROM chair").fetchone() == (2,)
    replaced.close()


def test_restore_is_refused_while_the_database_is_open(paths: AppPaths) -> None:
    backup = take_backup(paths.database_file, paths.backup_dir, at=T0).path
    before = paths.database_file.read_bytes()
    with (
        open_database(None, paths),
        pytest.raises(DatabaseInUseError, match="open in Infusion Monitor"),
    ):
        restore_backup(backup, paths.database_file, paths.backup_dir, at=T0)
    assert paths.database_file.read_bytes() == before


def test_damaged_or_foreign_backup_is_refused(paths: AppPaths, tmp_path: Path) -> None:
    backup = take_backup(paths.database_file, paths.backup_dir, at=T0).path
    content = bytearray(backup.read_bytes())
    content[2 * 4096 : 3 * 4096] = b"\xff" * 4096
    backup.write_bytes(bytes(content))
    before = paths.database_file.read_bytes()
    with pytest.raises(CorruptDatabaseError, match=r"backup .* is damaged"):
        restore_backup(backup, paths.database_file, paths.backup_dir, at=T0)
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(NotADatabaseError):
        restore_backup(foreign, paths.database_file, paths.backup_dir, at=T0)
    assert paths.database_file.read_bytes() == before


def test_backup_and_restore_commands(paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "backup"]) == 0
    out = capsys.readouterr().out
    assert "integrity check passed" in out
    backup = auto_backups(paths.database_file, paths.backup_dir)[-1]
    _add_chair(paths, "Chair 2")
    assert main(["db", "restore", str(backup)]) == 0
    assert "The file it replaced is kept in" in capsys.readouterr().out
    assert _chairs(paths) == 1
    assert main(["db", "restore", str(paths.data_dir / "missing.sqlite3")]) == 2
    assert "does not exist" in capsys.readouterr().err
