"""What the quality measures are computed from, and how one session's facts are worked out.

The page reads facts already grouped (``quality_reads``: sessions by nurse, month, drug and
cycle with their vitals checks summed, alerts, reactions and declined steps), each group with
the count of sessions behind it and a way to list them (:class:`Behind`) when a number is
clicked. A finished session's own facts (its vitals sets by phase, late and skipped checks,
reaction clocks) are worked out here from its records by :func:`session_facts`, which
``quality_summary`` stores once per session. ``QualitySettings`` holds what the unit sets
(target line, shifts, escalation time) and how times are read (local month and shift).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Interval, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from infusion_monitor.config import QualitySection
from infusion_monitor.domain.alerts import ESCALATE_AFTER_S
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.guidance import (
    DRUG_ACTIONS,
    NOTIFICATION_STEPS,
    STOPPING_ACTIONS,
)
from infusion_monitor.domain.reaction import Step, reaction_clock
from infusion_monitor.domain.schedule import MissedCheckReason
from infusion_monitor.domain.symptoms import SITE_REACTION
from infusion_monitor.services.assessing import EVENT_ACTIONS
from infusion_monitor.services.review.query import (
    LATE_NOTE,
    SKIPPED_NOTE,
    SessionFilter,
    aware,
    filtered,
)
from infusion_monitor.storage import models

FIRST_HOUR = "first_hour"
LATER = "later"
OBSERVATION = "observation"
FIRST_HOUR_S = 3600
#: Anaphylaxis: the first drug is epinephrine (reference §5: "Epinephrine IM — first line, no
#: delay"); an IV adrenaline infusion (vasopressor) counts too.
EPINEPHRINE_ACTIONS = frozenset({CourseAction.EPINEPHRINE_IM.value, CourseAction.VASOPRESSOR.value})


def settings_from(section: QualitySection, escalate_after_s: int) -> QualitySettings:
    """The page's settings from config.toml ``[quality]`` and ``[alerts] escalate_after_s``."""
    return QualitySettings(
        target_pct=section.vitals_on_time_target_pct,
        escalate_after_s=escalate_after_s,
        shifts=tuple((shift.name, shift.start) for shift in section.shifts),
    )


class Behind:
    """The sessions behind a figure: how many, and how to list them (read when clicked).

    ``count`` None: some, how many is known once they are listed.
    """

    def __init__(self, count: int | None, fetch: Callable[[], tuple[int, ...]] = tuple) -> None:
        self._count = count
        self._fetch = fetch

    @property
    def count(self) -> int | None:
        """How many sessions (None: some, not counted yet)."""
        return self._count

    @property
    def opens(self) -> bool:
        """Whether there is any session behind the figure."""
        return self.count is None or self.count > 0

    def fetch(self) -> tuple[int, ...]:
        """Their ids, in order."""
        return self._fetch()


class Known(Behind):
    """Sessions already at hand (a small set: alerts, reactions); sorted only when asked."""

    def __init__(self, ids: list[int]) -> None:
        self._ids = ids

    @cached_property
    def count(self) -> int:
        """How many different sessions."""
        return len(set(self._ids))

    def fetch(self) -> tuple[int, ...]:
        """Their ids, in order."""
        return tuple(sorted(set(self._ids)))


NOBODY = Behind(0)


def known(ids: Iterable[int]) -> Behind:
    """Sessions already at hand."""
    return Known(ids if isinstance(ids, list) else list(ids))


@dataclass(frozen=True)
class PhaseChecks:
    """Vitals checks in one phase (or all), summed over sessions."""

    sets: int = 0
    """Sets recorded (not corrections)."""
    on_time: int = 0
    """Sets not recorded late."""
    late: int = 0
    skipped: int = 0

    @property
    def any(self) -> bool:
        """Whether there is a set, a late set or a skipped check."""
        return bool(self.sets or self.late or self.skipped)


@dataclass(frozen=True)
class SessionGroup:
    """Finished sessions sharing nurse and local month (created), or drug and cycle.

    The fields a group is not made by are left empty ("" and 0).
    """

    nurse: str
    month: str
    drug: str
    cycle: int
    sessions: int
    checks: PhaseChecks
    """All phases together."""
    phases: tuple[PhaseChecks, ...] = ()
    """First hour, later, observation (read for the groups by nurse and month only)."""


