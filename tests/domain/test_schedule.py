"""Vitals schedule: protocol times, reaction tightening and relaxing, overdue, reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import load_library
from infusion_monitor.domain.schedule import (
    OVERDUE_GRACE_MIN,
    CheckKind,
    DueCheck,
    MissedCheckReason,
    VitalsState,
    baseline_is_current,
    missed_check_note,
    next_check,
    protocol_checks,
    vitals_status,
)
from infusion_monitor.domain.session import Session, SessionEvent
from infusion_monitor.errors import UserError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIBRARY = load_library()
RITUXIMAB = LIBRARY.get("rituximab-first").protocol
PACLITAXEL = LIBRARY.get("paclitaxel").protocol


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def record(session: Session, event: SessionEvent) -> Session:
    return Session.replay(session.protocol, session.cycle, (*session.events, event))


def started(protocol: DrugProtocol = PACLITAXEL, cycle: int = 3) -> Session:
    planned = Session.replay(protocol, cycle)
    return record(planned, planned.start(at(0), has_baseline=True, baseline_warning=False))


def times(checks: list[DueCheck]) -> list[tuple[CheckKind, float]]:
    return [(check.kind, (check.at - T0).total_seconds() / 60) for check in checks]


def test_protocol_times_routine_cycle() -> None:
    # Paclitaxel cycle 3 is not high-risk: 15, 30, then hourly counted from the last early check.
    assert times(protocol_checks(started(), at(100))) == [
        (CheckKind.EARLY, 15),
        (CheckKind.EARLY, 30),
        (CheckKind.REGULAR, 90),
        (CheckKind.REGULAR, 150),
    ]


def test_protocol_times_high_risk_cycle_and_rate_changes() -> None:
    session = started(RITUXIMAB, cycle=1)
    session = record(session, session.change_rate(at(30), 100, latest_vitals_at=at(30)))
    assert times(protocol_checks(session, at(50))) == [
        (CheckKind.EARLY, 15),
        (CheckKind.EARLY, 30),
        (CheckKind.RATE_CHANGE, 45),
        (CheckKind.REGULAR, 60),
    ]


def test_a_pause_moves_running_time_checks_later() -> None:
    session = started()
    session = record(session, session.pause(at(10), "bathroom"))
    assert times(protocol_checks(session, at(20))) == []  # 15-min check has no time while paused
    session = record(session, session.resume(at(20)))
    assert times(protocol_checks(session, at(21)))[:2] == [
        (CheckKind.EARLY, 25),
        (CheckKind.EARLY, 40),
    ]


def test_end_of_infusion_and_observation_checks() -> None:
    session = started(RITUXIMAB, cycle=1)
    session = record(session, session.complete(at(40)))
    session = record(session, session.start_observation(at(41)))
    assert times(protocol_checks(session, at(50))) == [
        (CheckKind.EARLY, 15),
        (CheckKind.EARLY, 30),
        (CheckKind.END_OF_INFUSION, 40),
        (CheckKind.OBSERVATION, 71),
        (CheckKind.OBSERVATION, 101),
    ]


def test_due_then_overdue_after_the_grace_period() -> None:
    clock = FakeClock(at(0))
    session = started()
    last = at(-5)  # baseline

    def state() -> VitalsState:
        return vitals_status(session, last, clock.now()).state

    clock.advance(timedelta(minutes=14))
    status = vitals_status(session, last, clock.now())
    assert status.state is VitalsState.NOT_YET_DUE
    assert status.check == DueCheck(CheckKind.EARLY, at(15))
    assert status.due_in == timedelta(minutes=1)
    clock.advance(timedelta(minutes=1))
    assert state() is VitalsState.DUE
    clock.advance(timedelta(minutes=OVERDUE_GRACE_MIN) - timedelta(seconds=1))
    assert state() is VitalsState.DUE
    clock.advance(timedelta(seconds=1))
    assert state() is VitalsState.OVERDUE
    assert vitals_status(session, last, clock.now()).reason_needed
    last = clock.now()
    assert vitals_status(session, last, clock.now()).check == DueCheck(CheckKind.EARLY, at(30))


def test_a_set_taken_a_little_early_counts_for_the_check() -> None:
    check = next_check(started(), at(13), at(13))
    assert check == DueCheck(CheckKind.EARLY, at(30))


def test_a_reaction_tightens_and_resolution_relaxes() -> None:
    session = started()
    last = at(32)  # the 30-min check, taken a little late
    assert next_check(session, last, at(40)) == DueCheck(CheckKind.REGULAR, at(90))
    assert next_check(session, last, at(40), reaction_interval_min=5) == DueCheck(
        CheckKind.REACTION, at(37)
    )
    assert vitals_status(session, last, at(43), reaction_interval_min=5).state is (
        VitalsState.OVERDUE
    )
    assert next_check(session, at(45), at(46), reaction_interval_min=15) == DueCheck(
        CheckKind.REACTION, at(60)
    )
    # Resolved: the rules engine's interval is back to None; the protocol schedule applies.
    assert next_check(session, at(60), at(61), reaction_interval_min=None) == DueCheck(
        CheckKind.REGULAR, at(90)
    )


def test_nothing_recorded_yet_and_baseline_currency() -> None:
    planned = Session.replay(PACLITAXEL, 1)
    status = vitals_status(planned, None, at(0))
    assert status.state is VitalsState.NOTHING_RECORDED
    assert status.check == DueCheck(CheckKind.BASELINE, at(0))
    assert vitals_status(planned, at(-10), at(0)).check == DueCheck(CheckKind.BASELINE, at(20))
    assert baseline_is_current(PACLITAXEL, at(-30), at(0))
    assert not baseline_is_current(PACLITAXEL, at(-31), at(0))


def test_a_closed_session_has_nothing_due() -> None:
    session = started()
    session = record(session, session.complete(at(60)))
    session = record(session, session.close(at(61), reason="patient declined to stay"))
    status = vitals_status(session, at(60), at(200))
    assert (status.state, status.check, status.due_in) == (VitalsState.NOT_YET_DUE, None, None)


def test_a_clock_jumping_back_never_gives_a_negative_countdown() -> None:
    status = vitals_status(started(), at(20), at(10))
    assert status.due_in is not None and status.due_in >= timedelta(0)


def test_missed_check_reasons_are_validated() -> None:
    note = missed_check_note("patient_refused")
    assert (note.reason, note.text) == (MissedCheckReason.PATIENT_REFUSED, None)
    assert missed_check_note("other", "  scanner down  ").text == "scanner down"
    assert MissedCheckReason.PATIENT_OFF_UNIT.label == "Patient off the unit / bathroom"
    with pytest.raises(UserError, match="Choose one of: patient_refused, patient_off_unit"):
        missed_check_note("forgot")
    with pytest.raises(UserError, match='reason "other" needs a description'):
        missed_check_note("other", "   ")
    with pytest.raises(UserError, match="longer than 500 characters"):
        missed_check_note("other", "x" * 501)
