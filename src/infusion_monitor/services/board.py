"""The chair board's data: one frozen snapshot per configured chair, read from the database.

Nothing here imports Qt; the widgets receive these dataclasses and never an ORM object.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.timing import TimingEvent, TimingEventKind, infusion_time
from infusion_monitor.storage.models import Chair, InfusionSession, Patient, SessionEvent


class ChairState(enum.Enum):
    """What a chair is doing, as the board names it (a word on screen, never colour alone)."""

    FREE = "Free"
    PLANNED = "Planned"
    RUNNING = "Running"
    PAUSED = "Paused"
    OBSERVATION = "Observation"
    COMPLETED = "Completed"
    DISCONTINUED = "Discontinued"


#: Stored session states that occupy a chair, and the board's word for each ("closed" frees it).
_STATES = {
    "planned": ChairState.PLANNED,
    "running": ChairState.RUNNING,
    "paused": ChairState.PAUSED,
    "observation": ChairState.OBSERVATION,
    "completed": ChairState.COMPLETED,
    "discontinued": ChairState.DISCONTINUED,
}

#: Stored event types that start or stop the infusion clock.
_TIMING_EVENTS = {
    "start": TimingEventKind.START,
    "pause": TimingEventKind.PAUSE,
    "resume": TimingEventKind.RESUME,
    "complete": TimingEventKind.STOP,
    "discontinue": TimingEventKind.STOP,
}


@dataclass(frozen=True)
class SessionSummary:
    """What the board shows about the session in a chair: no full name, only a short identity."""

    patient_initials: str
    mrn_tail: str
    drug: str
    cycle: int | None
    dose: str
    rate: str
    events: tuple[TimingEvent, ...]
    observation_since: datetime | None = None
    pause_reason: str | None = None

    def infusion_time(self, now: datetime) -> timedelta:
        """How long the drug has been running, pauses excluded."""
        return infusion_time(self.events, now)

    def observation_time(self, now: datetime) -> timedelta | None:
        """Time since post-infusion observation began, or None if it has not."""
        return None if self.observation_since is None else now - self.observation_since


@dataclass(frozen=True)
class ChairStatus:
    """One tile of the board: the chair's name, its state and the session in it, if any."""

    name: str
    state: ChairState
    session: SessionSummary | None = None


def initials(full_name: str) -> str:
    """Return ``"J.S."`` for "John Smith" (first and last name): enough to confirm, not identify."""
    parts = full_name.split()
    chosen = parts[:1] + parts[1:][-1:]
    return "".join(f"{part[0].upper()}." for part in chosen)


MRN_TAIL_CHARS = 4


def mrn_tail(mrn: str) -> str:
    """Return the last four characters of the medical record number."""
    return mrn.strip()[-MRN_TAIL_CHARS:]


def _number(value: float) -> str:
    """``375.0`` → ``"375"``, ``62.5`` → ``"62.5"``."""
    return f"{value:g}"


class BoardService:
    """Reads what every configured chair is doing, in one short read-only transaction."""

    def __init__(self, sessions: sessionmaker[Session], chair_names: Sequence[str]) -> None:
        self._sessions = sessions
        self._chair_names = tuple(chair_names)

    def snapshot(self) -> tuple[ChairStatus, ...]:
        """Return one status per configured chair, in board order."""
        with self._sessions() as db:
            rows = db.execute(
                select(Chair.name, InfusionSession, Patient)
                .join(InfusionSession.chair)
                .join(InfusionSession.patient)
                .where(
                    Chair.name.in_(self._chair_names),
                    InfusionSession.state.in_(tuple(_STATES)),
                )
                .order_by(InfusionSession.created_at)
            ).all()
            latest = {name: (session, patient) for name, session, patient in rows}
            events = self._events([session.id for session, _ in latest.values()], db)
            summaries = {
                name: (_STATES[session.state], _summary(session, patient, events.get(session.id)))
                for name, (session, patient) in latest.items()
            }
        return tuple(
            ChairStatus(name, *summaries[name])
            if name in summaries
            else ChairStatus(name, ChairState.FREE)
            for name in self._chair_names
        )

    @staticmethod
    def _events(session_ids: list[int], db: Session) -> dict[int, list[SessionEvent]]:
        by_session: dict[int, list[SessionEvent]] = {}
        query = (
            select(SessionEvent)
            .where(SessionEvent.session_id.in_(session_ids))
            .order_by(SessionEvent.at, SessionEvent.id)
        )
        for event in db.scalars(query):
            by_session.setdefault(event.session_id, []).append(event)
        return by_session


def _summary(
    session: InfusionSession, patient: Patient, events: list[SessionEvent] | None
) -> SessionSummary:
    events = events or []
    timing = tuple((_TIMING_EVENTS[e.type], e.at) for e in events if e.type in _TIMING_EVENTS)
    pauses = [e for e in events if e.type == "pause"]
    ends = [e.at for e in events if e.type in ("observation_start", "complete", "discontinue")]
    rate = "—" if session.rate is None else f"{_number(session.rate)} {session.rate_unit or ''}"
    return SessionSummary(
        patient_initials=initials(patient.name),
        mrn_tail=mrn_tail(patient.mrn),
        drug=session.protocol_id.replace("_", " ").capitalize(),
        cycle=session.cycle,
        dose=f"{_number(session.dose)} {session.dose_unit}",
        rate=rate.strip(),
        events=timing,
        observation_since=min(ends) if session.state == "observation" and ends else None,
        pause_reason=pauses[-1].reason if session.state == "paused" and pauses else None,
    )
