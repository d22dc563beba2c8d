"""Read one or more stored sessions into frozen snapshots: identity, events, timers, schedule.

The reads are SQL text run through a :class:`~infusion_monitor.storage.rows.Rows` (a SQLAlchemy
session in the services, the standard library's ``sqlite3`` for the app's first paint), so this
module imports no SQLAlchemy. They never commit. What they return holds no ORM object, so it
can go to Qt; every timer is a pure function of the stored events and ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from infusion_monitor.domain.monitor import is_stale
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.schedule import VitalsStatus, vitals_status
from infusion_monitor.domain.session import EventKind, RateStep, Session, SessionState
from infusion_monitor.domain.session import SessionEvent as DomainEvent
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.storage.rows import (
    Rows,
    day_or_none,
    flag,
    in_list,
    json_value,
    utc,
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
    """A premedication given before the start (``given_at`` None: time not recorded), or one the
    protocol names that was not given (``skipped``: why)."""

    name: str
    given_at: datetime | None
    skipped: str | None = None


@dataclass(frozen=True)
class Carried:
    """NEWS2 parameters the latest set lacked, scored from an earlier set (rules-spec §2):
    their names (rules-spec order) and when, and by whom, that set was taken."""

    parameters: tuple[str, ...]
    taken_at: datetime
    source: Source


@dataclass(frozen=True)
class LatestScore:
    """NEWS2 of the session's latest assessment: the score, whether the set in force was
    complete, and the values carried into it."""

    score: int | None
    applicable: bool
    complete: bool
    carried: tuple[Carried, ...] = ()
    not_applicable: str | None = None
    """Why NEWS2 does not apply ("pregnancy" or "under 16", rules-spec §4); None when it does."""


@dataclass(frozen=True)
class ObservationHold:
    """After anaphylaxis criteria were met: the least observation after the reaction resolved
    (rules output ``observe_after_resolution_min``; RCUK 2021). ``resolved_at`` is None while
    a reaction feature is still active."""

    minutes: int
    resolved_at: datetime | None

    @property
    def until(self) -> datetime | None:
        """When the session may close without a reason (None: not yet known)."""
        if self.resolved_at is None:
            return None
        return self.resolved_at + timedelta(minutes=self.minutes)

    def holds(self, now: datetime) -> bool:
        """Whether closing at ``now`` cuts the observation short."""
        until = self.until
        return until is None or now < until


def observation_hold_text(hold: ObservationHold) -> str:
    """Why the session is still observed after anaphylaxis, in the nurse's words."""
    hours = f"{hold.minutes / 60:g} h"
    until = hold.until
    if until is None:
        return (
            "Anaphylaxis criteria were met and the reaction has not resolved: observe the "
            f"patient for at least {hours} after it resolves (RCUK 2021)."
        )
    resolved = hold.resolved_at
    assert resolved is not None
    return (
        f"Anaphylaxis criteria were met: observe until {until.astimezone():%H:%M}, {hours} "
        f"after the reaction resolved at {resolved.astimezone():%H:%M} (RCUK 2021)."
    )


@dataclass(frozen=True)
class LatestVitals:
    """The session's newest current set (by measurement time): its values, where they came from
    (typed or a monitor) and when they were measured; ``score`` is the latest NEWS2."""

    source: Source
    taken_at: datetime
    signs: VitalSigns
    mean_bp: int | None = None
    """Mean arterial pressure, when the monitor sent it."""
    score: LatestScore | None = None

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
    epinephrine_given: tuple[datetime, ...] = ()
    """When IM epinephrine was given, in time order."""
    epinephrine_indicated: bool = False
    """The latest assessment lists the epinephrine step (the repeat timer runs)."""
    observation_hold: ObservationHold | None = None
    """After anaphylaxis: the least observation after resolution (closing earlier needs a
    reason)."""
    reaction_active: bool = False
    """The latest assessment fired a reaction pathway (rules-spec §5): no rate step counts down."""

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


