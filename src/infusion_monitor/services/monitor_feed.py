"""Store a bedside monitor's vital signs: find the session, check the values, commit once.

The monitor gateway calls :meth:`MonitorFeedService.store` for every message; the message's
control ID is recorded in the same transaction as the values, so a resent message is
recognised and never stored twice. The gateway acknowledges only after this returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.monitor import MonitorReading
from infusion_monitor.domain.vitals import (
    VITAL_LIMITS,
    pressure_reason,
    reject_reason,
    round_temperature,
)
from infusion_monitor.errors import UserError
from infusion_monitor.storage.audit import append_audit
from infusion_monitor.storage.models import (
    Chair,
    GatewayMessage,
    InfusionSession,
    Nurse,
    Patient,
    VitalSigns,
)

#: Session states in which a monitor's values are taken (a planned or closed session is not).
ACTIVE_STATES = ("running", "paused", "observation")
#: The staff record monitor values are entered by; it has no PIN, so nobody can sign in as it.
GATEWAY_STAFF_ID = "MONITOR-GATEWAY"
#: How far a monitor's clock may run ahead of ours before its time is refused.
CLOCK_SKEW_ALLOWED = timedelta(minutes=2)
_COLUMNS = {
    "hr": "heart_rate",
    "sbp": "systolic_bp",
    "dbp": "diastolic_bp",
    "rr": "respiratory_rate",
    "spo2": "spo2",
}


class ReadingRefused(UserError):
    """The values cannot be stored (unknown bed or patient, impossible value); says why."""


@dataclass(frozen=True)
class ReadingStored:
    """The reading is committed (or was already, for a resent message: ``duplicate``)."""

    session_id: int
    vital_signs_id: int
    duplicate: bool


class MonitorFeedService:
    """Monitor-sourced vital signs: one durable transaction per message."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def store(self, reading: MonitorReading, now: datetime) -> ReadingStored:
        """Store ``reading`` as monitor-sourced vitals; raise ReadingRefused saying why not."""
        values = _checked_values(reading)
        try:
            with self._sessions.begin() as db:
                done = _already_stored(db, reading)
                if done is not None:
                    return done
                session = _active_session(db, reading)
                if reading.taken_at > now + CLOCK_SKEW_ALLOWED:
                    raise ReadingRefused("the measurement time is in the future; check the clock")
                if reading.taken_at < session.created_at:
                    raise ReadingRefused("the measurement time is before the session began")
                row = VitalSigns(
                    session_id=session.id,
                    taken_at=reading.taken_at,
                    entered_at=now,
                    entered_by_id=_gateway_staff(db).id,
                    source="monitor",
                    **values,
                )
                db.add(row)
                db.flush()
                db.add(
                    GatewayMessage(
                        sender=reading.sender,
                        control_id=reading.control_id,
                        received_at=now,
                        session_id=session.id,
                        vital_signs_id=row.id,
                    )
                )
                append_audit(
                    db,
                    at=now,
                    actor=GATEWAY_STAFF_ID,
                    action="vitals.monitor",
                    entity="vital_signs",
                    entity_id=row.id,
                    before=None,
                    after={
                        "session_id": session.id,
                        "taken_at": reading.taken_at.isoformat(),
                        "message": f"{reading.sender}/{reading.control_id}",
                        "raw_temperature": reading.raw_temperature,
                        **{k: v for k, v in values.items() if v is not None},
                    },
                )
                return ReadingStored(session.id, row.id, duplicate=False)
        except IntegrityError:
            # Another connection stored the same message at the same moment: it is there once.
            with self._sessions() as db:
                done = _already_stored(db, reading)
            if done is None:
                raise
            return done


def _checked_values(reading: MonitorReading) -> dict[str, int | float | None]:
    """Refuse impossible values with the entry limits of reference §7 (domain/vitals.py)."""
    out: dict[str, int | float | None] = {}
    for name, value in reading.values.items():
        if name == "temp_c":
            value = round_temperature(value)
        limits = VITAL_LIMITS[name]
        reason = reject_reason(name, value)
        if reason is not None:
            raise ReadingRefused(f"{limits.label} {reason}")
        out["temperature_c" if name == "temp_c" else _COLUMNS[name]] = (
            float(value) if name == "temp_c" else int(value)
        )
    sbp, dbp = reading.values.get("sbp"), reading.values.get("dbp")
    reason = pressure_reason(_int(sbp), _int(dbp))
    if reason is not None:
        raise ReadingRefused(f"diastolic BP {reason}")
    return out


def _int(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def _already_stored(db: Session, reading: MonitorReading) -> ReadingStored | None:
    seen = db.scalar(
        select(GatewayMessage).where(
            GatewayMessage.sender == reading.sender,
            GatewayMessage.control_id == reading.control_id,
        )
    )
    if seen is None:
        return None
    return ReadingStored(seen.session_id, seen.vital_signs_id, duplicate=True)


def _active_session(db: Session, reading: MonitorReading) -> InfusionSession:
    """The one active session in the reading's chair (PV1-3), else of its patient (PID-3)."""
    query = select(InfusionSession).where(InfusionSession.state.in_(ACTIVE_STATES))
    if reading.bed:
        found = db.scalars(query.join(InfusionSession.chair).where(Chair.name == reading.bed))
        where = f"bed/chair '{reading.bed}'"
    else:
        found = db.scalars(
            query.join(InfusionSession.patient).where(Patient.mrn == reading.patient_id)
        )
        where = "this patient identifier"
    sessions = found.all()
    if not sessions:
        raise ReadingRefused(f"no active infusion session for {where}")
    if len(sessions) > 1:
        raise ReadingRefused(f"more than one active session for {where}; values not stored")
    session = sessions[0]
    if reading.bed and reading.patient_id and session.patient.mrn != reading.patient_id:
        raise ReadingRefused("the patient identifier does not match the patient in that chair")
    return session


def _gateway_staff(db: Session) -> Nurse:
    staff = db.scalar(select(Nurse).where(Nurse.staff_id == GATEWAY_STAFF_ID))
    if staff is None:
        staff = Nurse(staff_id=GATEWAY_STAFF_ID, name="Bedside monitor (gateway)", role="nurse")
        db.add(staff)
        db.flush()
    return staff
