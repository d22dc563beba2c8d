"""Every audit row a signed-in nurse's clinical action writes names her role and workstation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from care_world import case, running_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import AuditEntry

from .conftest import WORKSTATION


def test_clinical_actions_are_audited_with_role_and_workstation(
    database: Database, clock: FakeClock, nurse: Actor
) -> None:
    data = case("V03")
    chair = running_chair(database, clock, data)
    sid, care = chair.session_id, chair.care
    clock.advance(timedelta(minutes=10))
    care.care.record_symptom(nurse, sid, "urticaria")
    care.care.record_symptom(nurse, sid, "wheeze")
    alert = care.care.picture(sid).alert
    assert alert is not None
    care.alerts.acknowledge(nurse, alert.id)
    care.care.mark_step_done(nurse, sid, "call_emergency_team")
    care.care.escalate(nurse, sid)
    chair.vitals.record_vitals(nurse, sid, vitals_draft(data["observations"][0]), clock.now())
    detail = chair.sessions.detail(sid)
    chair.sessions.pause(SessionRef(sid, detail.version), nurse, "reaction")

    with database.sessions() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.actor == nurse.staff_id)).all()
    actions = {row.action for row in rows}
    assert {"symptom.record", "alert.acknowledge", "alert.escalate", "vitals.record"} <= actions
    assert "session.pause" in actions
    assert {(row.actor_role, row.workstation) for row in rows} == {("nurse", WORKSTATION)}
