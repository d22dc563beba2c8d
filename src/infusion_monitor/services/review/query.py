"""The review page's session list: filters, search, sorting and pages, all done in SQL.

Each column the charge nurse sees (highest priority, reaction grade, vitals on time, alerts and
time to acknowledge) is a correlated subquery over an indexed ``session_id`` column, so a page
sorted by date reads only its own rows (``LIMIT`` walks the ``created_at`` index); sorting by a
computed column computes it only for the filtered sessions. Nothing loads the year into memory.

**Vitals on time** = sets recorded without a late-set reason ÷ (sets recorded + checks
skipped). The vitals service asks for a reason whenever a set comes after its check was overdue
(``vitals_late`` note) and records a skipped check as a ``vitals_skipped`` note, so both are in
the database; a baseline set counts as on time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.storage.models import (
    Alert,
    Assessment,
    Chair,
    InfusionSession,
    Nurse,
    Patient,
    ReactionRecord,
    SessionEvent,
    VitalSigns,
)

#: Session states shown on the review page (a running session is on the board).
FINISHED = ("completed", "discontinued", "closed")
PRIORITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
PRIORITY_NAMES = {rank: name for name, rank in PRIORITY_RANK.items()}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
LATE_NOTE = "vitals_late"
SKIPPED_NOTE = "vitals_skipped"


class SortKey(enum.StrEnum):
    """A column the list can be sorted by."""

    DATE = "date"
    CHAIR = "chair"
    PATIENT = "patient"
    DRUG = "drug"
    CYCLE = "cycle"
    NURSE = "nurse"
    DURATION = "duration"
    PRIORITY = "priority"
    REACTION = "reaction"
    ON_TIME = "on_time"
    ALERTS = "alerts"
    ACK = "ack"


@dataclass(frozen=True)
class SessionFilter:
    """What the charge nurse asks for; every field is optional and they combine with AND."""

    since: datetime | None = None
    until: datetime | None = None
    drug: str | None = None
    nurse_id: int | None = None
    chair_id: int | None = None
    reaction: bool | None = None
    min_priority: AlertPriority | None = None
    search: str | None = None
    """An MRN (exact, any case) or part of the patient's name."""
    ids: frozenset[int] | None = None
    """Only these sessions (the quality page's drill-down: the sessions behind a number)."""


@dataclass(frozen=True)
class SessionRow:
    """One finished session as the review list shows it (a frozen copy, no ORM object)."""

    id: int
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    chair: str
    patient_name: str
    mrn: str | None
    drug: str
    cycle: int | None
    nurse: str
    highest_priority: AlertPriority | None
    """The highest priority the rules gave in the session; None when they flagged nothing."""
    reaction_term: str | None
    reaction_grade: int | None
    vitals_sets: int
    late_checks: int
    skipped_checks: int
    alerts: int
    unacknowledged: int
    max_ack_s: float | None

    @property
    def duration_min(self) -> int | None:
        """Minutes from the start to the end of the infusion."""
        if self.started_at is None or self.ended_at is None:
            return None
        return round((self.ended_at - self.started_at).total_seconds() / 60)

    @property
    def on_time_pct(self) -> float | None:
        """Share of checks done on time, in percent (None when there was no check)."""
        checks = self.vitals_sets + self.skipped_checks
        if checks == 0:
            return None
        return 100.0 * max(self.vitals_sets - self.late_checks, 0) / checks


@dataclass(frozen=True)
class SessionPage:
    """One page of the list, and how many sessions match in all."""

    rows: tuple[SessionRow, ...]
    total: int
    offset: int


@dataclass(frozen=True)
class FilterChoices:
    """What the filter boxes offer: drugs, nurses and chairs, by name."""

    drugs: tuple[str, ...]
    nurses: tuple[tuple[int, str], ...]
    chairs: tuple[tuple[int, str], ...]