class PatientRow(Protocol):
    """A stored patient: the ORM row or a row read as SQL text."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def mrn(self) -> str | None: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def allergies(self) -> str | None: ...
    @property
    def reaction_history(self) -> str | None: ...


class EventRow(Protocol):
    """A stored lifecycle event: the ORM row or a row read as SQL text."""

    @property
    def type(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def payload(self) -> Mapping[str, Any] | None: ...


class SessionRow(Protocol):
    """What the lifecycle replay needs of a stored session."""

    @property
    def protocol_id(self) -> str: ...
    @property
    def cycle(self) -> int | None: ...


def patient_info(patient: PatientRow) -> PatientInfo:
    """The frozen copy of a patient row."""
    return PatientInfo(
        patient.id,
        patient.name,
        patient.mrn,
        patient.date_of_birth,
        patient.allergies or "",
        patient.reaction_history or "",
    )


def domain_events(events: Iterable[EventRow]) -> tuple[DomainEvent, ...]:
    """Stored lifecycle rows as the domain's events (notes left out)."""
    kinds = {kind.value: kind for kind in EventKind}
    return tuple(
        DomainEvent(kinds[event.type], event.at, event.reason, _rate(event.payload))
        for event in events
        if event.type in kinds
    )


def _rate(payload: Mapping[str, Any] | None) -> float | None:
    value = (payload or {}).get("rate")
    return None if value is None else float(value)


def protocol_for(library: ProtocolLibrary, protocol_id: str) -> DrugProtocol:
    """The session's protocol; the generic one if the library no longer has it."""
    found = library.protocols.get(protocol_id) or library.protocols.get(FALLBACK_PROTOCOL_ID)
    if found is None:
        found = library.get(protocol_id)
    return found.protocol


def lifecycle(row: SessionRow, events: Sequence[EventRow], library: ProtocolLibrary) -> Session:
    """Replay the stored events through the domain state machine."""
    return Session.replay(
        protocol_for(library, row.protocol_id), row.cycle or 1, domain_events(events)
    )


class _Patient(NamedTuple):
    id: int
    name: str
    mrn: str | None
    date_of_birth: date | None
    allergies: str | None
    reaction_history: str | None


class _Event(NamedTuple):
    session_id: int
    type: str
    at: datetime
    reason: str | None
    payload: Mapping[str, Any] | None
    author_id: int


class _Session(NamedTuple):
    protocol_id: str
    cycle: int | None


