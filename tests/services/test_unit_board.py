"""The unit board on both backends: every workstation's chairs, changes noticed, alerts first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backends import Backend
from infusion_monitor.domain.monitor import is_stale
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.unit_board import UnitBoardService
from infusion_monitor.storage.changes import ChangeWatcher
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.models import Alert, VitalSigns
from session_helpers import library
from unitworld import STARTED, add_running_session


@pytest.fixture
def two_workstations(backend: Backend, data_dir: Path) -> Iterator[tuple[Database, Database]]:
    """Two workstations (two engines) on one database."""
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as here, open_database(backend.url, paths) as there:
        yield here, there


def test_a_chair_started_on_another_workstation_is_noticed_and_shown(
    two_workstations: tuple[Database, Database],
) -> None:
    here, there = two_workstations
    watcher = ChangeWatcher(here.engine)
    try:
        board = UnitBoardService(here.sessions, library(), watcher)
        assert board.snapshot(datetime.now(UTC)) == ()
        assert not board.changed()
        add_running_session(there.sessions, "Chair 12", "MRN-12")
        assert board.changed(wait_s=5)
        assert not board.changed()
        (tile,) = board.snapshot(datetime.now(UTC))
        assert (tile.chair.name, tile.chair.state.value) == ("Chair 12", "Running")
    finally:
        watcher.close()


def test_alerting_chairs_come_first_and_monitor_values_go_stale(
    two_workstations: tuple[Database, Database],
) -> None:
    here, _there = two_workstations
    add_running_session(here.sessions, "Chair 1", "MRN-1")
    second = add_running_session(here.sessions, "Chair 2", "MRN-2")
    taken = STARTED + timedelta(minutes=10)
    with here.sessions.begin() as db:
        db.add(Alert(session_id=second, condition="hypotension", priority="high", raised_at=taken))
        db.add(
            VitalSigns(
                session_id=second,
                taken_at=taken,
                entered_at=taken,
                entered_by_id=1,
                source="monitor",
                heart_rate=118,
                spo2=93,
            )
        )
    board = UnitBoardService(here.sessions, library(), stale_after=timedelta(minutes=5))
    first, other = board.snapshot(taken + timedelta(minutes=1))
    assert first.chair.name == "Chair 2"
    assert [a.condition for a in first.alerts] == ["hypotension"]
    assert first.latest is not None
    assert (first.latest.source, first.latest.heart_rate, first.latest.stale) == (
        "monitor",
        118,
        False,
    )
    assert other.latest is not None and other.latest.source == "typed"  # the baseline
    later = board.snapshot(taken + timedelta(minutes=6))[0]
    assert later.latest is not None and later.latest.stale
    assert is_stale(taken, taken + timedelta(minutes=5, seconds=1))
    assert not is_stale(taken, taken + timedelta(minutes=5))