def seconds_between(db: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in seconds, for SQLite and PostgreSQL."""
    if db.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _columns(db: Session) -> dict[str, Any]:
    sid = InfusionSession.id

    def event_at(*kinds: str) -> Any:
        return (
            select(func.min(SessionEvent.at))
            .where(SessionEvent.session_id == sid, SessionEvent.type.in_(kinds))
            .scalar_subquery()
        )

    def notes(kind: str) -> Any:
        return (
            select(func.count())
            .where(
                SessionEvent.session_id == sid,
                SessionEvent.type == "note",
                SessionEvent.payload["note"].as_string() == kind,
            )
            .scalar_subquery()
        )

    rank = case(*((Assessment.priority == n, r) for n, r in PRIORITY_RANK.items()), else_=0)

    def latest_record(column: Any) -> Any:
        """``column`` of the session's newest reaction record (an amendment is newer)."""
        return (
            select(column)
            .where(ReactionRecord.session_id == sid)
            .order_by(ReactionRecord.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    started = event_at("start")
    ended = event_at("complete", "discontinue")
    return {
        "started": started,
        "ended": ended,
        "duration": seconds_between(db, started, ended),
        "priority": select(func.coalesce(func.max(rank), 0))
        .where(Assessment.session_id == sid)
        .scalar_subquery(),
        "term": latest_record(ReactionRecord.ctcae_term),
        "grade": latest_record(ReactionRecord.ctcae_grade),
        "sets": select(func.count())
        .where(VitalSigns.session_id == sid, VitalSigns.amends_id.is_(None))
        .scalar_subquery(),
        "late": notes(LATE_NOTE),
        "skipped": notes(SKIPPED_NOTE),
        "alerts": select(func.count()).where(Alert.session_id == sid).scalar_subquery(),
        "unacked": select(func.count())
        .where(Alert.session_id == sid, Alert.acknowledged_at.is_(None))
        .scalar_subquery(),
        "max_ack": select(func.max(seconds_between(db, Alert.raised_at, Alert.acknowledged_at)))
        .where(Alert.session_id == sid)
        .scalar_subquery(),
    }


def chosen(wanted: SessionFilter, table: Any) -> list[ColumnElement[bool]]:
    """The period, drug, nurse and chair of ``wanted`` on ``table``'s ``created_at``,
    ``drug_name``, ``nurse_id`` and ``chair_id`` (the session's, or a copy of them)."""
    clauses: list[ColumnElement[bool]] = []
    if wanted.since is not None:
        clauses.append(table.created_at >= wanted.since)
    if wanted.until is not None:
        clauses.append(table.created_at < wanted.until)
    if wanted.drug:
        clauses.append(table.drug_name == wanted.drug)
    if wanted.nurse_id is not None:
        clauses.append(table.nurse_id == wanted.nurse_id)
    if wanted.chair_id is not None:
        clauses.append(table.chair_id == wanted.chair_id)
    return clauses


def _where(wanted: SessionFilter) -> list[ColumnElement[bool]]:
    sid = InfusionSession.id
    clauses = [InfusionSession.state.in_(FINISHED), *chosen(wanted, InfusionSession)]
    if wanted.reaction is not None:
        reacted = exists().where(ReactionRecord.session_id == sid)
        clauses.append(reacted if wanted.reaction else ~reacted)
    if wanted.min_priority is not None:
        names = [level.code for level in AlertPriority if level >= wanted.min_priority]
        clauses.append(exists().where(Assessment.session_id == sid, Assessment.priority.in_(names)))
    if wanted.ids is not None:
        clauses.append(sid.in_(sorted(wanted.ids)))
    text = (wanted.search or "").strip()
    if text:
        clauses.append(
            or_(
                Patient.mrn == text.upper(),
                func.lower(Patient.name).contains(text.lower(), autoescape=True),
            )
        )
    return clauses


def _on_time_key() -> Any:
    """The vitals-on-time share as one correlated subquery (the sort key of that column).

    The session's recorded sets and its notes are read in one pass (a ``UNION ALL`` of the two
    index ranges) and counted together, instead of three subqueries (sets, late, skipped)
    probing the indexes apart for every session of the year.
    """
    note = SessionEvent.payload["note"].as_string()
    sid = InfusionSession.id
    rows = union_all(
        select(literal(1).label("recorded"), literal(0).label("late"), literal(0).label("skipped"))
        .where(VitalSigns.session_id == sid, VitalSigns.amends_id.is_(None))
        .correlate(InfusionSession),
        select(
            literal(0),
            case((note == LATE_NOTE, 1), else_=0),
            case((note == SKIPPED_NOTE, 1), else_=0),
        )
        .where(SessionEvent.session_id == sid, SessionEvent.type == "note")
        .correlate(InfusionSession),
    ).subquery()
    recorded, late, skipped = (func.coalesce(func.sum(c), 0) for c in rows.c)
    return (
        select((recorded - late) * 1.0 / (recorded + skipped + literal(0.000001)))
        .select_from(rows)
        .scalar_subquery()
    )


def _sort_column(key: SortKey, columns: dict[str, Any]) -> Any:
    return {
        SortKey.DATE: InfusionSession.created_at,
        SortKey.CHAIR: Chair.position,
        SortKey.PATIENT: Patient.name,
        SortKey.DRUG: InfusionSession.drug_name,
        SortKey.CYCLE: InfusionSession.cycle,
        SortKey.NURSE: Nurse.name,
        SortKey.DURATION: columns["duration"],
        SortKey.PRIORITY: columns["priority"],
        SortKey.REACTION: func.coalesce(columns["grade"], 0),
        SortKey.ON_TIME: _on_time_key(),
        SortKey.ALERTS: columns["alerts"],
        SortKey.ACK: func.coalesce(columns["max_ack"], -1),
    }[key]


def _base(query: Select[Any], wanted: SessionFilter) -> Select[Any]:
    query = query.join(Patient, InfusionSession.patient_id == Patient.id)
    return query.where(and_(*_where(wanted)))


_Columns = TypeVarTuple("_Columns")


def filtered(query: Select[*_Columns], wanted: SessionFilter) -> Select[*_Columns]:
    """``query`` over sessions narrowed to the finished ones ``wanted`` matches (the patient
    is joined only for a search by MRN or name)."""
    if (wanted.search or "").strip():
        query = query.join(Patient, InfusionSession.patient_id == Patient.id)
    return query.where(and_(*_where(wanted)))


def query_sessions(
    db: Session,
    wanted: SessionFilter,
    *,
    sort: SortKey = SortKey.DATE,
    descending: bool = True,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> SessionPage:
    """One page of the finished sessions matching ``wanted``, sorted, with the total count."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    total = db.scalar(filtered(select(func.count(InfusionSession.id)), wanted)) or 0
    columns = _columns(db)
    order = _sort_column(sort, columns)
    tie = InfusionSession.id.desc() if descending else InfusionSession.id
    # The page's ids first (only the sort column is computed for every matching session; the
    # database would otherwise compute every column of every row before sorting), joining only
    # the table the sort or the search needs; then the page's rows.
    ids = filtered(select(InfusionSession.id), wanted)
    if sort is SortKey.PATIENT and not (wanted.search or "").strip():
        ids = ids.join(Patient, InfusionSession.patient_id == Patient.id)
    joined = {SortKey.CHAIR: (Chair, Chair.id), SortKey.NURSE: (Nurse, Nurse.id)}.get(sort)
    if joined is not None:
        table, key = joined
        ids = ids.join(table, key == getattr(InfusionSession, f"{table.__tablename__}_id"))
    page = list(
        db.scalars(
            ids.order_by(order.desc() if descending else order.asc(), tie)
            .offset(offset)
            .limit(limit)
        )
    )
    query = (
        select(
            InfusionSession.id,
            InfusionSession.created_at,
            Chair.name,
            Patient.name,
            Patient.mrn,
            InfusionSession.drug_name,
            InfusionSession.cycle,
            Nurse.name,
            *(column.label(name) for name, column in columns.items()),
        )
        .join(Patient, InfusionSession.patient_id == Patient.id)
        .join(Chair, InfusionSession.chair_id == Chair.id)
        .join(Nurse, InfusionSession.nurse_id == Nurse.id)
        .where(InfusionSession.id.in_(page))
    )
    found = {row.id: row for row in (_row(values) for values in db.execute(query))}
    return SessionPage(tuple(found[sid] for sid in page), total, offset)


def _row(values: Any) -> SessionRow:
    (sid, created, chair, patient, mrn, drug, cycle, nurse) = values[:8]
    found = values._mapping
    return SessionRow(
        id=sid,
        created_at=created,
        started_at=aware(found["started"]),
        ended_at=aware(found["ended"]),
        chair=chair,
        patient_name=patient,
        mrn=mrn,
        drug=drug,
        cycle=cycle,
        nurse=nurse,
        highest_priority=AlertPriority.from_code(PRIORITY_NAMES[int(found["priority"] or 0)]),
        reaction_term=found["term"],
        reaction_grade=found["grade"],
        vitals_sets=int(found["sets"]),
        late_checks=int(found["late"]),
        skipped_checks=int(found["skipped"]),
        alerts=int(found["alerts"]),
        unacknowledged=int(found["unacked"]),
        max_ack_s=None if found["max_ack"] is None else float(found["max_ack"]),
    )


def aware(value: Any) -> datetime | None:
    """A subquery's time as an aware UTC datetime (SQLite may hand back naive or text)."""
    if value is None:
        return None
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def filter_choices(db: Session) -> FilterChoices:
    """The drugs, nurses and chairs that appear in finished sessions (for the filter boxes)."""
    drugs = db.scalars(
        select(InfusionSession.drug_name).distinct().order_by(InfusionSession.drug_name)
    ).all()
    nurses = db.execute(
        select(Nurse.id, Nurse.name)
        .where(exists().where(InfusionSession.nurse_id == Nurse.id))
        .order_by(Nurse.name)
    ).all()
    chairs = db.execute(select(Chair.id, Chair.name).order_by(Chair.position)).all()
    return FilterChoices(
        tuple(drugs),
        tuple((int(i), str(n)) for i, n in nurses),
        tuple((int(i), str(n)) for i, n in chairs),
    )
