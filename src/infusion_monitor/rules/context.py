"""A session's entries with an incremental summary, so assessing "now" costs only what changed.

Entries are expected in time order, as they happen. Every moment strictly before the newest
entry is folded once into a ``Timeline`` and never revisited; the moment of the newest entry
stays open (another entry may still arrive at the same second, and for observations the later
one wins). An entry older than a folded moment is accepted too, but the next assessment then
re-folds the session from the start: correct, and proportional to the whole session.
"""

from __future__ import annotations

import heapq
from dataclasses import replace
from itertools import count

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules.inputs import CourseEntry, Observation, Patient, SymptomEntry
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.rules.setup import Setup
from infusion_monitor.rules.timeline import (
    Event,
    InfusionEnd,
    Onset,
    Resolution,
    Timeline,
    fold,
    settle,
    start,
    symptom_events,
)


class SessionContext:
    """Patient, baseline and every entry of one session, with the timeline folded so far."""

    def __init__(
        self, rules: RuleSet, patient: Patient, baseline: VitalSigns, drug: str | None = None
    ) -> None:
        self.setup = Setup.of(rules, patient, baseline, drug)
        self._sequence = count()
        self._events: list[tuple[int, int, Event]] = []
        self._pending: list[tuple[int, int, Event]] = []
        self._folded = start(self.setup)
        self._newest: int | None = None
        self._symptoms: dict[int, SymptomEntry] = {}

    def add_observation(self, t: int, vitals: VitalSigns) -> None:
        """Record vital signs taken at second ``t``."""
        self._add(Observation(t, vitals))

    def add_symptom(self, code: str, onset: int, resolved: int | None = None) -> int:
        """Record a symptom (its code must be in the catalogue); returns its key."""
        key = len(self._symptoms)
        entry = SymptomEntry(key, code, onset, resolved)
        self._symptoms[key] = entry
        for event in symptom_events(entry):
            self._add(event)
        return key

    def resolve_symptom(self, key: int, t: int) -> None:
        """Record that the unresolved symptom ``key`` resolved at second ``t``."""
        entry = self._symptoms[key]
        if entry.resolved is not None or t < entry.onset:
            raise ValueError(f"symptom {key} cannot resolve at second {t}")
        self._symptoms[key] = replace(entry, resolved=t)
        if t == entry.onset:
            self._events = [item for item in self._events if item[2] != Onset(t, entry)]
            self._refold()
        elif entry.onset >= 0:
            self._add(Resolution(t, entry))

    def add_action(self, t: int, action: CourseAction) -> None:
        """Record a course action done at second ``t``."""
        self._add(CourseEntry(t, action))

    def end_infusion(self, t: int) -> None:
        """Record that the infusion ended at second ``t``."""
        self._add(InfusionEnd(t))

    def timeline(self, at: int) -> Timeline:
        """The timeline at second ``at``: only entries at or before it count."""
        if at < self._folded.moment.t:
            events = (event for t, _, event in sorted(self._events) if t <= at)
            return settle(self.setup, fold(self.setup, start(self.setup), events), at)
        newest = self._newest if self._newest is not None else at
        while self._pending and self._pending[0][0] < min(newest, at + 1):
            t = self._pending[0][0]
            batch = []
            while self._pending and self._pending[0][0] == t:
                batch.append(heapq.heappop(self._pending))
            self._folded = fold(self.setup, self._folded, (event for _, _, event in batch))
        rest = sorted(item for item in self._pending if item[0] <= at)
        timeline = fold(self.setup, self._folded, (event for _, _, event in rest))
        return settle(self.setup, timeline, at)

    def _add(self, event: Event) -> None:
        item = (event.t, next(self._sequence), event)
        self._events.append(item)
        if event.t <= self._folded.moment.t:
            self._refold()
        else:
            heapq.heappush(self._pending, item)
        self._newest = event.t if self._newest is None else max(self._newest, event.t)

    def _refold(self) -> None:
        """Start the fold again: every entry becomes pending."""
        self._folded = start(self.setup)
        self._pending = list(self._events)
        heapq.heapify(self._pending)
