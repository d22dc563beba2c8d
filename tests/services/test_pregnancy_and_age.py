"""Pregnancy and age reach the rules from the stored set-up: NEWS2 is not scored when it does not
apply, and the set-up says when the rules must assume the age."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from care_world import RULES, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.services.assessing import AssessingService, age_years
from infusion_monitor.services.sessions.lifecycle import SessionRef, SessionService
from infusion_monitor.services.vitals.recording import VitalsRecorded, VitalsService
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database
from infusion_monitor.ui.vitals_panel import saved_summary
from session_helpers import CHAIRS, NURSE, T0, baseline, draft, library

#: A set that scores NEWS2 8 (RR 26, HR 135, temperature 39.2) without hypoxia.
SICK = {"hr": 135, "sbp": 128, "dbp": 80, "rr": 26, "spo2": 96, "temp_c": 39.2}


def _world(database: Database) -> tuple[FakeClock, SessionService, VitalsService]:
    clock = FakeClock(T0)
    assessing = AssessingService(lambda: RULES)
    sessions = SessionService(
        database.sessions, library(), lambda: RULES, clock, CHAIRS, assessing=assessing
    )
    return clock, sessions, VitalsService(database.sessions, assessing, library())


def _sick_set(
    clock: FakeClock, sessions: SessionService, vitals: VitalsService, **changes: object
) -> VitalsRecorded:
    setup = sessions.set_up(draft(clock, **changes), NURSE)
    sessions.start(SessionRef(setup.detail.id, setup.detail.version), NURSE)
    clock.advance(timedelta(minutes=5))
    return vitals.record_vitals(NURSE, setup.detail.id, vitals_draft(SICK), clock.now())


def test_pregnancy_is_stored_and_news2_is_not_scored(database: Database) -> None:
    clock, sessions, vitals = _world(database)
    control = _sick_set(clock, sessions, vitals)
    assert control.assessment is not None
    assert control.assessment.news2_score == 8
    assert "deterioration_emergency" in control.assessment.pathways

    pregnant = _sick_set(
        clock,
        sessions,
        vitals,
        chair="Chair 2",
        patient_name="Mia Stone",
        mrn="00500001",
        date_of_birth=date(1994, 6, 1),
        pregnant=True,
    )
    assessment = pregnant.assessment
    assert assessment is not None
    assert assessment.result["news2"]["applicable"] is False
    assert assessment.news2_score is None
    assert assessment.news2_not_applicable == "pregnancy"
    assert not [p for p in assessment.pathways if p.startswith("deterioration")]
    assert (
        "NEWS2 does not apply (pregnancy) — use your unit's obstetric early-warning chart"
        in saved_summary(pregnant, clock.now())
    )
    assert "NEWS2 8" in saved_summary(control, clock.now())
    with database.sessions() as db:
        rows = {r.id: r.pregnant for r in db.scalars(select(models.InfusionSession))}
        audited = [
            a.after
            for a in db.scalars(
                select(models.AuditEntry).where(models.AuditEntry.action == "session.set_up")
            )
        ]
    assert rows == {control.entry.session_id: False, pregnant.entry.session_id: True}
    assert [a["pregnant"] for a in audited if a is not None] == [False, True]


def test_no_baseline_news2_warning_when_news2_does_not_apply(database: Database) -> None:
    clock, sessions, _ = _world(database)
    raised = baseline(clock.now() - timedelta(minutes=5), rr=26, hr=135)
    assert sessions.set_up(draft(clock, baseline=raised), NURSE).baseline_warning
    in_pregnancy = sessions.set_up(
        draft(
            clock,
            chair="Chair 2",
            patient_name="Mia Stone",
            mrn="00500001",
            baseline=raised,
            pregnant=True,
        ),
        NURSE,
    )
    assert in_pregnancy.baseline_warning is False


def test_without_a_date_of_birth_the_set_up_says_the_rules_assume_an_adult(
    database: Database,
) -> None:
    clock, sessions, _ = _world(database)
    known = sessions.set_up(draft(clock), NURSE)
    assert known.age_note is None
    unknown = sessions.set_up(
        draft(clock, chair="Chair 2", patient_name="Jo Doe", mrn="00500002", date_of_birth=None),
        NURSE,
    )
    assert unknown.age_note is not None
    assert "assume an adult aged 50" in unknown.age_note
    assert "under 16" in unknown.age_note


def test_a_child_is_assessed_at_the_age_in_completed_years(database: Database) -> None:
    assert age_years(date(2010, 3, 2), date(2026, 3, 1)) == 15
    assert age_years(date(2010, 3, 2), date(2026, 3, 2)) == 16
    assert age_years(date(2008, 2, 29), date(2026, 2, 28)) == 17
    clock, sessions, vitals = _world(database)
    child = _sick_set(
        clock, sessions, vitals, date_of_birth=date(2010, 3, 3), patient_name="Kit Marsh"
    )
    assert child.assessment is not None
    assert child.assessment.news2_not_applicable == "under 16"


def test_a_date_of_birth_added_to_a_returning_patient_is_audited(database: Database) -> None:
    clock, sessions, _ = _world(database)
    first = sessions.set_up(draft(clock, date_of_birth=None), NURSE)
    started = sessions.start(SessionRef(first.detail.id, first.detail.version), NURSE)
    ended = sessions.complete(SessionRef(started.detail.id, started.detail.version), NURSE)
    sessions.close(SessionRef(ended.detail.id, ended.detail.version), NURSE, "short infusion")
    clock.advance(timedelta(days=14))
    again = sessions.set_up(draft(clock), NURSE)
    assert again.age_note is None
    with database.sessions() as db:
        patient = db.scalars(select(models.Patient)).one()
        rows = list(
            db.scalars(
                select(models.AuditEntry).where(
                    models.AuditEntry.action == "patient.add_date_of_birth"
                )
            )
        )
    assert patient.date_of_birth == date(1961, 3, 12)
    assert [(r.entity_id, r.after) for r in rows] == [(str(patient.id), {"has_dob": True})]
