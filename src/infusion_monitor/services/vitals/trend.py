"""What the trend plot shows for one session, read in one transaction (plain data, no ORM).

Current sets only (an amended set shows its correction; the original stays in the records),
each with its NEWS2 (rules ``news2``), the baseline, and the events to mark: lifecycle steps,
symptoms as currently recorded (a corrected onset at its corrected time, one entered in error
not at all), alerts, interventions, and skipped checks (drawn as gaps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.course import COURSE_ACTION_LABELS, CourseAction
from infusion_monitor.domain.markers import EVENT_MARKERS, MarkerKind
from infusion_monitor.domain.session import EventKind
from infusion_monitor.domain.symptoms import OTHER_SYMPTOM, SYMPTOMS
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules import news2
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.rules.moment import newer_over
from infusion_monitor.services.assessing import news2_not_applicable, rules_patient, vital_signs
from infusion_monitor.services.care.alert_history import CHANGE_WORDS, alert_histories, alert_words
from infusion_monitor.services.care.picture import current_symptom_rows
from infusion_monitor.services.vitals.recording import sets_stored_since
from infusion_monitor.services.vitals.schedule import SKIPPED_NOTE
from infusion_monitor.storage import models

SECONDS_PER_MIN = 60
_EVENT_WORDS = {
    "start": "start",
    "pause": "pause",
    "resume": "resume",
    "rate_change": "rate",
    "complete": "end",
    "discontinue": "stopped",
    "observation_start": "observation",
}


@dataclass(frozen=True)
class TrendSet:
    """One current set: minutes since start, the values, NEWS2, and where it came from."""

    t_min: float
    signs: VitalSigns
    news2: int | None
    monitor: bool
    mean_bp: int | None = None


@dataclass(frozen=True)
class TrendEvent:
    """An event to mark: minutes since start, its kind and label."""

    t_min: float
    kind: MarkerKind
    label: str


@dataclass(frozen=True)
class TrendCursor:
    """Where a trend read stopped, so that the next read of the same session takes only the sets
    stored since (``VitalsTrendService.trend(session_id, after=...)``)."""

    version: int
    """The session row's version: a lifecycle change or an amended set-up reads it all again."""
    last_id: int
    """The newest vital-signs row read (0: none)."""
    newest_at: datetime | None
    """When the latest current set was taken."""
    baseline: VitalSigns | None
    """The baseline NEWS2 compares with."""
    carried: VitalSigns | None
    """The values in force after the latest set, as the rules carry them (rules-spec §2)."""


@dataclass(frozen=True)
class TrendData:
    """Everything the plot needs for one session."""

    start: datetime
    started: bool
    baseline: TrendSet | None
    sets: tuple[TrendSet, ...]
    events: tuple[TrendEvent, ...]
    missed_min: tuple[float, ...]
    news2_not_applicable: str | None = None
    """Why NEWS2 does not apply to this patient ("pregnancy", "under 16"); None when it does."""
    cursor: TrendCursor | None = None
    """Where this read stopped (None: it cannot be extended)."""
    kept: int | None = None
    """How many of ``sets`` were carried over unchanged from the trend this read extends (the
    new ones follow them); None when every set was read afresh."""


class VitalsTrendService:
    """Reads a session's trend data."""

    def __init__(self, sessions: sessionmaker[Session], rules: Callable[[], RuleSet]) -> None:
        self._sessions = sessions
        self._rules = rules

    def trend(self, session_id: int, after: TrendData | None = None) -> TrendData:
        """The session's trend, as committed. With ``after`` (an earlier read of this session),
        only the sets stored since are read and scored when nothing before them changed."""
        with self._sessions() as db:
            return read_trend(db, session_id, self._rules(), after)


def _intervention_label(code: str, rules: RuleSet) -> str:
    """Words for a recorded action: the course action's label, else the rule set's step text."""
    if code in {action.value for action in CourseAction}:
        return COURSE_ACTION_LABELS[CourseAction(code)]
    text = rules.definition.action_text.get(code)
    return f"Done: {text.rstrip('.')}" if text else code


def read_trend(
    db: Session, session_id: int, rules: RuleSet, after: TrendData | None = None
) -> TrendData:
    """Build the trend data inside ``db``'s transaction (extending ``after`` where it can)."""
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
    start_at = next((e.at for e in events if e.type == "start"), None)
    cursor = None if after is None else after.cursor
    if after is not None and cursor is not None and start_at is not None:
        extended = _extend(db, row, start_at, after, cursor, rules)
        if extended is not None:
            return _with_marks(db, row, events, rules, extended)
    vitals = list(
        db.scalars(
            select(models.VitalSigns)
            .where(models.VitalSigns.session_id == session_id)
            .order_by(models.VitalSigns.taken_at, models.VitalSigns.id)
        )
    )
    amended = {v.amends_id for v in vitals if v.amends_id is not None}
    current = [v for v in vitals if v.id not in amended]
    origin = start_at or (current[0].taken_at if current else row.created_at)
    before = [v for v in current if v.taken_at <= origin]
    baseline_row = before[-1] if before else (current[0] if current else None)
    baseline_vitals = None if baseline_row is None else vital_signs(baseline_row)
    scoring = _Scoring(row, origin, baseline_vitals, rules)
    # As the rules score them: a value missing from a set after the start (a monitor's set has
    # no ACVPU or oxygen) is carried from the sets before it, back to the baseline (rules-spec §2).
    scored, carried = scoring.sets(current, baseline_vitals)
    baseline = None if baseline_row is None else scoring.trend_set(baseline_row, None)
    patient = scoring.patient
    data = TrendData(
        origin,
        start_at is not None,
        baseline,
        tuple(scored),
        (),
        (),
        None if news2.applicable(patient) else news2_not_applicable(patient),
        TrendCursor(
            row.version,
            max((v.id for v in vitals), default=0),
            current[-1].taken_at if current else None,
            baseline_vitals,
            carried,
        ),
    )
    return _with_marks(db, row, events, rules, data)


