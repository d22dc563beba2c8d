"""Infusion-time arithmetic from stored start/pause/resume/stop timestamps and ``now``.

The one place where running time is computed: the chair board, the session timers and the vitals
schedule all use it. Stored times are made safe first (``clamp_times``): a clock that jumped
backwards, or an event stamped by a clock that ran ahead, can never make a duration negative or
longer than the span the current clock can vouch for.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


class TimingEventKind(enum.Enum):
    """The session events that start or stop the infusion clock."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


TimingEvent = tuple[TimingEventKind, datetime]
"""One stored event: what happened and when (aware datetime)."""

Segment = tuple[datetime, datetime]
"""A stretch of running infusion, from its start to its end (``now`` while still running)."""


def clamp_times(times: Iterable[datetime], now: datetime) -> list[datetime]:
    """Stored times in stored order, each no earlier than the one before and no later than now.

    After a backward clock jump an event may carry a time earlier than the one before it; it is
    taken to happen at the earlier event's time. A time after ``now`` is taken as ``now``.
    """
    clamped: list[datetime] = []
    for at in times:
        if clamped:
            at = max(at, clamped[-1])
        clamped.append(min(at, now))
    return clamped


@dataclass(frozen=True)
class Timeline:
    """When the infusion ran, as of ``now``."""

    segments: tuple[Segment, ...]
    running: bool
    """Whether the last segment is still open (it then ends at ``now``)."""

    now: datetime

    def total(self) -> timedelta:
        """Running time so far, pauses excluded."""
        return sum((end - start for start, end in self.segments), timedelta(0))

    def running_since(self, since: datetime) -> timedelta:
        """Running time after the moment ``since``."""
        return sum(
            (end - max(start, since) for start, end in self.segments if end > since),
            timedelta(0),
        )

    def when_total_reaches(self, target: timedelta) -> datetime | None:
        """The moment running time reaches ``target``; None if it has not and is not running."""
        left = target
        for start, end in self.segments:
            if start + left <= end:
                return start + left
            left -= end - start
        return self.now + left if self.running else None


def timeline(events: Sequence[TimingEvent], now: datetime) -> Timeline:
    """Running segments from ``events`` in stored order (times clamped, see ``clamp_times``).

    A pause while paused, a resume while running and anything before the start are ignored, so a
    duplicated record never makes time run twice; nothing counts after a stop.
    """
    times = clamp_times((at for _, at in events), now)
    segments: list[Segment] = []
    running_since: datetime | None = None
    started = False
    for (kind, _), at in zip(events, times, strict=True):
        if kind is TimingEventKind.START and not started:
            started = True
            running_since = at
        elif kind is TimingEventKind.RESUME and started and running_since is None:
            running_since = at
        elif kind in (TimingEventKind.PAUSE, TimingEventKind.STOP) and running_since is not None:
            segments.append((running_since, at))
            running_since = None
        if kind is TimingEventKind.STOP and started:
            return Timeline(tuple(segments), running=False, now=now)
    if running_since is not None:
        segments.append((running_since, now))
    return Timeline(tuple(segments), running=running_since is not None, now=now)


def infusion_time(events: Sequence[TimingEvent], now: datetime) -> timedelta:
    """Return how long the infusion has actually run: start to ``now`` (or stop), minus pauses."""
    return timeline(events, now).total()


def format_duration(span: timedelta) -> str:
    """Format a duration as ``MM:SS`` under an hour and ``H:MM:SS`` from an hour on."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"
