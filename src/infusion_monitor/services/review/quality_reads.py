"""The quality page's read: a period's facts from the per-session summaries, grouped in SQL.

Sessions are grouped by nurse, local month, drug and cycle with their vitals checks summed (one
GROUP BY over ``session_quality``); late and skipped checks by reason likewise; the alerts,
reactions and declined steps (a few hundred a year) are read as rows. No figure carries its
sessions: each knows how many there are, and lists them with one query when it is clicked
(:meth:`SummaryReader.find`). Months are the unit's local months: the query compares the
creation time with each month's first instant, so a month is right in any time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, String, case, func, literal, select, true, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.guidance import ESCALATE
from infusion_monitor.services.review.quality_facts import (
    AlertFact,
    Behind,
    DeclinedStep,
    PhaseChecks,
    Progress,
    QualityFacts,
    QualitySettings,
    ReactionFact,
    ReasonCount,
    SessionGroup,
)
from infusion_monitor.services.review.quality_summary import PHASES
from infusion_monitor.services.review.query import SessionFilter, aware, chosen, filtered
from infusion_monitor.storage import models

_S = models.InfusionSession
_Q = models.SessionQuality
_Columns = TypeVarTuple("_Columns")
_COUNTS = ("sets", "on_time", "late", "skipped")


class SummaryReader:
    """Reads one period and filter's facts; lists a figure's sessions later, when asked."""

    def __init__(
        self, sessions: sessionmaker[Session], wanted: SessionFilter, settings: QualitySettings
    ) -> None:
        self._sessions = sessions
        self._wanted = wanted
        self._settings = settings
        self._months: list[tuple[str, datetime]] = []
        self._nurses: dict[int, str] = {}

    def read(self, db: Session, progress: Progress) -> QualityFacts:
        """The period's facts (sessions grouped, reasons, alerts, reactions, declined steps)."""
        progress(0.0, "Reading sessions")
        first, last, low, high = db.execute(
            select(
                func.min(_Q.created_at),
                func.max(_Q.created_at),
                func.min(_Q.session_id),
                func.max(_Q.session_id),
            ).where(*self._matching())
        ).one()
        if first is None:
            return QualityFacts(find=self.find)
        self._months = self._month_starts(first, last)
        self._nurses = dict(db.execute(select(models.Nurse.id, models.Nurse.name)).all())
        by_nurse_month = self._groups(db, ("nurse", "month"), phases=True)
        by_drug_cycle = self._groups(db, ("drug", "cycle"), phases=False)
        # The other tables are read over the range of the matched sessions' ids (an index range
        # of the small table, each row then checked against its session's summary).
        ids = (low, high)
        progress(0.4, "Reading late and skipped checks")
        reasons = self._reasons(db, ids)
        progress(0.55, "Reading alerts")
        alerts = self._alerts(db, ids)
        progress(0.7, "Reading reactions")
        reactions = self._reactions(db, ids)
        declined = self._declined(db, ids)
        progress(0.9, "Computing the measures")
        return QualityFacts(
            by_nurse_month, by_drug_cycle, reasons, alerts, reactions, declined, self.find
        )

    def _matching(self) -> list[ColumnElement[bool]]:
        """The summaries of the sessions the filter matches (only finished ones have one)."""
        wanted = self._wanted
        clauses = chosen(wanted, _Q)
        rest = replace(wanted, since=None, until=None, drug=None, nurse_id=None, chair_id=None)
        if rest != SessionFilter():  # what the summary does not repeat: ask the sessions
            clauses.append(_Q.session_id.in_(filtered(select(_S.id), rest)))
        return clauses

    # Grouped sessions ------------------------------------------------------------------------

    def _month_starts(self, first: datetime, last: datetime) -> list[tuple[str, datetime]]:
        """The local months of the period (of the sessions found, where it is open-ended)."""
        since = self._wanted.since or first
        until = self._wanted.until or last + timedelta(microseconds=1)
        return self._settings.months(since, until - timedelta(microseconds=1))

    def _month(self) -> ColumnElement[str]:
        months = self._months
        if len(months) == 1:
            return literal(months[0][0])
        return case(
            *((_Q.created_at < start, name) for (name, _), (_, start) in pairwise(months)),
            else_=months[-1][0],
        )

    def _each(self) -> Any:
        """Each matched session's summary with its local month."""
        return (
            select(
                _Q.session_id.label("id"),
                _Q.nurse_id.label("nurse"),
                self._month().label("month"),
                _Q.drug_name.label("drug"),
                _Q.cycle,
                *(getattr(_Q, what) for what in _COUNTS),
                *(getattr(_Q, f"{what}_{p}") for what in _COUNTS for p in PHASES),
            )
            .where(*self._matching())
            .subquery()
        )

    def _groups(
        self, db: Session, by: tuple[str, str], *, phases: bool
    ) -> tuple[SessionGroup, ...]:
        """Sessions grouped ``by`` two of nurse, month, drug, cycle: their checks in all phases
        together and, if asked, in each phase (how many sessions had them is counted only when
        a figure's sessions are listed: a count per column would double the work)."""
        each = self._each()
        keys = tuple(each.c[key] for key in by)
        parts = [None, *(PHASES if phases else ())]
        columns: list[Any] = [*keys, func.count()]
        for phase in parts:
            columns += [func.sum(_total(each, what, phase)) for what in _COUNTS]
        empty = {"nurse": "", "month": "", "drug": "", "cycle": 0}
        found = []
        for first, second, sessions, *rest in db.execute(select(*columns).group_by(*keys)):
            checks = [PhaseChecks(*rest[i * 4 : i * 4 + 4]) for i in range(len(parts))]
            named = {by[0]: first, by[1]: second}
            if "nurse" in named:
                named["nurse"] = self._nurses.get(first, str(first))
            found.append(
                SessionGroup(
                    **{**empty, **named},
                    sessions=sessions,
                    checks=checks[0],
                    phases=tuple(checks[1:]),
                )
            )
        return tuple(found)

    def find(self, dims: dict[str, str], what: str, count: int | None) -> Behind:
        """The sessions of the groups matching ``dims`` that have ``what`` (see ``Finder``)."""
        if count == 0:
            return Behind(0)

        def query() -> Select[Any]:
            each = self._each()
            clauses = [_has(each, *what.split(":")) if what != "sessions" else true()]
            for dim, value in dims.items():
                if dim == "band":
                    clauses.append(_in_band(each.c.cycle, value))
                elif dim == "nurse":
                    named = [key for key, name in self._nurses.items() if name == value]
                    clauses.append(each.c.nurse.in_(named))
                else:
                    clauses.append(each.c[dim] == value)
            return select(each.c.id).where(*clauses).order_by(each.c.id)

        return Behind(count, self._lister(query))

    def _lister(self, query: Callable[[], Select[Any]]) -> Callable[[], tuple[int, ...]]:
        """Lists sessions with ``query`` (built when asked: most figures are never clicked)."""

        def fetch() -> tuple[int, ...]:
            with self._sessions() as db:
                return tuple(db.scalars(query()))

        return fetch

    # Rows --------------------------------------------------------------------------------------

    def _joined(
        self, query: Select[*_Columns], column: Any, ids: tuple[int, int]
    ) -> Select[*_Columns]:
        """``query`` over a table of session records (``column``: its session id) kept to the
        matched sessions, its own index range first."""
        return query.join(_Q, _Q.session_id == column).where(
            column.between(*ids), *self._matching()
        )

    def _reasons(self, db: Session, ids: tuple[int, int]) -> tuple[ReasonCount, ...]:
        missed = models.SessionQualityMissed
        found = []
        for kind, reason, checks, sessions in db.execute(
            self._joined(
                select(missed.kind, missed.reason, func.sum(missed.checks), func.count()),
                missed.session_id,
                ids,
            ).group_by(missed.kind, missed.reason)
        ):

            def query(kind: str = kind, reason: str = reason) -> Select[Any]:
                return self._joined(
                    select(missed.session_id).where(missed.kind == kind, missed.reason == reason),
                    missed.session_id,
                    ids,
                ).order_by(missed.session_id)

            found.append(ReasonCount(kind, reason, checks, Behind(sessions, self._lister(query))))
        return tuple(found)

    def _alerts(self, db: Session, ids: tuple[int, int]) -> tuple[AlertFact, ...]:
        from infusion_monitor.services.care.alerts import ESCALATED_CONDITION

        alert, step = models.Alert, models.Intervention
        escalated = set(
            db.scalars(
                self._joined(
                    select(step.alert_id).where(step.action == ESCALATE), step.session_id, ids
                )
            )
        )
        rows = db.execute(
            self._joined(
                select(
                    alert.id,
                    alert.session_id,
                    _Q.nurse_id,
                    alert.priority,
                    alert.condition,
                    *(
                        _instant(c)
                        for c in (alert.raised_at, alert.acknowledged_at, alert.resolved_at)
                    ),
                ),
                alert.session_id,
                ids,
            )
        )
        return tuple(
            AlertFact(
                sid,
                self._nurses.get(nurse_id, ""),
                priority,
                aware(raised),  # type: ignore[arg-type]
                aware(acked),
                aware(resolved),
                alert_id in escalated,
                condition == ESCALATED_CONDITION,
            )
            for alert_id, sid, nurse_id, priority, condition, raised, acked, resolved in rows
        )

    def _reactions(self, db: Session, ids: tuple[int, int]) -> tuple[ReactionFact, ...]:
        rows = db.execute(
            select(
                _Q.session_id,
                _Q.reaction_drug,
                _Q.cycle,
                _Q.reaction_term,
                _Q.reaction_grade,
                _Q.suggested_term,
                _Q.suggested_grade,
                _Q.disposition,
                _Q.restart_completed,
                _Q.to_stopped_min,
                _Q.to_notified_min,
                _Q.to_first_drug_min,
                _Q.to_epinephrine_min,
            )
            .where(_Q.session_id.between(*ids), _Q.reaction_term.is_not(None), *self._matching())
            .order_by(_Q.session_id)
        )
        return tuple(ReactionFact(*row) for row in rows)  # type: ignore[arg-type, call-arg]

    def _declined(self, db: Session, ids: tuple[int, int]) -> tuple[DeclinedStep, ...]:
        step = models.Intervention
        rows = db.execute(
            self._joined(
                select(step.session_id, step.action, step.declined_reason).where(
                    step.declined_reason.is_not(None)
                ),
                step.session_id,
                ids,
            )
        )
        return tuple(
            DeclinedStep(sid, action.replace("_", " ").capitalize(), reason or "")
            for sid, action, reason in rows
        )


def _total(each: Any, what: str, phase: str | None = None) -> Any:
    """``what`` (a count: "sets", "on_time", "late", "skipped"; or "checks": sets, late sets and
    skipped checks) in ``phase`` (None: all phases)."""
    suffix = "" if phase is None else f"_{phase}"
    kinds = ("sets", "late", "skipped") if what == "checks" else (what,)
    columns = [each.c[f"{kind}{suffix}"] for kind in kinds]
    return sum(columns[1:], columns[0])


def _has(each: Any, what: str, phase: str | None = None) -> ColumnElement[bool]:
    """Whether a session has any ``what`` (see :func:`_total`) in ``phase``."""
    return _total(each, what, phase) > 0  # type: ignore[no-any-return]


def _instant(column: Any) -> Any:
    """A time column read as stored (SQLite: text), for :func:`aware` (faster than the type's
    own decoding, which matters for a year of alerts)."""
    return type_coerce(column, String)


def _in_band(cycle: Any, band: str) -> ColumnElement[bool]:
    if band.endswith("+"):
        return cycle >= int(band.rstrip("+"))  # type: ignore[no-any-return]
    return cycle == int(band)  # type: ignore[no-any-return]
