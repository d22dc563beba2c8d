"""The unit board on both backends: every workstation's chairs, changes noticed, alerts first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from backends import Backend
from care_world import case, running_chair
from infusion_monitor.domain.alerts import Alert, AlertPolicy, AlertPriority, AlertState
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.sessions.unit_board import UnitBoardService
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.models import Alert as AlertRow
from session_helpers import NURSE, T0, library
from unitworld import STARTED, add_monitor_set, add_running_session


@pytest.fixture
def two_workstations(backend: Backend, data_dir: Path) -> Iterator[tuple[Database, Database]]:
    """Two workstations (two engines) on one database."""
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as here, open_database(backend.url, paths) as there:
        yield here, there


def test_a_chair_started_on_another_workstation_is_shown(
    two_workstations: tuple[Database, Database],
) -> None:
    here, there = two_workstations
    board = UnitBoardService(here.sessions, library())
    assert board.snapshot() == ()
    add_running_session(there.sessions, "Chair 12", "MRN-12")
    (tile,) = board.snapshot()
    assert (tile.chair.name, tile.chair.state.value) == ("Chair 12", "Running")


def test_alerting_chairs_come_first_with_their_latest_values_and_where_they_came_from(
    two_workstations: tuple[Database, Database],
) -> None:
    here, _there = two_workstations
    add_running_session(here.sessions, "Chair 1", "MRN-1")
    second = add_running_session(here.sessions, "Chair 2", "MRN-2")
    taken = STARTED + timedelta(minutes=10)
    with here.sessions.begin() as db:
        db.add(
            AlertRow(session_id=second, condition="hypotension", priority="high", raised_at=taken)
        )
    add_monitor_set(here.sessions, second, taken, heart_rate=118, spo2=93)
    # Resent after a drop-out: stored later, measured earlier; not the latest.
    add_monitor_set(here.sessions, second, taken - timedelta(minutes=3), heart_rate=99, spo2=97)
    first, other = UnitBoardService(here.sessions, library()).snapshot()
    assert first.chair.name == "Chair 2"
    assert [a.condition for a in first.alerts] == ["hypotension"]
    assert first.chair.session is not None and other.chair.session is not None
    latest = first.chair.session.latest_vitals
    assert latest is not None
    assert (
        latest.source,
        latest.taken_at,
        latest.signs.hr,
        latest.signs.spo2,
        latest.signs.sbp,
    ) == (
        Source.MONITOR,
        taken,
        118,
        93,
        None,
    )
    five_min = timedelta(minutes=5)
    assert not latest.stale(taken + five_min, five_min)
    assert latest.stale(taken + five_min + timedelta(seconds=1), five_min)
    baseline = other.chair.session.latest_vitals
    assert baseline is not None and baseline.source is Source.TYPED
    assert not baseline.stale(taken + timedelta(hours=3), five_min)


def test_an_acknowledged_alert_leaves_the_board_unless_a_nurse_escalated_it(
    database: Database,
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    sid, care = chair.session_id, chair.care
    clock.advance(timedelta(minutes=10))
    care.care.record_symptom(NURSE, sid, "angioedema")  # watch the airway: a medium alert
    board = UnitBoardService(database.sessions, library(), chairs=("Chair 1", "Chair 9"))

    def tiles() -> dict[str, tuple[Alert, ...]]:
        return {tile.chair.name: tile.alerts for tile in board.snapshot()}

    (alert,) = tiles()["Chair 1"]
    assert (alert.priority, alert.state) == (AlertPriority.MEDIUM, AlertState.ACTIVE)
    assert tiles()["Chair 9"] == ()  # this workstation's chair, never used yet, is shown
    care.alerts.acknowledge(NURSE, alert.id)
    assert tiles()["Chair 1"] == ()
    care.care.escalate(NURSE, sid)
    (escalated,) = tiles()["Chair 1"]
    assert escalated.state is AlertState.ACKNOWLEDGED and escalated.escalated_by_nurse
    assert escalated.escalated(clock.now(), AlertPolicy())
