"""When a stored session's next vitals are due: the protocol schedule, tightened by the rules.

Qt-free reads for the board tile, the session view and the prompts. The domain ``schedule``
does the arithmetic; this module gathers its inputs from storage (the lifecycle events, the
latest set or skipped check, and the newest assessment's ``vitals_interval_min``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.schedule import DueCheck, VitalsStatus, next_check, vitals_status
from infusion_monitor.domain.session import EventKind, SessionError
from infusion_monitor.domain.session import Session as DomainSession
from infusion_monitor.domain.session import SessionEvent as DomainEvent
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.errors import UserError
from infusion_monitor.services.assessing import latest_assessment
from infusion_monitor.storage import models

log = logging.getLogger(__name__)

FALLBACK_PROTOCOL = "generic"
#: ``payload["note"]`` of the session event that records a skipped or refused check.
SKIPPED_NOTE = "vitals_skipped"
#: ``payload["note"]`` of the session event that records why a set was late.
LATE_NOTE = "vitals_late"
_KINDS = {kind.value: kind for kind in EventKind}
OPEN_STATES = ("planned", "running", "paused", "completed", "discontinued", "observation")


@dataclass(frozen=True)
class ScheduleFacts:
    """The schedule inputs of one session, read in one transaction."""

    session: DomainSession
    last_check_at: datetime | None
    interval_min: int | None

    def status(self, now: datetime) -> VitalsStatus:
        """The vitals state (not yet due, due, overdue, nothing recorded) as of ``now``."""
        return vitals_status(self.session, self.last_check_at, now, self.interval_min)

    def next_check(self, now: datetime) -> DueCheck | None:
        """The next check not yet covered, as of ``now``."""
        return next_check(self.session, self.last_check_at, now, self.interval_min)


def protocol_of(protocols: ProtocolLibrary, protocol_id: str) -> DrugProtocol:
    """The session's protocol; an unknown id falls back to the generic one (and says so)."""
    try:
        return protocols.get(protocol_id).protocol
    except UserError:
        log.warning("protocol %r unknown; vitals schedule uses %r", protocol_id, FALLBACK_PROTOCOL)
        return protocols.get(FALLBACK_PROTOCOL).protocol


def domain_session(
    row: models.InfusionSession, events: list[models.SessionEvent], protocol: DrugProtocol
) -> DomainSession:
    """Replay the stored lifecycle events; an event the state machine refuses is left out."""
    session = DomainSession.replay(protocol, row.cycle or 1)
    for stored in events:
        kind = _KINDS.get(stored.type)
        if kind is None:
            continue
        payload: dict[str, Any] = stored.payload or {}
        rate = payload.get("rate")
        if kind is EventKind.RATE_CHANGE and rate is None:
            rate = row.rate
        try:
            session = session.apply(
                DomainEvent(kind, stored.at, stored.reason, None if rate is None else float(rate))
            )
        except (SessionError, ValueError) as exc:
            log.warning("session event %s left out of the schedule: %s", stored.id, exc)
    return session


def schedule_facts(db: Session, session_id: int, protocols: ProtocolLibrary) -> ScheduleFacts:
    """Read a session's schedule inputs inside ``db``'s transaction."""
    row = db.get(models.InfusionSession, session_id)
    if row is None:
        raise LookupError(f"no infusion session {session_id}")
    events = list(
        db.scalars(
            select(models.SessionEvent)
            .where(models.SessionEvent.session_id == session_id)
            .order_by(models.SessionEvent.at, models.SessionEvent.id)
        )
    )
    session = domain_session(row, events, protocol_of(protocols, row.protocol_id))
    # Only a nurse's set completes a check: a monitor's set has no ACVPU or oxygen (issue 13).
    last_vitals = db.scalar(
        select(func.max(models.VitalSigns.taken_at)).where(
            models.VitalSigns.session_id == session_id,
            models.VitalSigns.source != Source.MONITOR.value,
        )
    )
    skipped = [
        event.at
        for event in events
        if event.type == "note" and (event.payload or {}).get("note") == SKIPPED_NOTE
    ]
    candidates = [at for at in (last_vitals, *skipped) if at is not None]
    assessment = latest_assessment(db, session_id)
    interval = None if assessment is None else assessment.vitals_interval_min
    return ScheduleFacts(session, max(candidates, default=None), interval)


class VitalsScheduleService:
    """The vitals state of sessions, read in short read-only transactions."""

    def __init__(self, sessions: sessionmaker[Session], protocols: ProtocolLibrary) -> None:
        self._sessions = sessions
        self._protocols = protocols

    def status(self, session_id: int, now: datetime) -> VitalsStatus:
        """One session's vitals state as of ``now``."""
        with self._sessions() as db:
            return schedule_facts(db, session_id, self._protocols).status(now)

    def open_statuses(self, now: datetime) -> dict[int, VitalsStatus]:
        """The vitals state of every session still in a chair, by session id."""
        return {sid: facts.status(now) for sid, (_chair, facts) in self.facts().items()}

    def facts(
        self, session_ids: Iterable[int] | None = None
    ) -> dict[int, tuple[str, ScheduleFacts]]:
        """(chair, schedule facts) of the named sessions still open (None: every open one)."""
        query = (
            select(models.InfusionSession.id, models.Chair.name)
            .join(models.Chair, models.Chair.id == models.InfusionSession.chair_id)
            .where(models.InfusionSession.state.in_(OPEN_STATES))
        )
        if session_ids is not None:
            query = query.where(models.InfusionSession.id.in_(list(session_ids)))
        with self._sessions() as db:
            rows = db.execute(query).all()
            return {sid: (chair, schedule_facts(db, sid, self._protocols)) for sid, chair in rows}
