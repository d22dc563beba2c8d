"""Read one or more stored sessions into frozen snapshots: identity, events, timers, schedule.

Repository functions take an open ``db`` and never commit. What they return holds no ORM object,
so it can go to Qt; every timer is a pure function of the stored events and ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from infusion_monitor.domain.monitor import is_stale
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.schedule import VitalsStatus, vitals_status
from infusion_monitor.domain.session import EventKind, RateStep, Session, SessionState
from infusion_monitor.domain.session import SessionEvent as DomainEvent
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.storage.models import (
    Assessment,
    Chair,
    InfusionSession,
    Nurse,
    Patient,
    SessionEvent,
    VitalSigns,
)

#: Stored states that occupy a chair ("closed" frees it).
ACTIVE_STATES = tuple(state.value for state in SessionState if state is not SessionState.CLOSED)
#: The protocol a session falls back to when its own is no longer in the library.
FALLBACK_PROTOCOL_ID = "generic"
MRN_TAIL_CHARS = 4


@dataclass(frozen=True)
class PatientInfo:
    """Who the patient is, in full (the session view; the board shows only initials)."""

    id: int
    name: str
    mrn: str | None
    date_of_birth: date | None
    allergies: str
    reaction_history: str

    @property
    def initials(self) -> str:
        """``"J.S."`` for "John Smith": enough to confirm, not to identify."""
        return initials(self.name)

    @property
    def short_id(self) -> str:
        """The last MRN digits, or the year of birth when there is no MRN."""
        if self.mrn:
            return f"··{mrn_tail(self.mrn)}"
        return f"b. {self.date_of_birth:%Y}" if self.date_of_birth else ""


@dataclass(frozen=True)
class TimelineEntry:
    """One stored lifecycle event as the timeline shows it."""

    kind: str
    at: datetime
    author: str
    reason: str | None
    rate: float | None


@dataclass(frozen=True)
class Premed:
    """A premedication given before the start (``given_at`` None: time not recorded)."""

    name: str
    given_at: datetime | None


@dataclass(frozen=True)
class LatestVitals:
    """The session's newest current set (by measurement time): its values, where they came from
    (typed or a monitor) and when they were measured."""

    source: Source
    taken_at: datetime
    hr: int | None
    sbp: int | None
    dbp: int | None
    rr: int | None
    spo2: int | None
    temp_c: float | None

    def stale(self, now: datetime, stale_after: timedelta) -> bool:
        """Whether the screens grey these values out at ``now`` (``domain.monitor.is_stale``)."""
        return is_stale(self.source, self.taken_at, now, stale_after)


@dataclass(frozen=True)
class SessionDetail:
    """Everything about one session that the board and the session view show."""

    id: int
    version: int
    chair: str
    patient: PatientInfo
    nurse: str
    protocol_id: str
    protocol_name: str
    protocol_version: str
    ruleset_version: str
    drug_name: str
    dose: float
    dose_unit: str
    rate_unit: str | None
    planned_duration_min: int
    cycle: int
    first_dose: bool
    prior_reaction_to_drug: bool
    spo2_scale: int
    premedications: tuple[Premed, ...]
    timeline: tuple[TimelineEntry, ...]
    lifecycle: Session
    last_vitals_at: datetime | None
    reaction_interval_min: int | None
    latest_vitals: LatestVitals | None = None
    """The newest current set, for the board's and the session view's latest values."""
    baseline_warning: bool = False
    """Planned sessions: the rules engine flags the baseline NEWS2 (start needs a reason)."""

    @property
    def state(self) -> SessionState:
        """Where the session is in its lifecycle."""
        return self.lifecycle.state

    @property
    def rate(self) -> float | None:
        """The current rate (None before the start when the protocol gives none)."""
        return self.lifecycle.rate

    @property
    def protocol(self) -> DrugProtocol:
        """The drug monitoring protocol in force for this session."""
        return self.lifecycle.protocol

    @property
    def pause_reason(self) -> str | None:
        """Why the infusion is paused, while it is."""
        if self.state is not SessionState.PAUSED:
            return None
        pauses = [entry.reason for entry in self.timeline if entry.kind == EventKind.PAUSE]
        return pauses[-1] if pauses else None

    @property
    def high_risk_cycle(self) -> bool:
        """Whether this cycle is one of the protocol's high-risk cycles."""
        return self.protocol.risk.is_high_risk(self.cycle)

    @property
    def has_reaction_warning(self) -> bool:
        """Whether the red allergy / previous-reaction banner is shown."""
        return bool(
            self.prior_reaction_to_drug
            or self.patient.allergies.strip()
            or self.patient.reaction_history.strip()
        )

    def rate_text(self, rate: float | None = None) -> str:
        """``"150 mg/h"`` for the current (or the given) rate; ``"—"`` when there is none."""
        value = self.rate if rate is None else rate
        return "—" if value is None else f"{value:g} {self.rate_unit or ''}".strip()

    def dose_text(self) -> str:
        """``"675 mg"``."""
        return f"{self.dose:g} {self.dose_unit}"

    def started_at(self, now: datetime) -> datetime | None:
        """When the infusion started, or None."""
        return self.lifecycle.started_at(now)

    def infusion_time(self, now: datetime) -> timedelta:
        """Running time of the infusion, pauses excluded."""
        return self.lifecycle.infusion_time(now)

    def time_at_rate(self, now: datetime) -> timedelta:
        """Running time since the rate was last set."""
        return self.lifecycle.time_at_rate(now)

    def next_rate_step(self, now: datetime) -> RateStep | None:
        """The protocol's next rate step and the running time left until it is due."""
        return self.lifecycle.next_rate_step(now)

    def observation_left(self, now: datetime) -> timedelta | None:
        """Observation time left, or None outside observation."""
        return self.lifecycle.observation_left(now)

    def observation_time(self, now: datetime) -> timedelta | None:
        """Time since the observation began, or None outside observation."""
        since = self.lifecycle.observation_started_at(now)
        if self.state is not SessionState.OBSERVATION or since is None:
            return None
        return max(now - since, timedelta(0))

    def vitals_status(self, now: datetime) -> VitalsStatus:
        """The vitals schedule state (not yet due, due, overdue, nothing recorded)."""
        return vitals_status(self.lifecycle, self.last_vitals_at, now, self.reaction_interval_min)


