"""Assess a session inside the caller's transaction: the one path from stored data to the rules.

Every use case that changes what the rules see (vitals, symptoms, interventions, lifecycle
events, the monitor feed) calls ``AssessingService.assess(db, session_id, at)`` before it
commits; the Assessment row is stored in the same transaction.

The rules ``SessionContext`` of each session is kept between calls, with the highest record
ids it has folded. A call reads only the rows added since (primary-key range scans) and folds
them in, so a 12-hour 1 Hz monitor session is never rescanned. The context is rebuilt from the
database when there is none, when the rule set, the infusion start or the baseline changed, when
a new row amends an older one, and after any rollback of a transaction that used it (its ids may
be reused).
"""

from __future__ import annotations

import logging
import math
from bisect import bisect_right, insort
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, event, func, literal, select, union_all
from sqlalchemy.orm import Session

from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.symptoms import OTHER_SYMPTOM, SYMPTOMS
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import SECONDS_PER_MIN, Patient
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.storage import models
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.inserts import insert_values

log = logging.getLogger(__name__)

#: Session events that are course actions for the rules (rules-spec §3).
EVENT_ACTIONS = {
    "pause": CourseAction.PAUSE_INFUSION,
    "resume": CourseAction.RESTART_INFUSION,
    "discontinue": CourseAction.DISCONTINUE_INFUSION,
}
INFUSION_END_EVENTS = ("complete", "discontinue")
_DB_INFO_KEY = "assessed_sessions"
_ACTIONS = frozenset(action.value for action in CourseAction)
#: The records a context folds in, each read incrementally by id.
_TRACKED = (models.VitalSigns, models.SymptomRecord, models.Intervention, models.SessionEvent)
#: Age used when the date of birth is not recorded (rules-spec §2 default).
DEFAULT_AGE_YEARS = 50
#: NEWS2 does not apply under this age (rules-spec §4).
NEWS2_MIN_AGE_YEARS = 16


@dataclass(frozen=True)
class AssessmentOutcome:
    """A stored assessment, as the screens and the schedule need it (never an ORM object)."""

    id: int
    session_id: int
    at: datetime
    minute: int
    ruleset_name: str
    ruleset_version: str
    priority: AlertPriority | None
    """What the rules flag; None when nothing is flagged (the rules' ``none``)."""
    news2_score: int | None
    news2_complete: bool
    vitals_interval_min: int | None
    pathways: tuple[str, ...]
    actions: tuple[str, ...]
    result: Mapping[str, Any]
    #: Why NEWS2 was not scored ("pregnancy", "under 16"), when the rules did not apply it.
    news2_not_applicable: str | None = None
    #: Whether the set of vital signs in force was a nurse's (False: a bedside monitor's set,
    #: with ACVPU and oxygen carried); only known when the assessment was just made.
    nurse_set: bool = True

    @classmethod
    def of(cls, row: models.Assessment, patient: Patient | None = None) -> AssessmentOutcome:
        """Copy a stored row while its session is open (``patient``: who the rules assessed)."""
        news2 = row.result.get("news2") or {}
        applicable = bool(news2.get("applicable", True))
        interval = row.result.get("vitals_interval_min")
        return cls(
            id=row.id,
            session_id=row.session_id,
            at=row.at,
            minute=row.minute,
            ruleset_name=row.ruleset_name,
            ruleset_version=row.ruleset_version,
            priority=AlertPriority.from_code(row.priority),
            news2_score=news2.get("score"),
            news2_complete=bool(news2.get("complete", True)),
            vitals_interval_min=interval if isinstance(interval, int) else None,
            pathways=tuple(row.result.get("pathways", ())),
            actions=tuple(row.result.get("actions", ())),
            result=row.result,
            news2_not_applicable=None if applicable else news2_not_applicable(patient),
        )


