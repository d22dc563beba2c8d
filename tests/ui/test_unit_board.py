"""The unit board window sees another workstation's new session within 2 s, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from backends import Backend
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.unit_board import UnitBoardService
from infusion_monitor.storage.changes import ChangeWatcher
from infusion_monitor.storage.database import open_database
from infusion_monitor.ui.unit_board import UnitBoardWindow
from session_helpers import library
from unitworld import add_running_session

WITHIN_MS = 2000


def test_a_session_started_elsewhere_appears_within_two_seconds(
    qtbot: QtBot, backend: Backend, data_dir: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as here, open_database(backend.url, paths) as there:
        add_running_session(here.sessions, "Chair 1", "MRN-1")
        watcher = ChangeWatcher(here.engine)
        try:
            service = UnitBoardService(here.sessions, library(), watcher)
            window = UnitBoardWindow(service.snapshot, service.changed, lambda: datetime.now(UTC))
            qtbot.addWidget(window)
            window.show()
            assert window.chair_names() == ["Chair 1"]
            add_running_session(there.sessions, "Chair 7", "MRN-7", staff_id="N002")
            qtbot.waitUntil(lambda: "Chair 7" in window.chair_names(), timeout=WITHIN_MS)
            window.close()
        finally:
            watcher.close()