@dataclass(frozen=True)
class MissedCheck:
    """A check recorded late (with its reason) or skipped (with its reason), and its phase."""

    session_id: int
    kind: str
    """``late`` or ``skipped``."""
    reason: str
    phase: str


@dataclass(frozen=True)
class AlertFact:
    """One alert: priority, when raised, acknowledged and resolved, and any nurse escalation."""

    session_id: int
    nurse: str
    """The session's nurse."""
    priority: str
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    escalated_by_nurse: bool = False
    raised_by_nurse: bool = False
    """The nurse's own "Escalate anyway" alert (acknowledged by her as she raised it)."""


@dataclass(frozen=True)
class ReactionFact:
    """One reaction (the session's newest reaction record) and its response times."""

    session_id: int
    drug: str
    cycle: int
    term: str
    grade: int
    suggested_term: str
    suggested_grade: int
    disposition: str
    restart_completed: bool | None
    to_stopped_min: float | None
    to_notified_min: float | None
    to_first_drug_min: float | None
    to_epinephrine_min: float | None


@dataclass(frozen=True)
class DeclinedStep:
    """A suggested step the nurse declined, with her reason."""

    session_id: int
    step: str
    reason: str


@dataclass(frozen=True)
class ReasonCount:
    """Late sets or skipped checks (``kind``) given one reason, and the sessions behind them."""

    kind: str
    reason: str
    checks: int
    behind: Behind


#: Lists the sessions of the groups matching ``dims`` (nurse, month, drug, band: a cycle band
#: "1".."6" or "7+") that have ``what``: "sessions" (all), "checks", "late" or "skipped",
#: optionally in one phase ("late:first_hour"); ``count`` is how many there are (0: none;
#: None: some, counted when listed).
Finder = Callable[[dict[str, str], str, int | None], Behind]


@dataclass(frozen=True)
class QualityFacts:
    """Everything the measures are computed from."""

    by_nurse_month: tuple[SessionGroup, ...] = ()
    by_drug_cycle: tuple[SessionGroup, ...] = ()
    """The same sessions grouped twice (two small groupings instead of their product)."""
    reasons: tuple[ReasonCount, ...] = ()
    alerts: tuple[AlertFact, ...] = ()
    reactions: tuple[ReactionFact, ...] = ()
    declined: tuple[DeclinedStep, ...] = ()
    find: Finder = field(default=lambda _dims, _what, _count: NOBODY, compare=False)


@dataclass(frozen=True)
class QualitySettings:
    """What the unit sets (config.toml ``[quality]`` and ``[alerts]``) and the local zone."""

    target_pct: float = field(default_factory=lambda: QualitySection().vitals_on_time_target_pct)
    escalate_after_s: int = ESCALATE_AFTER_S
    shifts: tuple[tuple[str, time], ...] = field(
        default_factory=lambda: tuple((s.name, s.start) for s in QualitySection().shifts)
    )
    zone: tzinfo | None = None
    """Months and shifts are read in this zone (None: the computer's own)."""
    reason_words: dict[str, str] = field(
        default_factory=lambda: {r.value: r.label for r in MissedCheckReason}
    )

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def month_of(self, at: datetime) -> str:
        """``2026-02``: the local month of ``at``."""
        local = self._local(at)
        return f"{local.year:04d}-{local.month:02d}"

    def months(self, earliest: datetime, latest: datetime) -> list[tuple[str, datetime]]:
        """Each local month from ``earliest``'s to ``latest``'s: its name and its first instant."""
        first, last = self._local(earliest), self._local(latest)
        found = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            start = datetime(year, month, 1)
            aware_start = start.replace(tzinfo=self.zone) if self.zone else start.astimezone()
            found.append((f"{year:04d}-{month:02d}", aware_start))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def shift_of(self, at: datetime) -> str:
        """The shift whose start is the latest at or before ``at``'s local time of day."""
        of_day = self._local(at).time()
        ordered = sorted(self.shifts, key=lambda s: s[1])
        started = [name for name, start in ordered if start <= of_day]
        return started[-1] if started else ordered[-1][0]

    def order_of(self, group: str | None) -> Callable[[str], Any]:
        """How the rows of ``group`` are ordered: shifts as configured, others by name."""
        if group == "Shift":
            names = [name for name, _ in self.shifts]
            return lambda name: names.index(name) if name in names else len(names)
        return lambda name: name


def _minutes(delta: Any) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


