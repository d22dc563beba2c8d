"""A unit's database for integration tests: open it on a backend, add chairs with sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.storage.models import Chair, InfusionSession, Nurse, Patient

#: Sessions start well before "now", so monitor times are never before the session began.
STARTED = datetime.now(UTC) - timedelta(hours=1)


def add_running_session(
    sessions: sessionmaker[Session], chair: str, mrn: str, *, staff_id: str = "N001"
) -> int:
    """Add a running session (and its nurse, patient, chair as needed); return its id."""
    with sessions.begin() as db:
        nurse = db.query(Nurse).filter_by(staff_id=staff_id).one_or_none() or Nurse(
            staff_id=staff_id, name="Ada Nurse", role="nurse"
        )
        seat = db.query(Chair).filter_by(name=chair).one_or_none() or Chair(
            name=chair, position=db.query(Chair).count()
        )
        patient = Patient(mrn=mrn, name="Pat Example", date_of_birth=date(1960, 1, 2))
        row = InfusionSession(
            patient=patient,
            chair=seat,
            nurse=nurse,
            protocol_id="rituximab",
            protocol_version="sha256:abc",
            ruleset_name="default",
            ruleset_version="sha256:def",
            dose=375.0,
            dose_unit="mg/m2",
            rate=50.0,
            rate_unit="mg/h",
            planned_duration_min=240,
            cycle=1,
            first_dose=True,
            prior_reaction_to_drug=False,
            state="running",
            created_at=STARTED,
            updated_at=STARTED,
        )
        db.add(row)
        db.flush()
        return row.id
