"""Lifecycle changes are assessed in their own transaction, through the one assessing service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from care_world import Chair, case, running_chair
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.errors import UserError
from infusion_monitor.services.assessing import latest_assessment
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database
from session_helpers import NURSE, T0


def _chair(database: Database) -> Chair:
    return running_chair(database, FakeClock(T0), case("V03"))


def _ref(chair: Chair) -> SessionRef:
    detail = chair.sessions.detail(chair.session_id)
    return SessionRef(detail.id, detail.version)


def _ctcae(result: Any) -> tuple[str, int]:
    return result["ctcae"]["term"], result["ctcae"]["grade"]


def _commits(database: Database) -> list[int]:
    seen: list[int] = []
    event.listen(database.sessions, "after_commit", lambda _db: seen.append(1))
    return seen


def test_pause_during_a_reaction_regrades_ctcae_in_the_same_commit(database: Database) -> None:
    chair = _chair(database)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=10))
    hives = chair.care.care.record_symptom(NURSE, sid, "urticaria")
    assert (hives.picture.guidance.ctcae_term, hives.picture.guidance.ctcae_grade) == (
        "infusion_related_reaction",
        1,
    )
    chair.clock.advance(timedelta(minutes=1))
    commits = _commits(database)

    paused = chair.sessions.pause(_ref(chair), NURSE, "hives")

    assert len(commits) == 1
    assert paused.assessment is not None
    assert paused.assessment.at == chair.clock.now()
    assert _ctcae(paused.assessment.result) == ("infusion_related_reaction", 2)
    with database.sessions() as db:
        stored = latest_assessment(db, sid)
        pause_at = db.scalar(
            select(models.SessionEvent.at).where(
                models.SessionEvent.session_id == sid, models.SessionEvent.type == "pause"
            )
        )
        alert = db.scalars(select(models.Alert).where(models.Alert.session_id == sid)).one()
    assert stored is not None and stored.id == paused.assessment.id
    assert stored.at == pause_at
    assert _ctcae(stored.result) == ("infusion_related_reaction", 2)
    assert chair.care.care.picture(sid).guidance.ctcae_grade == 2
    assert alert.condition == "mild_reaction"


def test_completing_the_infusion_drops_stop_infusion_at_once(database: Database) -> None:
    chair = _chair(database)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=10))
    moderate = chair.care.care.record_symptom(NURSE, sid, "dyspnea")
    assert "stop_infusion" in [step.code for step in moderate.picture.guidance.steps]
    chair.clock.advance(timedelta(minutes=1))

    done = chair.sessions.complete(_ref(chair), NURSE)

    assert done.assessment is not None
    assert "stop_infusion" not in done.assessment.actions
    assert "moderate_reaction" in done.assessment.pathways
    steps = [step.code for step in chair.care.care.picture(sid).guidance.steps]
    assert "stop_infusion" not in steps and "notify_provider_now" in steps


def test_resume_and_discontinue_enter_the_course_when_they_happen(database: Database) -> None:
    chair = _chair(database)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=5))
    chair.care.care.record_symptom(NURSE, sid, "flushing")
    chair.clock.advance(timedelta(minutes=1))
    chair.sessions.pause(_ref(chair), NURSE, "flushing")
    chair.clock.advance(timedelta(minutes=20))
    resumed = chair.sessions.resume(_ref(chair), NURSE, 25)  # half the rate (rituximab label)
    assert resumed.assessment is not None and resumed.assessment.at == chair.clock.now()
    chair.clock.advance(timedelta(minutes=1))
    stopped = chair.sessions.discontinue(_ref(chair), NURSE, "recurring flushing")
    assert stopped.assessment is not None
    assert "stop_infusion" not in stopped.assessment.actions
    observing = chair.sessions.detail(sid)
    closed = chair.sessions.close(SessionRef(observing.id, observing.version), NURSE, "sent home")
    assert closed.assessment is None  # closing changes nothing the rules see


def _stored(database: Database, sid: int) -> dict[str, object]:
    with database.sessions() as db:
        row = db.get(models.InfusionSession, sid)
        assert row is not None

        def count(model: Any) -> int:
            return len(db.scalars(select(model.id)).all())

        return {
            "state": row.state,
            "version": row.version,
            "events": [e.type for e in db.scalars(select(models.SessionEvent))],
            "interventions": count(models.Intervention),
            "assessments": count(models.Assessment),
            "audit": count(models.AuditEntry),
        }


def test_guidance_stop_is_one_transaction_and_a_failure_after_the_pause_stores_nothing(
    database: Database,
) -> None:
    chair = _chair(database)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=10))
    chair.care.care.record_symptom(NURSE, sid, "dyspnea")
    chair.clock.advance(timedelta(seconds=30))
    before = _stored(database, sid)
    failing = [True]

    def crash_after_the_pause(db: Any, _outcome: object) -> None:
        paused = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "pause")
        ).first()
        if failing[0] and paused is not None:
            raise RuntimeError("power cut")

    chair.care.assessing.add_listener(crash_after_the_pause)
    with pytest.raises(RuntimeError, match="power cut"):
        chair.care.care.mark_step_done(NURSE, sid, "stop_infusion")
    assert _stored(database, sid) == before  # no pause without its recorded step, and no audit

    failing[0] = False
    commits = _commits(database)
    done = chair.care.care.mark_step_done(NURSE, sid, "stop_infusion")
    assert len(commits) == 1
    after = _stored(database, sid)
    assert after["state"] == "paused"
    assert after["events"] == [*before["events"], "pause"]  # type: ignore[misc]
    assert after["interventions"] == before["interventions"] + 1  # type: ignore[operator]
    assert after["assessments"] == before["assessments"] + 1  # type: ignore[operator]
    with database.sessions() as db:
        audited = list(db.scalars(select(models.AuditEntry.action).order_by(models.AuditEntry.id)))
    assert audited[-2:] == ["session.pause", "intervention.record"]
    step = next(s for s in done.picture.guidance.steps if s.code == "stop_infusion")
    assert step.done_by == NURSE.name
    assert done.picture.guidance.ctcae_grade == 2


def test_a_lifecycle_treatment_the_state_does_not_allow_is_refused_not_silently_dropped(
    database: Database,
) -> None:
    chair = _chair(database)
    sid = chair.session_id
    care = chair.care.care
    chair.clock.advance(timedelta(minutes=3))
    care.record_symptom(NURSE, sid, "urticaria")
    with pytest.raises(UserError, match="session is running, so the infusion cannot be restarted"):
        care.record_treatment(NURSE, sid, CourseAction.RESTART_INFUSION)
    care.record_treatment(NURSE, sid, CourseAction.PAUSE_INFUSION)
    before = _stored(database, sid)
    assert before["state"] == "paused"
    with pytest.raises(UserError, match="Nothing was recorded: the session is paused"):
        care.record_treatment(NURSE, sid, CourseAction.PAUSE_INFUSION)
    assert _stored(database, sid) == before