def initials(full_name: str) -> str:
    """Return ``"J.S."`` for "John Smith" (first and last name)."""
    parts = full_name.split()
    chosen = parts[:1] + parts[1:][-1:]
    return "".join(f"{part[0].upper()}." for part in chosen)


def mrn_tail(mrn: str) -> str:
    """Return the last four characters of the medical record number."""
    return mrn.strip()[-MRN_TAIL_CHARS:]


def patient_info(patient: Patient) -> PatientInfo:
    """The frozen copy of a patient row."""
    return PatientInfo(
        patient.id,
        patient.name,
        patient.mrn,
        patient.date_of_birth,
        patient.allergies or "",
        patient.reaction_history or "",
    )


def domain_events(events: Iterable[SessionEvent]) -> tuple[DomainEvent, ...]:
    """Stored lifecycle rows as the domain's events (notes left out)."""
    kinds = {kind.value: kind for kind in EventKind}
    return tuple(
        DomainEvent(kinds[event.type], event.at, event.reason, _rate(event.payload))
        for event in events
        if event.type in kinds
    )


def _rate(payload: dict[str, Any] | None) -> float | None:
    value = (payload or {}).get("rate")
    return None if value is None else float(value)


def protocol_for(library: ProtocolLibrary, protocol_id: str) -> DrugProtocol:
    """The session's protocol; the generic one if the library no longer has it."""
    found = library.protocols.get(protocol_id) or library.protocols.get(FALLBACK_PROTOCOL_ID)
    if found is None:
        found = library.get(protocol_id)
    return found.protocol


def lifecycle(
    row: InfusionSession, events: Sequence[SessionEvent], library: ProtocolLibrary
) -> Session:
    """Replay the stored events through the domain state machine."""
    return Session.replay(
        protocol_for(library, row.protocol_id), row.cycle or 1, domain_events(events)
    )