class _Scoring:
    """NEWS2 of each set as the rules score it, in minutes since ``origin``."""

    def __init__(
        self,
        row: models.InfusionSession,
        origin: datetime,
        baseline: VitalSigns | None,
        rules: RuleSet,
    ) -> None:
        self.origin = origin
        self.patient = rules_patient(row, origin.date())
        self._baseline = baseline
        self._warning = rules.definition.news2.baseline_warning_score

    def minutes(self, at: datetime) -> float:
        return (at - self.origin).total_seconds() / SECONDS_PER_MIN

    def trend_set(self, v: models.VitalSigns, earlier: VitalSigns | None) -> TrendSet:
        assert self._baseline is not None
        values = vital_signs(v)
        scores = news2.news2(values, earlier, self._baseline, self.patient, self._warning)
        return TrendSet(
            self.minutes(v.taken_at),
            values,
            scores.score if scores.applicable else None,
            v.source == "monitor",
            v.mean_arterial_pressure,
        )

    def sets(
        self, current: list[models.VitalSigns], so_far: VitalSigns | None
    ) -> tuple[list[TrendSet], VitalSigns | None]:
        """The sets scored in time order, carrying values from ``so_far`` on; and what is
        carried after the last of them."""
        scored: list[TrendSet] = []
        for v in current:
            after = so_far is not None and v.taken_at > self.origin
            scored.append(self.trend_set(v, so_far if after else None))
            if after and so_far is not None:
                so_far = newer_over(so_far, vital_signs(v))
        return scored, so_far


def _extend(
    db: Session,
    row: models.InfusionSession,
    start_at: datetime,
    after: TrendData,
    cursor: TrendCursor,
    rules: RuleSet,
) -> TrendData | None:
    """``after`` with the sets stored since it was read appended, or None when those sets do
    not simply follow it (the session or its start changed, a set corrects an earlier one or
    was taken before the newest shown): then everything is read again."""
    if row.version != cursor.version or not after.started or after.start != start_at:
        return None
    ids = sets_stored_since(db, row.id, cursor.last_id)
    new = (
        list(
            db.scalars(
                select(models.VitalSigns)
                .where(models.VitalSigns.id.in_(ids))
                .order_by(models.VitalSigns.taken_at, models.VitalSigns.id)
            )
        )
        if ids
        else []
    )
    follows = all(
        v.amends_id is None
        and v.taken_at > start_at
        and (cursor.newest_at is None or v.taken_at >= cursor.newest_at)
        for v in new
    )
    if not follows or (new and cursor.baseline is None):
        return None
    scored, carried = _Scoring(row, start_at, cursor.baseline, rules).sets(new, cursor.carried)
    return replace(
        after,
        sets=after.sets + tuple(scored),
        cursor=replace(
            cursor,
            last_id=max((v.id for v in new), default=cursor.last_id),
            newest_at=new[-1].taken_at if new else cursor.newest_at,
            carried=carried,
        ),
        kept=len(after.sets),
    )


def _with_marks(
    db: Session,
    row: models.InfusionSession,
    events: list[models.SessionEvent],
    rules: RuleSet,
    data: TrendData,
) -> TrendData:
    """``data`` with the events to mark and the skipped checks, read afresh."""
    session_id = row.id

    def minutes(at: datetime) -> float:
        return (at - data.start).total_seconds() / SECONDS_PER_MIN

    marks: list[TrendEvent] = []
    missed: list[float] = []
    for event in events:
        if event.type in _EVENT_WORDS:
            kind = EVENT_MARKERS[EventKind(event.type)]
            label = _EVENT_WORDS[event.type]
            rate = (event.payload or {}).get("rate")
            if event.type in ("rate_change", "resume") and rate is not None:
                label = f"{label} {rate:g} {row.rate_unit or ''}".strip()
            marks.append(TrendEvent(minutes(event.at), kind, label))
        elif (event.payload or {}).get("note") == SKIPPED_NOTE:
            missed.append(minutes(event.at))
            marks.append(TrendEvent(minutes(event.at), MarkerKind.PAUSE, "check skipped"))
    for symptom in current_symptom_rows(db, session_id):
        known = SYMPTOMS.get(symptom.code)
        if known is not None:
            label = known.label
        elif symptom.code == OTHER_SYMPTOM and symptom.note:
            label = f"{symptom.note} (not graded)"
        else:
            label = symptom.code
        marks.append(TrendEvent(minutes(symptom.onset_at), MarkerKind.SYMPTOM, label))
    for alert in alert_histories(db, session_id):
        words, condition = alert_words(alert.raised_priority, alert.raised_condition)
        marks.append(
            TrendEvent(minutes(alert.row.raised_at), MarkerKind.ALERT, f"{words} {condition}")
        )
        for change in alert.changes:
            words, condition = alert_words(change.priority, change.condition)
            text = f"{CHANGE_WORDS[change.action]} {words} {condition}"
            marks.append(TrendEvent(minutes(change.at), MarkerKind.ALERT, text))
    for done in db.scalars(
        select(models.Intervention).where(
            models.Intervention.session_id == session_id,
            models.Intervention.declined_reason.is_(None),
        )
    ):
        label = _intervention_label(done.action, rules)
        marks.append(TrendEvent(minutes(done.at), MarkerKind.INTERVENTION, label))
    return replace(
        data, events=tuple(sorted(marks, key=lambda m: m.t_min)), missed_min=tuple(missed)
    )
