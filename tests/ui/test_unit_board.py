"""The unit board window: another workstation's new session within 2 s (both backends), and
where each chair's latest values came from, greyed out when a monitor's are stale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from backends import Backend
from infusion_monitor.model.unit import Fresh, UnitModel
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.sessions.unit_board import UnitBoardService
from infusion_monitor.storage.changes import ChangeFeed
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.models import Alert
from infusion_monitor.ui.model_bridge import ModelBridge
from infusion_monitor.ui.theme import ALARM_STYLES, STALE_INK, VITALS_BADGES
from infusion_monitor.ui.unit_board import (
    ALERT_COLUMN,
    VITALS_COLUMN,
    UnitBoardWindow,
    mirror_unit_board,
)
from session_helpers import library
from unitworld import STARTED, add_monitor_set, add_running_session

WITHIN_MS = 2000


def test_a_session_started_elsewhere_appears_within_two_seconds(
    qtbot: QtBot, backend: Backend, data_dir: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as here, open_database(backend.url, paths) as there:
        add_running_session(here.sessions, "Chair 1", "MRN-1")
        service = UnitBoardService(here.sessions, library())
        model = UnitModel((), {})
        bridge = ModelBridge(
            model, lambda changes, _wanted, _stop: [(changes, Fresh(unit_tiles=service.snapshot()))]
        )
        feed = ChangeFeed(here.engine, bridge.submit)
        feed.start()
        try:
            window = UnitBoardWindow((), lambda: datetime.now(UTC))
            qtbot.addWidget(window)
            mirror_unit_board(window, model, bridge.reread)
            window.show()
            qtbot.waitUntil(lambda: window.chair_names() == ["Chair 1"])  # the first read
            add_running_session(there.sessions, "Chair 7", "MRN-7", staff_id="N002")
            qtbot.waitUntil(lambda: "Chair 7" in window.chair_names(), timeout=WITHIN_MS)
            window.close()
        finally:
            feed.close()
            bridge.close()


@pytest.fixture
def two_chairs(data_dir: Path) -> Iterator[tuple[Database, int, int]]:
    """A unit's SQLite file with sessions running in Chair 1 and Chair 2 (and their ids)."""
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    with open_database(f"sqlite:///{paths.database_file}", paths) as database:
        first = add_running_session(database.sessions, "Chair 1", "MRN-1")
        second = add_running_session(database.sessions, "Chair 2", "MRN-2")
        yield database, first, second


def test_latest_values_say_where_they_came_from_and_grey_out_when_stale(
    qtbot: QtBot, two_chairs: tuple[Database, int, int]
) -> None:
    database, session_id, _ = two_chairs
    taken = STARTED + timedelta(minutes=10)
    add_monitor_set(database.sessions, session_id, taken, heart_rate=118, spo2=93)
    now = [taken + timedelta(minutes=1)]
    service = UnitBoardService(database.sessions, library())
    window = UnitBoardWindow(service.snapshot(), lambda: now[0])
    qtbot.addWidget(window)

    def latest(chair: str) -> QTableWidgetItem:
        row = window.chair_names().index(chair)
        item = window.table.item(row, window.table.columnCount() - 1)
        assert item is not None
        return item

    at = f"{taken.astimezone():%H:%M}"
    assert latest("Chair 1").text() == (
        f"HR 118 · BP — · RR — · SpO2 93% · T —\nMonitor {at} · 1 min ago"
    )
    baseline = f"{(STARTED - timedelta(minutes=5)).astimezone():%H:%M}"  # typed at set-up
    assert latest("Chair 2").text().endswith(f"\nTyped {baseline} · 16 min ago")
    now[0] = taken + timedelta(minutes=6)  # five minutes is the default limit
    window.redraw()
    assert latest("Chair 1").text().endswith(f"\nSTALE · monitor {at} · 6 min ago")
    assert latest("Chair 1").foreground().color() == QColor(STALE_INK)
    assert latest("Chair 2").text().endswith(f"\nTyped {baseline} · 21 min ago")  # never stale
    window.close()


def test_an_alert_shows_in_its_alarm_colour_with_words_waiting_time_and_escalation(
    qtbot: QtBot, two_chairs: tuple[Database, int, int]
) -> None:
    database, _, session_id = two_chairs
    raised = STARTED + timedelta(minutes=20)
    with database.sessions.begin() as db:
        db.add(
            Alert(
                session_id=session_id,
                condition="anaphylaxis",
                priority="high",
                raised_at=raised,
            )
        )
    now = [raised + timedelta(seconds=90)]
    service = UnitBoardService(database.sessions, library(), chairs=("Chair 1", "Chair 3"))
    window = UnitBoardWindow(service.snapshot(), lambda: now[0])
    qtbot.addWidget(window)
    assert window.chair_names() == ["Chair 2", "Chair 1", "Chair 3"]  # alerting on top
    cell = window.table.item(0, ALERT_COLUMN)
    assert cell.text() == "!!! HIGH ▲ Anaphylaxis criteria met\nNOT ACKNOWLEDGED for 01:30"
    assert cell.background().color() == QColor(ALARM_STYLES["high"][2])
    vitals = window.table.item(0, VITALS_COLUMN)
    assert vitals.text() == "⛔ Vitals OVERDUE 5 min"  # as on its tile
    assert vitals.background().color() == QColor(VITALS_BADGES["overdue"][2])
    now[0] = raised + timedelta(minutes=2)  # the unit's escalation time, no re-read needed
    window.redraw()
    assert (
        window.table.item(0, ALERT_COLUMN).text().endswith("NOT ACKNOWLEDGED for 02:00 · ESCALATED")
    )
    assert "1 alert(s) not acknowledged" in window.summary.text()
    window.close()
