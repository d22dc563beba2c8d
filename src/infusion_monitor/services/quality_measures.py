"""The quality measures as tables of figures, each figure with the count and sessions behind it.

Pure aggregation over plain records (``quality_facts``): no SQL, no Qt, no clock. Every figure
keeps the ids of the sessions it counts, so the page can open the list behind any number, and
says when its count is too small to compare (:data:`SMALL_N`).

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
from typing import Any

from infusion_monitor.services.quality_facts import (
    FIRST_HOUR,
    LATER,
    OBSERVATION,
    AlertFact,
    DeclinedStep,
    MissedCheck,
    QualityFacts,
    QualitySettings,
    ReactionFact,
    SessionFact,
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
    sessions: tuple[int, ...] = ()
    small: bool = False
    note: str = ""
    """Extra words for the cell (e.g. below the target line)."""

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


def _ids(items: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(items)))


def count(sessions: Iterable[int], n: int | None = None) -> Figure:
    """A plain count of items (``n``, default the number of ``sessions`` given)."""
    kept = list(sessions)
    total = len(kept) if n is None else n
    return Figure(float(total), str(total), total, _ids(kept))


def rate(numerator: Iterable[int], denominator: Sequence[int], per: float, unit: str) -> Figure:
    """``len(numerator) / len(denominator) * per``, marked small below :data:`SMALL_N`.

    It opens the sessions it rests on (the denominator); the count beside it opens the others.
    """
    hits = list(numerator)
    n = len(denominator)
    if n == 0:
        return Figure(None, "—", 0)
    value = per * len(hits) / n
    return Figure(value, f"{value:.1f}{unit}", n, _ids(denominator), n < SMALL_N)


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
    sessions = _ids(s for s, _ in pairs)
    median = statistics.median(values)
    p90 = nearest_rank(values, P90)
    assert p90 is not None
    top = max(values)
    small = n < SMALL_N
    return (
        Figure(median, show(median), n, sessions, small),
        Figure(p90, show(p90), n, sessions, small),
        Figure(top, show(top), n, _ids(s for s, v in pairs if v == top)),
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
    nurse_of = {s.id: s.nurse for s in facts.sessions}
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
            lambda a: nurse_of[a.session_id],
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
    labels: tuple[str, ...], sessions: Sequence[int], reactions: Sequence[ReactionFact]
) -> MeasureRow:
    other = [r for r in reactions if r.term != ANAPHYLAXIS]
    anaphylaxis = [r.session_id for r in reactions if r.term == ANAPHYLAXIS]
    figures = [
        count(sessions),
        count(r.session_id for r in other),
        rate([r.session_id for r in other], sessions, 100, ""),
        *(count(r.session_id for r in other if r.grade == g) for g in GRADES),
        count(anaphylaxis),
        rate(anaphylaxis, sessions, 100, ""),
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
            MeasureRow(("Same grade",), (count(same), rate(same, everyone, 100, "%"))),
            MeasureRow(("Nurse graded higher",), (count(higher), rate(higher, everyone, 100, "%"))),
            MeasureRow(("Nurse graded lower",), (count(lower), rate(lower, everyone, 100, "%"))),
            MeasureRow(("Same CTCAE term",), (count(term), rate(term, everyone, 100, "%"))),
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
    sessions: dict[tuple[str, str], list[int]] = defaultdict(list)
    for s in facts.sessions:
        sessions[(s.drug, cycle_band(s.cycle))].append(s.id)
    reacted: dict[tuple[str, str], list[ReactionFact]] = defaultdict(list)
    for r in facts.reactions:
        reacted[(r.drug, cycle_band(r.cycle))].append(r)
    keys = sorted(sessions, key=lambda k: (k[0], _band_order(k[1])))
    by_cycle = MeasureTable(
        "reactions_drug_cycle",
        "Reactions per 100 sessions by drug and cycle",
        ("Drug", "Cycle"),
        REACTION_COLUMNS,
        tuple(_reaction_row(k, sessions[k], reacted.get(k, [])) for k in keys),
        f"Grades are of reactions other than anaphylaxis. {SMALL_MARK}: fewer than {SMALL_N} "
        "sessions, too few to compare.",
    )
    drugs = sorted({s.drug for s in facts.sessions})
    by_drug = MeasureTable(
        "reactions_drug",
        "Reactions per 100 sessions by drug (all cycles)",
        ("Drug",),
        REACTION_COLUMNS,
        tuple(
            _reaction_row(
                (d,),
                [i for k in keys if k[0] == d for i in sessions[k]],
                [r for r in facts.reactions if r.drug == d],
            )
            for d in drugs
        ),
    )
    return QualitySection(
        "reactions", "Reactions", (by_cycle, by_drug, *_agreement(facts.reactions))
    )


# Vitals on time ------------------------------------------------------------------------------

ON_TIME_COLUMNS = ("Checks", "On time", "Late", "Skipped")


@dataclass
class _Tally:
    checks: int = 0
    on_time: int = 0
    sessions: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def _on_time_row(labels: tuple[str, ...], tally: _Tally, target: float | None) -> MeasureRow:
    pct = Figure(None, "—", 0)
    if tally.checks:
        value = 100.0 * tally.on_time / tally.checks
        below = target is not None and value < target
        pct = Figure(
            value,
            f"{value:.1f}%",
            tally.checks,
            _ids(tally.sessions),
            tally.checks < SMALL_N,
            BELOW_TARGET if below else "",
        )
    return MeasureRow(
        labels,
        (
            Figure(float(tally.checks), str(tally.checks), tally.checks, _ids(tally.sessions)),
            pct,
            count(tally.late),
            count(tally.skipped),
        ),
    )


def _checks(facts: QualityFacts) -> dict[tuple[int, str], tuple[int, int]]:
    """Sets recorded and sets on time per session and phase (phases with a set only)."""
    late: dict[tuple[int, str], int] = defaultdict(int)
    for miss in facts.missed:
        if miss.kind == "late":
            late[(miss.session_id, miss.phase)] += 1
    found = {}
    for s in facts.sessions:
        for phase, sets in zip((FIRST_HOUR, LATER, OBSERVATION), s.sets_by_phase, strict=True):
            if sets:
                found[(s.id, phase)] = (sets, sets - min(late.get((s.id, phase), 0), sets))
    return found


def _per_session(checks: dict[tuple[int, str], tuple[int, int]]) -> dict[int, list[int]]:
    """Sets recorded and on time per session, all phases together."""
    per_session: dict[int, list[int]] = {}
    for (sid, _phase), (sets, on_time) in checks.items():
        both = per_session.setdefault(sid, [0, 0])
        both[0] += sets
        both[1] += on_time
    return per_session


def _tallies(
    facts: QualityFacts,
    per_session: dict[int, list[int]],
    key: Callable[[SessionFact], str],
) -> dict[str, _Tally]:
    """Checks per group of sessions; ``key(session)`` names the group."""
    found: dict[str, _Tally] = defaultdict(_Tally)
    names = {}
    for s in facts.sessions:
        name = names[s.id] = key(s)
        counted = per_session.get(s.id)
        if counted is not None:
            tally = found[name]
            tally.checks += counted[0]
            tally.on_time += counted[1]
            tally.sessions.append(s.id)
    _add_missed(found, facts.missed, lambda miss: names[miss.session_id])
    return found


def _phase_tallies(
    facts: QualityFacts, checks: dict[tuple[int, str], tuple[int, int]]
) -> dict[str, _Tally]:
    """Checks per phase of the infusion."""
    found: dict[str, _Tally] = defaultdict(_Tally)
    for (sid, phase), (sets, on_time) in checks.items():
        tally = found[PHASE_WORDS[phase]]
        tally.checks += sets
        tally.on_time += on_time
        tally.sessions.append(sid)
    _add_missed(found, facts.missed, lambda miss: PHASE_WORDS[miss.phase])
    return found


def _add_missed(
    found: dict[str, _Tally], missed: Sequence[MissedCheck], key: Callable[[MissedCheck], str]
) -> None:
    for miss in missed:
        tally = found[key(miss)]
        tally.sessions.append(miss.session_id)
        if miss.kind == "late":
            tally.late.append(miss.session_id)
        else:
            tally.skipped.append(miss.session_id)
            tally.checks += 1


def _on_time_table(
    key: str,
    title: str,
    groups: tuple[str, ...],
    tallies: dict[str, _Tally],
    order: Callable[[str], Any],
    target: float | None,
    split: Callable[[str], tuple[str, ...]] = lambda name: (name,),
) -> MeasureTable:
    return MeasureTable(
        key,
        title,
        groups,
        ON_TIME_COLUMNS,
        tuple(_on_time_row(split(n), tallies[n], target) for n in sorted(tallies, key=order)),
    )


def _missed_reasons(missed: Sequence[MissedCheck], labels: dict[str, str]) -> MeasureTable:
    reasons = sorted({m.reason for m in missed})
    return MeasureTable(
        "missed_reasons",
        "Late and skipped checks by reason",
        ("Reason",),
        ("Late", "Skipped"),
        tuple(
            MeasureRow(
                (labels.get(reason, reason),),
                (
                    count(m.session_id for m in missed if m.reason == reason and m.kind == "late"),
                    count(
                        m.session_id for m in missed if m.reason == reason and m.kind == "skipped"
                    ),
                ),
            )
            for reason in reasons
        ),
    )


def on_time_section(facts: QualityFacts, settings: QualitySettings) -> QualitySection:
    """Vitals on time for the unit and per nurse (by month), against the unit's target line."""
    target = settings.target_pct
    months = {s.id: settings.month_of(s.created_at) for s in facts.sessions}
    checks = _checks(facts)
    each = _per_session(checks)
    unit = _tallies(facts, each, lambda s: months[s.id])
    nurse = _tallies(facts, each, lambda s: s.nurse)
    nurse_month = _tallies(facts, each, lambda s: f"{s.nurse}\t{months[s.id]}")
    drug = _tallies(facts, each, lambda s: s.drug)
    phase = _phase_tallies(facts, checks)
    total = _tallies(facts, each, lambda _s: "Unit")
    month_order = settings.order_of("Month")
    tables = (
        _on_time_table("on_time_unit", "Vitals on time — unit", ("Period",), total, str, target),
        _on_time_table(
            "on_time_month", "Vitals on time by month", ("Month",), unit, month_order, target
        ),
        _on_time_table("on_time_nurse", "Vitals on time by nurse", ("Nurse",), nurse, str, target),
        _on_time_table(
            "on_time_nurse_month",
            "Vitals on time by nurse and month",
            ("Nurse", "Month"),
            nurse_month,
            lambda k: (k.split("\t")[0], month_order(k.split("\t")[1])),
            target,
            lambda k: tuple(k.split("\t")),
        ),
        _on_time_table(
            "on_time_phase",
            "Vitals on time by phase",
            ("Phase",),
            phase,
            lambda k: list(PHASE_WORDS.values()).index(k),
            target,
        ),
        _on_time_table("on_time_drug", "Vitals on time by drug", ("Drug",), drug, str, target),
        _missed_reasons(facts.missed, settings.reason_words),
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
        len(facts.sessions),
        settings.target_pct,
        (
            alarm_section(facts, settings),
            response_section(facts),
            reactions_section(facts),
            on_time_section(facts, settings),
        ),
    )
