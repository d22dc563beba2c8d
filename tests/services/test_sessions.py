"""Session use cases: set-up checks, lifecycle, refusals that store nothing, the version lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from infusion_monitor.domain.session import SessionError, SessionState
from infusion_monitor.domain.users import Actor, PermissionDenied, Role
from infusion_monitor.errors import UserError
from infusion_monitor.services.sessions.lifecycle import (
    SessionRef,
    SetupRefused,
    StaleSessionError,
)
from infusion_monitor.services.sessions.records import SessionDetail
from infusion_monitor.storage.models import AuditEntry, InfusionSession, SessionEvent, VitalSigns
from session_helpers import NURSE, Services, baseline, draft


def ref(detail: SessionDetail) -> SessionRef:
    return SessionRef(detail.id, detail.version)


def counts(services: Services) -> tuple[int, int, int]:
    """(events, audit rows, vitals rows) stored so far."""
    with services.database.sessions() as db:
        return (
            db.scalar(select(func.count()).select_from(SessionEvent)) or 0,
            db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            db.scalar(select(func.count()).select_from(VitalSigns)) or 0,
        )


def in_state(services: Services, state: SessionState) -> SessionDetail:
    """A rituximab session brought to ``state`` through the service."""
    svc, clock = services.sessions, services.clock
    detail = svc.set_up(draft(clock), NURSE).detail
    if state is SessionState.PLANNED:
        return detail
    detail = svc.start(ref(detail), NURSE).detail
    clock.advance(timedelta(minutes=10))
    if state is SessionState.RUNNING:
        return detail
    if state is SessionState.PAUSED:
        return svc.pause(ref(detail), NURSE, "Patient to the bathroom").detail
    if state is SessionState.COMPLETED:
        return svc.complete(ref(detail), NURSE, observe=False).detail
    if state is SessionState.DISCONTINUED:
        return svc.discontinue(ref(detail), NURSE, "Reaction", observe=False).detail
    detail = svc.complete(ref(detail), NURSE).detail
    if state is SessionState.OBSERVATION:
        return detail
    return svc.close(ref(detail), NURSE, "Patient transferred").detail


ACTIONS: dict[str, Callable[[Services, SessionDetail], object]] = {
    "start": lambda s, d: s.sessions.start(ref(d), NURSE),
    "pause": lambda s, d: s.sessions.pause(ref(d), NURSE, "bathroom"),
    "resume": lambda s, d: s.sessions.resume(ref(d), NURSE),
    "change_rate": lambda s, d: s.sessions.change_rate(ref(d), NURSE, 25),
    "complete": lambda s, d: s.sessions.complete(ref(d), NURSE),
    "discontinue": lambda s, d: s.sessions.discontinue(ref(d), NURSE, "reaction"),
    "start_observation": lambda s, d: s.sessions.start_observation(ref(d), NURSE),
    "close": lambda s, d: s.sessions.close(ref(d), NURSE, "patient left"),
}
LEGAL = {
    SessionState.PLANNED: {"start"},
    SessionState.RUNNING: {"pause", "change_rate", "complete", "discontinue"},
    SessionState.PAUSED: {"resume", "discontinue"},
    SessionState.COMPLETED: {"start_observation", "close"},
    SessionState.DISCONTINUED: {"start_observation", "close"},
    SessionState.OBSERVATION: {"close"},
    SessionState.CLOSED: set(),
}
ILLEGAL = [
    (state, action) for state in SessionState for action in ACTIONS if action not in LEGAL[state]
]
LEGAL_PAIRS = [(state, action) for state in SessionState for action in sorted(LEGAL[state])]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: str(v))
def test_every_illegal_transition_is_refused_and_stores_nothing(
    services: Services, state: SessionState, action: str
) -> None:
    detail = in_state(services, state)
    before = counts(services)
    with pytest.raises(SessionError, match=r"^Cannot .*\(state: "):
        ACTIONS[action](services, detail)
    assert counts(services) == before
    after = services.sessions.detail(detail.id)
    assert (after.version, after.state) == (detail.version, detail.state)


@pytest.mark.parametrize(("state", "action"), LEGAL_PAIRS, ids=lambda v: str(v))
def test_every_legal_transition_stores_events_audit_and_a_new_version(
    services: Services, state: SessionState, action: str
) -> None:
    detail = in_state(services, state)
    events, audits, _ = counts(services)
    changed = ACTIONS[action](services, detail)
    new_events, new_audits, _ = counts(services)
    assert new_events > events
    assert new_audits == audits + 1
    assert changed.detail.version == detail.version + 1  # type: ignore[attr-defined]


def test_lifecycle_states_rates_and_timeline(services: Services) -> None:
    svc, clock = services.sessions, services.clock
    detail = svc.set_up(draft(clock), NURSE).detail
    assert detail.state is SessionState.PLANNED and detail.version == 1
    assert detail.protocol_version.startswith("sha256:")
    assert detail.ruleset_version.startswith("sha256:")
    detail = svc.start(ref(detail), NURSE).detail
    assert (detail.state, detail.rate) == (SessionState.RUNNING, 50)
    clock.advance(timedelta(minutes=30))
    step = detail.next_rate_step(clock.now())
    assert step is not None and step.due and step.rate == 100
    with pytest.raises(SessionError, match="vital signs are 35 min old"):
        svc.change_rate(ref(detail), NURSE, 100)
    _record_vitals(services, detail.id)
    detail = svc.change_rate(ref(detail), NURSE, 100).detail
    assert detail.rate == 100
    assert detail.next_rate_step(clock.now()) is not None
    clock.advance(timedelta(minutes=5))
    detail = svc.pause(ref(detail), NURSE, "Bathroom").detail
    assert detail.pause_reason == "Bathroom"
    clock.advance(timedelta(minutes=5))
    detail = svc.resume(ref(detail), NURSE).detail
    clock.advance(timedelta(minutes=20))
    detail = svc.complete(ref(detail), NURSE).detail
    assert detail.state is SessionState.OBSERVATION
    assert detail.infusion_time(clock.now()) == timedelta(minutes=55)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(SessionError, match="observation has 50 min left"):
        svc.close(ref(detail), NURSE)
    clock.advance(timedelta(minutes=50))
    detail = svc.close(ref(detail), NURSE).detail
    assert detail.state is SessionState.CLOSED
    kinds = [entry.kind for entry in detail.timeline]
    assert kinds == [
        "start",
        "rate_change",
        "pause",
        "resume",
        "complete",
        "observation_start",
        "close",
    ]
    assert all(entry.author == "Ada Nurse" for entry in detail.timeline)
    assert services.sessions.active_in("Chair 1") is None


def _record_vitals(services: Services, session_id: int) -> None:
    with services.database.sessions.begin() as db:
        query = select(InfusionSession.nurse_id).where(InfusionSession.id == session_id)
        nurse_id = db.scalar(query)
        assert nurse_id is not None
        db.add(
            VitalSigns(
                session_id=session_id,
                taken_at=services.clock.now() - timedelta(minutes=2),
                entered_at=services.clock.now(),
                entered_by_id=nurse_id,
                source="typed",
                heart_rate=80,
                acvpu="A",
            )
        )


def test_stale_version_is_refused_with_a_clear_message(services: Services) -> None:
    detail = in_state(services, SessionState.RUNNING)
    services.sessions.pause(ref(detail), NURSE, "Bathroom")
    before = counts(services)
    with pytest.raises(StaleSessionError, match="changed on another workstation"):
        services.sessions.complete(ref(detail), NURSE)
    assert counts(services) == before
    assert services.sessions.detail(detail.id).state is SessionState.PAUSED


def test_set_up_needs_name_and_a_second_identifier_and_a_full_baseline(
    services: Services,
) -> None:
    clock = services.clock
    bad = draft(
        clock,
        patient_name=" ",
        mrn="",
        date_of_birth=None,
        baseline=baseline(clock.now(), hr=None, temp_c=98.6),
    )
    with pytest.raises(SetupRefused) as refused:
        services.sessions.set_up(bad, NURSE)
    fields = {field for field, _ in refused.value.problems}
    assert {"name", "mrn", "baseline_hr", "baseline_temp_c"} <= fields
    assert "looks like °F" in refused.value.message
    assert counts(services) == (0, 0, 0)


def test_date_of_birth_alone_is_a_second_identifier(services: Services) -> None:
    detail = services.sessions.set_up(draft(services.clock, mrn=""), NURSE).detail
    assert detail.patient.mrn is None
    assert detail.patient.short_id == "b. 1961"


def test_returning_patient_found_by_mrn_with_previous_reactions(services: Services) -> None:
    svc, clock = services.sessions, services.clock
    first = svc.set_up(draft(clock, reaction_history="Rituximab C1: rigors"), NURSE).detail
    first = svc.start(ref(first), NURSE).detail
    clock.advance(timedelta(minutes=20))
    first = svc.discontinue(ref(first), NURSE, "Grade 2 infusion reaction").detail
    svc.close(ref(first), NURSE, "Admitted for observation")
    found = svc.find_patient("00412821")
    assert found is not None
    assert found.patient.name == "Ellen Marsh"
    assert found.previous_reactions[0] == "Rituximab C1: rigors"
    assert "discontinued (Grade 2 infusion reaction)" in found.previous_reactions[1]
    assert svc.find_patient("99999999") is None


def test_mrn_of_another_patient_is_refused(services: Services) -> None:
    svc, clock = services.sessions, services.clock
    svc.set_up(draft(clock), NURSE)
    other = draft(clock, chair="Chair 2", patient_name="Tomas Rivera", date_of_birth=None)
    with pytest.raises(SetupRefused, match="belongs to Ellen Marsh"):
        svc.set_up(other, NURSE)


def test_occupied_chair_and_double_booked_patient_are_refused(services: Services) -> None:
    svc, clock = services.sessions, services.clock
    svc.set_up(draft(clock), NURSE)
    with pytest.raises(SetupRefused, match="already has an open session"):
        svc.set_up(draft(clock, mrn="1", patient_name="Other Person"), NURSE)
    with pytest.raises(SetupRefused, match="already has an open session in Chair 1"):
        svc.set_up(draft(clock, chair="Chair 2"), NURSE)


def test_baseline_news2_warning_must_be_acknowledged_with_a_reason(services: Services) -> None:
    svc, clock = services.sessions, services.clock
    sick = baseline(clock.now(), hr=125, rr=26, spo2=92, temp_c=38.6)
    outcome = svc.set_up(draft(clock, baseline=sick), NURSE)
    assert outcome.baseline_warning
    assert svc.detail(outcome.detail.id).baseline_warning
    with pytest.raises(SessionError, match="baseline NEWS2 warning is not acknowledged"):
        svc.start(ref(outcome.detail), NURSE)
    started = svc.start(ref(outcome.detail), NURSE, "Reviewed by Dr Ng: chronic, proceed").detail
    assert started.timeline[0].reason == "Reviewed by Dr Ng: chronic, proceed"


def test_a_stale_baseline_blocks_the_start_until_a_new_one(services: Services) -> None:
    svc, clock = services.sessions, services.clock
    detail = svc.set_up(draft(clock), NURSE).detail
    clock.advance(timedelta(minutes=40))
    with pytest.raises(SessionError, match="no baseline vital signs"):
        svc.start(ref(detail), NURSE)
    detail = svc.record_baseline(ref(detail), baseline(clock.now()), NURSE).detail
    assert svc.start(ref(detail), NURSE).detail.state is SessionState.RUNNING


def test_actor_without_care_permission_is_refused(services: Services) -> None:
    admin = Actor("A1", "Al Admin", Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.sessions.set_up(draft(services.clock), admin)
    assert counts(services) == (0, 0, 0)


def test_restart_37_minutes_later_shows_37_minutes(services: Services) -> None:
    detail = in_state(services, SessionState.PLANNED)
    services.sessions.start(ref(detail), NURSE)
    services.clock.advance(timedelta(minutes=37))
    board = services.restart().board.snapshot()
    assert board[0].session is not None
    assert board[0].session.infusion_time(services.clock.now()) == timedelta(minutes=37)


def test_the_drug_list_comes_from_the_protocol_library(services: Services) -> None:
    choices = services.sessions.protocols()
    names = [choice.drug_name for choice in choices]
    assert "Rituximab" in names and "Paclitaxel" in names
    assert choices[-1].generic
    carboplatin = next(c for c in choices if c.protocol_id == "carboplatin")
    assert carboplatin.cycle_risk(5) is None
    assert carboplatin.cycle_risk(6) is not None
    rituximab = next(c for c in choices if c.protocol_id == "rituximab-first")
    assert (rituximab.start_rate, rituximab.rate_unit) == (50, "mg/h")
    assert [p.label for p in rituximab.premedications] == [
        "H1 antihistamine",
        "Antipyretic (paracetamol)",
    ]


def test_unknown_session_is_a_user_error(services: Services) -> None:
    with pytest.raises(UserError, match="no longer exists"):
        services.sessions.detail(999)


def test_future_date_of_birth_is_refused(services: Services) -> None:
    with pytest.raises(SetupRefused, match="date of birth is in the future"):
        services.sessions.set_up(draft(services.clock, date_of_birth=date(2099, 1, 1)), NURSE)
