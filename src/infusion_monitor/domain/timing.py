"""Infusion-time arithmetic from stored start/pause/resume/stop timestamps and ``now``."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta


class TimingEventKind(enum.Enum):
    """The session events that start or stop the infusion clock."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


TimingEvent = tuple[TimingEventKind, datetime]
"""One stored event: what happened and when (aware datetime)."""


def infusion_time(events: Iterable[TimingEvent], now: datetime) -> timedelta:
    """Return how long the infusion has actually run: start to ``now`` (or stop), minus pauses.

    Events are taken in time order. A pause while paused, a resume while running and anything
    before the start are ignored, so a duplicated or out-of-order record never makes time run
    twice. Events after ``now`` are not counted yet.
    """
    total = timedelta(0)
    running_since: datetime | None = None
    started = False
    for kind, at in sorted(events, key=lambda event: event[1]):
        if at > now:
            break
        if kind is TimingEventKind.START and not started:
            started = True
            running_since = at
        elif kind is TimingEventKind.RESUME and started and running_since is None:
            running_since = at
        elif kind in (TimingEventKind.PAUSE, TimingEventKind.STOP) and running_since is not None:
            total += at - running_since
            running_since = None
        if kind is TimingEventKind.STOP and started:
            return total
    if running_since is not None:
        total += now - running_since
    return total


def format_duration(span: timedelta) -> str:
    """Format a duration as ``MM:SS`` under an hour and ``H:MM:SS`` from an hour on."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"
