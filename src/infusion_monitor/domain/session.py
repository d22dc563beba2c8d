"""Infusion session lifecycle: a state machine replayed from the stored, ordered event list.

States::

    planned --start--> running <--pause/resume--> paused
    running --rate_change--> running
    running --complete--> completed          running|paused --discontinue--> discontinued
    completed|discontinued --observation_start--> observation --close--> closed
    completed|discontinued --close--> closed   (no observation period, or skipped with a reason)

Decisions:

- Post-infusion observation follows a discontinued infusion exactly as a completed one: a stopped
  infusion is often a reaction, and the protocol's observation applies all the more.
- A protocol with ``observation.minutes = 0`` has no observation: the session closes directly
  from completed or discontinued, and ``observation_start`` is refused.
- Observation can be skipped or cut short only with a reason (patient left, transferred), which
  is stored on the ``close`` event. Its time counts from ``observation_start``; the service
  records that event together with ``complete``/``discontinue`` unless the nurse defers it.
- Pause and discontinue need a reason. Starting needs a baseline vitals set and, when the rules
  engine flagged the baseline NEWS2, an acknowledgement reason (stored on the ``start`` event).
- Any rate *increase* needs a vitals set from the last ``STEP_VITALS_MAX_AGE_MIN`` minutes; a
  decrease is never blocked. No rate may exceed the protocol's maximum.
- Where the protocol's label limits a restart after a reaction (``rate.restart_after_reaction``:
  rituximab, daratumumab), the first resume after a reaction began runs at most that fraction of
  the rate in force when it began; a higher restart needs the nurse's reason, stored on the
  ``resume`` event.

State is a pure function of the events, so a restart recomputes everything from storage. Timers
take ``now``; all running-time arithmetic is in ``timing``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NoReturn

from infusion_monitor.domain.protocol import DrugProtocol, StepCheck
from infusion_monitor.domain.timing import Timeline, TimingEventKind, clamp_times, timeline
from infusion_monitor.errors import UserError

#: A rate increase needs a vitals set taken at most this many minutes before it [brief; D].
STEP_VITALS_MAX_AGE_MIN = 15
MAX_REASON_LENGTH = 500


class SessionState(enum.StrEnum):
    """Where a session is in its lifecycle (the values are the stored state names)."""

    PLANNED = "planned"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"
    OBSERVATION = "observation"
    CLOSED = "closed"


class EventKind(enum.StrEnum):
    """What a session event records (the values are the stored event types)."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    RATE_CHANGE = "rate_change"
    COMPLETE = "complete"
    DISCONTINUE = "discontinue"
    OBSERVATION_START = "observation_start"
    CLOSE = "close"


@dataclass(frozen=True)
class SessionEvent:
    """One stored lifecycle event; ``at`` is timezone-aware. ``rate`` is in the protocol unit."""

    kind: EventKind
    at: datetime
    reason: str | None = None
    rate: float | None = None


class SessionError(UserError):
    """An action the session's state or the protocol does not allow; the message says why."""


@dataclass(frozen=True)
class _Rule:
    """Which states an event may follow, the state it leads to, and how to say no."""

    action: str
    allowed: frozenset[SessionState]
    target: SessionState | None
    refusal: str


_RUNNING = frozenset({SessionState.RUNNING})
_ENDED = frozenset({SessionState.COMPLETED, SessionState.DISCONTINUED})
_RULES = {
    EventKind.START: _Rule(
        "start", frozenset({SessionState.PLANNED}), SessionState.RUNNING, "it has already started"
    ),
    EventKind.PAUSE: _Rule("pause", _RUNNING, SessionState.PAUSED, "the infusion is not running"),
    EventKind.RESUME: _Rule(
        "resume", frozenset({SessionState.PAUSED}), SessionState.RUNNING, "it is not paused"
    ),
    EventKind.RATE_CHANGE: _Rule("change the rate", _RUNNING, None, "the infusion is not running"),
    EventKind.COMPLETE: _Rule(
        "complete", _RUNNING, SessionState.COMPLETED, "the infusion is not running"
    ),
    EventKind.DISCONTINUE: _Rule(
        "discontinue",
        frozenset({SessionState.RUNNING, SessionState.PAUSED}),
        SessionState.DISCONTINUED,
        "the infusion is not running or paused",
    ),
    EventKind.OBSERVATION_START: _Rule(
        "start observation", _ENDED, SessionState.OBSERVATION, "the infusion has not ended"
    ),
    EventKind.CLOSE: _Rule(
        "close",
        _ENDED | {SessionState.OBSERVATION},
        SessionState.CLOSED,
        "the infusion has not ended",
    ),
}


def state_after(kind: EventKind, state: SessionState) -> SessionState:
    """The state an event of ``kind`` leads to from ``state`` (a rate change keeps it)."""
    return _RULES[kind].target or state


