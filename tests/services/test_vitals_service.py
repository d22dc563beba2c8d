"""Vitals use cases on a fake clock: schedule, tightening and relaxing, reasons, amendments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.schedule import (
    OVERDUE_GRACE_MIN,
    CheckKind,
    MissedCheckNote,
    MissedCheckReason,
    VitalsState,
)
from infusion_monitor.domain.users import Actor, PermissionDenied, Role
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.errors import UserError
from infusion_monitor.services import assessing as assessing_module
from infusion_monitor.services.sessions.records import LatestVitals, latest_vitals
from infusion_monitor.services.vitals import recording as vitals_module
from infusion_monitor.services.vitals.recording import LateReasonNeeded
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.errors import DiskFullError
from infusion_monitor.storage.sql_rows import session_rows

from .vitals_world import NURSE, World, at, draft, make_world

REFUSED = MissedCheckNote(MissedCheckReason.PATIENT_REFUSED, None)


@pytest.fixture
def world(database: Database) -> World:
    world = make_world(database.sessions)
    world.record(-10)
    world.add_event("start", 0)
    return world


def minutes(world: World, check_at: object) -> float:
    assert check_at is not None
    return (check_at - at(0)).total_seconds() / 60  # type: ignore[operator]


def count(world: World, record: type[models.Base], **where: object) -> int:
    with world.sessions() as db:
        query = select(func.count()).select_from(record).filter_by(**where)
        return int(db.scalar(query) or 0)


def test_protocol_times_due_and_overdue_after_grace(world: World) -> None:
    status = world.schedule.status(world.session_id, at(1))
    assert status.state is VitalsState.NOT_YET_DUE
    assert status.check is not None
    assert (status.check.kind, minutes(world, status.check.at)) == (CheckKind.EARLY, 15)
    assert status.due_in == timedelta(minutes=14)
    assert world.schedule.status(world.session_id, at(15)).state is VitalsState.DUE
    just_before = at(15 + OVERDUE_GRACE_MIN) - timedelta(seconds=1)
    assert world.schedule.status(world.session_id, just_before).state is VitalsState.DUE
    overdue = world.schedule.status(world.session_id, at(15 + OVERDUE_GRACE_MIN))
    assert overdue.state is VitalsState.OVERDUE
    assert overdue.reason_needed
    recorded = world.record(15)
    assert recorded.next_due.check is not None
    assert minutes(world, recorded.next_due.check.at) == 30
    recorded = world.record(30)
    assert recorded.next_due.check is not None
    assert (recorded.next_due.check.kind, minutes(world, recorded.next_due.check.at)) == (
        CheckKind.REGULAR,
        90,
    )


def test_reaction_tightens_then_resolution_relaxes(world: World) -> None:
    # NEWS2 6 above the baseline: deterioration_urgent, every 15 min.
    urgent = world.record(15, hr=135, rr=25)
    assert urgent.assessment is not None
    assert urgent.assessment.vitals_interval_min == 15
    assert urgent.next_due.check is not None
    assert urgent.next_due.check.kind in (CheckKind.REACTION, CheckKind.EARLY)
    assert minutes(world, urgent.next_due.check.at) == 30
    # Hypotension: severe reaction, every 5 min.
    severe = world.record(20, sbp=80, dbp=50)
    assert severe.assessment is not None
    assert severe.assessment.priority is AlertPriority.HIGH
    assert severe.assessment.vitals_interval_min == 5
    assert severe.next_due.check is not None
    assert (severe.next_due.check.kind, minutes(world, severe.next_due.check.at)) == (
        CheckKind.REACTION,
        25,
    )
    # The status read by the board agrees, and turns overdue 5 min after the 5-minute check.
    assert world.schedule.status(world.session_id, at(31)).state is VitalsState.OVERDUE
    # Back to normal: the protocol schedule alone applies again.
    resolved = world.record(25)
    assert resolved.assessment is not None
    assert resolved.assessment.vitals_interval_min is None
    assert resolved.next_due.check is not None
    assert (resolved.next_due.check.kind, minutes(world, resolved.next_due.check.at)) == (
        CheckKind.REGULAR,
        90,
    )


def test_late_set_needs_a_reason_which_is_recorded(world: World) -> None:
    world.clock.advance(at(25) - world.clock.now())
    with pytest.raises(LateReasonNeeded, match="overdue: choose a reason"):
        world.vitals.record_vitals(NURSE, world.session_id, draft(), world.clock.now())
    assert count(world, models.VitalSigns) == 1
    recorded = world.vitals.record_vitals(
        NURSE, world.session_id, draft(reason=REFUSED), world.clock.now()
    )
    assert recorded.entry.id > 0
    with world.sessions() as db:
        note = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "note")
        ).one()
        assert note.payload["note"] == "vitals_late"
        assert note.payload["reason"] == "patient_refused"
        assert note.reason == "Patient refused"
        actions = db.scalars(select(models.AuditEntry.action)).all()
    assert "session.vitals_late" in actions
    # A set taken on time but entered late is not late.
    world.clock.advance(at(60) - world.clock.now())
    on_time = draft(taken_at=at(31))
    world.vitals.record_vitals(NURSE, world.session_id, on_time, world.clock.now())


def test_skipped_check_is_recorded_with_reason_and_the_schedule_moves_on(world: World) -> None:
    world.clock.advance(at(21) - world.clock.now())
    assert world.schedule.status(world.session_id, at(21)).state is VitalsState.OVERDUE
    note = MissedCheckNote(MissedCheckReason.PATIENT_OFF_UNIT, "X-ray")
    skipped = world.vitals.record_missed_check(NURSE, world.session_id, note, world.clock.now())
    assert skipped.next_due.state is VitalsState.NOT_YET_DUE
    assert skipped.next_due.check is not None
    assert minutes(world, skipped.next_due.check.at) == 30
    with world.sessions() as db:
        event = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "note")
        ).one()
        assert event.payload["note"] == "vitals_skipped"
        assert event.reason == "Patient off the unit / bathroom: X-ray"
        audit = db.scalars(select(models.AuditEntry).order_by(models.AuditEntry.id.desc())).first()
        assert audit is not None
        assert audit.action == "session.vitals_skipped"


def test_every_set_writes_an_audit_row_with_the_entered_temperature(world: World) -> None:
    world.record(15)
    with world.sessions() as db:
        rows = db.scalars(
            select(models.AuditEntry).where(models.AuditEntry.action == "vitals.record")
        ).all()
    assert len(rows) == 2
    assert rows[-1].after is not None
    assert rows[-1].after["temperature_entered"] == "36.8 °C"
    assert rows[-1].actor == NURSE.staff_id


def test_partial_set_needs_a_reason_and_its_news2_is_incomplete(world: World) -> None:
    world.clock.advance(at(14) - world.clock.now())
    with pytest.raises(UserError, match="Partial set"):
        world.vitals.record_vitals(
            NURSE, world.session_id, draft(rr=None, temp_c=None), world.clock.now()
        )
    recorded = world.vitals.record_vitals(
        NURSE, world.session_id, draft(rr=None, temp_c=None, reason=REFUSED), world.clock.now()
    )
    assert recorded.entry.incomplete_reason == "Patient refused"
    assert recorded.assessment is not None
    assert not recorded.assessment.news2_complete


def test_times_outside_the_session_are_refused(world: World) -> None:
    world.clock.advance(at(14) - world.clock.now())
    with pytest.raises(UserError, match="future"):
        world.vitals.record_vitals(NURSE, world.session_id, draft(taken_at=at(15)), at(14))
    with pytest.raises(UserError, match="before the session began"):
        world.vitals.record_vitals(NURSE, world.session_id, draft(taken_at=at(-31)), at(14))


def test_only_carers_record(world: World) -> None:
    admin = Actor("A1", "Admin", Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        world.vitals.record_vitals(admin, world.session_id, draft(), at(14))


def test_amendment_keeps_the_original_and_reassesses(world: World) -> None:
    wrong = world.record(15, sbp=80, dbp=50)
    assert wrong.assessment is not None
    assert wrong.assessment.priority is AlertPriority.HIGH
    world.clock.advance(timedelta(minutes=1))
    fixed = world.vitals.amend_vitals(
        NURSE, wrong.entry.id, draft(), "typed 80 for 130", world.clock.now()
    )
    assert fixed.entry.amends_id == wrong.entry.id
    assert fixed.entry.taken_at == wrong.entry.taken_at
    assert fixed.assessment is not None
    assert fixed.assessment.priority is None
    entries = world.vitals.entries(world.session_id)
    original = next(entry for entry in entries if entry.id == wrong.entry.id)
    assert original.signs.sbp == 80
    assert original.superseded_by == fixed.entry.id
    assert not original.current
    assert next(entry for entry in entries if entry.id == fixed.entry.id).current
    with pytest.raises(UserError, match="already corrected"):
        world.vitals.amend_vitals(NURSE, wrong.entry.id, draft(), "again", world.clock.now())
    with pytest.raises(UserError, match="needs a reason"):
        world.vitals.amend_vitals(NURSE, fixed.entry.id, draft(), "  ", world.clock.now())
    with world.sessions() as db:
        audit = db.scalars(
            select(models.AuditEntry).where(models.AuditEntry.action == "vitals.amend")
        ).one()
    assert audit.before is not None and audit.after is not None
    assert (audit.before["systolic_bp"], audit.after["systolic_bp"]) == (80, 130)


def test_failed_commit_stores_nothing_and_forgets_the_context(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.record(15)
    assert world.assessing.cached(world.session_id)
    before = count(world, models.VitalSigns)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise DiskFullError("The disk is full. Free some space, then save again.")

    monkeypatch.setattr(vitals_module, "record_audit", disk_full)
    world.clock.advance(timedelta(minutes=14))
    with pytest.raises(DiskFullError):
        world.vitals.record_vitals(NURSE, world.session_id, draft(hr=99), world.clock.now())
    assert count(world, models.VitalSigns) == before
    assert count(world, models.Assessment) == 2


def test_context_is_folded_incrementally_and_rebuilt_after_an_amendment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []
    real_build = assessing_module._build

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(assessing_module, "_build", counting)
    first = world.record(15)
    for minute in range(16, 30):
        world.record(minute, hr=80 + minute)
    assert len(builds) == 1
    world.add_symptom("urticaria", 29.5)
    mild = world.record(30)
    assert mild.assessment is not None
    assert mild.assessment.priority is AlertPriority.LOW
    assert len(builds) == 1
    world.vitals.amend_vitals(NURSE, first.entry.id, draft(hr=90), "wrong HR", at(30))
    assert len(builds) == 2


def test_rollback_after_assessing_forgets_the_context(world: World) -> None:
    world.record(15)
    assert world.assessing.cached(world.session_id)
    with pytest.raises(RuntimeError), world.sessions.begin() as db:
        world.assessing.assess(db, world.session_id, at(16))
        raise RuntimeError("the caller failed after assessing")
    assert not world.assessing.cached(world.session_id)


def test_no_assessment_without_a_baseline(database: Database) -> None:
    world = make_world(database.sessions)
    with world.sessions.begin() as db:
        assert world.assessing.assess(db, world.session_id, at(-20)) is None
    status = world.schedule.status(world.session_id, at(-20))
    assert status.state is VitalsState.NOTHING_RECORDED
    assert world.schedule.open_statuses(at(-20)) == {world.session_id: status}


def _plant(world: World, row_id: int, minute: float, **values: object) -> None:
    """Store a vitals row with a chosen id, as another workstation's late commit would land."""
    with world.sessions.begin() as db:
        template = db.scalars(
            select(models.VitalSigns).where(models.VitalSigns.session_id == world.session_id)
        ).first()
        assert template is not None
        columns = {
            column.key: getattr(template, column.key)
            for column in models.VitalSigns.__table__.columns
            if column.key != "id"
        }
        columns.update(taken_at=at(minute), entered_at=at(minute), **values)
        db.add(models.VitalSigns(id=row_id, **columns))


