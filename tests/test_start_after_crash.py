"""The start after a crash: the database (not closed cleanly, so checked first) opens beside
the painted window, on a thread of its own, as at any other start.

Before, that start opened and checked the database before any window existed: with another
program holding the file (a backup, a second workstation) the nurse saw nothing at all until
it let go.
"""

from __future__ import annotations

from pathlib import Path

from app_process import START_TIMES, start_and_quit
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.preflight import UsageMarker
from sqlite_lock import write_locked

#: How long another program holds the database while the app starts after its crash.
LOCK_S = 8.0


def test_after_a_crash_the_window_paints_while_the_database_is_checked_and_opened(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    assert start_and_quit(data_dir).returncode == 0  # the database is made, then closed cleanly
    database_file = AppPaths.resolve(data_dir).database_file
    marker = UsageMarker(database_file)
    assert marker.closed_cleanly()
    marker.path.write_text("open", encoding="utf-8")  # the app was killed: never closed
    assert not marker.closed_cleanly()

    with write_locked(database_file, LOCK_S):
        result = start_and_quit(data_dir)  # started after the lock was taken
    assert result.returncode == 0, result.stderr
    match = START_TIMES.fullmatch(result.stdout)
    assert match, result.stdout
    first_paint, ready = float(match[1]), float(match[2])
    assert first_paint < LOCK_S - 1, "the window painted while the other program held the file"
    assert ready > first_paint
    assert "Traceback" not in result.stderr
    assert marker.closed_cleanly(), "opened, checked and closed cleanly this time"