def _phase(at: datetime, start: datetime | None, observed: datetime | None) -> str:
    if observed is not None and at >= observed:
        return OBSERVATION
    if start is None or (at - start).total_seconds() < FIRST_HOUR_S:
        return FIRST_HOUR
    return LATER


#: Told how far reading has gone: a share from 0 to 1 and what is being read.
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class SessionFacts:
    """Finished sessions' own facts, worked out from their records (what is summarised)."""

    sets_by_phase: dict[int, tuple[int, int, int]]
    """Sets recorded (not corrections) in the first hour, later, and in observation."""
    missed: tuple[MissedCheck, ...]
    reactions: tuple[ReactionFact, ...]


def session_facts(db: Session, session_ids: Iterable[int]) -> SessionFacts:
    """The facts of those of ``session_ids`` that are finished, read from their records.

    Every table is read over the range of the ids (an index range, not one probe per session)
    and kept for the sessions asked about.
    """
    asked = SessionFilter(ids=frozenset(session_ids))
    ids = set(db.scalars(filtered(select(models.InfusionSession.id), asked)))
    if not ids:
        return SessionFacts({}, (), ())
    scope = IdScope(min(ids), max(ids), ids)
    times = _times(db, scope)
    return SessionFacts(
        _set_phases(db, scope, times), _missed(db, scope, times), _reactions(db, scope)
    )