_TIMING_KINDS = {
    EventKind.START: TimingEventKind.START,
    EventKind.PAUSE: TimingEventKind.PAUSE,
    EventKind.RESUME: TimingEventKind.RESUME,
    EventKind.COMPLETE: TimingEventKind.STOP,
    EventKind.DISCONTINUE: TimingEventKind.STOP,
}


@dataclass(frozen=True)
class RateStep:
    """The next protocol rate step: its rate and the running time left until it is due."""

    rate: float
    due_in: timedelta

    @property
    def due(self) -> bool:
        """Whether the step may be taken now (subject to the step checks)."""
        return self.due_in <= timedelta(0)


@dataclass(frozen=True)
class RestartLimit:
    """The highest rate the label allows for the restart after a reaction."""

    reaction_rate: float
    """The rate in force when the reaction began."""

    max_rate: float
    unit: str
    source: str

    def refusal(self, rate: float) -> str:
        """Why ``rate`` is refused, what the maximum is and how to override."""
        return (
            f"{rate:g} {self.unit} is above the restart limit after a reaction. The reaction began "
            f"at {self.reaction_rate:g} {self.unit}; restart at no more than "
            f"{self.max_rate:g} {self.unit} ({self.source}). Resume with a rate of at most "
            f"{self.max_rate:g} {self.unit}, or type the reason to restart higher (e.g. the "
            "prescriber's order) and resume again"
        )


def reaction_onset(assessed: Sequence[tuple[datetime, bool]]) -> datetime | None:
    """When the latest reaction began: the first of the newest run of assessments that saw a
    reaction (``(at, reaction seen)`` in time order), or None when none ever did."""
    onset = None
    seen_before = False
    for at, seen in assessed:
        if seen and not seen_before:
            onset = at
        seen_before = seen
    return onset


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} min"


