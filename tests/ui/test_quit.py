"""Quitting never silences alarms unnoticed: the window asks while infusions run or alerts are
open, the answer is audited, and closing tool windows first never crashes the quit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from care_world import case, running_chair
from infusion_monitor import crashlog
from infusion_monitor.config import Config, SecuritySection
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.staff.sign_in import QUIT, QUIT_CANCELLED
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.main_window import MainWindow
from session_helpers import NURSE, T0

from .conftest import MakeWindow, composed_window

#: The fake clock jumps 10 minutes while the window's tick runs (waiting for the commit to show):
#: no inactivity lock meanwhile.
AWAKE = Config(security=SecuritySection(lock_after_minutes=240))


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A fresh database in the test's data folder."""
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


def _answer(window: MainWindow, qtbot: QtBot, button_text: str) -> None:
    box = window.quit_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    button = next(b for b in box.findChildren(QPushButton) if b.text() == button_text)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.quit_box is None)


def _quit_audit(database: Database) -> list[tuple[str, str, dict[str, object] | None]]:
    with database.sessions() as db:
        rows = db.scalars(
            select(models.AuditEntry).where(models.AuditEntry.action.in_((QUIT, QUIT_CANCELLED)))
        ).all()
        return [(row.action, row.actor, row.after) for row in rows]


def test_closing_with_running_infusions_and_an_alert_asks_first_and_audits_the_choice(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    window = composed_window(qtbot, chair, data_dir, config=AWAKE)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    clock.advance(timedelta(minutes=10))
    for symptom in case("V03")["symptoms"]:  # anaphylaxis criteria met: a HIGH alert
        chair.care.care.record_symptom(NURSE, chair.session_id, symptom["code"])
    qtbot.waitUntil(  # the commit reaches the window through the change feed
        lambda: [b.text() for b in window.chair_alert_buttons] == ["!!! Chair 1"]
    )

    # Ctrl+Q, as hurried hands press it: the window stays and asks.
    QTest.keyClick(
        QApplication.focusWidget() or window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier
    )
    assert window.isVisible()
    assert window.quit_box is not None
    text = window.quit_box.text()
    assert "Chair 1: infusion running, !!! HIGH alert" in text
    _answer(window, qtbot, "Keep running")
    assert window.isVisible()
    assert _quit_audit(database) == [
        (QUIT_CANCELLED, NURSE.staff_id, {"at_risk": ["Chair 1: infusion running, !!! HIGH alert"]})
    ]

    window.close()  # the window's close button
    assert window.isVisible()
    _answer(window, qtbot, "Quit anyway")
    assert not window.isVisible()
    assert [action for action, _, _ in _quit_audit(database)] == [QUIT_CANCELLED, QUIT]


def test_closing_review_windows_then_quitting_does_not_crash(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    window = make_window("--demo")
    window.show()
    qtbot.waitExposed(window)
    panel = window.sign_in_panel
    QTest.keyClicks(panel.staff_id, "CHARGE")
    QTest.keyClicks(panel.pin, "2345")
    QTest.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    assert not window.locked
    review = window.review_menu
    assert review is not None
    opened = [window.show_unit_board(), review.open_review(), review.open_quality()]
    for tool in opened:
        assert tool is not None
        tool.close()
    qtbot.wait(50)  # the unit board is deleted on close
    window.lock()  # locking closes what is still open: nothing deleted is touched
    window.close()
    if window.quit_box is not None:  # the demo has infusions running
        _answer(window, qtbot, "Quit anyway")
    assert not window.isVisible()
    assert crashlog.latest_report(AppPaths.resolve(data_dir).crash_dir) is None


def test_quitting_with_no_infusion_running_asks_nothing(make_window: MakeWindow) -> None:
    window = make_window()
    window.show()
    window.close()
    assert window.quit_box is None
    assert not window.isVisible()


def test_a_click_on_a_chair_in_the_header_opens_that_chair(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    window = composed_window(qtbot, chair, data_dir, config=AWAKE)
    window.board.select(3)
    assert window.session_area.currentWidget() is window.placeholder
    clock.advance(timedelta(minutes=10))
    chair.care.care.record_symptom(NURSE, chair.session_id, "wheeze")
    qtbot.waitUntil(lambda: len(window.chair_alert_buttons) == 1)  # through the change feed
    (button,) = window.chair_alert_buttons
    assert button.text().endswith("Chair 1") and button.isVisible()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.board.selected_index == 0
    assert window.session_area.currentWidget() is window.session_view
    assert window.session_view.detail is not None
    assert window.session_view.detail.id == chair.session_id