def test_a_row_committed_late_below_the_folded_ids_is_not_missed(world: World) -> None:
    """On PostgreSQL ids are handed out before commit, so a reading committed late can carry a
    lower id than rows already folded into the cached context; the assessment must still see it.
    """
    world.record(15)
    _plant(world, 50, 16)
    with world.sessions.begin() as db:
        assert world.assessing.assess(db, world.session_id, at(16)) is not None
    _plant(world, 40, 18, systolic_bp=80, diastolic_bp=50)
    with world.sessions.begin() as db:
        outcome = world.assessing.assess(db, world.session_id, at(18))
    assert outcome is not None
    assert outcome.priority is AlertPriority.HIGH


def test_the_latest_set_is_the_newest_by_measurement_time_and_a_correction_replaces_it(
    world: World,
) -> None:
    def latest() -> LatestVitals:
        with world.sessions() as db:
            return latest_vitals(session_rows(db), [world.session_id])[world.session_id]

    baseline = latest()
    assert (baseline.source, baseline.taken_at, baseline.signs.hr) == (Source.TYPED, at(-10), 78)
    wrong = world.record(15, hr=190)
    assert (latest().taken_at, latest().signs.hr) == (at(15), 190)
    world.clock.advance(timedelta(minutes=1))
    world.vitals.amend_vitals(NURSE, wrong.entry.id, draft(hr=90), "typed 190 for 90", at(16))
    shown = latest()
    assert (shown.source, shown.taken_at, shown.signs.hr, shown.signs.sbp) == (
        Source.TYPED,
        at(15),
        90,
        130,
    )
    assert not shown.stale(at(15) + timedelta(hours=2), timedelta(minutes=5))  # typed: never