#: The sessions with their patient, chair and responsible nurse.
SESSIONS_SQL = """
SELECT s.id, s.version, c.name, n.name, s.protocol_id, s.protocol_version, s.ruleset_version,
       s.drug_name, s.dose, s.dose_unit, s.rate_unit, s.planned_duration_min, s.cycle,
       s.first_dose, s.prior_reaction_to_drug, s.spo2_scale, s.premedications,
       p.id, p.name, p.mrn, p.date_of_birth, p.allergies, p.reaction_history
FROM infusion_session s
JOIN patient p ON p.id = s.patient_id
JOIN chair c ON c.id = s.chair_id
JOIN nurse n ON n.id = s.nurse_id
WHERE s.id IN ({ids})
"""
#: Their lifecycle events, in time order.
EVENTS_SQL = """
SELECT session_id, type, at, reason, payload, author_id FROM session_event
WHERE session_id IN ({ids}) ORDER BY at, id
"""
NURSE_NAMES_SQL = "SELECT id, name FROM nurse"
#: When each session's newest nurse's set was taken: a monitor's set (no ACVPU, no oxygen)
#: never completes a scheduled check.
LAST_VITALS_SQL = """
SELECT session_id, max(taken_at) FROM vital_signs
WHERE session_id IN ({ids}) AND source <> 'monitor' GROUP BY session_id
"""
#: Each session's newest set that no later set corrects: its id, source, time and values.
LATEST_VITALS_SQL = """
SELECT session_id, id, source, taken_at, heart_rate, systolic_bp, diastolic_bp,
       respiratory_rate, spo2, temperature_c, on_oxygen, acvpu, mean_arterial_pressure,
       (SELECT pregnant FROM infusion_session WHERE id = vital_signs.session_id)
FROM vital_signs WHERE id IN (
    SELECT (SELECT v.id FROM vital_signs v
            WHERE v.session_id = s.id AND v.id NOT IN (
                SELECT amends_id FROM vital_signs
                WHERE session_id IN ({ids}) AND amends_id IS NOT NULL)
            ORDER BY v.taken_at DESC, v.id DESC LIMIT 1)
    FROM infusion_session s WHERE s.id IN ({ids}))
"""
#: The column holding the value each NEWS2 parameter scores (rules-spec §2 names).
NEWS2_COLUMNS = {
    "rr": "respiratory_rate",
    "spo2": "spo2",
    "air_or_oxygen": "on_oxygen",
    "sbp": "systolic_bp",
    "hr": "heart_rate",
    "acvpu": "acvpu",
    "temp": "temperature_c",
}
#: The newest set before the set ``latest_id``, no later set correcting it, that has a value
#: in ``{column}`` (one of NEWS2_COLUMNS): where the rules carried that value from.
CARRIED_FROM_SQL = """
SELECT taken_at, source FROM vital_signs v
WHERE v.session_id = :session_id AND {column} IS NOT NULL
  AND v.taken_at < (SELECT taken_at FROM vital_signs WHERE id = :latest_id)
  AND v.id NOT IN (SELECT amends_id FROM vital_signs
                   WHERE session_id = :session_id AND amends_id IS NOT NULL)
ORDER BY v.taken_at DESC, v.id DESC LIMIT 1
"""
#: IM epinephrine given (not declined, not corrected), in time order.
EPINEPHRINE_SQL = """
SELECT session_id, at FROM intervention
WHERE session_id IN ({ids}) AND action = 'epinephrine_im' AND declined_reason IS NULL
  AND id NOT IN (SELECT amends_id FROM intervention
                 WHERE session_id IN ({ids}) AND amends_id IS NOT NULL)
ORDER BY at, id
"""
#: A session's assessments, newest first (to find when the reaction last resolved).
ASSESSMENTS_DESC_SQL = """
SELECT at, result FROM assessment WHERE session_id = :session_id
ORDER BY at DESC, id DESC LIMIT 5000
"""
#: The pathways that fire while a reaction feature is active (rules-spec §5).
REACTION_PATHWAYS = frozenset(
    {"anaphylaxis", "severe_reaction", "moderate_reaction", "airway_watch", "mild_reaction"}
)
#: The result of each session's last stored assessment (the highest id).
LAST_RESULTS_SQL = """
SELECT a.session_id, a.result FROM assessment a
JOIN (SELECT session_id, max(id) AS id FROM assessment
      WHERE session_id IN ({ids}) GROUP BY session_id) latest ON latest.id = a.id
"""
#: A session's newest stored assessment: the latest by time, then by id.
LATEST_ASSESSMENT_SQL = """
SELECT id FROM assessment WHERE session_id = :session_id ORDER BY at DESC, id DESC LIMIT 1
"""
#: The results of the given assessments.
RESULTS_SQL = "SELECT session_id, result FROM assessment WHERE id IN ({ids})"
#: The open (not closed) sessions with their chair, oldest first.
ACTIVE_SQL = """
SELECT c.name, s.id FROM infusion_session s JOIN chair c ON c.id = s.chair_id
WHERE s.state IN ({states}) ORDER BY s.created_at, s.id
"""


