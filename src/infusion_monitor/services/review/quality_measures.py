"""The quality measures as tables of figures, each figure with the count and sessions behind it.

Pure aggregation over plain records and grouped counts (``quality_facts``): no SQL, no Qt, no
clock. Every figure knows the sessions it counts (how many, and how to list them when the page
opens the list behind a number), and says when its count is too small to compare
(:data:`SMALL_N`).

Definitions (docs/review.md, "Quality measures"):

- **Acknowledgement delay**: raised → acknowledged, for the rules' alerts (a nurse's own
  "Escalate anyway" alert is acknowledged by her as she raises it: counted as an escalation only).
  Median, 90th percentile (nearest rank) and maximum; alerts never acknowledged counted apart.
- **Escalated to the unit**: a nurse pressed "Escalate anyway", or a HIGH alert waited
  unacknowledged at least the unit's ``[alerts] escalate_after_s`` (the board's own rule,
  ``domain.alerts.Alert.escalated``).
- **Reaction response**: minutes from the first symptom to infusion stopped, provider notified,
  first drug; for anaphylaxis (the nurse's recorded CTCAE term) the first drug is epinephrine
  (reference §5, "Epinephrine IM — first line, no delay"): an antihistamine given first does not
  count, and "to epinephrine" is its own measure.
- **Vitals on time**: sets recorded without a late-set reason ÷ (sets recorded + checks
  skipped), as on the review list.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from infusion_monitor.services.review.quality_facts import (
    FIRST_HOUR,
    LATER,
    NOBODY,
    OBSERVATION,
    AlertFact,
    Behind,
    DeclinedStep,
    PhaseChecks,
    QualityFacts,
    QualitySettings,
    ReactionFact,
    ReasonCount,
    SessionGroup,
    known,
)

#: Rates and percentiles resting on fewer than this many (sessions, checks, alerts, reactions)
#: are marked "too few to compare". Below 20 one case moves a rate by more than 5 per 100 —
#: more than most differences between cycles in clinical reference §6.2 (e.g. rituximab 3-8%
#: after the first infusion) — and a 90th percentile is the largest or second-largest value.
SMALL_N = 20
#: The mark shown beside such a figure (words in the tooltip and the legend, never colour alone).
SMALL_MARK = "†"
#: Nearest-rank percentile used for the "90th percentile" columns.
P90 = 0.9
POOLED_FROM_CYCLE = 7
PRIORITIES = ("high", "medium", "low")
PRIORITY_WORDS = {"high": "!!! HIGH", "medium": "!! MEDIUM", "low": "! LOW"}
PHASE_WORDS = {FIRST_HOUR: "First hour", LATER: "Later in the infusion", OBSERVATION: "Observation"}
ANAPHYLAXIS = "anaphylaxis"
DISPOSITION_WORDS = {
    "continued": "Resolved, continued",
    "restarted_reduced": "Resolved, restarted at a reduced rate",
    "discontinued": "Discontinued",
    "transferred": "Transferred",
    "admitted": "Admitted",
}
BELOW_TARGET = "▼ below target"


@dataclass(frozen=True)
class Figure:
    """One number on the page: its value, how it is shown, and the sessions behind it.

    ``n`` is the count the value rests on (alerts, reactions, checks or sessions); ``small`` is
    True for a rate or percentile resting on fewer than :data:`SMALL_N`.
    """

    value: float | None
    text: str
    n: int
    behind: Behind = field(default=NOBODY, compare=False)
    small: bool = False
    note: str = ""
    """Extra words for the cell (e.g. below the target line)."""

    @cached_property
    def sessions(self) -> tuple[int, ...]:
        """The ids of the sessions behind the figure (a database read for most: not on the GUI
        thread)."""
        return self.behind.fetch()

    @property
    def opens(self) -> bool:
        """Whether any session is behind the figure (a click opens their list)."""
        return self.behind.opens

    @property
    def shown(self) -> str:
        """The text with the small-number mark."""
        return f"{self.text} {SMALL_MARK}" if self.small else self.text


@dataclass(frozen=True)
class MeasureRow:
    """One row: its group labels and one figure per column."""

    labels: tuple[str, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class MeasureTable:
    """A table of the page: a key for export, a title, the group and figure columns, rows."""

    key: str
    title: str
    groups: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[MeasureRow, ...]
    note: str = ""

    def row(self, *labels: str) -> MeasureRow:
        """The row with exactly these labels (KeyError if none)."""
        for row in self.rows:
            if row.labels == labels:
                return row
        raise KeyError(labels)

    def figure(self, labels: tuple[str, ...], column: str) -> Figure:
        """The figure in ``column`` of the row with ``labels``."""
        return self.row(*labels).figures[self.columns.index(column)]


@dataclass(frozen=True)
class QualitySection:
    """One tab: its title and tables."""

    key: str
    title: str
    tables: tuple[MeasureTable, ...]

    def table(self, key: str) -> MeasureTable:
        """The table with ``key``."""
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class QualityReport:
    """Everything the quality page shows for one period and filter."""

    period: str
    filters: str
    sessions: int
    target_pct: float
    sections: tuple[QualitySection, ...] = field(default=())

    def section(self, key: str) -> QualitySection:
        """The section with ``key``."""
        return next(s for s in self.sections if s.key == key)

    def table(self, key: str) -> MeasureTable:
        """The table with ``key``, in whichever section."""
        return next(t for s in self.sections for t in s.tables if t.key == key)


# Statistics ----------------------------------------------------------------------------------


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def count(sessions: Iterable[int]) -> Figure:
    """A plain count of items, one session id each."""
    kept = list(sessions)
    return Figure(float(len(kept)), str(len(kept)), len(kept), known(kept))


def counted(total: int, behind: Behind) -> Figure:
    """A plain count resting on the sessions ``behind``."""
    return Figure(float(total), str(total), total, behind)


def rate(hits: int, n: int, behind: Behind, per: float, unit: str) -> Figure:
    """``hits / n * per``, marked small below :data:`SMALL_N`.

    It opens the sessions it rests on (``behind``: those of the ``n``); the count beside it
    opens the others.
    """
    if n == 0:
        return Figure(None, "—", 0)
    value = per * hits / n
    return Figure(value, f"{value:.1f}{unit}", n, behind, n < SMALL_N)


def share(hits: Sequence[int], everyone: Sequence[int], per: float, unit: str) -> Figure:
    """``len(hits) / len(everyone) * per`` of sessions at hand (opens ``everyone``)."""
    return rate(len(hits), len(everyone), known(everyone), per, unit)


def _seconds_text(seconds: float) -> str:
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _minutes_text(minutes: float) -> str:
    return f"{minutes:.1f} min"


def spread(
    pairs: Sequence[tuple[int, float]], show: Callable[[float], str]
) -> tuple[Figure, Figure, Figure]:
    """Median, 90th percentile and maximum of ``(session, value)`` pairs.

    The median and the percentile open every session counted; the maximum opens its own.
    """
    values = [v for _, v in pairs]
    n = len(values)
    if not n:
        empty = Figure(None, "—", 0)
        return empty, empty, empty
    sessions = known(s for s, _ in pairs)
    median = statistics.median(values)
    p90 = nearest_rank(values, P90)
    assert p90 is not None
    top = max(values)
    small = n < SMALL_N
    return (
        Figure(median, show(median), n, sessions, small),
        Figure(p90, show(p90), n, sessions, small),
        Figure(top, show(top), n, known(s for s, v in pairs if v == top)),
    )


# Alarm response ------------------------------------------------------------------------------

ALARM_COLUMNS = (
    "Alerts",
    "Median to ack",
    "90th pct to ack",
    "Longest to ack",
    "Never acknowledged",
    "Escalated to unit",
)


def _escalated(alert: AlertFact, escalate_after_s: int) -> bool:
    if alert.escalated_by_nurse:
        return True
    if alert.priority != "high":
        return False
    end = alert.acknowledged_at or alert.resolved_at
    return end is None or (end - alert.raised_at).total_seconds() >= escalate_after_s


def _alarm_figures(alerts: Sequence[AlertFact], escalate_after_s: int) -> tuple[Figure, ...]:
    ruled = [a for a in alerts if not a.raised_by_nurse]
    delays = [
        (a.session_id, (a.acknowledged_at - a.raised_at).total_seconds())
        for a in ruled
        if a.acknowledged_at is not None
    ]
    median, p90, top = spread(delays, _seconds_text)
    return (
        count(a.session_id for a in ruled),
        median,
        p90,
        top,
        count(a.session_id for a in ruled if a.acknowledged_at is None),
        count(a.session_id for a in alerts if _escalated(a, escalate_after_s)),
    )


def _alarm_table(
    key: str,
    title: str,
    group: str | None,
    alerts: Sequence[AlertFact],
    label: Callable[[AlertFact], str] | None,
    settings: QualitySettings,
) -> MeasureTable:
    grouped: dict[str, list[AlertFact]] = defaultdict(list)
    for alert in alerts:
        grouped[label(alert) if label else ""].append(alert)
    rows = []
    for name in sorted(grouped, key=settings.order_of(group)):
        members = grouped[name]
        by_priority = [(p, [a for a in members if a.priority == p]) for p in PRIORITIES]
        for priority, chosen in [*by_priority, ("all", members)]:
            if not chosen:
                continue
            words = PRIORITY_WORDS.get(priority, "All priorities")
            labels = (name, words) if label else (words,)
            rows.append(MeasureRow(labels, _alarm_figures(chosen, settings.escalate_after_s)))
    groups = (group, "Priority") if group else ("Priority",)
    return MeasureTable(key, title, groups, ALARM_COLUMNS, tuple(rows))


def alarm_section(facts: QualityFacts, settings: QualitySettings) -> QualitySection:
    """Acknowledgement delay per priority: for the unit, per nurse, per shift, per month."""
    alerts = facts.alerts
    note = (
        "Rules' alerts: raised to acknowledged. Escalated: a nurse pressed Escalate anyway, or a "
        f"HIGH alert waited {settings.escalate_after_s} s or more unacknowledged."
    )
    tables = (
        _alarm_table("alarm_unit", "Alarm response — unit", None, alerts, None, settings),
        _alarm_table(
            "alarm_nurse",
            "Alarm response by nurse (the session's nurse)",
            "Nurse",
            alerts,
            lambda a: a.nurse,
            settings,
        ),
        _alarm_table(
            "alarm_shift",
            "Alarm response by shift (when raised)",
            "Shift",
            alerts,
            lambda a: settings.shift_of(a.raised_at),
            settings,
        ),
        _alarm_table(
            "alarm_month",
            "Alarm response by month",
            "Month",
            alerts,
            lambda a: settings.month_of(a.raised_at),
            settings,
        ),
    )
    return QualitySection("alarms", "Alarm response", (replace(tables[0], note=note), *tables[1:]))


# Reaction response ---------------------------------------------------------------------------

RESPONSE_COLUMNS = ("Reactions", "Done", "Median", "90th pct", "Longest", "Not done")


def severity_of(reaction: ReactionFact) -> str:
    """``Anaphylaxis`` apart, else ``Grade N`` (the nurse's recorded term and grade)."""
    return "Anaphylaxis" if reaction.term == ANAPHYLAXIS else f"Grade {reaction.grade}"


def _severities(reactions: Iterable[ReactionFact]) -> list[str]:
    found = {severity_of(r) for r in reactions}
    return sorted(found, key=lambda s: (s == "Anaphylaxis", s))


def _response_rows(severity: str, members: Sequence[ReactionFact]) -> list[MeasureRow]:
    anaphylaxis = severity == "Anaphylaxis"
    measures: list[tuple[str, Callable[[ReactionFact], float | None]]] = [
        ("Infusion stopped", lambda r: r.to_stopped_min),
        ("Provider notified", lambda r: r.to_notified_min),
    ]
    if anaphylaxis:
        measures.append(("Epinephrine (first drug)", lambda r: r.to_epinephrine_min))
    else:
        measures.append(("First drug", lambda r: r.to_first_drug_min))
    rows = []
    for name, get in measures:
        done = [(r.session_id, v) for r in members if (v := get(r)) is not None]
        median, p90, top = spread(done, _minutes_text)
        rows.append(
            MeasureRow(
                (severity, name),
                (
                    count(r.session_id for r in members),
                    count(s for s, _ in done),
                    median,
                    p90,
                    top,
                    count(r.session_id for r in members if get(r) is None),
                ),
            )
        )
    return rows


OUTCOME_COLUMNS = (
    "Reactions",
    *DISPOSITION_WORDS.values(),
    "Restart completed",
    "Restart not completed",
)


def _outcome_row(labels: tuple[str, ...], members: Sequence[ReactionFact]) -> MeasureRow:
    figures = [count(r.session_id for r in members)]
    figures += [
        count(r.session_id for r in members if r.disposition == code) for code in DISPOSITION_WORDS
    ]
    restarted = [r for r in members if r.disposition == "restarted_reduced"]
    figures.append(count(r.session_id for r in restarted if r.restart_completed))
    figures.append(count(r.session_id for r in restarted if not r.restart_completed))
    return MeasureRow(labels, tuple(figures))


def response_section(facts: QualityFacts) -> QualitySection:
    """Minutes from the first symptom to each response by severity; declined steps; outcomes."""
    by_severity = {
        s: [r for r in facts.reactions if severity_of(r) == s] for s in _severities(facts.reactions)
    }
    rows = [row for s, members in by_severity.items() for row in _response_rows(s, members)]
    response = MeasureTable(
        "response_times",
        "Minutes from the first symptom, by severity",
        ("Severity", "Response"),
        RESPONSE_COLUMNS,
        tuple(rows),
        "Anaphylaxis (the nurse's recorded term) apart: its first drug is epinephrine; an "
        "antihistamine given first does not count. Not done: no such step recorded.",
    )
    declined: dict[tuple[str, str], list[DeclinedStep]] = defaultdict(list)
    for step in facts.declined:
        declined[(step.step, step.reason)].append(step)
    declined_table = MeasureTable(
        "declined_steps",
        "Suggested steps declined, with the nurse's reason",
        ("Step", "Reason"),
        ("Declined",),
        tuple(
            MeasureRow(key, (count(s.session_id for s in steps),))
            for key, steps in sorted(declined.items())
        ),
    )
    outcome_rows = [_outcome_row((s,), members) for s, members in by_severity.items()]
    if facts.reactions:
        outcome_rows.append(_outcome_row(("All reactions",), facts.reactions))
    outcomes = MeasureTable(
        "outcomes",
        "Outcomes by severity",
        ("Severity",),
        OUTCOME_COLUMNS,
        tuple(outcome_rows),
        "Restart completed: the infusion restarted at a reduced rate ran to completion.",
    )
    return QualitySection("response", "Reaction response", (response, declined_table, outcomes))


# Reactions -----------------------------------------------------------------------------------


def cycle_band(cycle: int) -> str:
    """``"1"`` … ``"6"``, then ``"7+"``."""
    return f"{POOLED_FROM_CYCLE}+" if cycle >= POOLED_FROM_CYCLE else str(max(cycle, 1))


def _band_order(band: str) -> int:
    return int(band.rstrip("+"))


GRADES = (1, 2, 3, 4, 5)
REACTION_COLUMNS = (
    "Sessions",
    "Reactions",
    "Per 100",
    *(f"Grade {g}" for g in GRADES),
    "Anaphylaxis",
    "Anaphylaxis per 100",
)


def _reaction_row(
    labels: tuple[str, ...], sessions: int, behind: Behind, reactions: Sequence[ReactionFact]
) -> MeasureRow:
    other = [r for r in reactions if r.term != ANAPHYLAXIS]
    anaphylaxis = [r.session_id for r in reactions if r.term == ANAPHYLAXIS]
    figures = [
        counted(sessions, behind),
        count(r.session_id for r in other),
        rate(len(other), sessions, behind, 100, ""),
        *(count(r.session_id for r in other if r.grade == g) for g in GRADES),
        count(anaphylaxis),
        rate(len(anaphylaxis), sessions, behind, 100, ""),
    ]
    return MeasureRow(labels, tuple(figures))


def _agreement(reactions: Sequence[ReactionFact]) -> tuple[MeasureTable, MeasureTable]:
    same = [r.session_id for r in reactions if r.grade == r.suggested_grade]
    higher = [r.session_id for r in reactions if r.grade > r.suggested_grade]
    lower = [r.session_id for r in reactions if r.grade < r.suggested_grade]
    term = [r.session_id for r in reactions if r.term == r.suggested_term]
    everyone = [r.session_id for r in reactions]
    summary = MeasureTable(
        "grade_agreement",
        "Nurse's grade and the rules' suggestion",
        ("Agreement",),
        ("Reactions", "Share"),
        (
            MeasureRow(("Same grade",), (count(same), share(same, everyone, 100, "%"))),
            MeasureRow(
                ("Nurse graded higher",), (count(higher), share(higher, everyone, 100, "%"))
            ),
            MeasureRow(("Nurse graded lower",), (count(lower), share(lower, everyone, 100, "%"))),
            MeasureRow(("Same CTCAE term",), (count(term), share(term, everyone, 100, "%"))),
        ),
        "A lower grade than suggested needs the nurse's reason in the record's note.",
    )
    suggested = sorted({r.suggested_grade for r in reactions})
    matrix = MeasureTable(
        "grade_matrix",
        "Rules' suggested grade (rows) by the nurse's grade (columns)",
        ("Suggested",),
        tuple(f"Nurse G{g}" for g in GRADES),
        tuple(
            MeasureRow(
                ("none" if s == 0 else f"G{s}",),
                tuple(
                    count(r.session_id for r in reactions if (r.suggested_grade, r.grade) == (s, g))
                    for g in GRADES
                ),
            )
            for s in suggested
        ),
    )
    return summary, matrix


def reactions_section(facts: QualityFacts) -> QualitySection:
    """Reactions per 100 sessions by drug and cycle, by grade, anaphylaxis apart; agreement."""
    sessions: dict[tuple[str, str], int] = defaultdict(int)
    for group in facts.by_drug_cycle:
        sessions[(group.drug, cycle_band(group.cycle))] += group.sessions
    reacted: dict[tuple[str, str], list[ReactionFact]] = defaultdict(list)
    for r in facts.reactions:
        reacted[(r.drug, cycle_band(r.cycle))].append(r)
    keys = sorted(sessions, key=lambda k: (k[0], _band_order(k[1])))
    by_cycle = MeasureTable(
        "reactions_drug_cycle",
        "Reactions per 100 sessions by drug and cycle",
        ("Drug", "Cycle"),
        REACTION_COLUMNS,
        tuple(
            _reaction_row(
                k,
                sessions[k],
                facts.find({"drug": k[0], "band": k[1]}, "sessions", sessions[k]),
                reacted.get(k, []),
            )
            for k in keys
        ),
        f"Grades are of reactions other than anaphylaxis. {SMALL_MARK}: fewer than {SMALL_N} "
        "sessions, too few to compare.",
    )
    drugs = sorted({k[0] for k in keys})
    by_drug = []
    for drug in drugs:
        total = sum(n for k, n in sessions.items() if k[0] == drug)
        by_drug.append(
            _reaction_row(
                (drug,),
                total,
                facts.find({"drug": drug}, "sessions", total),
                [r for r in facts.reactions if r.drug == drug],
            )
        )
    drug_table = MeasureTable(
        "reactions_drug",
        "Reactions per 100 sessions by drug (all cycles)",
        ("Drug",),
        REACTION_COLUMNS,
        tuple(by_drug),
    )
    return QualitySection(
        "reactions", "Reactions", (by_cycle, drug_table, *_agreement(facts.reactions))
    )


# Vitals on time ------------------------------------------------------------------------------

ON_TIME_COLUMNS = ("Checks", "On time", "Late", "Skipped")


@dataclass
class _Tally:
    checks: int = 0
    on_time: int = 0
    late: int = 0
    skipped: int = 0

    def add(self, checks: PhaseChecks) -> None:
        self.checks += checks.sets + checks.skipped
        self.on_time += checks.on_time
        self.late += checks.late
        self.skipped += checks.skipped


def _some(n: int) -> int | None:
    """The sessions behind ``n`` checks: some (counted when listed), or none."""
    return None if n else 0


def _on_time_row(
    labels: tuple[str, ...],
    tally: _Tally,
    target: float | None,
    find: Callable[[str, int | None], Behind],
) -> MeasureRow:
    """``find(what, count)``: the sessions of this row with checks, late sets or skipped checks
    (a row has some: it exists because it has a set, a late set or a skipped check)."""
    sessions = find("checks", None)
    pct = Figure(None, "—", 0)
    if tally.checks:
        value = 100.0 * tally.on_time / tally.checks
        below = target is not None and value < target
        pct = Figure(
            value,
            f"{value:.1f}%",
            tally.checks,
            sessions,
            tally.checks < SMALL_N,
            BELOW_TARGET if below else "",
        )
    return MeasureRow(
        labels,
        (
            counted(tally.checks, sessions),
            pct,
            counted(tally.late, find("late", _some(tally.late))),
            counted(tally.skipped, find("skipped", _some(tally.skipped))),
        ),
    )


#: How a table groups the sessions: its group columns, each named after a group's field.
_Dims = tuple[str, ...]


def _tallies(groups: Iterable[SessionGroup], dims: _Dims) -> dict[tuple[str, ...], _Tally]:
    """Checks per combination of ``dims`` (fields of :class:`SessionGroup`)."""
    found: dict[tuple[str, ...], _Tally] = defaultdict(_Tally)
    for group in groups:
        if group.checks.any:
            found[tuple(str(getattr(group, dim)) for dim in dims)].add(group.checks)
    return found


def _phase_tallies(groups: Iterable[SessionGroup]) -> dict[tuple[str, ...], _Tally]:
    """Checks per phase of the infusion."""
    found: dict[tuple[str, ...], _Tally] = defaultdict(_Tally)
    for group in groups:
        for phase, checks in zip(PHASE_WORDS, group.phases, strict=True):
            if checks.any:
                found[(phase,)].add(checks)
    return found


def _on_time_table(
    key: str,
    title: str,
    groups: tuple[str, ...],
    tallies: dict[tuple[str, ...], _Tally],
    order: Callable[[tuple[str, ...]], Any],
    target: float | None,
    find: Callable[[tuple[str, ...], str, int | None], Behind],
    labels: Callable[[tuple[str, ...]], tuple[str, ...]] = lambda key: key,
) -> MeasureTable:
    """``find(key, what, count)``: the sessions of the row ``key`` that have ``what``."""
    return MeasureTable(
        key,
        title,
        groups,
        ON_TIME_COLUMNS,
        tuple(
            _on_time_row(
                labels(k),
                tallies[k],
                target,
                lambda what, n, k=k: find(k, what, n),  # type: ignore[misc]
            )
            for k in sorted(tallies, key=order)
        ),
    )


def _missed_reasons(reasons: Sequence[ReasonCount], labels: dict[str, str]) -> MeasureTable:
    by_reason: dict[str, dict[str, ReasonCount]] = defaultdict(dict)
    for found in reasons:
        by_reason[found.reason][found.kind] = found

    def figure(reason: str, kind: str) -> Figure:
        found = by_reason[reason].get(kind)
        return counted(0, NOBODY) if found is None else counted(found.checks, found.behind)

    return MeasureTable(
        "missed_reasons",
        "Late and skipped checks by reason",
        ("Reason",),
        ("Late", "Skipped"),
        tuple(
            MeasureRow(
                (labels.get(reason, reason),), (figure(reason, "late"), figure(reason, "skipped"))
            )
            for reason in sorted(by_reason)
        ),
    )


def _as_is(key: tuple[str, ...]) -> tuple[str, ...]:
    return key


def on_time_section(facts: QualityFacts, settings: QualitySettings) -> QualitySection:
    """Vitals on time for the unit and per nurse (by month), against the unit's target line."""
    target = settings.target_pct
    month_order = settings.order_of("Month")

    def table(
        key: str,
        title: str,
        columns: tuple[str, ...],
        dims: _Dims,
        order: Callable[..., Any],
        groups: tuple[SessionGroup, ...] = facts.by_nurse_month,
    ) -> MeasureTable:
        def find(row: tuple[str, ...], what: str, n: int | None) -> Behind:
            return facts.find(dict(zip(dims, row, strict=True)), what, n)

        return _on_time_table(key, title, columns, _tallies(groups, dims), order, target, find)

    phase_words = list(PHASE_WORDS)
    tables = (
        _on_time_table(
            "on_time_unit",
            "Vitals on time — unit",
            ("Period",),
            _tallies(facts.by_nurse_month, ()),
            _as_is,
            target,
            lambda _row, what, n: facts.find({}, what, n),
            lambda _row: ("Unit",),
        ),
        table(
            "on_time_month",
            "Vitals on time by month",
            ("Month",),
            ("month",),
            lambda k: month_order(k[0]),
        ),
        table("on_time_nurse", "Vitals on time by nurse", ("Nurse",), ("nurse",), _as_is),
        table(
            "on_time_nurse_month",
            "Vitals on time by nurse and month",
            ("Nurse", "Month"),
            ("nurse", "month"),
            lambda k: (k[0], month_order(k[1])),
        ),
        _on_time_table(
            "on_time_phase",
            "Vitals on time by phase",
            ("Phase",),
            _phase_tallies(facts.by_nurse_month),
            lambda k: phase_words.index(k[0]),
            target,
            lambda row, what, n: facts.find({}, f"{what}:{row[0]}", n),
            lambda row: (PHASE_WORDS[row[0]],),
        ),
        table(
            "on_time_drug",
            "Vitals on time by drug",
            ("Drug",),
            ("drug",),
            _as_is,
            facts.by_drug_cycle,
        ),
        _missed_reasons(facts.reasons, settings.reason_words),
    )
    note = (
        f"Target line {target:g}% (config.toml [quality] vitals_on_time_target_pct). The "
        "baseline set before the start counts in the first hour; a late set is one recorded "
        "with a late-check reason; a skipped check counts as a check not on time."
    )
    return QualitySection("on_time", "Vitals on time", (replace(tables[0], note=note), *tables[1:]))


def build_report(
    facts: QualityFacts, settings: QualitySettings, period: str, filters: str
) -> QualityReport:
    """Every section of the page from the period's facts."""
    return QualityReport(
        period,
        filters,
        sum(group.sessions for group in facts.by_nurse_month),
        settings.target_pct,
        (
            alarm_section(facts, settings),
            response_section(facts),
            reactions_section(facts),
            on_time_section(facts, settings),
        ),
    )
