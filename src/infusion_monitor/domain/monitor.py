"""Vital signs from a bedside monitor: the reading a gateway hands over, and when it is stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from infusion_monitor.domain.vitals_entry import Source

#: How old a monitor value may be before the screen greys it out (``[gateway] stale_after_min``).
DEFAULT_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class MonitorReading:
    """One HL7 message's vital signs, already converted to the app's units (°C, mmHg, /min, %).

    ``sender`` and ``control_id`` (MSH-3/4 and MSH-10) identify the message, so a resent copy is
    recognised. ``bed`` (PV1-3) or ``patient_id`` (PID-3) says whose values they are; ``taken_at``
    is when the monitor measured them (OBX-14, else OBR-7), always timezone-aware.
    """

    sender: str
    control_id: str
    bed: str | None
    patient_id: str | None
    taken_at: datetime
    values: dict[str, Decimal]
    raw_temperature: str | None = None

    def __post_init__(self) -> None:
        if self.taken_at.tzinfo is None or self.taken_at.utcoffset() is None:
            raise ValueError("taken_at must be timezone-aware")


def is_stale(source: Source, taken_at: datetime, now: datetime, stale_after: timedelta) -> bool:
    """True when a screen greys the value out: it came from a monitor and was measured more than
    ``stale_after`` before ``now`` (the monitor stopped sending, or lost the patient).

    A typed value never goes stale this way: the vitals schedule says when the next set is due.
    Every screen showing a latest value asks this one function.
    """
    return source is Source.MONITOR and now - taken_at > stale_after


def age_text(taken_at: datetime, now: datetime) -> str:
    """How long ago a value was measured, for the label beside it: "now", "4 min", "2 h 5 min"."""
    minutes = max(0, int((now - taken_at).total_seconds() // 60))
    if minutes == 0:
        return "now"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