def load_details(
    db: DbSession, session_ids: Sequence[int], library: ProtocolLibrary
) -> dict[int, SessionDetail]:
    """Snapshots of the given sessions, by id (ids that do not exist are left out)."""
    if not session_ids:
        return {}
    rows = db.execute(
        select(InfusionSession, Patient, Chair.name, Nurse.name)
        .join(InfusionSession.patient)
        .join(InfusionSession.chair)
        .join(InfusionSession.nurse)
        .where(InfusionSession.id.in_(session_ids))
    ).all()
    events: dict[int, list[SessionEvent]] = {}
    for event in db.scalars(
        select(SessionEvent)
        .where(SessionEvent.session_id.in_(session_ids))
        .order_by(SessionEvent.at, SessionEvent.id)
    ):
        events.setdefault(event.session_id, []).append(event)
    authors: dict[int, str] = dict(db.execute(select(Nurse.id, Nurse.name)).all())
    last_vitals: dict[int, datetime] = dict(
        db.execute(
            select(VitalSigns.session_id, func.max(VitalSigns.taken_at))
            .where(VitalSigns.session_id.in_(session_ids))
            .group_by(VitalSigns.session_id)
        ).all()
    )
    intervals = _reaction_intervals(db, session_ids)
    latest = latest_vitals(db, session_ids)
    details: dict[int, SessionDetail] = {}
    for row, patient, chair, nurse in rows:
        own = events.get(row.id, [])
        details[row.id] = SessionDetail(
            id=row.id,
            version=row.version,
            chair=chair,
            patient=patient_info(patient),
            nurse=nurse,
            protocol_id=row.protocol_id,
            protocol_name=protocol_for(library, row.protocol_id).name,
            protocol_version=row.protocol_version,
            ruleset_version=row.ruleset_version,
            drug_name=row.drug_name,
            dose=row.dose,
            dose_unit=row.dose_unit,
            rate_unit=row.rate_unit,
            planned_duration_min=row.planned_duration_min,
            cycle=row.cycle or 1,
            first_dose=row.first_dose,
            prior_reaction_to_drug=row.prior_reaction_to_drug,
            spo2_scale=row.spo2_scale,
            premedications=tuple(
                Premed(
                    str(item.get("name", "")),
                    datetime.fromisoformat(item["given_at"]) if item.get("given_at") else None,
                )
                for item in row.premedications or []
            ),
            timeline=tuple(
                TimelineEntry(
                    event.type,
                    event.at,
                    authors.get(event.author_id, "?"),
                    event.reason,
                    _rate(event.payload),
                )
                for event in own
            ),
            lifecycle=lifecycle(row, own, library),
            last_vitals_at=last_vitals.get(row.id),
            reaction_interval_min=intervals.get(row.id),
            latest_vitals=latest.get(row.id),
        )
    return details


def latest_vitals(db: DbSession, session_ids: Sequence[int]) -> dict[int, LatestVitals]:
    """Each session's newest set by measurement time (then by id), corrected sets left out.

    One indexed look-up per session (``session_id, taken_at`` read backwards), so a long
    session of 1 Hz monitor data costs no more than a short one.
    """
    corrected = select(VitalSigns.amends_id).where(
        VitalSigns.session_id.in_(session_ids), VitalSigns.amends_id.is_not(None)
    )
    candidate = aliased(VitalSigns)
    newest = (
        select(candidate.id)
        .where(candidate.session_id == InfusionSession.id, candidate.id.not_in(corrected))
        .order_by(candidate.taken_at.desc(), candidate.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    newest_ids = select(newest).where(InfusionSession.id.in_(session_ids))
    return {
        row.session_id: LatestVitals(
            Source(row.source),
            row.taken_at,
            row.heart_rate,
            row.systolic_bp,
            row.diastolic_bp,
            row.respiratory_rate,
            row.spo2,
            row.temperature_c,
        )
        for row in db.scalars(select(VitalSigns).where(VitalSigns.id.in_(newest_ids)))
    }


def _reaction_intervals(db: DbSession, session_ids: Sequence[int]) -> dict[int, int | None]:
    """The vitals interval the latest stored assessment of each session asks for, if any."""
    latest = (
        select(Assessment.session_id, func.max(Assessment.id).label("id"))
        .where(Assessment.session_id.in_(session_ids))
        .group_by(Assessment.session_id)
        .subquery()
    )
    rows = db.execute(
        select(Assessment.session_id, Assessment.result).join(latest, Assessment.id == latest.c.id)
    )
    found: dict[int, int | None] = {}
    for session_id, result in rows:
        value = (result or {}).get("vitals_interval_min")
        found[session_id] = int(value) if isinstance(value, int | float) else None
    return found


def active_session_ids(db: DbSession, chair_names: Sequence[str] | None = None) -> dict[str, int]:
    """The open (not closed) session in each chair, by chair name (the newest if several)."""
    query = (
        select(Chair.name, InfusionSession.id)
        .join(InfusionSession.chair)
        .where(InfusionSession.state.in_(ACTIVE_STATES))
        .order_by(InfusionSession.created_at, InfusionSession.id)
    )
    if chair_names is not None:
        query = query.where(Chair.name.in_(tuple(chair_names)))
    return dict(db.execute(query).all())
