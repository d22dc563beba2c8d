"""A symptom in the nurse's own words is stored and shown, never graded, and logs no warning."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from care_world import RULES, case, running_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.services.vitals.trend import VitalsTrendService
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database
from session_helpers import NURSE, T0

ASSESSING = "infusion_monitor.services.assessing"


def test_other_symptom_is_shown_ungraded_without_a_warning_per_assessment(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=ASSESSING)
    data = case("V03")
    chair = running_chair(database, FakeClock(T0), data)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=5))
    other = chair.care.care.record_symptom(NURSE, sid, "other", note="tingling fingers")
    assert [s.label for s in other.picture.symptoms] == ["tingling fingers"]
    assert other.picture.alert is None
    assert other.picture.guidance.priority is None
    assert other.picture.guidance.ctcae_term == "none"
    for minutes in (5, 5):
        chair.clock.advance(timedelta(minutes=minutes))
        chair.vitals.record_vitals(
            NURSE, sid, vitals_draft(data["baseline"], late=False), chair.clock.now()
        )
        chair.care.assessing.forget(sid)  # rebuilt from storage on the next assessment
    detail = chair.sessions.detail(sid)
    chair.sessions.pause(SessionRef(detail.id, detail.version), NURSE, "patient asked")
    assert [r for r in caplog.records if r.name == ASSESSING] == []

    trend = VitalsTrendService(database.sessions, lambda: RULES).trend(sid)
    assert "tingling fingers (not graded)" in [e.label for e in trend.events]


def test_a_code_outside_the_catalogue_warns_once(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=ASSESSING)
    data = case("V03")
    chair = running_chair(database, FakeClock(T0), data)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=1))
    with database.sessions.begin() as db:
        nurse = db.query(models.Nurse).filter_by(staff_id=NURSE.staff_id).one()
        db.add(
            models.SymptomRecord(
                session_id=sid,
                code="legacy_itch_code",
                onset_at=chair.clock.now(),
                recorded_at=chair.clock.now(),
                recorded_by_id=nurse.id,
            )
        )
    for _ in range(3):
        chair.clock.advance(timedelta(minutes=5))
        chair.vitals.record_vitals(
            NURSE, sid, vitals_draft(data["baseline"], late=False), chair.clock.now()
        )
        chair.care.assessing.forget(sid)
    warnings = [r.getMessage() for r in caplog.records if r.name == ASSESSING]
    assert warnings == ["symptom code 'legacy_itch_code' is not in the catalogue; not assessed"]
