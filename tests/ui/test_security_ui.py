"""Lock screen, sign-in, quick switch, inactivity lock, staff and audit windows, storage faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from infusion_monitor.app import build_main_window
from infusion_monitor.config import Config
from infusion_monitor.demo import seed_demo
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, Permission, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.services.staff.accounts import NewStaff, StaffService
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.admin import AuditWindow, StaffWindow
from infusion_monitor.ui.chair_board import LOCKED_IDENTITY
from infusion_monitor.ui.main_window import MainWindow
from services.faults import read_only  # tests/ is on sys.path (rootdir of both packages)

CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4")
LOCK_AFTER = timedelta(minutes=5)


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """The demo data (demo staff DEMO 1234, CHARGE 2345, ADMIN 3456) in a fresh database."""
    with open_database(None, AppPaths.resolve(data_dir), busy_timeout_ms=50) as opened:
        seed_demo(opened.sessions, CHAIRS, datetime.now(UTC))
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock for the inactivity lock."""
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def window(qtbot: QtBot, database: Database, clock: FakeClock, data_dir: Path) -> MainWindow:
    """The main window as the app composes it, locked at start (nobody signed in)."""
    paths = AppPaths.resolve(data_dir)
    config = Config.model_validate(
        {"unit": {"chairs": list(CHAIRS)}, "security": {"lock_after_minutes": 5}}
    )
    funnel = MessageFunnel()
    made = build_main_window(
        config=config,
        paths=paths,
        database=database,
        funnel=funnel,
        rules=RuleSetService(None, funnel),
        clock=clock,
    )
    qtbot.addWidget(made)
    return made


def _sign_in(window: MainWindow, staff_id: str, pin: str) -> None:
    panel = window.sign_in_panel
    assert panel is not None
    panel.staff_id.setText(staff_id)
    panel.pin.setText(pin)
    panel.submit.click()


def test_locked_at_start_identity_hidden_states_and_times_visible(window: MainWindow) -> None:
    assert window.locked
    assert window.sign_in_panel is not None
    assert window.session_area.locked  # the session area (full name, MRN) shows the sign-in page
    running = window.board.tiles[0]
    assert running.identity_text == LOCKED_IDENTITY
    assert running.status is not None and running.status.state.value == "Running"
    assert not window.board.isHidden()  # the board (and its alarms) is never covered


def test_sign_in_shows_identity_and_inactivity_locks_again(
    window: MainWindow, clock: FakeClock
) -> None:
    _sign_in(window, "DEMO", "1234")
    assert window.actor is not None and window.actor.staff_id == "DEMO"
    assert window.board.tiles[0].identity_text.startswith("E.M.")
    assert not window.session_area.locked
    clock.advance(LOCK_AFTER - timedelta(seconds=1))
    window.check_inactivity()
    assert not window.locked
    clock.advance(timedelta(seconds=1))
    window.check_inactivity()
    assert window.locked and window.session_area.locked
    assert window.board.tiles[0].identity_text == LOCKED_IDENTITY


def test_quick_switch_signs_in_another_nurse_without_closing_anything(
    window: MainWindow, qtbot: QtBot
) -> None:
    _sign_in(window, "DEMO", "1234")
    window.switch_user()
    assert window.locked and window.isVisible() is window.isVisible()
    _sign_in(window, "CHARGE", "2345")
    assert window.actor is not None and window.actor.staff_id == "CHARGE"


def test_wrong_pin_keeps_the_staff_id_and_says_why(window: MainWindow) -> None:
    _sign_in(window, "DEMO", "9999")
    panel = window.sign_in_panel
    assert panel is not None
    assert window.locked
    assert panel.staff_id.text() == "DEMO" and panel.pin.text() == ""
    assert "not recognised" in panel.error.text()


def test_read_only_database_message_keeps_values_and_retry_signs_in(
    window: MainWindow, database: Database
) -> None:
    panel = window.sign_in_panel
    assert panel is not None
    with read_only(database):
        _sign_in(window, "DEMO", "1234")
        assert window.locked
        assert "is read-only, so the entry was not saved" in panel.error.text()
        assert (panel.staff_id.text(), panel.pin.text()) == ("DEMO", "1234")
    panel.submit.click()  # retry with the values the form kept
    assert not window.locked
    assert panel.error.isHidden()


