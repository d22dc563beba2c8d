"""A save while ANOTHER PROCESS holds the SQLite write lock (issue 16): the window keeps
answering, says "Saving — database busy", keeps the form filled and shows the set as saved only
once it is stored; when the lock outlasts the wait, it says so and keeps every value.

The lock is real: a second Python process opens the same file and holds ``BEGIN IMMEDIATE``
(3 s here to keep the suite quick; ``bench/busy.py`` holds it 10 s).
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from care_world import case, running_chair
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.vitals_panel import VitalsPanel
from session_helpers import T0
from sqlite_lock import write_locked

from .conftest import composed_window

LOCK_S = 3.0
TICK_MS = 20


def stored_sets(path: Path) -> int:
    """Vital-sign sets in the file, read without the write lock (WAL readers never wait)."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT count(*) FROM vital_signs").fetchone()[0])


def _window(qtbot: QtBot, data_dir: Path, busy_timeout_ms: int) -> Iterator[MainWindow]:
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    with open_database(None, paths, busy_timeout_ms=busy_timeout_ms) as database:
        clock = FakeClock(T0)
        chair = running_chair(database, clock, case("V03"))
        clock.advance(timedelta(minutes=15))
        window = composed_window(qtbot, chair, data_dir)
        window.open_chair(0)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        panel: VitalsPanel = window.vitals_panel  # type: ignore[attr-defined]
        panel.focus_entry()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.form.hr)
        yield window
        # pytest-qt closes the window first and deletes it later; a database wait still under
        # way at that moment runs the event loop, which may have deleted it already.
        if isValid(window):
            window.close_now()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    """The chair's window with the app's own patience for a locked database."""
    from infusion_monitor.storage.engine import BUSY_TIMEOUT_MS

    yield from _window(qtbot, data_dir, BUSY_TIMEOUT_MS)


@pytest.fixture
def impatient_window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    """The same window on a database whose writes give up after 0.8 s."""
    yield from _window(qtbot, data_dir, 800)


def type_set_and_press_enter(*values: str) -> None:
    for index, value in enumerate(values):
        if index:
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        QTest.keyClicks(QApplication.focusWidget(), value)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


class Ticks:
    """A GUI-thread timer's timestamps: the largest gap says whether the event loop ran."""

    def __init__(self) -> None:
        self.at: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.at.append(time.monotonic()))
        self.timer.start()

    @property
    def largest_gap_ms(self) -> float:
        return max((b - a) * 1000 for a, b in itertools.pairwise(self.at))


def test_a_save_waits_for_the_lock_showing_database_busy_and_the_window_keeps_answering(
    window: MainWindow, data_dir: Path
) -> None:
    panel: VitalsPanel = window.vitals_panel  # type: ignore[attr-defined]
    form = panel.form
    path = AppPaths.resolve(data_dir).database_file
    before = stored_sets(path)
    busy_label = window.findChild(QLabel, "DatabaseBusy")
    assert busy_label is not None and not busy_label.isVisible()
    seen: dict[str, object] = {}

    def look() -> None:  # runs while the save waits (the GUI thread's event loop still runs)
        seen["form"] = form.status.text()
        seen["hr"] = form.hr.text()
        seen["bar"] = busy_label.text() if busy_label.isVisible() else ""
        seen["stored"] = stored_sets(path)
        # Hurried hands: Enter again while the first save waits (sent at once, not held).
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        seen["again"] = form.status.text()

    with write_locked(path, LOCK_S) as locker:
        ticks = Ticks()
        QTimer.singleShot(int(LOCK_S * 1000 / 2), look)
        started = time.monotonic()
        type_set_and_press_enter("72", "120/80", "16", "98", "36.8")
        waited = time.monotonic() - started
        ticks.timer.stop()
        assert locker.poll() is not None or waited >= LOCK_S * 0.8
    assert "Saving — database busy" in str(seen["form"])
    assert seen["hr"] == "72", "the form stays filled while the save waits"
    assert "Saving — database busy" in str(seen["bar"])
    assert seen["stored"] == before, "nothing is stored (or shown as saved) before the commit"
    assert "Saving — database busy" in str(seen["again"]), "a second Enter does nothing"
    assert ticks.largest_gap_ms < 500, "timers kept ticking while the save waited"
    assert form.status.text().startswith("✓ Saved"), form.status.text()
    assert form.hr.text() == ""
    assert stored_sets(path) == before + 1, "saved once"
    assert not busy_label.isVisible()


def test_a_lock_that_outlasts_the_wait_refuses_clearly_and_keeps_every_value(
    impatient_window: MainWindow, data_dir: Path
) -> None:
    panel: VitalsPanel = impatient_window.vitals_panel  # type: ignore[attr-defined]
    form = panel.form
    path = AppPaths.resolve(data_dir).database_file
    before = stored_sets(path)
    with write_locked(path, LOCK_S):
        type_set_and_press_enter("72", "120/80", "16", "98", "36.8")
        assert form.status.text().startswith("⛔ Not saved:"), form.status.text()
        assert "locked by another program. Wait a moment and try again" in form.status.text()
        assert (form.hr.text(), form.bp.text(), form.temp.text()) == ("72", "120/80", "36.8")
        assert stored_sets(path) == before
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # the lock went: Enter again
    assert form.status.text().startswith("✓ Saved"), form.status.text()
    assert stored_sets(path) == before + 1
