"""What the trend plot shows for one session, read in one transaction (plain data, no ORM).

Current sets only (an amended set shows its correction; the original stays in the records),
each with its NEWS2 (rules ``news2``), the baseline, and the events to mark: lifecycle steps,
symptoms as currently recorded (a corrected onset at its corrected time, one entered in error
not at all), alerts, interventions, and skipped checks (drawn as gaps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.course import COURSE_ACTION_LABELS, CourseAction
from infusion_monitor.domain.symptoms import OTHER_SYMPTOM, SYMPTOMS
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules import news2
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.rules.moment import newer_over
from infusion_monitor.services.alert_history import CHANGE_WORDS, alert_histories, alert_words
from infusion_monitor.services.assessing import news2_not_applicable, rules_patient, vital_signs
from infusion_monitor.services.care_picture import current_symptom_rows
from infusion_monitor.services.vitals_schedule import SKIPPED_NOTE
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
    """An event to mark: minutes since start, its kind (``MarkerKind`` value) and label."""

    t_min: float
    kind: str
    label: str


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


class VitalsTrendService:
    """Reads a session's trend data."""

    def __init__(self, sessions: sessionmaker[Session], rules: Callable[[], RuleSet]) -> None:
        self._sessions = sessions
        self._rules = rules

    def trend(self, session_id: int) -> TrendData:
        """The session's trend, as committed."""
        with self._sessions() as db:
            return read_trend(db, session_id, self._rules())


def _intervention_label(code: str, rules: RuleSet) -> str:
    """Words for a recorded action: the course action's label, else the rule set's step text."""
    if code in {action.value for action in CourseAction}:
        return COURSE_ACTION_LABELS[CourseAction(code)]
    text = rules.definition.action_text.get(code)
    return f"Done: {text.rstrip('.')}" if text else code


def read_trend(db: Session, session_id: int, rules: RuleSet) -> TrendData:
    """Build the trend data inside ``db``'s transaction."""
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

    def minutes(at: datetime) -> float:
        return (at - origin).total_seconds() / SECONDS_PER_MIN

    patient = rules_patient(row, origin.date())
    before = [v for v in current if v.taken_at <= origin]
    baseline_row = before[-1] if before else (current[0] if current else None)
    baseline_vitals = None if baseline_row is None else vital_signs(baseline_row)
    warning = rules.definition.news2.baseline_warning_score

    def trend_set(v: models.VitalSigns, earlier: VitalSigns | None) -> TrendSet:
        assert baseline_vitals is not None
        values = vital_signs(v)
        scores = news2.news2(values, earlier, baseline_vitals, patient, warning)
        return TrendSet(
            minutes(v.taken_at),
            values,
            scores.score if scores.applicable else None,
            v.source == "monitor",
            v.mean_arterial_pressure,
        )

    # As the rules score them: a value missing from a set after the start (a monitor's set has
    # no ACVPU or oxygen) is carried from the sets before it, back to the baseline (rules-spec §2).
    scored: list[TrendSet] = []
    so_far = baseline_vitals
    for v in current:
        after = so_far is not None and v.taken_at > origin
        scored.append(trend_set(v, so_far if after else None))
        if after and so_far is not None:
            so_far = newer_over(so_far, vital_signs(v))
    sets = tuple(scored)
    marks: list[TrendEvent] = []
    missed: list[float] = []
    for event in events:
        if event.type in _EVENT_WORDS:
            kind = {"complete": "end", "discontinue": "end", "observation_start": "end"}.get(
                event.type, event.type
            )
            label = _EVENT_WORDS[event.type]
            rate = (event.payload or {}).get("rate")
            if event.type in ("rate_change", "resume") and rate is not None:
                label = f"{label} {rate:g} {row.rate_unit or ''}".strip()
            marks.append(TrendEvent(minutes(event.at), kind, label))
        elif (event.payload or {}).get("note") == SKIPPED_NOTE:
            missed.append(minutes(event.at))
            marks.append(TrendEvent(minutes(event.at), "pause", "check skipped"))
    for symptom in current_symptom_rows(db, session_id):
        known = SYMPTOMS.get(symptom.code)
        if known is not None:
            label = known.label
        elif symptom.code == OTHER_SYMPTOM and symptom.note:
            label = f"{symptom.note} (not graded)"
        else:
            label = symptom.code
        marks.append(TrendEvent(minutes(symptom.onset_at), "symptom", label))
    for alert in alert_histories(db, session_id):
        words, condition = alert_words(alert.raised_priority, alert.raised_condition)
        marks.append(TrendEvent(minutes(alert.row.raised_at), "alert", f"{words} {condition}"))
        for change in alert.changes:
            words, condition = alert_words(change.priority, change.condition)
            text = f"{CHANGE_WORDS[change.action]} {words} {condition}"
            marks.append(TrendEvent(minutes(change.at), "alert", text))
    for done in db.scalars(
        select(models.Intervention).where(
            models.Intervention.session_id == session_id,
            models.Intervention.declined_reason.is_(None),
        )
    ):
        label = _intervention_label(done.action, rules)
        marks.append(TrendEvent(minutes(done.at), "intervention", label))
    baseline = None if baseline_row is None else trend_set(baseline_row, None)
    return TrendData(
        origin,
        start_at is not None,
        baseline,
        sets,
        tuple(sorted(marks, key=lambda m: m.t_min)),
        tuple(missed),
        None if news2.applicable(patient) else news2_not_applicable(patient),
    )
