"""Reaction care through the services: symptoms, assessment, alerts, guidance, outcome, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from care_world import case, running_chair, vitals_draft
from infusion_monitor.domain.alerts import AlertChange, AlertPriority, AlertState
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.reaction import Disposition, Outcome
from infusion_monitor.domain.session import SessionState
from infusion_monitor.errors import UserError
from infusion_monitor.services.care.picture import flagged_reactions
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.services.sessions.setup import previous_reactions
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database
from session_helpers import NURSE, T0


def _chair(database: Database, name: str = "V03"):  # type: ignore[no-untyped-def]
    clock = FakeClock(T0)
    return running_chair(database, clock, case(name)), case(name)


def test_anaphylaxis_raises_one_high_alert_then_answered_and_recorded(database: Database) -> None:
    chair, data = _chair(database)
    care = chair.care.care
    chair.clock.advance(timedelta(minutes=10))
    outcomes = [care.record_symptom(NURSE, chair.session_id, s["code"]) for s in data["symptoms"]]
    assert outcomes[0].alert_raised  # urticaria alone: low (mild reaction)
    assert outcomes[0].picture.alert is not None
    assert outcomes[0].picture.alert.priority is AlertPriority.LOW
    worst = outcomes[-1].picture
    assert worst.alert is not None and worst.alert.priority is AlertPriority.HIGH
    assert worst.alert.condition == "anaphylaxis"
    assert worst.guidance.pathways[0] == "anaphylaxis"
    assert worst.guidance.steps[0].text == "Stop the infusion now."
    first_high = worst.alert.id

    recorded = chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(data["observations"][0]), chair.clock.now()
    )
    assert recorded.assessment is not None and recorded.assessment.priority is AlertPriority.HIGH
    picture = care.picture(chair.session_id)
    assert picture.alert is not None and picture.alert.id == first_high  # updated, not a new one
    with database.sessions() as db:
        open_alerts = db.scalar(
            select(func.count()).select_from(models.Alert).where(models.Alert.state != "resolved")
        )
    assert open_alerts == 1

    chair.clock.advance(timedelta(seconds=40))
    acked = chair.care.alerts.acknowledge(NURSE, first_high)
    assert acked.alert.state is AlertState.ACKNOWLEDGED
    assert acked.alert.acknowledged_by == NURSE.name
    with pytest.raises(UserError, match="already acknowledged"):
        chair.care.alerts.acknowledge(NURSE, first_high)

    stopped = care.mark_step_done(NURSE, chair.session_id, "stop_infusion")
    assert chair.sessions.detail(chair.session_id).state is SessionState.PAUSED
    assert stopped.picture.guidance.steps[0].done_by == NURSE.name
    chair.clock.advance(timedelta(seconds=30))
    care.mark_step_done(NURSE, chair.session_id, "call_emergency_team")
    chair.clock.advance(timedelta(seconds=30))
    given = care.mark_step_done(NURSE, chair.session_id, "epinephrine_im")
    assert ("epinephrine_im", chair.clock.now()) in given.picture.course
    with pytest.raises(UserError, match="reason"):
        care.decline_step(NURSE, chair.session_id, "bronchodilator", " ")
    declined = care.decline_step(NURSE, chair.session_id, "bronchodilator", "wheeze settled")
    step = next(s for s in declined.picture.guidance.steps if s.code == "bronchodilator")
    assert step.declined_reason == "wheeze settled"

    clock = declined.picture.reaction.clock
    assert clock is not None
    assert clock.onset_at == T0 + timedelta(minutes=10)
    assert clock.to_stopped == timedelta(seconds=40)
    assert clock.to_notified == timedelta(seconds=70)
    assert clock.to_first_drug == timedelta(seconds=100)

    chair.clock.advance(timedelta(minutes=20))
    for symptom in declined.picture.symptoms:
        last = care.resolve_symptom(NURSE, symptom.id)
    assert all(not s.active for s in last.picture.symptoms)
    suggestion = last.picture.guidance
    outcome = Outcome(
        disposition=Disposition.DISCONTINUED,
        resolved_at=chair.clock.now(),
        restarted_at=None,
        restart_rate=None,
        ctcae_term=suggestion.ctcae_term,
        ctcae_grade=suggestion.ctcae_grade,
        suggested_term=suggestion.ctcae_term,
        suggested_grade=suggestion.ctcae_grade,
        flag_next_session=True,
    )
    closed = care.record_outcome(NURSE, chair.session_id, outcome)
    assert closed.picture.reaction.outcome == outcome
    assert suggestion.ctcae_term == "anaphylaxis"
    with database.sessions() as db:
        session = db.get(models.InfusionSession, chair.session_id)
        assert session is not None
        lines = flagged_reactions(db, session.patient_id)
        assert lines and "anaphylaxis grade 3" in lines[0]
        assert lines[0] in previous_reactions(db, session.patient)
        audited = set(db.scalars(select(models.AuditEntry.action)))
    assert {
        "symptom.record",
        "symptom.resolve",
        "alert.raise",
        "alert.acknowledge",
        "intervention.record",
        "reaction.outcome",
        "session.pause",
    } <= audited


def test_symptom_refusals_and_amendments(database: Database) -> None:
    chair, _ = _chair(database)
    care = chair.care.care
    sid = chair.session_id
    with pytest.raises(UserError, match="Describe"):
        care.record_symptom(NURSE, sid, "other")
    with pytest.raises(UserError, match="not a symptom"):
        care.record_symptom(NURSE, sid, "sunburn")
    with pytest.raises(UserError, match="future"):
        care.record_symptom(NURSE, sid, "flushing", T0 + timedelta(minutes=1))
    with pytest.raises(UserError, match="before this session"):
        care.record_symptom(NURSE, sid, "flushing", T0 - timedelta(hours=2))
    chair.clock.advance(timedelta(minutes=3))
    first = care.record_symptom(NURSE, sid, "flushing", T0 + timedelta(minutes=1))
    with pytest.raises(UserError, match="already recorded"):
        care.record_symptom(NURSE, sid, "flushing")
    other = care.record_symptom(NURSE, sid, "other", note="tingling fingers")
    assert any(s.label == "tingling fingers" for s in other.picture.symptoms)
    flushing = first.picture.symptoms[0]
    with pytest.raises(UserError, match="reason"):
        care.amend_symptom(NURSE, flushing.id, onset_at=T0, reason="")
    amended = care.amend_symptom(
        NURSE, flushing.id, onset_at=T0 + timedelta(minutes=2), reason="typo"
    )
    moved = next(s for s in amended.picture.symptoms if s.code == "flushing")
    assert moved.onset_at == T0 + timedelta(minutes=2)
    with pytest.raises(UserError, match="changed meanwhile"):
        care.amend_symptom(NURSE, flushing.id, reason="again")
    gone = care.amend_symptom(NURSE, moved.id, reason="entered in error")
    assert all(s.code != "flushing" for s in gone.picture.symptoms)
    assert gone.alert_change in (AlertChange.NONE, AlertChange.RESOLVED)


def test_escalate_anyway_shows_on_the_unit_and_survives_a_quiet_assessment(
    database: Database,
) -> None:
    chair, data = _chair(database)
    care = chair.care.care
    assert chair.care.alerts.unit_alerts().summary.text == ""
    escalated = care.escalate(NURSE, chair.session_id)
    assert escalated.picture.alert is not None
    assert escalated.picture.alert.escalated_by_nurse
    assert chair.care.alerts.unit_alerts().summary.text == "!!! 1 HIGH · escalated"
    chair.clock.advance(timedelta(minutes=5))
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(data["baseline"]), chair.clock.now()
    )
    assert chair.care.alerts.unit_alerts().summary.high == 1
    alert = care.picture(chair.session_id).alert
    assert alert is not None
    with pytest.raises(UserError, match="reason"):
        chair.care.alerts.resolve(NURSE, alert.id, "")
    done = chair.care.alerts.resolve(NURSE, alert.id, "reviewed by the doctor")
    assert done.picture.alert is None


def test_unacknowledged_high_alert_escalates_after_two_minutes(database: Database) -> None:
    chair, _ = _chair(database)
    chair.clock.advance(timedelta(minutes=1))
    chair.care.care.record_symptom(NURSE, chair.session_id, "syncope")
    unit = chair.care.alerts.unit_alerts()
    assert unit.summary.text == "!!! 1 HIGH"
    chair.clock.advance(timedelta(minutes=2))
    assert chair.care.alerts.unit_alerts().summary.text == "!!! 1 HIGH · escalated"


def test_treatment_outside_the_steps_and_refused_outcome(database: Database) -> None:
    chair, _ = _chair(database)
    care = chair.care.care
    with pytest.raises(UserError, match="no reaction"):
        care.record_outcome(
            NURSE,
            chair.session_id,
            Outcome(Disposition.CONTINUED, T0, None, None, "anaphylaxis", 3, "none", 0, False),
        )
    chair.clock.advance(timedelta(minutes=2))
    care.record_symptom(NURSE, chair.session_id, "urticaria")
    given = care.record_treatment(NURSE, chair.session_id, CourseAction.ANTIHISTAMINE_H1)
    assert given.picture.course[-1][0] == "antihistamine_h1"
    paused = care.record_treatment(NURSE, chair.session_id, CourseAction.PAUSE_INFUSION)
    assert chair.sessions.detail(chair.session_id).state is SessionState.PAUSED
    assert paused.picture.reaction.clock is not None
    assert paused.picture.reaction.clock.to_stopped == timedelta(0)
    with pytest.raises(UserError, match="restart at no more than 25 mg/h"):
        care.record_treatment(NURSE, chair.session_id, CourseAction.RESTART_INFUSION)
    detail = chair.sessions.detail(chair.session_id)
    chair.sessions.resume(SessionRef(detail.id, detail.version), NURSE, 25)
    assert chair.sessions.detail(chair.session_id).state is SessionState.RUNNING
    chair.clock.advance(timedelta(minutes=1))
    medicated = care.mark_step_done(
        NURSE, chair.session_id, "standing_order_medication", "antihistamine_h2"
    )
    assert medicated.picture.course[-1][0] == "antihistamine_h2"
    with pytest.raises(UserError, match="which standing-order"):
        care.mark_step_done(NURSE, chair.session_id, "standing_order_medication", "")
    bad = Outcome(
        Disposition.CONTINUED, None, None, None, "anaphylaxis", 1, "anaphylaxis", 3, False
    )
    with pytest.raises(UserError, match="resolved"):
        care.record_outcome(NURSE, chair.session_id, bad)
