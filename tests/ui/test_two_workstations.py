"""Two workstation processes on one PostgreSQL database: the unit board sees the other's session.

This process runs the window (it starts locked; the charge nurse signs in through the panel and
opens the unit board). A second process signs a nurse in and starts a session in another chair
through the services; the board must show that chair within 2 s of the other process's commit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from backends import fresh_postgres_database
from infusion_monitor.app import build_main_window
from infusion_monitor.config import Config
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.users import Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.auth import AuthService
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.services.staff import StaffService
from infusion_monitor.storage.database import open_database
from infusion_monitor.ui.unit_board import UnitBoardWindow

WITHIN_MS = 2000
PEER = Path(__file__).resolve().parents[1] / "peer_workstation.py"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server."""
    with fresh_postgres_database() as url:
        yield url


def test_a_session_started_in_another_process_shows_on_the_unit_board_within_two_seconds(
    qtbot: QtBot, postgres_url: str, data_dir: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    clock, funnel = SystemClock(), MessageFunnel()
    with open_database(postgres_url, paths) as database:
        auth = AuthService(database.sessions, clock, workstation="HERE")
        admin = auth.create_first_administrator("ADMIN", "Ann Admin", "3456")
        staff = StaffService(database.sessions, clock, hasher=auth.hasher)
        staff.add_staff(admin, "CHARGE", "Cy Charge", Role.CHARGE_NURSE, "2345")
        staff.add_staff(admin, "N001", "Ada Nurse", Role.NURSE, "1234")
        window = build_main_window(
            config=Config(),
            paths=paths,
            database=database,
            funnel=funnel,
            rules=RuleSetService(None, funnel),
            clock=clock,
        )
        qtbot.addWidget(window)
        window.show()
        assert window.locked and window.show_unit_board() is None
        assert window.sign_in_panel is not None
        window.sign_in_panel.staff_id.setText("CHARGE")
        window.sign_in_panel.pin.setText("2345")
        window.sign_in_panel.submit.click()
        assert not window.locked
        board = window.show_unit_board()
        assert isinstance(board, UnitBoardWindow)
        assert board.chair_names() == []

        peer = subprocess.run(
            [sys.executable, str(PEER), postgres_url, str(data_dir / "peer"), "Chair 9"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        committed = time.monotonic()
        assert peer.returncode == 0, peer.stderr
        assert peer.stdout.startswith("started ")
        qtbot.waitUntil(lambda: "Chair 9" in board.chair_names(), timeout=WITHIN_MS)
        assert time.monotonic() - committed < WITHIN_MS / 1000
        window.lock()
        assert not board.isVisible()  # the board (patient initials) closes with the lock
        window.close()