@dataclass(frozen=True)
class IdScope:
    """Sessions: their id range (what a query reads: an index range) and the ids themselves."""

    low: int
    high: int
    ids: set[int]

    def of(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a session id) within the range."""
        return column.between(self.low, self.high)  # type: ignore[no-any-return]


def _times(db: Session, scope: IdScope) -> Any:
    """Per session: the infusion start, the end of its first hour, the observation start."""
    event = models.SessionEvent

    def first(kind: str) -> Any:
        return func.min(case((event.type == kind, event.at)))

    started = first("start")
    if db.get_bind().dialect.name == "sqlite":  # stored as text that sorts in time order
        hour_end = func.strftime("%Y-%m-%d %H:%M:%f", started, f"+{FIRST_HOUR_S} seconds")
    else:
        hour_end = started + literal(timedelta(seconds=FIRST_HOUR_S), Interval())
    return (
        select(
            event.session_id.label("session_id"),
            started.label("started"),
            hour_end.label("hour_end"),
            first("observation_start").label("observed"),
        )
        .where(scope.of(event.session_id), event.type.in_(("start", "observation_start")))
        .group_by(event.session_id)
        .subquery()
    )


def _set_phases(db: Session, scope: IdScope, times: Any) -> dict[int, tuple[int, int, int]]:
    vitals = models.VitalSigns

    def counted(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    observed = and_(times.c.observed.is_not(None), vitals.taken_at >= times.c.observed)
    first = and_(~observed, or_(times.c.hour_end.is_(None), vitals.taken_at < times.c.hour_end))
    return {
        sid: (int(in_first), int(total - in_first - in_observation), int(in_observation))
        for sid, total, in_first, in_observation in db.execute(
            select(vitals.session_id, func.count(), counted(first), counted(observed))
            .select_from(vitals)
            .outerjoin(times, times.c.session_id == vitals.session_id)
            .where(scope.of(vitals.session_id), vitals.amends_id.is_(None))
            .group_by(vitals.session_id)
        )
        if sid in scope.ids
    }


def _missed(db: Session, scope: IdScope, times: Any) -> tuple[MissedCheck, ...]:
    event = models.SessionEvent
    note = event.payload["note"].as_string()
    notes = [
        row
        for row in db.execute(
            select(
                event.session_id,
                note,
                event.payload["reason"].as_string(),
                event.payload["due_at"].as_string(),
                event.at,
            ).where(
                scope.of(event.session_id),
                event.type == "note",
                note.in_((LATE_NOTE, SKIPPED_NOTE)),
            )
        )
        if row[0] in scope.ids
    ]
    noted = sorted({row[0] for row in notes})
    phases = {
        sid: (aware(started), aware(observed))
        for sid, started, observed in db.execute(
            select(times.c.session_id, times.c.started, times.c.observed).where(
                times.c.session_id.in_(noted)
            )
        )
    }
    found = []
    for sid, kind, reason, due, at in notes:
        started, observed = phases.get(sid, (None, None))
        when = aware(datetime.fromisoformat(due)) if due else at
        found.append(
            MissedCheck(
                sid,
                "late" if kind == LATE_NOTE else "skipped",
                reason or "other",
                _phase(when or at, started, observed),
            )
        )
    return tuple(found)


_STOPPING = {a.value for a in STOPPING_ACTIONS}
_DRUGS = {a.value for a in DRUG_ACTIONS}
_WANTED = _STOPPING | _DRUGS | set(NOTIFICATION_STEPS) | EPINEPHRINE_ACTIONS


def _reactions(db: Session, scope: IdScope) -> tuple[ReactionFact, ...]:
    record = models.ReactionRecord
    newest: dict[int, Any] = {}
    for row in db.execute(
        select(
            record.session_id,
            record.drug_name,
            models.InfusionSession.cycle,
            record.ctcae_term,
            record.ctcae_grade,
            record.suggested_term,
            record.suggested_grade,
            record.disposition,
            record.restarted_at,
        )
        .join(models.InfusionSession, record.session_id == models.InfusionSession.id)
        .where(scope.of(record.session_id))
        .order_by(record.id)
    ):
        if row[0] in scope.ids:
            newest[row[0]] = row  # an amendment is newer than what it amends
    if not newest:
        return ()
    reacted = list(newest)
    onsets: dict[int, list[datetime]] = defaultdict(list)
    for sid, onset in db.execute(
        select(models.SymptomRecord.session_id, models.SymptomRecord.onset_at).where(
            models.SymptomRecord.session_id.in_(reacted),
            models.SymptomRecord.amends_id.is_(None),
            models.SymptomRecord.code != SITE_REACTION,
        )
    ):
        onsets[sid].append(onset)
    steps: dict[int, list[Step]] = defaultdict(list)
    step = models.Intervention
    for sid, action, detail, at in db.execute(
        select(step.session_id, step.action, step.detail, step.at).where(
            step.session_id.in_(reacted), step.declined_reason.is_(None)
        )
    ):
        steps[sid] += [Step(code, at) for code in (action, detail) if code in _WANTED]
    completed: dict[int, list[datetime]] = defaultdict(list)
    event = models.SessionEvent
    for sid, kind, at in db.execute(
        select(event.session_id, event.type, event.at).where(
            event.session_id.in_(reacted), event.type.in_((*EVENT_ACTIONS, "complete"))
        )
    ):
        if kind == "complete":
            completed[sid].append(at)
        else:
            steps[sid].append(Step(EVENT_ACTIONS[kind].value, at))
    return tuple(
        _reaction(row, onsets.get(sid, []), steps.get(sid, []), completed.get(sid, []))
        for sid, row in newest.items()
    )


def _reaction(
    row: Any, onsets: Iterable[datetime], steps: list[Step], completed: list[datetime]
) -> ReactionFact:
    sid, drug, cycle, term, grade, s_term, s_grade, disposition, restarted = row
    clock = reaction_clock(onsets, steps)
    epinephrine = None
    first_drug = None
    if clock is not None:
        first_drug = _minutes(clock.to_first_drug)
        epi = [s.at for s in steps if s.code in EPINEPHRINE_ACTIONS and s.at >= clock.onset_at]
        epinephrine = _minutes(min(epi) - clock.onset_at) if epi else None
    restart_completed = None
    if disposition == "restarted_reduced":
        restart_completed = restarted is not None and any(at >= restarted for at in completed)
    return ReactionFact(
        session_id=sid,
        drug=drug,
        cycle=cycle or 1,
        term=term,
        grade=grade,
        suggested_term=s_term,
        suggested_grade=s_grade,
        disposition=disposition,
        restart_completed=restart_completed,
        to_stopped_min=_minutes(clock.to_stopped) if clock else None,
        to_notified_min=_minutes(clock.to_notified) if clock else None,
        to_first_drug_min=first_drug,
        to_epinephrine_min=epinephrine,
    )


def filter_words(wanted: SessionFilter, names: dict[str, dict[int, str]]) -> str:
    """The filters in words for the page, the CSV and the PDF (``names``: nurse/chair ids)."""
    parts = []
    if wanted.drug:
        parts.append(f"drug {wanted.drug}")
    if wanted.nurse_id is not None:
        parts.append(f"nurse {names.get('nurse', {}).get(wanted.nurse_id, wanted.nurse_id)}")
    if wanted.chair_id is not None:
        parts.append(f"chair {names.get('chair', {}).get(wanted.chair_id, wanted.chair_id)}")
    return ", ".join(parts) or "all drugs, nurses and chairs"
