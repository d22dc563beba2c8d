"""Which sound plays when: one at a time, the highest priority first.

``plan`` is a pure function of the alarms asking for sound, the nurse's audio pauses, the vitals
chimes requested and a time window; it returns the signals to play, none overlapping. The rules:

- The highest-priority alarm that is sounding owns the speaker. Its burst plays at once when it
  takes over, then again after each interburst interval of its priority (``AlarmTiming``, IEC
  60601-1-8 Table 3) for as long as it keeps the speaker; a low-priority burst plays once unless
  the unit configured a repetition.
- A signal is cut the moment it loses the speaker: a higher priority starts at once, and an
  acknowledged or paused alarm falls silent at once.
- An alarm sounds from when it was raised until it is acknowledged (or resolved). An audio pause
  silences the alarms already raised when the pause began, until it ends by itself; an alarm
  raised during the pause sounds, so a pause never hides a new or worse alarm.
- A vitals chime plays only while no alarm sounds, never over or between an alarm's bursts; it
  waits at most ``CHIME_MAX_WAIT`` and is dropped after that (its visual prompt stays). Chimes
  waiting together play once, as the most insistent of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from infusion_monitor.domain.alarm_signals import ALARM_SOUNDS, DESIGNS, AlarmTiming
from infusion_monitor.domain.alerts import Alert, AlertPriority, AlertState
from infusion_monitor.domain.prompts import PromptSound

CHIME_MAX_WAIT = timedelta(seconds=30)
#: Which chime wins when several wait: the overdue one.
_CHIME_RANK = {PromptSound.DUE: 0, PromptSound.OVERDUE: 1}


@dataclass(frozen=True, slots=True)
class Sounding:
    """An alarm that asks for sound from ``since`` until ``until`` (None: until answered)."""

    alert_id: int
    priority: AlertPriority
    since: datetime
    until: datetime | None = None

    def asks(self, t: datetime) -> bool:
        """Whether the alarm asks for sound at ``t``."""
        return self.since <= t and (self.until is None or t < self.until)


def soundings(alerts: Iterable[Alert]) -> tuple[Sounding, ...]:
    """The alarms of these alerts: an active alert sounds until acknowledged or resolved."""
    found: list[Sounding] = []
    for alert in alerts:
        until = None
        if alert.state is not AlertState.ACTIVE:
            until = alert.acknowledged_at or alert.resolved_at or alert.raised_at
        found.append(Sounding(alert.id, alert.priority, alert.raised_at, until))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class AudioPause:
    """The nurse ``by`` paused the sound of the alarms raised by ``since``, until ``until``."""

    since: datetime
    until: datetime
    by: str

    def __post_init__(self) -> None:
        if self.until <= self.since:
            raise ValueError("an audio pause ends after it starts")

    def silences(self, alarm: Sounding, t: datetime) -> bool:
        """Whether this pause keeps ``alarm`` quiet at ``t``."""
        return self.since <= t < self.until and alarm.since <= self.since

    def left(self, now: datetime) -> timedelta:
        """How long the pause still runs at ``now`` (zero once over)."""
        return max(self.until - now, timedelta(0))


@dataclass(frozen=True, slots=True)
class ChimeRequest:
    """The vitals prompt asked for ``sound`` at ``at``."""

    sound: PromptSound
    at: datetime


@dataclass(frozen=True, slots=True)
class PlannedSignal:
    """``sound`` plays from ``start`` to ``end``; ``cut`` when it stops before its natural end."""

    sound: PromptSound
    start: datetime
    end: datetime
    cut: bool = False

    @property
    def priority(self) -> AlertPriority | None:
        """The alarm priority it announces (None for a chime)."""
        return DESIGNS[self.sound].priority

    @property
    def natural_end(self) -> datetime:
        """When it would end if nothing cut it."""
        return self.start + _length(self.sound)


def winning_priority(
    alarms: Sequence[Sounding], pauses: Sequence[AudioPause], t: datetime
) -> AlertPriority | None:
    """The highest priority of the alarms sounding at ``t`` (asking, and not paused)."""
    heard = [
        alarm.priority
        for alarm in alarms
        if alarm.asks(t) and not any(pause.silences(alarm, t) for pause in pauses)
    ]
    return max(heard, default=None)


def _length(sound: PromptSound) -> timedelta:
    return timedelta(seconds=DESIGNS[sound].duration_s)


def plan(
    alarms: Iterable[Sounding],
    pauses: Iterable[AudioPause],
    chimes: Iterable[ChimeRequest],
    timing: AlarmTiming,
    start: datetime,
    end: datetime,
) -> tuple[PlannedSignal, ...]:
    """Every signal that plays, even partly, between ``start`` and ``end``, in order.

    The history is replayed from the earliest alarm or chime, so the answer depends only on the
    arguments: asking again later, or over another window, gives the same signals.
    """
    alarm_list = tuple(alarms)
    pause_list = tuple(pauses)
    pending = sorted(chimes, key=lambda chime: chime.at)
    origins = [alarm.since for alarm in alarm_list] + [chime.at for chime in pending]
    if not origins:
        return ()
    changes = sorted(
        {moment for alarm in alarm_list for moment in (alarm.since, alarm.until) if moment}
        | {moment for pause in pause_list for moment in (pause.since, pause.until)}
    )
    played: list[PlannedSignal] = []
    playing: PlannedSignal | None = None
    run: AlertPriority | None = None
    next_burst: datetime | None = None
    t = min(origins)
    while t < end:
        top = winning_priority(alarm_list, pause_list, t)
        if playing is not None and playing.end <= t:
            playing = None
        if playing is not None and playing.priority != top:
            played[-1] = replace(playing, end=t, cut=True)
            playing = None
        if top is None:
            run = None
            pending = [chime for chime in pending if t - chime.at <= CHIME_MAX_WAIT]
            ready = [chime for chime in pending if chime.at <= t]
            if playing is None and ready:
                sound = max(ready, key=lambda chime: _CHIME_RANK[chime.sound]).sound
                playing = PlannedSignal(sound, t, t + _length(sound))
                played.append(playing)
                pending = [chime for chime in pending if chime.at > t]
        else:
            if run != top:
                run, next_burst = top, t
            if playing is None and next_burst is not None and next_burst <= t:
                sound = ALARM_SOUNDS[top]
                playing = PlannedSignal(sound, t, t + _length(sound))
                played.append(playing)
                interval = timing.interburst_s(top)
                next_burst = None if interval is None else playing.end + timedelta(seconds=interval)
        upcoming = changes[bisect.bisect_right(changes, t) : bisect.bisect_right(changes, t) + 1]
        if playing is not None:
            upcoming.append(playing.end)
        if top is not None and next_burst is not None and next_burst > t:
            upcoming.append(next_burst)
        if top is None:
            upcoming += [chime.at for chime in pending if chime.at > t][:1]
        t = min(upcoming, default=end)
    return tuple(signal for signal in played if signal.end > start and signal.start < end)
