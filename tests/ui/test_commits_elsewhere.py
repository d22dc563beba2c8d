"""No screen needs a refresh: every kind of commit made by another process shows in the window.

A second process (``tests/elsewhere_driver.py``, another workstation using the services) sets
up a session, starts, pauses and resumes it, records vitals that raise an alert, records a
symptom, acknowledges the alert, sets up a chair this workstation does not show, completes and
closes the session. After each commit the running window's affected widgets (board tile,
session view, its alert band and care tabs, header chips, vitals prompt bar, unit board) must
follow by themselves: the change feed, the loader and the unit model, never a manual refresh.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from backends import Backend
from elsewhere_driver import STAFF_PIN
from infusion_monitor.domain.alerts import AlertState
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.domain.users import Permission, Role
from infusion_monitor.services.sessions.board import ChairState
from infusion_monitor.ui.admin import StaffWindow
from infusion_monitor.ui.care_view import CareView
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.unit_board import UnitBoardWindow
from infusion_monitor.ui.unit_settings import UnitSettingsWindow

from .conftest import MakeWindow

DRIVER = Path(__file__).resolve().parents[1] / "elsewhere_driver.py"
#: A commit elsewhere shows within this (the feed polls every 25 ms; a busy CI machine).
WITHIN_MS = 5000
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Elsewhere:
    """The other workstation's process: one command, one committed answer."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self._process = subprocess.Popen(
            [
                sys.executable,
                str(DRIVER),
                "--db",
                url,
                "--t0",
                T0.isoformat(),
                "--data-dir",
                str(data_dir),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def do(self, command: str) -> dict[str, Any]:
        """Send ``command``; return its answer once its commit is done."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        assert line, f"the other workstation died on {command!r}"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        """End the process."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(30)
        if self._process.stdout is not None:
            self._process.stdout.close()


@pytest.fixture
def world(
    make_window: MakeWindow, qtbot: QtBot, backend: Backend, data_dir: Path
) -> Iterator[tuple[MainWindow, FakeClock, Elsewhere]]:
    """This workstation's window (Chairs 1-3, a nurse at it) and the other process."""
    data_dir.mkdir()
    (data_dir / "config.toml").write_text(
        '[unit]\nchairs = ["Chair 1", "Chair 2", "Chair 3"]\n'
        "[security]\nlock_after_minutes = 240\n",
        encoding="utf-8",
    )
    clock = FakeClock(T0)
    window = make_window("--db", backend.url, clock=clock)
    window.show()
    qtbot.waitExposed(window)
    other = Elsewhere(backend.url, data_dir / "elsewhere")
    try:
        yield window, clock, other
    finally:
        other.close()
        window.close_now()


def _texts(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def test_each_kind_of_commit_from_another_process_shows_without_a_refresh(
    qtbot: QtBot, world: tuple[MainWindow, FakeClock, Elsewhere]
) -> None:
    window, clock, other = world
    tile = window.board.tiles[0]
    board = window.show_unit_board()
    assert isinstance(board, UnitBoardWindow)

    def until(check: Any) -> None:
        qtbot.waitUntil(check, timeout=WITHIN_MS)

    # Set up in Chair 1: the tile, the unit board.
    sid = other.do("setup")["session_id"]
    until(lambda: tile.status is not None and tile.status.state is ChairState.PLANNED)
    assert "E.M." in _texts(tile) or "Rituximab" in _texts(tile)
    until(lambda: "Chair 1" in board.chair_names())
    window.board.select(0)
    view = window.session_view
    assert view.detail is not None and view.detail.id == sid
    # A fresh baseline recorded elsewhere before the start: the latest values.
    other.do("baseline 74")
    until(lambda: "HR 74" in view.latest.text)

    # Start: tile and session view; then the schedule (prompt bar) as time passes.
    other.do("start")
    until(lambda: view.detail is not None and view.detail.state is SessionState.RUNNING)
    until(lambda: tile.status is not None and tile.status.state is ChairState.RUNNING)
    assert "RUNNING" in view.state_badge.text()
    prompt = window.vitals_prompt  # type: ignore[attr-defined]
    for minutes in (20,):
        clock.advance(timedelta(minutes=minutes))
        other.do(f"advance {minutes}")
    until(lambda: "Chair 1: Vitals" in prompt.summary.text())
    # The check skipped elsewhere (patient off the unit): the prompt bar lets it go.
    other.do("missed_check")
    until(lambda: "Chair 1: Vitals" not in prompt.summary.text())

    # Pause and resume.
    other.do("pause")
    until(lambda: view.detail is not None and view.detail.state is SessionState.PAUSED)
    until(lambda: tile.status is not None and tile.status.state is ChairState.PAUSED)
    other.do("resume")
    until(lambda: tile.status is not None and tile.status.state is ChairState.RUNNING)
    assert view.detail is not None and view.detail.rate is not None
    slower = view.detail.rate / 2
    other.do(f"rate {slower}")  # slowed elsewhere: the session view's rate
    until(lambda: view.detail is not None and view.detail.rate == slower)

    # Vitals with an alert: alert band, tile band, header chip, latest values, prompt bar.
    other.do("vitals_alert")
    care = window.care_view
    assert care is not None
    until(lambda: care.band.alert is not None and care.band.alert.open)
    until(lambda: [b.text() for b in window.chair_alert_buttons] == ["!!! Chair 1"])
    until(lambda: window._tile_bands[0].isVisible())
    until(lambda: view.latest.latest is not None)
    until(lambda: "Chair 1" not in prompt.summary.text())  # the check is done
    until(lambda: any("!!!" in line for line in board_alerts(board)))

    # A symptom: the Symptoms tab.
    other.do("symptom urticaria")
    until(lambda: care.symptoms.buttons["urticaria"].isChecked())
    # A drug given elsewhere (outside the listed steps): the Reaction record's clock.
    assert care.reaction.to_first_drug.text() == "—"
    other.do("treatment antihistamine_h1")
    until(lambda: care.reaction.to_first_drug.text() != "—")

    # Acknowledged elsewhere: the band says so; the chip stays while the alert is open.
    other.do("acknowledge")
    until(lambda: care.band.alert is not None and care.band.alert.state is AlertState.ACKNOWLEDGED)
    assert [b.text() for b in window.chair_alert_buttons] == ["!!! Chair 1"]

    # A guidance step answered elsewhere: the Guidance tab shows who did it.
    code = other.do("step_done")["code"]
    until(lambda: _step_state(care, code).startswith("✔ Done"))
    code = other.do("step_decline")["code"]
    until(lambda: _step_state(care, code).startswith("✗ Not done (not needed: settling)"))
    # "Escalate anyway" elsewhere: the band says the nurse escalated.
    other.do("escalate")
    until(lambda: care.band.alert is not None and care.band.alert.escalated_by_nurse)
    # The symptom resolved elsewhere: the Symptoms tab.
    # The reaction's outcome recorded elsewhere: the Reaction record tab.
    other.do("outcome")
    until(lambda: care.reaction.recorded.text().startswith("Recorded by Ada Nurse"))
    other.do("resolve_symptom urticaria")
    until(lambda: not care.symptoms.buttons["urticaria"].isChecked())
    # The vitals corrected elsewhere: the latest values in the session view.
    other.do("amend_vitals 97")
    until(lambda: "HR 97" in view.latest.text)
    # The alert resolved elsewhere: the band, the header chip and the tile band go.
    other.do("resolve_alert")
    until(lambda: care.band.alert is None or not care.band.alert.open)
    until(lambda: window.chair_alert_buttons == [])
    until(lambda: not window._tile_bands[0].isVisible())
    # Values from the bedside monitor, through the gateway: the latest values say so.
    clock.advance(timedelta(minutes=1))
    other.do("advance 1")
    other.do("monitor 84")
    until(lambda: "HR 84" in view.latest.text and "Monitor" in view.latest.text)

    # An alert in a chair this workstation does not show: "other chairs" in the header.
    other.do("other_chair")
    until(lambda: window.unit_alerts.isVisible() and "other chairs" in window.unit_alerts.text())
    until(lambda: "Chair 6" in board.chair_names())
    # Started, discontinued (observation deferred), then observed there: the unit board's row.
    for command, state in (
        ("other_start", "running"),
        ("other_discontinue", "discontinued"),
        ("other_observe", "observation"),
    ):
        other.do(command)
        until(lambda state=state: state in _board_state(board, "Chair 6").lower())

    # Completed and closed elsewhere: the chair is free, the session view says so.
    other.do("complete")
    until(lambda: tile.status is not None and tile.status.state is ChairState.OBSERVATION)
    other.do("close")
    until(lambda: tile.status is not None and tile.status.state is ChairState.FREE)
    until(lambda: window.session_area.currentWidget() is window.placeholder)
    until(lambda: window.chair_alert_buttons == [])


def _step_state(care: CareView, code: str) -> str:
    """The "who and when" line under a guidance step ("" while the step is not shown)."""
    row = next((r for r in care.guidance.rows if r.step.code == code), None)
    return "" if row is None else row.state.text()


def _board_state(board: UnitBoardWindow, chair: str) -> str:
    """The unit board's state cell of ``chair`` ("" while it has no row)."""
    for row in range(board.table.rowCount()):
        name, state = board.table.item(row, 0), board.table.item(row, 1)
        if name is not None and state is not None and name.text() == chair:
            return state.text()
    return ""


def board_alerts(board: UnitBoardWindow) -> list[str]:
    """The unit board's alert cells."""
    from infusion_monitor.ui.unit_board import ALERT_COLUMN

    cells = (board.table.item(row, ALERT_COLUMN) for row in range(board.table.rowCount()))
    return [cell.text() for cell in cells if cell is not None]


def _rows(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def _account(staff: StaffWindow, staff_id: str) -> list[str] | None:
    return next((row for row in _rows(staff.table) if row[0] == staff_id), None)


def test_staff_and_settings_changed_at_another_workstation_show_without_a_refresh(
    qtbot: QtBot, world: tuple[MainWindow, FakeClock, Elsewhere]
) -> None:
    window, _clock, other = world

    def until(check: Any) -> None:
        qtbot.waitUntil(check, timeout=WITHIN_MS)

    # The first administrator, made elsewhere: the lock screen's first-run form becomes the
    # sign-in, and she signs in here with hurried keys.
    window.lock()
    panel = window.sign_in_panel
    assert panel.first_run
    other.do("first_admin ADM1")
    other.do("add_staff ADM2 administrator")
    until(lambda: not panel.first_run and panel.submit.text() == "Sign in")
    window.activateWindow()
    until(lambda: QApplication.focusWidget() is panel.staff_id)
    QTest.keyClicks(QApplication.focusWidget(), "adm1")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    QTest.keyClicks(QApplication.focusWidget(), STAFF_PIN)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    until(lambda: window.actor is not None and window.actor.staff_id == "ADM1")

    staff = window.open_staff_window()
    assert isinstance(staff, StaffWindow)
    until(lambda: _account(staff, "ADM2") is not None)
    settings_action = next(
        a for menu in window.menuBar().actions() if menu.menu() for a in menu.menu().actions()
        if a.text().startswith("Unit &settings")
    )  # fmt: skip
    settings_action.trigger()
    settings = next(w for w in QApplication.topLevelWidgets() if isinstance(w, UnitSettingsWindow))
    until(lambda: settings.message.text().startswith("No bed mappings"))

    # Staff accounts: added, provisioned, PIN reset, role changed, disabled: the staff window.
    other.do("add_staff RN9 nurse")
    until(lambda: _account(staff, "RN9") == ["RN9", "Staff RN9", "Nurse", "yes", "active"])
    other.do("provision RN8")
    until(lambda: _account(staff, "RN8") == ["RN8", "Staff RN8", "Nurse", "no", "active"])
    other.do("reset_pin RN8")
    until(lambda: (_account(staff, "RN8") or [])[3:4] == ["yes"])
    other.do("provision RN7")  # her first sign-in elsewhere, with the one-time code
    until(lambda: (_account(staff, "RN7") or [])[3:4] == ["no"])
    other.do("first_pin RN7")
    until(lambda: (_account(staff, "RN7") or [])[3:4] == ["yes"])
    other.do("change_role RN9 charge_nurse")
    until(lambda: (_account(staff, "RN9") or [])[2:3] == ["Charge nurse"])
    other.do("disable RN9")
    until(lambda: (_account(staff, "RN9") or [])[4:] == ["disabled"])

    # Bed mappings (the unit's stored settings): added and removed, the unit settings window.
    mapping = other.do("beds_add BED-03 Chair 3")["mapping"]
    until(lambda: _rows(settings.table) == [[str(mapping), "BED-03", "any", "any", "Chair 3"]])
    assert settings.message.text() == "1 mapping."
    other.do(f"beds_remove {mapping}")
    until(lambda: settings.table.rowCount() == 0)
    assert settings.message.text().startswith("No bed mappings")

    # The signed-in account's role changed elsewhere: she is a charge nurse now; the staff
    # window she may no longer use closes and its menu entry is off.
    other.do("change_role ADM1 charge_nurse")
    until(lambda: window.actor is not None and window.actor.role is Role.CHARGE_NURSE)
    until(staff.isHidden)
    assert window.user_label.text() == "Staff ADM1 · Charge nurse"
    guarded = {permission: action for action, permission in window._guarded_actions}
    assert not guarded[Permission.MANAGE_STAFF].isEnabled()
    assert guarded[Permission.AUDIT].isEnabled()

    # Her account disabled elsewhere: the screen locks and says why; alarms stay on.
    other.do("disable ADM1")
    until(lambda: window.locked)
    assert window.user_label.text().startswith("Locked")
    until(lambda: "ADM1" in _texts(window) and "disabled by an administrator" in _texts(window))
