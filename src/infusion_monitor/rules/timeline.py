"""Fold a session's entries, one moment at a time, into the state and history at any second."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.rules.derived import DerivedSigns, derive
from infusion_monitor.rules.history import History, carry, note_criteria, note_moment
from infusion_monitor.rules.inputs import CourseEntry, Observation, SymptomEntry, minute_label
from infusion_monitor.rules.moment import BEFORE_ANY, Current, Moment, newer_over
from infusion_monitor.rules.setup import Setup


@dataclass(frozen=True, slots=True)
class Onset:
    """A symptom begins (only symptoms that count: onset ≥ 0, not resolved at onset)."""

    t: int
    entry: SymptomEntry


@dataclass(frozen=True, slots=True)
class Resolution:
    """A symptom that began earlier ends."""

    t: int
    entry: SymptomEntry


@dataclass(frozen=True, slots=True)
class InfusionEnd:
    """The infusion ended."""

    t: int


Event = Observation | Onset | Resolution | CourseEntry | InfusionEnd


def symptom_events(entry: SymptomEntry) -> list[Event]:
    """The onset and resolution events of a symptom; none for one rules-spec §2 ignores."""
    if entry.onset < 0 or entry.resolved == entry.onset:
        return []
    events: list[Event] = [Onset(entry.onset, entry)]
    if entry.resolved is not None:
        events.append(Resolution(entry.resolved, entry))
    return events


@dataclass(frozen=True, slots=True)
class Timeline:
    """The moment reached so far and the history up to and including it."""

    moment: Moment
    history: History


def start(setup: Setup) -> Timeline:
    """Before any entry: the baseline (as given) is current, nothing is active."""
    baseline = setup.baseline
    signs = derive(
        DerivedSigns(),
        baseline,
        baseline,
        setup.low_sbp,
        setup.rules.definition.derived,
        "at baseline",
    )
    current = Current(None, setup.news2_baseline, signs)
    return Timeline(Moment(BEFORE_ANY, current, (), None), History())


def advance(setup: Setup, timeline: Timeline, t: int, batch: Sequence[Event]) -> Timeline:
    """Move to second ``t`` (later than the timeline's) applying ``batch``, the entries at ``t``.

    Of several observations at ``t`` the last wins; the others are ignored everywhere.
    """
    before = timeline.moment
    history = carry(timeline.history, before, t, setup)
    observations = [e for e in batch if isinstance(e, Observation)]
    observation = observations[-1] if observations else None
    current = before.current
    if observation is not None:
        given = Current(
            t, observation.vitals, current.signs, newer_over(current.earlier, current.vitals)
        )
        signs = derive(
            current.signs,
            replace(observation.vitals, acvpu=given.acvpu, on_oxygen=given.on_oxygen),
            setup.baseline,
            setup.low_sbp,
            setup.rules.definition.derived,
            f"at {minute_label(t)}",
        )
        current = replace(given, signs=signs)
    resolved = {e.entry.key for e in batch if isinstance(e, Resolution)}
    active = [entry for entry in before.active if entry.key not in resolved]
    active += [e.entry for e in batch if isinstance(e, Onset)]
    actions = [e for e in batch if isinstance(e, CourseEntry)]
    ends = any(isinstance(e, InfusionEnd) for e in batch) or any(
        a.action is CourseAction.DISCONTINUE_INFUSION for a in actions
    )
    ended = before.ended if before.ended is not None else (t if ends else None)
    moment = Moment(t, current, tuple(active), ended)
    history = note_moment(history, before, moment, observation, actions, setup)
    if observation is not None or any(isinstance(e, Onset | Resolution) for e in batch):
        history = note_criteria(history, moment, setup)
    return Timeline(moment, history)


def fold(setup: Setup, timeline: Timeline, events: Iterable[Event]) -> Timeline:
    """Advance through ``events`` (sorted by time, stable) moment by moment."""
    for t, batch in groupby(events, key=lambda event: event.t):
        timeline = advance(setup, timeline, t, list(batch))
    return timeline


def settle(setup: Setup, timeline: Timeline, at: int) -> Timeline:
    """The timeline at second ``at`` (not before its moment), ``at`` itself counted as a moment."""
    if at > timeline.moment.t:
        timeline = advance(setup, timeline, at, ())
    return Timeline(timeline.moment, note_criteria(timeline.history, timeline.moment, setup))
