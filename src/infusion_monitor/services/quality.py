"""Quality measures of the unit: pure aggregation over plain records, and the service reading them.

- Vitals on time by nurse and ISO week (a set is late when the nurse gave a late-set reason; a
  skipped check counts as not on time).
- Reactions per 100 sessions by drug and cycle (cycles 7 and later pooled as "7+").
- Minutes from the first symptom to infusion stopped, provider notified and first drug given:
  median and 90th percentile (nearest rank), from the reaction clock of ``domain.reaction``.
- Alerts never acknowledged, and suggested steps declined, with the nurse's reason.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.guidance import DRUG_ACTIONS, NOTIFICATION_STEPS, STOPPING_ACTIONS
from infusion_monitor.domain.reaction import Step, reaction_clock
from infusion_monitor.domain.symptoms import SITE_REACTION
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.services.assessing import EVENT_ACTIONS
from infusion_monitor.storage import models

POOLED_FROM_CYCLE = 7
P90 = 0.9


@dataclass(frozen=True)
class CheckRecord:
    """One session's checks: its nurse, when, sets recorded, late sets and skipped checks."""

    nurse: str
    day: date
    sets: int
    late: int
    skipped: int


@dataclass(frozen=True)
class OnTimeCell:
    """Vitals on time for one nurse in one ISO week (``week`` is its Monday)."""

    nurse: str
    week: date
    checks: int
    on_time: int

    @property
    def pct(self) -> float:
        """Percent on time (100 when there was no check)."""
        return 100.0 * self.on_time / self.checks if self.checks else 100.0


@dataclass(frozen=True)
class Exposure:
    """One session: drug, cycle, and whether a reaction was recorded."""

    drug: str
    cycle: int
    reacted: bool


@dataclass(frozen=True)
class ReactionRate:
    """Reactions per 100 sessions for one drug and cycle band."""

    drug: str
    cycle: str
    sessions: int
    reactions: int

    @property
    def per_100(self) -> float:
        """Reactions per 100 sessions."""
        return 100.0 * self.reactions / self.sessions if self.sessions else 0.0


@dataclass(frozen=True)
class ResponseRecord:
    """One reaction's minutes from the first symptom to each response (None: not done)."""

    to_stopped_min: float | None
    to_notified_min: float | None
    to_first_drug_min: float | None


@dataclass(frozen=True)
class ResponseTime:
    """Median and 90th percentile of one response time, over ``n`` reactions."""

    measure: str
    n: int
    median_min: float | None
    p90_min: float | None


@dataclass(frozen=True)
class AlertIssue:
    """An alert never acknowledged, or a suggested step declined, with its reason."""

    session_id: int
    at: datetime
    kind: str
    """``unacknowledged`` or ``declined``."""
    what: str
    nurse: str
    reason: str


@dataclass(frozen=True)
class QualityReport:
    """Everything the quality page shows for one period."""

    since: datetime
    until: datetime
    sessions: int
    on_time: tuple[OnTimeCell, ...]
    reaction_rates: tuple[ReactionRate, ...]
    response_times: tuple[ResponseTime, ...]
    issues: tuple[AlertIssue, ...]


