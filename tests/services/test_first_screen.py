"""The first screen read before SQLAlchemy (standard-library ``sqlite3``) equals the services'.

A unit in every state the locked screen can show: free, planned, running, paused, observation
and discontinued chairs, a closed session, vitals due and overdue with the latest values, a held
rate step, open alerts of each priority (one acknowledged, one a nurse's escalation) and
resolved ones. The first read of the SQLite file, while the app has it open and after a clean
close, must equal what the board, alert and sign-in services read through SQLAlchemy; and the
same unit built on PostgreSQL must read the same through the services there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from backends import Backend
from care_world import RULES, case
from infusion_monitor.demo import DEMO_NURSE, seed_demo
from infusion_monitor.domain.alerts import AlertPolicy, AlertPriority, AlertState
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.schedule import VitalsState
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.care.service import (
    CareServices,
    make_care_services,
    sessions_lifecycle,
)
from infusion_monitor.services.sessions.board import BoardService, ChairState
from infusion_monitor.services.sessions.first_screen import FirstScreen, read_first_screen
from infusion_monitor.services.sessions.lifecycle import SessionRef, SessionService
from infusion_monitor.services.staff.sign_in import AuthService
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.first_read import read_only_rows
from infusion_monitor.storage.sql_rows import reading
from session_helpers import T0, draft, library

CHAIRS = tuple(f"Chair {n}" for n in range(1, 10))
POLICY = AlertPolicy()


@dataclass
class Unit:
    """The services of one workstation over a database."""

    database: Database
    clock: FakeClock
    sessions: SessionService
    care: CareServices
    board: BoardService
    auth: AuthService

    def regular(self) -> FirstScreen:
        """What the services read now (the window's state once it is complete)."""
        return FirstScreen(
            self.board.snapshot(), self.care.alerts.unit_alerts(), self.auth.needs_first_run()
        )


def _unit(database: Database, clock: FakeClock) -> Unit:
    assessing = AssessingService(lambda: RULES)
    sessions = SessionService(
        database.sessions, library(), lambda: RULES, clock, CHAIRS, assessing=assessing
    )
    care = make_care_services(
        database.sessions, clock, lambda: RULES, POLICY, sessions_lifecycle(sessions), assessing
    )
    return Unit(
        database,
        clock,
        sessions,
        care,
        BoardService(reading(database.sessions), CHAIRS, library()),
        AuthService(database.sessions, clock, workstation="ws"),
    )


def _build(database: Database) -> Unit:
    """Chairs 1-4 from the demo, then a low alert, a planned session, a nurse's escalation, a
    discontinued infusion and a closed session; 10 minutes later, so vitals fall due."""
    clock = FakeClock(T0)
    seed_demo(database.sessions, CHAIRS, clock.now(), RULES, library())
    unit = _unit(database, clock)
    sessions, care = unit.sessions, unit.care

    def set_up(chair: str, mrn: str) -> SessionRef:
        patient = draft(clock, chair=chair, mrn=mrn, patient_name=f"Pat {mrn}")
        detail = sessions.set_up(patient, DEMO_NURSE).detail
        return SessionRef(detail.id, detail.version)

    def started(chair: str, mrn: str) -> SessionRef:
        detail = sessions.start(set_up(chair, mrn), DEMO_NURSE).detail
        return SessionRef(detail.id, detail.version)

    urticaria = case("V03")["symptoms"][0]["code"]
    care.care.record_symptom(DEMO_NURSE, started("Chair 5", "5005").id, urticaria)
    set_up("Chair 6", "6006")
    care.care.escalate(DEMO_NURSE, started("Chair 7", "7007").id)
    sessions.discontinue(started("Chair 8", "8008"), DEMO_NURSE, "Line tissued", observe=False)
    stopped = sessions.discontinue(started("Chair 9", "9009"), DEMO_NURSE, "Refused").detail
    sessions.close(SessionRef(stopped.id, stopped.version), DEMO_NURSE, "Went home")
    for alert in care.alerts.unit_alerts().by_session.values():
        if alert.priority is AlertPriority.MEDIUM:
            care.alerts.acknowledge(DEMO_NURSE, alert.id)
    clock.advance(timedelta(minutes=10))
    return unit


def _covers_every_state(screen: FirstScreen, now_clock: FakeClock) -> None:
    """The unit shows what the brief promises, so the equality below means something."""
    states = {status.state for status in screen.statuses}
    assert states == {
        ChairState.RUNNING,
        ChairState.PAUSED,
        ChairState.OBSERVATION,
        ChairState.PLANNED,
        ChairState.DISCONTINUED,
        ChairState.FREE,
    }
    assert screen.statuses[8].state is ChairState.FREE  # its session was closed
    assert any(status.hold_escalation for status in screen.statuses)
    vitals = {s.session.vitals_status(now_clock.now()).state for s in screen.statuses if s.session}
    assert {VitalsState.DUE, VitalsState.OVERDUE} <= vitals
    assert all(s.session.latest_vitals for s in screen.statuses if s.session)  # latest values
    alerts = list(screen.unit_alerts.by_session.values())
    assert {alert.priority for alert in alerts} == set(AlertPriority)
    assert any(alert.escalated_by_nurse for alert in alerts)
    assert any(alert.state is AlertState.ACKNOWLEDGED and alert.acknowledged_by for alert in alerts)
    assert not screen.first_run


def _first(path: Path, clock: FakeClock) -> FirstScreen:
    with read_only_rows(path) as rows:
        return read_first_screen(rows, CHAIRS, library(), POLICY, clock.now())


def test_first_read_of_the_sqlite_file_equals_the_services(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as database:
        unit = _build(database)
        regular = unit.regular()
        _covers_every_state(regular, unit.clock)
        assert _first(paths.database_file, unit.clock) == regular  # while the app has it open
    assert _first(paths.database_file, unit.clock) == regular  # after a clean close: at start


def test_an_empty_database_asks_for_the_administrator(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as database:
        regular = _unit(database, FakeClock(T0)).regular()
    assert regular.first_run
    assert all(status.state is ChairState.FREE for status in regular.statuses)
    assert _first(paths.database_file, FakeClock(T0)) == regular


def test_the_same_unit_reads_the_same_on_both_backends(
    backend: Backend, data_dir: Path, tmp_path: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(backend.url, paths) as database:
        screen = _build(database).regular()
    with open_database(f"sqlite:///{tmp_path / 'reference.sqlite3'}", paths) as reference:
        assert screen == _build(reference).regular()
