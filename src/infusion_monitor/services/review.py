"""The permission gate of the review page and of exports: opening a finished session's record.

The review issue builds the page, plots and exports on top of these two use cases. Each checks
the role first and writes an audit row in the same transaction as the read, so every look at a
patient's record is on the trail (who, when, from which workstation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record
from infusion_monitor.storage.models import InfusionSession

#: Session states whose record the review page may open (a running session is on the board).
FINISHED_STATES = frozenset({"completed", "discontinued", "closed"})
EXPORT_FORMATS = frozenset({"pdf", "csv", "fhir"})
OPEN_RECORD = "review.open_record"
EXPORT_RECORD = "review.export"


class SessionNotReviewable(UserError):
    """The session does not exist or has not finished yet."""


@dataclass(frozen=True)
class SessionRecord:
    """The identity and headline of a finished session, as the review page heads it."""

    session_id: int
    patient_name: str
    mrn: str | None
    date_of_birth: date | None
    drug: str
    state: str
    created_at: datetime


class ReviewService:
    """Opens finished sessions for review or export; charge nurses only, always audited."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def open_record(self, actor: Actor, session_id: int) -> SessionRecord:
        """Open a finished session's record for the review page (audited)."""
        actor.require(Permission.REVIEW)
        return self._open(actor, session_id, OPEN_RECORD, None)

    def open_for_export(self, actor: Actor, session_id: int, export_format: str) -> SessionRecord:
        """Open a finished session's record to export it as ``export_format`` (audited)."""
        actor.require(Permission.EXPORT)
        if export_format not in EXPORT_FORMATS:
            raise UserError(
                f"Export format '{export_format}' is not known; use one of "
                f"{', '.join(sorted(EXPORT_FORMATS))}."
            )
        return self._open(actor, session_id, EXPORT_RECORD, {"format": export_format})

    def _open(
        self, actor: Actor, session_id: int, action: str, detail: dict[str, object] | None
    ) -> SessionRecord:
        with self._sessions.begin() as db:
            session = db.get(InfusionSession, session_id)
            if session is None or session.state not in FINISHED_STATES:
                raise SessionNotReviewable(
                    f"Session {session_id} is not a finished session; only completed, "
                    "discontinued or closed sessions open for review."
                )
            record(
                db,
                actor,
                at=self._clock.now(),
                action=action,
                entity="infusion_session",
                entity_id=session_id,
                after=detail,
            )
            patient = session.patient
            return SessionRecord(
                session_id=session.id,
                patient_name=patient.name,
                mrn=patient.mrn,
                date_of_birth=patient.date_of_birth,
                drug=session.drug_name,
                state=session.state,
                created_at=session.created_at,
            )
