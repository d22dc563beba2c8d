"""What a vertical mark on a session's trend stands for, and the mark of each lifecycle event."""

from __future__ import annotations

import enum

from infusion_monitor.domain.session import EventKind


class MarkerKind(enum.StrEnum):
    """What a vertical marker stands for; each has its own colour and line style."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    RATE_CHANGE = "rate_change"
    SYMPTOM = "symptom"
    ALERT = "alert"
    INTERVENTION = "intervention"
    END = "end"


#: The mark of each lifecycle event (the end of the infusion, however it ended, is one mark).
EVENT_MARKERS: dict[EventKind, MarkerKind] = {
    EventKind.START: MarkerKind.START,
    EventKind.PAUSE: MarkerKind.PAUSE,
    EventKind.RESUME: MarkerKind.RESUME,
    EventKind.RATE_CHANGE: MarkerKind.RATE_CHANGE,
    EventKind.COMPLETE: MarkerKind.END,
    EventKind.DISCONTINUE: MarkerKind.END,
    EventKind.OBSERVATION_START: MarkerKind.END,
}