def test_menu_entries_follow_the_role_and_the_services_refuse_anyway(
    window: MainWindow, database: Database
) -> None:
    _sign_in(window, "DEMO", "1234")
    guarded = {permission: action for action, permission in window._guarded_actions}
    assert not guarded[Permission.MANAGE_STAFF].isEnabled()
    assert not guarded[Permission.AUDIT].isEnabled()
    staff_window = window.open_staff_window()
    assert isinstance(staff_window, StaffWindow)
    assert staff_window.table.rowCount() == 0
    assert "may not manage staff accounts" in staff_window.message.text()
    audit_window = window.open_audit_window()
    assert isinstance(audit_window, AuditWindow)
    assert audit_window.table.rowCount() == 0
    assert "may not read the audit trail" in audit_window.message.text()


def test_admin_adds_a_nurse_and_charge_nurse_sees_it_in_the_audit_trail(
    window: MainWindow, qtbot: QtBot
) -> None:
    _sign_in(window, "ADMIN", "3456")
    staff_window = window.open_staff_window()
    assert isinstance(staff_window, StaffWindow)
    staff_window.staff_id.setText("N55")
    staff_window.name.setText("Noor Nurse")
    staff_window.pin.setText("5555")
    staff_window._on_add_clicked()
    assert staff_window.message.text() == "Account added."
    qtbot.waitUntil(lambda: staff_window.table.rowCount() == 4)  # the unit model read it
    window.switch_user()
    assert staff_window.isHidden()  # the admin's window closes with the lock
    _sign_in(window, "CHARGE", "2345")
    audit_window = window.open_audit_window()
    assert isinstance(audit_window, AuditWindow)
    actions = {
        audit_window.table.item(row, 5).text() for row in range(audit_window.table.rowCount())
    }
    assert {"staff.create", "auth.sign_in", "auth.sign_out"} <= actions
    audit_window._on_verify_clicked()
    assert audit_window.message.text().startswith("Audit chain intact:")


def test_a_new_nurse_signs_in_with_her_one_time_code_and_chooses_a_pin(
    window: MainWindow, database: Database, clock: FakeClock
) -> None:
    staff = StaffService(database.sessions, clock)
    admin = Actor("ADMIN", "Alex Admin", Role.ADMINISTRATOR)
    (made,) = staff.provision(admin, [NewStaff("RN7", "Nia New", Role.NURSE)])
    panel = window.sign_in_panel
    assert panel is not None
    QTest.keyClicks(panel.staff_id, "rn7")
    QTest.keyClicks(panel.pin, made.code)
    QTest.keyClick(panel.pin, Qt.Key.Key_Return)
    assert window.locked
    assert panel.title.text() == "Choose your PIN" and panel.pin_again.isVisibleTo(panel)
    QTest.keyClicks(panel.pin, "5791")
    QTest.keyClicks(panel.pin_again, "5719")
    QTest.keyClick(panel.pin_again, Qt.Key.Key_Return)
    assert window.locked and "differ" in panel.error.text()
    panel.pin_again.clear()
    QTest.keyClicks(panel.pin_again, "5791")
    QTest.keyClick(panel.pin_again, Qt.Key.Key_Return)
    assert not window.locked
    assert window.actor is not None and window.actor.staff_id == "RN7"
    window.lock()
    assert panel.title.text() == "Screen locked"
    _sign_in(window, "RN7", "5791")
    assert not window.locked


def test_a_first_run_form_an_administrator_made_elsewhere_outran_becomes_the_sign_in(
    qtbot: QtBot,
) -> None:
    from infusion_monitor.services.staff.credentials import FirstRunDone
    from infusion_monitor.ui.sign_in import SignInPanel

    def create_administrator(_staff_id: str, _name: str, _pin: str) -> Actor:
        raise FirstRunDone("An administrator account exists already; sign in with it instead.")

    def sign_in(staff_id: str, _pin: str) -> Actor:
        return Actor(staff_id, "Al Admin", Role.ADMINISTRATOR)

    panel = SignInPanel(sign_in, create_administrator, first_run=True)
    qtbot.addWidget(panel)
    panel.show()
    for field, text in ((panel.staff_id, "A1"), (panel.name, "Al Admin")):
        QTest.keyClicks(field, text)
    for field in (panel.pin, panel.pin_again):
        QTest.keyClicks(field, "1234")
    QTest.keyClick(panel.pin_again, Qt.Key.Key_Return)
    assert not panel.first_run and panel.submit.text() == "Sign in"
    assert "exists already; sign in with it" in panel.error.text()
    assert (panel.staff_id.text(), panel.pin.text()) == ("A1", "1234")  # nothing typed is lost
    with qtbot.waitSignal(panel.signed_in) as signed:
        QTest.keyClick(panel.pin, Qt.Key.Key_Return)
    assert signed.args == [Actor("A1", "Al Admin", Role.ADMINISTRATOR)]
