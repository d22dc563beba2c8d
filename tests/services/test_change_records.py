"""Every use case returns the record of what it changed, and commits that same record.

Each step below is one kind of use case (set-up, lifecycle, baseline, vitals save, skip and
amend, symptoms, steps and treatments, alert acknowledge, resolve and escalate, the reaction
outcome, staff, beds, a monitor's reading); another workstation reads exactly one record per
transaction (PostgreSQL NOTIFY, SQLite change log) and it equals the outcome's ``changes``.
No transaction may fall back to the coarse "re-read everything" record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from backends import Backend
from care_world import RULES, case, running_chair, vitals_draft
from committed import CommittedRecords
from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.clock import FakeClock, SystemClock
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.monitor import MonitorReading, MonitorSet
from infusion_monitor.domain.reaction import Disposition, Outcome
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.monitor.beds import BedMappingService
from infusion_monitor.services.monitor.feed import make_monitor_feed
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.services.staff.accounts import StaffService
from infusion_monitor.services.staff.sign_in import AuthService, PinHasher
from infusion_monitor.storage.database import Database, open_database
from session_helpers import CHAIRS, NURSE, T0, baseline, draft, library

STORAGE = "infusion_monitor.storage.changes"
ADMIN = Actor("A1", "Al Admin", Role.ADMINISTRATOR)


def ids(*session_ids: int) -> frozenset[int]:
    """A set of session ids, as a record names them."""
    return frozenset(session_ids)


@pytest.fixture
def unit(backend: Backend, data_dir: Path) -> Iterator[Database]:
    """A fresh database on the backend."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        yield database


@pytest.fixture
def records(unit: Database) -> Iterator[CommittedRecords]:
    """What other workstations read, from now on."""
    reader = CommittedRecords(unit.engine)
    yield reader
    reader.close()


def _committed(records: CommittedRecords, returned: Changes, expected: Changes) -> None:
    assert returned == expected
    assert records.since_last() == [expected]  # one record per transaction, the same


def test_each_use_case_returns_and_commits_what_it_changed(
    unit: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=STORAGE)
    data = case("V03")
    chair = running_chair(unit, FakeClock(T0), data)
    records = CommittedRecords(unit.engine)
    try:
        _lifecycle_and_vitals(unit, chair, data, records)
        _reaction_care(chair, data, records)
        _staff_beds_and_monitor(unit, chair, records)
    finally:
        records.close()
    assert [r.getMessage() for r in caplog.records if r.name == STORAGE] == []


def _lifecycle_and_vitals(unit, chair, data, records: CommittedRecords) -> None:  # type: ignore[no-untyped-def]
    sid, clock = chair.session_id, chair.clock
    clock.advance(timedelta(minutes=2))
    other = draft(clock, chair="Chair 2", mrn="00777777", patient_name="Ruth Hale")
    made = chair.sessions.set_up(other, NURSE)
    second = made.detail.id
    _committed(records, made.changes, Changes(sessions=ids(second), vitals=ids(second), board=True))

    again = chair.sessions.record_baseline(
        SessionRef(second, made.detail.version), baseline(clock.now()), NURSE
    )
    _committed(records, again.changes, Changes(sessions=ids(second), vitals=ids(second)))

    started = chair.sessions.start(SessionRef(second, again.detail.version), NURSE)
    _committed(records, started.changes, Changes(sessions=ids(second), care=ids(second)))

    clock.advance(timedelta(minutes=5))
    saved = chair.vitals.record_vitals(
        NURSE, sid, vitals_draft(data["baseline"], late=False), clock.now()
    )
    _committed(records, saved.changes, Changes(vitals=ids(sid), care=ids(sid)))

    skipped = chair.vitals.record_missed_check(
        NURSE, sid, MissedCheckNote(MissedCheckReason.PATIENT_OFF_UNIT, None), clock.now()
    )
    _committed(records, skipped.changes, Changes(vitals=ids(sid)))

    amended = chair.vitals.amend_vitals(
        NURSE, saved.entry.id, vitals_draft(data["baseline"], late=False), "typo", clock.now()
    )
    _committed(records, amended.changes, Changes(vitals=ids(sid), care=ids(sid)))

    paused = chair.sessions.pause(SessionRef(second, started.detail.version), NURSE, "toilet")
    _committed(records, paused.changes, Changes(sessions=ids(second), care=ids(second)))
    ended = chair.sessions.discontinue(
        SessionRef(second, paused.detail.version), NURSE, "patient left", observe=False
    )
    _committed(records, ended.changes, Changes(sessions=ids(second), care=ids(second)))
    closed = chair.sessions.close(SessionRef(second, ended.detail.version), NURSE, "went home")
    _committed(records, closed.changes, Changes(sessions=ids(second), board=True))


