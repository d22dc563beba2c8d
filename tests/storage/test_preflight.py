"""Start-up checks: refusals leave the file unchanged; quick_check only after an unclean end."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.errors import (
    CorruptDatabaseError,
    DatabaseTooNewError,
    NotADatabaseError,
)
from infusion_monitor.storage.migrate import alembic_config
from infusion_monitor.storage.preflight import UsageMarker, in_use
from infusion_monitor.storage.revisions import KNOWN_REVISIONS


def _journal_mode(path: Path) -> str:
    """The journal mode recorded in the file header (bytes 18-19: 1 rollback, 2 WAL)."""
    return {1: "delete", 2: "wal"}[path.read_bytes()[18]]


def test_known_revisions_match_alembic_history() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    history = [script.revision for script in scripts.walk_revisions()]
    assert tuple(reversed(history)) == KNOWN_REVISIONS


def test_foreign_rollback_journal_file_stays_byte_identical(tmp_path: Path, data_dir: Path) -> None:
    foreign = tmp_path / "recipes.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('soup')")
    connection.close()
    before = foreign.read_bytes()
    assert _journal_mode(foreign) == "delete"
    with pytest.raises(NotADatabaseError, match="belongs to another program"):
        open_database(f"sqlite:///{foreign}", AppPaths.resolve(data_dir))
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["recipes.db"]


def test_too_new_rollback_journal_file_stays_byte_identical(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths):
        pass
    with sqlite3.connect(paths.database_file, isolation_level=None) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    before = paths.database_file.read_bytes()
    assert _journal_mode(paths.database_file) == "delete"
    with pytest.raises(DatabaseTooNewError):
        open_database(None, paths)
    assert paths.database_file.read_bytes() == before


def test_clean_close_skips_quick_check_next_time(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as first:
        assert not first.quick_checked  # a new file has nothing to check
        assert in_use(paths.database_file)
    assert not in_use(paths.database_file)
    assert UsageMarker(paths.database_file).closed_cleanly()
    with open_database(None, paths) as second:
        assert not second.quick_checked


_KILLED_WHILE_OPEN = """
import os, signal, sys
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
open_database(None, AppPaths.resolve(sys.argv[1]))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_unclean_end_runs_quick_check_and_finds_damage(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths):
        pass
    killed = subprocess.run([sys.executable, "-c", _KILLED_WHILE_OPEN, str(data_dir)], check=False)
    assert killed.returncode < 0
    assert not UsageMarker(paths.database_file).closed_cleanly()
    with open_database(None, paths) as reopened:
        assert reopened.quick_checked
    # Now damage a page behind the header after an unclean end: refused, and never changed.
    killed = subprocess.run([sys.executable, "-c", _KILLED_WHILE_OPEN, str(data_dir)], check=False)
    assert killed.returncode < 0
    content = bytearray(paths.database_file.read_bytes())
    assert len(content) > 3 * 4096
    content[2 * 4096 : 3 * 4096] = b"\xff" * 4096
    paths.database_file.write_bytes(bytes(content))
    before = paths.database_file.read_bytes()
    with pytest.raises(CorruptDatabaseError, match="damaged"):
        open_database(None, paths)
    assert paths.database_file.read_bytes() == before