def load_details(
    rows: Rows, session_ids: Sequence[int], library: ProtocolLibrary
) -> dict[int, SessionDetail]:
    """Snapshots of the given sessions, by id (ids that do not exist are left out)."""
    if not session_ids:
        return {}
    ids, params = in_list("id", session_ids)
    events: dict[int, list[_Event]] = {}
    for session_id, kind, at, reason, payload, author_id in rows(
        EVENTS_SQL.format(ids=ids), params
    ):
        events.setdefault(session_id, []).append(
            _Event(session_id, kind, utc(at), reason, json_value(payload), author_id)
        )
    authors: dict[int, str] = dict(rows(NURSE_NAMES_SQL))
    last_vitals = {
        session_id: utc(taken_at)
        for session_id, taken_at in rows(LAST_VITALS_SQL.format(ids=ids), params)
    }
    results = _last_results(rows, ids, params)
    intervals = {sid: _interval(result) for sid, result in results.items()}
    latest = latest_vitals(rows, session_ids, results)
    epinephrine: dict[int, list[datetime]] = {}
    for session_id, at in rows(EPINEPHRINE_SQL.format(ids=ids), params):
        epinephrine.setdefault(session_id, []).append(utc(at))
    details: dict[int, SessionDetail] = {}
    for values in rows(SESSIONS_SQL.format(ids=ids), params):
        session_id, version, chair, nurse, protocol_id, protocol_version, ruleset_version = values[
            :7
        ]
        drug, dose, dose_unit, rate_unit, planned_min, cycle = values[7:13]
        first_dose, prior_reaction, spo2_scale, premedications = values[13:17]
        patient = _Patient(
            values[17], values[18], values[19], day_or_none(values[20]), values[21], values[22]
        )
        own = events.get(session_id, [])
        details[session_id] = SessionDetail(
            id=session_id,
            version=version,
            chair=chair,
            patient=patient_info(patient),
            nurse=nurse,
            protocol_id=protocol_id,
            protocol_name=protocol_for(library, protocol_id).name,
            protocol_version=protocol_version,
            ruleset_version=ruleset_version,
            drug_name=drug,
            dose=dose,
            dose_unit=dose_unit,
            rate_unit=rate_unit,
            planned_duration_min=planned_min,
            cycle=cycle or 1,
            first_dose=flag(first_dose),
            prior_reaction_to_drug=flag(prior_reaction),
            spo2_scale=spo2_scale,
            premedications=tuple(
                Premed(
                    str(item.get("name", "")),
                    datetime.fromisoformat(item["given_at"]) if item.get("given_at") else None,
                    item.get("skipped"),
                )
                for item in json_value(premedications) or []
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
            lifecycle=lifecycle(_Session(protocol_id, cycle), own, library),
            last_vitals_at=last_vitals.get(session_id),
            reaction_interval_min=intervals.get(session_id),
            latest_vitals=latest.get(session_id),
            epinephrine_given=tuple(epinephrine.get(session_id, ())),
            epinephrine_indicated="epinephrine_im"
            in results.get(session_id, {}).get("actions", ()),
            observation_hold=_observation_hold(rows, session_id, results.get(session_id)),
            reaction_active=bool(
                REACTION_PATHWAYS & set(results.get(session_id, {}).get("pathways") or ())
            ),
        )
    return details


def latest_vitals(
    rows: Rows, session_ids: Sequence[int], results: Mapping[int, Mapping[str, Any]] | None = None
) -> dict[int, LatestVitals]:
    """Each session's newest set by measurement time (then by id), corrected sets left out,
    with the NEWS2 of the session's latest assessment result (``results``, by session id).

    One indexed look-up per session (``session_id, taken_at`` read backwards), so a long
    session of 1 Hz monitor data costs no more than a short one.
    """
    if not session_ids:
        return {}
    ids, params = in_list("id", session_ids)
    found = {}
    for (
        session_id,
        row_id,
        source,
        taken_at,
        hr,
        sbp,
        dbp,
        rr,
        spo2,
        temp_c,
        on_oxygen,
        acvpu,
        mean_bp,
        pregnant,
    ) in rows(LATEST_VITALS_SQL.format(ids=ids), params):
        result = (results or {}).get(session_id)
        score = (
            None
            if result is None
            else _latest_score(rows, session_id, row_id, result, pregnant=bool(pregnant))
        )
        signs = VitalSigns(
            hr,
            sbp,
            dbp,
            rr,
            spo2,
            temp_c,
            None if on_oxygen is None else bool(on_oxygen),
            None if acvpu is None else Acvpu(acvpu),
        )
        found[session_id] = LatestVitals(Source(source), utc(taken_at), signs, mean_bp, score)
    return found


def _latest_score(
    rows: Rows, session_id: int, latest_id: int, result: Mapping[str, Any], *, pregnant: bool
) -> LatestScore:
    """NEWS2 of an assessment result, with the sets its carried values came from (grouped by
    set, newest first) and, where it does not apply, why: the rules apply NEWS2 to everyone but
    pregnant patients and those under 16 (rules-spec §4)."""
    news2 = result.get("news2") or {}
    origins: dict[tuple[datetime, Source], list[str]] = {}
    for name in news2.get("carried") or ():
        column = NEWS2_COLUMNS.get(name)
        if column is None:
            continue
        params = {"session_id": session_id, "latest_id": latest_id}
        for taken_at, source in rows(CARRIED_FROM_SQL.format(column=column), params):
            origins.setdefault((utc(taken_at), Source(source)), []).append(name)
    carried = tuple(
        Carried(tuple(names), taken_at, source)
        for (taken_at, source), names in sorted(origins.items(), reverse=True)
    )
    score = news2.get("score")
    applicable = bool(news2.get("applicable", True))
    return LatestScore(
        score=score if isinstance(score, int) else None,
        applicable=applicable,
        complete=bool(news2.get("complete", True)),
        carried=carried,
        not_applicable=None if applicable else ("pregnancy" if pregnant else "under 16"),
    )


def _observation_hold(
    rows: Rows, session_id: int, result: Mapping[str, Any] | None
) -> ObservationHold | None:
    """The observation a met anaphylaxis asks for, with when the reaction last resolved: the
    first assessment after the newest one in which a reaction pathway fired."""
    minutes = None if result is None else result.get("observe_after_resolution_min")
    if not isinstance(minutes, int):
        return None
    resolved_at = None
    for at, stored in rows(ASSESSMENTS_DESC_SQL, {"session_id": session_id}):
        pathways = (json_value(stored) or {}).get("pathways") or ()
        if REACTION_PATHWAYS & set(pathways):
            break
        resolved_at = utc(at)
    return ObservationHold(minutes, resolved_at)


def _last_results(
    rows: Rows, ids: str, params: Mapping[str, object]
) -> dict[int, Mapping[str, Any]]:
    """The result of the latest stored assessment of each session."""
    return {
        session_id: json_value(result) or {}
        for session_id, result in rows(LAST_RESULTS_SQL.format(ids=ids), params)
    }


def _interval(result: Mapping[str, Any]) -> int | None:
    """The vitals interval an assessment result asks for, if any."""
    value = result.get("vitals_interval_min")
    return int(value) if isinstance(value, int | float) else None


def active_session_ids(rows: Rows, chair_names: Sequence[str] | None = None) -> dict[str, int]:
    """The open (not closed) session in each chair, by chair name (the newest if several)."""
    states, params = in_list("state", ACTIVE_STATES)
    return {
        chair: session_id
        for chair, session_id in rows(ACTIVE_SQL.format(states=states), params)
        if chair_names is None or chair in chair_names
    }


def latest_assessment_id(rows: Rows, session_id: int) -> int | None:
    """The id of the session's newest stored assessment, or None."""
    found = rows(LATEST_ASSESSMENT_SQL, {"session_id": session_id})
    return int(found[0][0]) if found else None


def latest_results(rows: Rows, session_ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    """The result of each session's newest stored assessment (sessions without one left out)."""
    latest = [found for sid in session_ids if (found := latest_assessment_id(rows, sid))]
    if not latest:
        return {}
    ids, params = in_list("id", latest)
    return {sid: json_value(result) for sid, result in rows(RESULTS_SQL.format(ids=ids), params)}