def _reaction_care(chair, data, records: CommittedRecords) -> None:  # type: ignore[no-untyped-def]
    sid, clock, care = chair.session_id, chair.clock, chair.care.care
    both = Changes(care=ids(sid), alerts=ids(sid))
    clock.advance(timedelta(minutes=5))
    symptom = care.record_symptom(NURSE, sid, data["symptoms"][0]["code"])
    assert symptom.alert_raised
    _committed(records, symptom.changes, both)

    clock.advance(timedelta(seconds=30))
    assert symptom.picture.alert is not None
    acked = chair.care.alerts.acknowledge(NURSE, symptom.picture.alert.id)
    _committed(records, acked.changes, Changes(alerts=ids(sid)))

    given = care.record_treatment(NURSE, sid, CourseAction.ANTIHISTAMINE_H1)
    _committed(records, given.changes, Changes(care=ids(sid)))

    stopped = care.record_treatment(NURSE, sid, CourseAction.PAUSE_INFUSION)
    _committed(records, stopped.changes, Changes(sessions=ids(sid), care=ids(sid)))

    escalated = care.escalate(NURSE, sid)
    _committed(records, escalated.changes, both)

    resolved = chair.care.alerts.resolve(NURSE, symptom.picture.alert.id, "settled after H1")
    _committed(records, resolved.changes, Changes(alerts=ids(sid)))

    clock.advance(timedelta(minutes=10))
    for shown in care.picture(sid).symptoms:
        ended = care.resolve_symptom(NURSE, shown.id)
        _committed(records, ended.changes, Changes(care=ids(sid)))
    suggestion = ended.picture.guidance
    outcome = Outcome(
        disposition=Disposition.DISCONTINUED,
        resolved_at=clock.now(),
        restarted_at=None,
        restart_rate=None,
        ctcae_term=suggestion.ctcae_term,
        ctcae_grade=max(1, suggestion.ctcae_grade),
        suggested_term=suggestion.ctcae_term,
        suggested_grade=suggestion.ctcae_grade,
        flag_next_session=True,
    )
    closed = care.record_outcome(NURSE, sid, outcome)
    _committed(records, closed.changes, Changes(care=ids(sid)))


def _staff_beds_and_monitor(unit, chair, records: CommittedRecords) -> None:  # type: ignore[no-untyped-def]
    hasher = PinHasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    auth = AuthService(unit.sessions, chair.clock, workstation="ws-1", hasher=hasher)
    admin = auth.create_first_administrator("A1", "Al Admin", "1234")
    assert records.since_last() == [Changes(staff=True)]
    staff = StaffService(unit.sessions, chair.clock, hasher=hasher)
    staff.add_staff(admin, "N200", "Bea Nurse", Role.NURSE, "2468")
    assert records.since_last() == [Changes(staff=True)]
    auth.sign_in("N200", "2468")  # audited only: no screen changes
    assert records.since_last(wait_s=0.3) == []

    BedMappingService(unit.sessions, CHAIRS).add(ADMIN, "BED-1", "Chair 1", chair.clock.now())
    assert records.since_last() == [Changes(board=True, settings=True)]

    feed = make_monitor_feed(unit.sessions, SystemClock(), lambda: RULES, library())
    now = datetime.now(UTC).replace(microsecond=0)
    values = {"hr": 80, "sbp": 126, "dbp": 78, "rr": 15, "spo2": 97}
    reading = MonitorReading(
        sender="MON^UNIT",
        control_id="C1",
        bed="Chair 1",
        patient_id=None,
        sets=(MonitorSet(now - timedelta(seconds=30), {k: Decimal(v) for k, v in values.items()}),),
    )
    sid = chair.session_id
    stored = feed.store(reading, now)
    # The gateway's own staff row is registered with its first message.
    _committed(records, stored.changes, Changes(vitals=ids(sid), care=ids(sid), staff=True))
    resent = feed.store(reading, now)
    assert resent.duplicate and resent.changes == NOTHING
    assert records.since_last(wait_s=0.3) == []