def week_of(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def on_time_by_nurse_week(records: Iterable[CheckRecord]) -> tuple[OnTimeCell, ...]:
    """Vitals on time per nurse and week, sorted by nurse then week."""
    checks: dict[tuple[str, date], int] = defaultdict(int)
    on_time: dict[tuple[str, date], int] = defaultdict(int)
    for record in records:
        key = (record.nurse, week_of(record.day))
        checks[key] += record.sets + record.skipped
        on_time[key] += max(record.sets - record.late, 0)
    return tuple(
        OnTimeCell(nurse, week, checks[(nurse, week)], on_time[(nurse, week)])
        for nurse, week in sorted(checks)
    )


def cycle_band(cycle: int) -> str:
    """``"1"`` … ``"6"``, then ``"7+"``."""
    return f"{POOLED_FROM_CYCLE}+" if cycle >= POOLED_FROM_CYCLE else str(max(cycle, 1))


def reaction_rates(exposures: Iterable[Exposure]) -> tuple[ReactionRate, ...]:
    """Reactions per 100 sessions by drug and cycle band, sorted by drug then cycle."""
    sessions: dict[tuple[str, str], int] = defaultdict(int)
    reactions: dict[tuple[str, str], int] = defaultdict(int)
    for exposure in exposures:
        key = (exposure.drug, cycle_band(exposure.cycle))
        sessions[key] += 1
        reactions[key] += int(exposure.reacted)

    def order(key: tuple[str, str]) -> tuple[str, int]:
        return key[0], int(key[1].rstrip("+"))

    return tuple(
        ReactionRate(drug, band, sessions[(drug, band)], reactions[(drug, band)])
        for drug, band in sorted(sessions, key=order)
    )


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def response_times(records: Iterable[ResponseRecord]) -> tuple[ResponseTime, ...]:
    """Median and 90th percentile of the three response times (reactions that had each)."""
    kept = list(records)
    measures = (
        ("Infusion stopped", [r.to_stopped_min for r in kept]),
        ("Provider notified", [r.to_notified_min for r in kept]),
        ("First drug given", [r.to_first_drug_min for r in kept]),
    )
    found = []
    for name, raw in measures:
        values = [v for v in raw if v is not None]
        found.append(
            ResponseTime(
                name,
                len(values),
                statistics.median(values) if values else None,
                nearest_rank(values, P90),
            )
        )
    return tuple(found)


def _minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


class QualityService:
    """Reads the unit's quality measures for a period (charge nurses only)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def report(self, actor: Actor, since: datetime, until: datetime) -> QualityReport:
        """The measures for sessions set up in ``[since, until)``."""
        actor.require(Permission.REVIEW)
        with self._sessions() as db:
            return read_quality(db, since, until)


def read_quality(db: Session, since: datetime, until: datetime) -> QualityReport:
    """Read the period's records in a few grouped queries, then aggregate them."""
    s = models.InfusionSession
    in_period = (s.created_at >= since) & (s.created_at < until) & (s.state == "closed")
    sessions = db.execute(
        select(s.id, models.Nurse.name, s.created_at, s.drug_name, s.cycle)
        .join(models.Nurse, s.nurse_id == models.Nurse.id)
        .where(in_period)
    ).all()
    ids = select(s.id).where(in_period)
    sets = dict(
        db.execute(
            select(models.VitalSigns.session_id, func.count())
            .where(models.VitalSigns.session_id.in_(ids), models.VitalSigns.amends_id.is_(None))
            .group_by(models.VitalSigns.session_id)
        ).all()
    )
    note = models.SessionEvent.payload["note"].as_string()
    notes: dict[tuple[int, str], int] = {
        (sid, kind): n
        for sid, kind, n in db.execute(
            select(models.SessionEvent.session_id, note, func.count())
            .where(models.SessionEvent.session_id.in_(ids), models.SessionEvent.type == "note")
            .group_by(models.SessionEvent.session_id, note)
        ).all()
    }
    reacted = set(
        db.scalars(
            select(models.ReactionRecord.session_id).where(
                models.ReactionRecord.session_id.in_(ids)
            )
        )
    )
    checks = [
        CheckRecord(
            nurse,
            created.date(),
            sets.get(sid, 0),
            notes.get((sid, "vitals_late"), 0),
            notes.get((sid, "vitals_skipped"), 0),
        )
        for sid, nurse, created, _drug, _cycle in sessions
    ]
    exposures = [
        Exposure(drug, cycle or 1, sid in reacted) for sid, _n, _c, drug, cycle in sessions
    ]
    return QualityReport(
        since,
        until,
        len(sessions),
        on_time_by_nurse_week(checks),
        reaction_rates(exposures),
        response_times(_responses(db, ids)),
        _issues(db, ids),
    )


def _responses(db: Session, ids: object) -> list[ResponseRecord]:
    onsets: dict[int, list[datetime]] = defaultdict(list)
    for sid, onset in db.execute(
        select(models.SymptomRecord.session_id, models.SymptomRecord.onset_at).where(
            models.SymptomRecord.session_id.in_(ids),  # type: ignore[arg-type]
            models.SymptomRecord.amends_id.is_(None),
            models.SymptomRecord.code != SITE_REACTION,
        )
    ).all():
        onsets[sid].append(onset)
    steps: dict[int, list[Step]] = defaultdict(list)
    stopping = {a.value for a in STOPPING_ACTIONS}
    drugs = {a.value for a in DRUG_ACTIONS}
    wanted = stopping | drugs | set(NOTIFICATION_STEPS)
    for sid, action, detail, at in db.execute(
        select(
            models.Intervention.session_id,
            models.Intervention.action,
            models.Intervention.detail,
            models.Intervention.at,
        ).where(
            models.Intervention.session_id.in_(list(onsets)),
            models.Intervention.declined_reason.is_(None),
        )
    ).all():
        for code in (action, detail):
            if code in wanted:
                steps[sid].append(Step(code, at))
    for sid, kind, at in db.execute(
        select(
            models.SessionEvent.session_id, models.SessionEvent.type, models.SessionEvent.at
        ).where(
            models.SessionEvent.session_id.in_(list(onsets)),
            models.SessionEvent.type.in_(tuple(EVENT_ACTIONS)),
        )
    ).all():
        steps[sid].append(Step(EVENT_ACTIONS[kind].value, at))
    records = []
    for sid, times in onsets.items():
        clock = reaction_clock(times, steps.get(sid, ()))
        if clock is None:  # pragma: no cover - every session here has an onset
            continue
        records.append(
            ResponseRecord(
                _minutes(clock.to_stopped),
                _minutes(clock.to_notified),
                _minutes(clock.to_first_drug),
            )
        )
    return records


def _issues(db: Session, ids: object) -> tuple[AlertIssue, ...]:
    nurse = models.Nurse
    found = [
        AlertIssue(
            sid,
            raised,
            "unacknowledged",
            f"{priority.upper()} {condition.replace('_', ' ')}",
            name,
            "never acknowledged",
        )
        for sid, raised, priority, condition, name in db.execute(
            select(
                models.Alert.session_id,
                models.Alert.raised_at,
                models.Alert.priority,
                models.Alert.condition,
                nurse.name,
            )
            .join(models.InfusionSession, models.Alert.session_id == models.InfusionSession.id)
            .join(nurse, models.InfusionSession.nurse_id == nurse.id)
            .where(
                models.Alert.session_id.in_(ids),  # type: ignore[arg-type]
                models.Alert.acknowledged_at.is_(None),
            )
        ).all()
    ]
    found += [
        AlertIssue(sid, at, "declined", action.replace("_", " "), name, reason or "")
        for sid, at, action, name, reason in db.execute(
            select(
                models.Intervention.session_id,
                models.Intervention.at,
                models.Intervention.action,
                nurse.name,
                models.Intervention.declined_reason,
            )
            .join(nurse, models.Intervention.by_id == nurse.id)
            .where(
                models.Intervention.session_id.in_(ids),  # type: ignore[arg-type]
                models.Intervention.declined_reason.is_not(None),
            )
        ).all()
    ]
    return tuple(sorted(found, key=lambda issue: issue.at))
