"""Launch the whole app in a subprocess, let it paint once and quit (plain and ``--demo``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app_process import START_TIMES, STARTUP_TIMEOUT_S, start_and_quit


@pytest.mark.parametrize("extra", [[], ["--demo"]], ids=["embedded-sqlite", "demo"])
def test_app_starts_paints_and_quits(tmp_path: Path, extra: list[str]) -> None:
    result = start_and_quit(tmp_path / "data", *extra)
    assert result.returncode == 0, result.stderr
    # The first paint (locked window, real chair board), then ready (the unit model's first
    # read arrived: chairs, alerts and prompts live), then the window fully built.
    match = START_TIMES.fullmatch(result.stdout)
    assert match, result.stdout
    assert float(match[1]) <= float(match[2]) <= float(match[3])
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "data" / "crashes").glob("crash-*")) == []


def test_the_first_screen_paints_before_sqlalchemy_is_imported(tmp_path: Path) -> None:
    """On an existing embedded database the locked window is read with the standard library's
    sqlite3, so the first paint never waits for SQLAlchemy; the rest comes right after."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "infusion_monitor", "--data-dir", str(tmp_path)]
    first = start_and_quit(tmp_path)
    assert first.returncode == 0  # a new database: created the regular way before the window
    # -X importtime reports each import on stderr as it finishes; one pipe keeps the order.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:], "--quit-after-start"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    before, painted, after = result.stdout.partition("first-paint ")
    assert painted, result.stdout[-2000:]
    imported_before = {line.rsplit("|", 1)[-1].strip() for line in before.splitlines()}
    imported_after = {line.rsplit("|", 1)[-1].strip() for line in after.splitlines()}
    assert "infusion_monitor.ui.main_window" in imported_before
    assert "sqlalchemy" not in imported_before
    assert "sqlalchemy" in imported_after


_LOCKED_AFTER_THE_FIRST_READ = """
import sys
from infusion_monitor import app
from infusion_monitor.cli import main
from infusion_monitor.storage.errors import DatabaseBusyError

def locked(*_args):
    raise DatabaseBusyError("The database is locked by another program. Try again.")

app.open_app_database = locked
sys.exit(main(["--data-dir", sys.argv[1], "--quit-after-start"]))
"""


def test_a_database_refused_right_after_the_first_paint_ends_with_its_message(
    tmp_path: Path,
) -> None:
    """If the regular open refuses the database after the first screen was read (it changed in
    between), the window closes and the app ends as a refusal before the window does."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    created = start_and_quit(tmp_path)
    assert created.returncode == 0
    result = subprocess.run(
        [sys.executable, "-c", _LOCKED_AFTER_THE_FIRST_READ, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout.startswith("first-paint ")
    assert result.stderr.strip().splitlines()[-1] == (
        "infusion-monitor: The database is locked by another program. Try again."
    )
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "crashes").glob("crash-*")) == []


def test_the_windowed_entry_shows_a_start_problem_in_a_message_box(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    """Started without a console (pythonw: no standard streams), a refusal must still be seen."""
    from PySide6.QtWidgets import QMessageBox

    from infusion_monitor.cli import gui_main

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "argv", ["infusion-monitor-gui", "--db", "mysql://unit/records"])
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text))
    )
    assert gui_main() == 2
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Infusion Monitor cannot start"
    assert text.startswith("The database type 'mysql' is not supported")


def test_the_windowed_entry_keeps_only_the_end_of_what_is_printed() -> None:
    """Without a console, output is held in memory; a days-long run must not grow it."""
    from infusion_monitor.cli import _Tail

    tail = _Tail()
    for line in range(20_000):
        tail.write(f"warning {line}\n")
    assert len(tail.getvalue()) <= 4 * _Tail.KEEP
    assert tail.getvalue().endswith("warning 19999\n")