@dataclass(frozen=True)
class Session:
    """One infusion session: its protocol, cycle, events, and what they add up to.

    Build it with ``Session.replay``; every action method returns the event to store, already
    checked against the state, the protocol and the inputs it is given.
    """

    protocol: DrugProtocol
    cycle: int
    events: tuple[SessionEvent, ...]
    state: SessionState
    rate: float | None

    @classmethod
    def replay(
        cls, protocol: DrugProtocol, cycle: int, events: Sequence[SessionEvent] = ()
    ) -> Session:
        """Recompute the session from its stored events; a SessionError if one is illegal."""
        session = cls(protocol, cycle, (), SessionState.PLANNED, None)
        for event in events:
            session = session.apply(event)
        return session

    def apply(self, event: SessionEvent) -> Session:
        """The session after ``event``; a SessionError naming the action and state if illegal."""
        if event.at.tzinfo is None:
            raise ValueError("session event times must be timezone-aware")
        rule = _RULES[event.kind]
        if self.state not in rule.allowed:
            why = "the session is closed" if self.state is SessionState.CLOSED else rule.refusal
            self._refuse(rule.action, why)
        self._check_event(rule.action, event)
        rate = event.rate if event.rate is not None else self.rate
        target = rule.target if rule.target is not None else self.state
        return replace(self, events=(*self.events, event), state=target, rate=rate)

    def _check_event(self, action: str, event: SessionEvent) -> None:
        """Checks the event itself carries: reasons, rates, observation rules."""
        if event.kind in (EventKind.PAUSE, EventKind.DISCONTINUE) and not event.reason:
            self._refuse(action, "a reason is required")
        if event.reason is not None and not event.reason.strip():
            self._refuse(action, "the reason is blank")
        if event.reason is not None and len(event.reason) > MAX_REASON_LENGTH:
            self._refuse(action, f"the reason is longer than {MAX_REASON_LENGTH} characters")
        if event.kind is EventKind.RATE_CHANGE and event.rate is None:
            self._refuse(action, "no new rate was given")
        if event.rate is not None:
            self._check_rate(action, event.rate)
        observes = self.protocol.observation.minutes > 0
        if event.kind is EventKind.OBSERVATION_START and not observes:
            self._refuse(action, "this protocol has no observation period; close the session")
        if event.kind is EventKind.CLOSE and event.reason is None:
            if self.state in _ENDED and observes:
                self._refuse(
                    action,
                    "the post-infusion observation has not been done. Start the observation, "
                    "or give a reason to close without it",
                )
            left = self._observation_left_at(event.at)
            if left is not None and left > timedelta(0):
                self._refuse(
                    action,
                    f"observation has {_minutes(left)} left. Wait, or give a reason to close early",
                )

    def _check_rate(self, action: str, rate: float) -> None:
        plan = self.protocol.rate
        if rate <= 0:
            self._refuse(action, "the rate must be above 0 (to stop, pause the infusion)")
        if plan is not None and rate > plan.max:
            self._refuse(
                action,
                f"{rate:g} {plan.unit} is above the protocol maximum of {plan.max:g} {plan.unit}",
            )

    def _refuse(self, action: str, why: str) -> NoReturn:
        raise SessionError(f"Cannot {action}: {why} (state: {self.state}).")

    # Actions: each returns the checked event for the caller to store.

    def start(
        self,
        at: datetime,
        *,
        has_baseline: bool,
        baseline_warning: bool,
        acknowledgement: str | None = None,
        rate: float | None = None,
    ) -> SessionEvent:
        """Start the infusion at ``rate`` (default: the protocol's starting rate).

        ``has_baseline``: a current baseline vitals set exists (``schedule.baseline_is_current``).
        ``baseline_warning``: the rules engine flagged the baseline NEWS2; ``acknowledgement`` is
        the nurse's reason for starting anyway.
        """
        if not has_baseline:
            self._refuse("start", "no baseline vital signs. Record a baseline set first")
        if baseline_warning and acknowledgement is None:
            self._refuse(
                "start",
                "the baseline NEWS2 warning is not acknowledged. Acknowledge it with a reason "
                "first",
            )
        plan = self.protocol.rate
        if rate is None and plan is not None:
            rate = plan.start
        return self._checked(SessionEvent(EventKind.START, at, reason=acknowledgement, rate=rate))

    def pause(self, at: datetime, reason: str) -> SessionEvent:
        """Pause the running infusion; ``reason`` is required."""
        return self._checked(SessionEvent(EventKind.PAUSE, at, reason=reason))

    def resume(
        self,
        at: datetime,
        *,
        rate: float | None = None,
        latest_vitals_at: datetime | None = None,
        reaction_active: bool = False,
        reaction_began_at: datetime | None = None,
        override: str | None = None,
    ) -> SessionEvent:
        """Resume a paused infusion, optionally at a new rate (e.g. half the rate at a reaction).

        ``reaction_began_at``: when the session's latest reaction began (the rules first saw a
        reaction pathway), or None. ``override``: the nurse's reason to restart above the label's
        limit (``restart_limit``); it is stored on the event.
        """
        if rate is not None:
            self._check_increase("resume", at, rate, latest_vitals_at, reaction_active)
        limit = self.restart_limit(reaction_began_at)
        restart = rate if rate is not None else self.rate
        reason = None
        if limit is not None and restart is not None and restart > limit.max_rate:
            if override is None:
                self._refuse("resume", limit.refusal(restart))
            reason = override
        return self._checked(SessionEvent(EventKind.RESUME, at, reason=reason, rate=rate))

    def restart_limit(self, reaction_began_at: datetime | None) -> RestartLimit | None:
        """The label's limit on the next resume after a reaction that began at
        ``reaction_began_at``; None when the protocol has none, or the infusion was already
        restarted since (later titration follows the rate steps)."""
        plan = self.protocol.rate
        if plan is None or plan.restart_after_reaction is None or reaction_began_at is None:
            return None
        if any(e.kind is EventKind.RESUME and e.at >= reaction_began_at for e in self.events):
            return None
        rates = [e.rate for e in self.events if e.rate is not None and e.at <= reaction_began_at]
        if not rates:
            return None
        rule = plan.restart_after_reaction
        return RestartLimit(rates[-1], rates[-1] * rule.max_fraction, plan.unit, rule.source)

    def change_rate(
        self,
        at: datetime,
        rate: float,
        *,
        latest_vitals_at: datetime | None,
        reaction_active: bool = False,
    ) -> SessionEvent:
        """Change the rate: a protocol step, or a nurse's change. An increase needs recent vitals.

        ``latest_vitals_at``: when the most recent nurse's vitals set of this session was taken;
        ``reaction_active``: the rules see a reaction feature now (the protocol's ``no_symptoms``).
        """
        self._check_increase("change the rate", at, rate, latest_vitals_at, reaction_active)
        return self._checked(SessionEvent(EventKind.RATE_CHANGE, at, rate=rate))

    def complete(self, at: datetime) -> SessionEvent:
        """The infusion ran to its end."""
        return self._checked(SessionEvent(EventKind.COMPLETE, at))

    def discontinue(self, at: datetime, reason: str) -> SessionEvent:
        """Stop the infusion for good; ``reason`` is required."""
        return self._checked(SessionEvent(EventKind.DISCONTINUE, at, reason=reason))

    def start_observation(self, at: datetime) -> SessionEvent:
        """Begin the protocol's post-infusion observation."""
        return self._checked(SessionEvent(EventKind.OBSERVATION_START, at))

    def close(self, at: datetime, reason: str | None = None) -> SessionEvent:
        """Close the session; a reason is needed to skip or cut short the observation."""
        return self._checked(SessionEvent(EventKind.CLOSE, at, reason=reason))

    def _checked(self, event: SessionEvent) -> SessionEvent:
        self.apply(event)
        return event

    def _check_increase(
        self,
        action: str,
        at: datetime,
        rate: float,
        latest_vitals_at: datetime | None,
        reaction_active: bool = False,
    ) -> None:
        if self.rate is None or rate <= self.rate:
            return
        limit = timedelta(minutes=STEP_VITALS_MAX_AGE_MIN)
        if latest_vitals_at is None:
            self._refuse(
                action,
                "no vital signs recorded by a nurse. Take a set of vital signs first (a bedside "
                "monitor's set has no ACVPU or oxygen and does not count)",
            )
        age = at - latest_vitals_at
        if age > limit:
            self._refuse(
                action,
                f"the latest nurse's vital signs are {_minutes(age)} old. Take a new set (at most "
                f"{STEP_VITALS_MAX_AGE_MIN} min before an increase; a bedside monitor's set does "
                "not count), then change the rate",
            )
        plan = self.protocol.rate
        if plan is not None and plan.escalates:
            step = plan.next_rate(self.rate)
            if step is not None and rate > step:
                self._refuse(
                    action,
                    f"the protocol steps up by {plan.increase_by:g} {plan.unit} at a time: the "
                    f"next step from {self.rate:g} is {step:g} {plan.unit}, not {rate:g}",
                )
            if StepCheck.NO_SYMPTOMS in plan.step_checks and reaction_active:
                self._refuse(
                    action,
                    "the protocol steps up only without infusion-reaction symptoms, and the rules "
                    "see a reaction now. Hold the rate until the patient is symptom-free",
                )

    # Timers: pure functions of the stored events and ``now``.

    def _times(self, now: datetime) -> list[datetime]:
        return clamp_times((event.at for event in self.events), now)

    def _last(self, kinds: set[EventKind], now: datetime) -> datetime | None:
        found = None
        for event, at in zip(self.events, self._times(now), strict=True):
            if event.kind in kinds:
                found = at
        return found

    def timeline(self, now: datetime) -> Timeline:
        """When the infusion ran, as of ``now``."""
        timing = [
            (_TIMING_KINDS[event.kind], at)
            for event, at in zip(self.events, self._times(now), strict=True)
            if event.kind in _TIMING_KINDS
        ]
        return timeline(timing, now)

    def infusion_time(self, now: datetime) -> timedelta:
        """Running time of the infusion, pauses excluded."""
        return self.timeline(now).total()

    def started_at(self, now: datetime) -> datetime | None:
        """When the infusion started (clamped like every stored time), or None."""
        return self._last({EventKind.START}, now)

    def ended_at(self, now: datetime) -> datetime | None:
        """When the infusion was completed or discontinued, or None."""
        return self._last({EventKind.COMPLETE, EventKind.DISCONTINUE}, now)

    def rate_changed_at(self, now: datetime) -> list[datetime]:
        """When the rate was changed (rate changes and resumes at a new rate)."""
        return [
            at
            for event, at in zip(self.events, self._times(now), strict=True)
            if event.kind is EventKind.RATE_CHANGE
            or (event.kind is EventKind.RESUME and event.rate is not None)
        ]

    def time_at_rate(self, now: datetime) -> timedelta:
        """Running time since the rate was last set (at the start or by a change)."""
        changed = self.rate_changed_at(now)
        since = changed[-1] if changed else self.started_at(now)
        if since is None:
            return timedelta(0)
        return self.timeline(now).running_since(since)

    def next_rate_step(self, now: datetime) -> RateStep | None:
        """The next protocol rate step and the running time left until it is due.

        Counted from the last rate setting, in running time only. None when the protocol has no
        escalation, the rate is at its maximum, or the infusion is not running or paused.
        """
        plan = self.protocol.rate
        if plan is None or plan.every_min is None or self.rate is None:
            return None
        if self.state not in (SessionState.RUNNING, SessionState.PAUSED):
            return None
        rate = plan.next_rate(self.rate)
        if rate is None:
            return None
        left = timedelta(minutes=plan.every_min) - self.time_at_rate(now)
        return RateStep(rate, max(left, timedelta(0)))

    def observation_started_at(self, now: datetime) -> datetime | None:
        """When the post-infusion observation began, or None."""
        return self._last({EventKind.OBSERVATION_START}, now)

    def observation_left(self, now: datetime) -> timedelta | None:
        """Observation time left (never negative), or None outside the observation state."""
        if self.state is not SessionState.OBSERVATION:
            return None
        return self._observation_left_at(now)

    def _observation_left_at(self, now: datetime) -> timedelta | None:
        since = self.observation_started_at(now)
        if since is None:
            return None
        length = timedelta(minutes=self.protocol.observation.minutes)
        return max(length - (max(now, since) - since), timedelta(0))