def news2_not_applicable(patient: Patient | None) -> str:
    """Why the rules do not score NEWS2 for this patient (rules-spec §4)."""
    if patient is None:
        return "pregnancy or under 16"
    if patient.pregnant:
        return "pregnancy"
    if patient.completed_years < NEWS2_MIN_AGE_YEARS:
        return "under 16"
    return "not applicable"  # pragma: no cover - the rules apply NEWS2 to everyone else


def vital_signs(row: models.VitalSigns) -> VitalSigns:
    """The rules' view of a stored set.

    A monitor's set stores neither ACVPU nor oxygen: they stay unknown (None) and the rules
    carry the last assessed ones (rules-spec §2), never "alert, on air".
    """
    return VitalSigns(
        hr=row.heart_rate,
        sbp=row.systolic_bp,
        dbp=row.diastolic_bp,
        rr=row.respiratory_rate,
        spo2=row.spo2,
        temp_c=row.temperature_c,
        on_oxygen=row.on_oxygen,
        acvpu=None if row.acvpu is None else Acvpu(row.acvpu),
    )


def age_years(born: date, on: date) -> float:
    """Age in completed years on ``on``, by calendar birthdays (a 29 February birthday counts
    from 1 March in other years)."""
    return float(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


def rules_patient(session: models.InfusionSession, on: date) -> Patient:
    """The patient facts the rules use for ``session``, with the age on ``on``.

    Without a date of birth the rules' default age applies (rules-spec §2): an adult. The
    set-up says so (``session_setup.age_note``).
    """
    born = session.patient.date_of_birth
    return Patient(
        age_years=DEFAULT_AGE_YEARS if born is None else age_years(born, on),
        pregnant=bool(session.pregnant),
        spo2_scale=session.spo2_scale,
        prior_reaction_to_drug=session.prior_reaction_to_drug,
    )


def seconds_between(origin: datetime, at: datetime) -> int:
    """Whole seconds from ``origin`` to ``at`` (negative before it), floored."""
    return math.floor((at - origin).total_seconds())


def superseded_ids(db: Session, session_id: int) -> set[int]:
    """Ids of a session's vitals rows that a later row amends."""
    record = models.VitalSigns
    query = select(record.amends_id).where(
        record.session_id == session_id, record.amends_id.is_not(None)
    )
    return {row_id for row_id in db.scalars(query) if row_id is not None}


#: A session's newest stored assessment (the order of ``records.LATEST_ASSESSMENT_SQL``).
_LATEST_ASSESSMENT = (
    select(models.Assessment)
    .where(models.Assessment.session_id == bindparam("session_id"))
    .order_by(models.Assessment.at.desc(), models.Assessment.id.desc())
    .limit(1)
)


def latest_assessment(db: Session, session_id: int) -> AssessmentOutcome | None:
    """The newest stored assessment of a session, or None (one query)."""
    row = db.scalars(_LATEST_ASSESSMENT, {"session_id": session_id}).first()
    return None if row is None else AssessmentOutcome.of(row)


@dataclass
class _Seen:
    """Of one tracked table: the highest row id folded into a context, and how many rows."""

    last_id: int = 0
    rows: int = 0


@dataclass
class _Cached:
    """One session's context, what fixed it (rule set version, infusion start) and, for each
    tracked table, what it has folded (to notice new rows, and a row committed late below the
    ids already folded)."""

    key: tuple[str, datetime]
    context: SessionContext
    seen: tuple[_Seen, ...] = field(default_factory=lambda: tuple(_Seen() for _ in _TRACKED))
    #: When each folded set was taken, by source ("typed", "monitor"), in time order.
    taken: dict[str, list[datetime]] = field(default_factory=dict)

    def note_set(self, source: str, taken_at: datetime) -> None:
        """Remember when a folded set of ``source`` was taken."""
        insort(self.taken.setdefault(source, []), taken_at)

    def nurse_set_at(self, at: datetime) -> bool:
        """Whether the set in force at ``at`` (the newest taken at or before it, the later one
        winning a tie) is a nurse's rather than a bedside monitor's."""

        def newest(source: str) -> datetime | None:
            times = self.taken.get(source, [])
            index = bisect_right(times, at)
            return times[index - 1] if index else None

        monitor, nurse = newest(Source.MONITOR.value), newest(Source.TYPED.value)
        return monitor is None or (nurse is not None and nurse >= monitor)


@dataclass(frozen=True)
class _Batch:
    """Rows added since a context was last brought up to date."""

    vitals: list[models.VitalSigns]
    symptoms: list[models.SymptomRecord]
    interventions: list[models.Intervention]
    events: list[models.SessionEvent]

    @property
    def tables(self) -> tuple[list[Any], ...]:
        """The new rows of each tracked table, in the order of ``_TRACKED``."""
        return (self.vitals, self.symptoms, self.interventions, self.events)

    @property
    def amends(self) -> bool:
        """Whether a row corrects an older one (the context cannot take a row back)."""
        return (
            any(row.amends_id is not None for row in self.vitals)
            or any(row.amends_id is not None for row in self.symptoms)
            or any(row.amends_id is not None for row in self.interventions)
        )


class AssessingService:
    """Builds (and keeps) each session's rules context and stores assessments."""

    def __init__(
        self, rules: Callable[[], RuleSet], library: ProtocolLibrary | None = None
    ) -> None:
        self._rules = rules
        self._library = library
        self._cache: dict[int, _Cached] = {}
        self._listeners: list[Callable[[Session, AssessmentOutcome], object]] = []

    def add_listener(self, listener: Callable[[Session, AssessmentOutcome], object]) -> None:
        """Call ``listener(db, outcome)`` after every stored assessment, in the same transaction.

        The alert service listens here, so every path that assesses (vitals, symptoms, course
        actions, the monitor feed) raises and updates alerts before it commits.
        """
        self._listeners.append(listener)

    def forget(self, session_id: int) -> None:
        """Drop the cached context of a session (the next assessment rebuilds it)."""
        self._cache.pop(session_id, None)

    def cached(self, session_id: int) -> bool:
        """Whether a context for the session is kept (for tests and diagnostics)."""
        return session_id in self._cache

    def assess(self, db: Session, session_id: int, at: datetime) -> AssessmentOutcome | None:
        """Assess the session at ``at`` and store the result in ``db``'s transaction.

        Returns None, storing nothing, while the session has no vital signs (no baseline).
        """
        session = db.get(models.InfusionSession, session_id)
        if session is None:
            raise LookupError(f"no infusion session {session_id}")
        rules = self._rules()
        self._watch_rollback(db, session_id)
        cached = self._cache.get(session_id)
        if (
            cached is None
            or cached.key[0] != rules.version
            or not _caught_up(db, session_id, cached)
        ):
            self.forget(session_id)
            start = _infusion_start(db, session_id)
            cached = _build(db, session, at if start is None else start, rules, self._drug(session))
            if cached is None:
                return None
            if start is not None:
                self._cache[session_id] = cached
        context = cached.context
        origin = cached.key[1]
        t = seconds_between(origin, at)
        result = assess(context, t)
        values = {
            "session_id": session_id,
            "at": at,
            "minute": max(0, t // SECONDS_PER_MIN),
            "ruleset_name": rules.name,
            "ruleset_version": rules.version,
            "priority": result.priority,
            "result": result.to_json(),
        }
        # One INSERT, past the ORM's unit of work: the outcome is all anyone needs of the row.
        row = models.Assessment(id=insert_values(db, models.Assessment, values), **values)
        # The session's priority, guidance and care picture follow the assessment.
        record_changes(db, Changes(care=frozenset({session_id})))
        outcome = replace(
            AssessmentOutcome.of(row, context.setup.patient), nurse_set=cached.nurse_set_at(at)
        )
        for listener in self._listeners:
            listener(db, outcome)
        return outcome

    def protocol(self, protocol_id: str) -> DrugProtocol | None:
        """The drug protocol with ``protocol_id`` in the library in force (None: unknown)."""
        found = None if self._library is None else self._library.protocols.get(protocol_id)
        return None if found is None else found.protocol

    def _drug(self, session: models.InfusionSession) -> str | None:
        """The drug code of the session's protocol, for the rules' drug lists (None: unknown)."""
        protocol = self.protocol(session.protocol_id)
        return None if protocol is None else protocol.drug

    def _watch_rollback(self, db: Session, session_id: int) -> None:
        """Forget the contexts a transaction touched if it rolls back (row ids may be reused)."""
        touched: set[int] | None = db.info.get(_DB_INFO_KEY)
        if touched is None:
            touched = set()
            db.info[_DB_INFO_KEY] = touched
            forget = self.forget

            def on_rollback(_db: Session, _transaction: object) -> None:
                for sid in touched:
                    forget(sid)
                touched.clear()

            def on_commit(committed: Session) -> None:
                if not committed.in_nested_transaction():  # a savepoint released is not durable
                    touched.clear()

            event.listen(db, "after_soft_rollback", on_rollback)
            event.listen(db, "after_commit", on_commit)
        touched.add(session_id)


_WARNED_CODES: set[str] = set()


def _not_graded(code: str) -> None:
    """A symptom the rules do not take: "other" by design (silently), else warn once per code."""
    if code == OTHER_SYMPTOM or code in _WARNED_CODES:
        return
    _WARNED_CODES.add(code)
    log.warning("symptom code %r is not in the catalogue; not assessed", code)


def _infusion_start(db: Session, session_id: int) -> datetime | None:
    return db.scalar(
        select(models.SessionEvent.at)
        .where(models.SessionEvent.session_id == session_id, models.SessionEvent.type == "start")
        .order_by(models.SessionEvent.at)
        .limit(1)
    )


def _baseline(db: Session, session_id: int, origin: datetime) -> models.VitalSigns | None:
    """The latest set, not amended, taken at or before the infusion start (or ``origin``)."""
    superseded = superseded_ids(db, session_id)
    query = (
        select(models.VitalSigns)
        .where(models.VitalSigns.session_id == session_id, models.VitalSigns.taken_at <= origin)
        .order_by(models.VitalSigns.taken_at.desc(), models.VitalSigns.id.desc())
    )
    return next((row for row in db.scalars(query) if row.id not in superseded), None)


def _build(
    db: Session,
    session: models.InfusionSession,
    origin: datetime,
    rules: RuleSet,
    drug: str | None,
) -> _Cached | None:
    baseline = _baseline(db, session.id, origin)
    if baseline is None:
        return None
    patient = rules_patient(session, origin.date())
    context = SessionContext(rules, patient, vital_signs(baseline), drug)
    cached = _Cached((rules.version, origin), context)
    cached.note_set(baseline.source, baseline.taken_at)
    _fold(cached, _rows_since(db, session.id, cached), origin, skip={baseline.id})
    return cached


def _since(record: Any) -> Select[Any]:
    return (
        select(record)
        .where(record.session_id == bindparam("session_id"), record.id > bindparam("seen"))
        .order_by(record.id)
    )


def _mark(n: int, record: Any) -> Select[int, Any, int]:
    return select(literal(n), func.coalesce(func.max(record.id), 0), func.count()).where(
        record.session_id == bindparam("session_id")
    )


# Built once: the monitor feed runs them for every message, and building costs more than running.
#: Each tracked table's rows of a session above the id ``seen``, in id order.
_SINCE = tuple(_since(record) for record in _TRACKED)
#: Each tracked table's highest id and row count for a session, in one query.
_MARKS = union_all(*(_mark(n, record) for n, record in enumerate(_TRACKED)))


def _rows_since(
    db: Session, session_id: int, cached: _Cached, marks: Sequence[_Seen] | None = None
) -> _Batch:
    """The rows above the ids ``cached`` has folded, of every tracked table.

    Given the tables' ``marks``, a table whose highest id has not moved is not read, and one
    that grew by exactly one row above those ids is that row (no row can vanish from an
    append-only table, so the count leaves room for no other): taken from the transaction's
    own rows when it wrote it, as the monitor feed just did, without a query.
    """

    def since(record: Any, query: Select[Any], seen: _Seen, mark: _Seen | None) -> list[Any]:
        if mark is not None and mark.last_id <= seen.last_id:
            return []
        if mark is not None and mark.rows == seen.rows + 1:
            return [db.get_one(record, mark.last_id)]
        return list(db.scalars(query, {"session_id": session_id, "seen": seen.last_id}))

    marked = [None] * len(_TRACKED) if marks is None else marks
    return _Batch(
        *(
            since(record, query, seen, mark)
            for record, query, seen, mark in zip(_TRACKED, _SINCE, cached.seen, marked, strict=True)
        )
    )


def _marks(db: Session, session_id: int) -> list[_Seen]:
    """Each tracked table's highest id and row count for the session (rows not yet flushed
    included), asked of the transaction's connection directly: it reads no ORM objects."""
    db.flush()
    marks = db.connection().execute(_MARKS, {"session_id": session_id})
    found = {n: _Seen(last_id, rows) for n, last_id, rows in marks}
    return [found[n] for n in range(len(_TRACKED))]


def _caught_up(db: Session, session_id: int, cached: _Cached) -> bool:
    """Fold the session's rows added since ``cached`` was last brought up to date; False (and
    nothing folded) when the context must be rebuilt instead.

    Catching up by id alone is not enough on PostgreSQL, where ids are handed out before commit:
    another workstation's row committed late can sit below the ids already folded. A table whose
    row count does not match what was folded holds such a row, and the context is rebuilt; so
    does a new row amending an older one, or a new infusion start.
    """
    marks = _marks(db, session_id)
    batch = _rows_since(db, session_id, cached, marks)
    counted = all(
        seen.rows + len(rows) == mark.rows
        for seen, rows, mark in zip(cached.seen, batch.tables, marks, strict=True)
    )
    if not counted or batch.amends or any(step.type == "start" for step in batch.events):
        return False
    _fold(cached, batch, cached.key[1])
    return True


def _fold(cached: _Cached, batch: _Batch, origin: datetime, skip: set[int] | None = None) -> None:
    """Add a batch to the context; rows amended within the batch are left out."""
    context = cached.context
    gone = {row.amends_id for row in batch.vitals}
    for vitals in batch.vitals:
        if vitals.id not in gone and vitals.taken_at > origin and vitals.id not in (skip or ()):
            context.add_observation(seconds_between(origin, vitals.taken_at), vital_signs(vitals))
            cached.note_set(vitals.source, vitals.taken_at)
    gone = {row.amends_id for row in batch.symptoms}
    for symptom in batch.symptoms:
        if symptom.id in gone:
            continue
        if symptom.code not in SYMPTOMS:
            _not_graded(symptom.code)
            continue
        resolved = symptom.resolved_at
        context.add_symptom(
            symptom.code,
            seconds_between(origin, symptom.onset_at),
            None if resolved is None else seconds_between(origin, resolved),
        )
    gone = {row.amends_id for row in batch.interventions}
    for done in batch.interventions:
        if done.id not in gone and done.declined_reason is None and done.action in _ACTIONS:
            context.add_action(seconds_between(origin, done.at), CourseAction(done.action))
    for step in batch.events:
        t = seconds_between(origin, step.at)
        if step.type in EVENT_ACTIONS:
            context.add_action(t, EVENT_ACTIONS[step.type])
        if step.type in INFUSION_END_EVENTS:
            context.end_infusion(t)
    for seen, rows in zip(cached.seen, batch.tables, strict=True):
        seen.rows += len(rows)
        if rows:
            seen.last_id = rows[-1].id
