"""The permission gate of the review page and of exports: opening a finished session's record.

The review issue builds the page, plots and exports on top of these two use cases. Each checks
the role first and writes an audit row in the same transaction as the read, so every look at a
patient's record is on the trail (who, when, from which workstation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.rules.loader import RuleSet, default_rules
from infusion_monitor.services.audit import record
from infusion_monitor.services.review.detail import SessionReview, read_review
from infusion_monitor.services.review.query import (
    PAGE_SIZE,
    FilterChoices,
    SessionFilter,
    SessionPage,
    SortKey,
    filter_choices,
    query_sessions,
)
from infusion_monitor.storage.models import InfusionSession

T = TypeVar("T")

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


def _nothing(_db: Session, _session_id: int) -> None:
    """Read nothing more than the record's headline."""


class ReviewService:
    """Opens finished sessions for review or export; charge nurses only, always audited.

    The list of sessions is role-checked but not audited (it is the index the charge nurse
    searches); opening one session's record, or exporting it, writes an audit row.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        library: ProtocolLibrary | None = None,
        rules: Callable[[], RuleSet] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._library = library
        self._rules = rules

    def list_sessions(
        self,
        actor: Actor,
        wanted: SessionFilter,
        *,
        sort: SortKey = SortKey.DATE,
        descending: bool = True,
        offset: int = 0,
        limit: int = PAGE_SIZE,
    ) -> SessionPage:
        """One page of finished sessions matching ``wanted`` (charge nurses only)."""
        actor.require(Permission.REVIEW)
        with self._sessions() as db:
            return query_sessions(
                db, wanted, sort=sort, descending=descending, offset=offset, limit=limit
            )

    def choices(self, actor: Actor) -> FilterChoices:
        """The drugs, nurses and chairs the filters offer."""
        actor.require(Permission.REVIEW)
        with self._sessions() as db:
            return filter_choices(db)

    def open_record(self, actor: Actor, session_id: int) -> SessionRecord:
        """Open a finished session's record for the review page (audited)."""
        actor.require(Permission.REVIEW)
        return self._open(actor, session_id, OPEN_RECORD, None, _nothing)[0]

    def open_session(self, actor: Actor, session_id: int) -> tuple[SessionRecord, SessionReview]:
        """Open a finished session in full (timeline, plot, findings): audited as a review."""
        actor.require(Permission.REVIEW)
        return self._open(actor, session_id, OPEN_RECORD, None, self._read)

    def open_for_export(self, actor: Actor, session_id: int, export_format: str) -> SessionRecord:
        """Open a finished session's record to export it as ``export_format`` (audited)."""
        self._check_export(actor, export_format)
        return self._open(actor, session_id, EXPORT_RECORD, {"format": export_format}, _nothing)[0]

    def export_session(
        self, actor: Actor, session_id: int, export_format: str
    ) -> tuple[SessionRecord, SessionReview]:
        """Open a finished session in full to export it as ``export_format`` (audited)."""
        self._check_export(actor, export_format)
        return self._open(actor, session_id, EXPORT_RECORD, {"format": export_format}, self._read)

    @staticmethod
    def _check_export(actor: Actor, export_format: str) -> None:
        actor.require(Permission.EXPORT)
        if export_format not in EXPORT_FORMATS:
            raise UserError(
                f"Export format '{export_format}' is not known; use one of "
                f"{', '.join(sorted(EXPORT_FORMATS))}."
            )

    def _read(self, db: Session, session_id: int) -> SessionReview:
        library = self._library or load_library()
        self._library = library
        rules = self._rules() if self._rules is not None else default_rules()
        return read_review(db, session_id, library, rules)

    def _open(
        self,
        actor: Actor,
        session_id: int,
        action: str,
        detail: dict[str, object] | None,
        read: Callable[[Session, int], T],
    ) -> tuple[SessionRecord, T]:
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
            found = SessionRecord(
                session_id=session.id,
                patient_name=patient.name,
                mrn=patient.mrn,
                date_of_birth=patient.date_of_birth,
                drug=session.drug_name,
                state=session.state,
                created_at=session.created_at,
            )
            return found, read(db, session_id)
