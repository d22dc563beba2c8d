"""Vital signs from a bedside monitor: the reading a gateway hands over, and when it is stale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from infusion_monitor.domain.vitals_entry import Source

#: How old a monitor value may be before the screen greys it out (``[gateway] stale_after_min``).
DEFAULT_STALE_AFTER = timedelta(minutes=5)


#: Where each heart rate comes from (``Observation.source`` of an ``hr`` value), and the order
#: in which the rules' heart rate is chosen when a set carries several: the ECG's, then the pulse
#: oximeter's, then the cuff's (``[gateway] heart_rate_sources`` changes it).
HEART_RATE_SOURCES = ("ecg", "oximeter", "cuff", "arterial", "unspecified")


@dataclass(frozen=True, slots=True)
class Observation:
    """One value a monitor sent (one OBX), already in the app's units (°C, mmHg, /min, %).

    ``vital`` is the app's name (``hr``, ``sbp``, ``dbp``, ``map``, ``rr``, ``spo2``,
    ``temp_c``); ``source`` what measured it (``ecg``, ``oximeter``, ``cuff``, ...); ``code``
    the observation identifier as sent (``147842^MDC_ECG_HEART_RATE^MDC``); ``raw`` the value
    with its unit as sent when it was converted (``98.6 °F``).
    """

    vital: str
    source: str
    code: str
    value: Decimal
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class MonitorSet:
    """The values of one message measured at one time (OBX-14, else their OBR-7).

    ``values`` is what the rules use, one value per vital; ``sources`` the code each came from;
    ``observations`` every value sent for that time, the ones not chosen included.
    """

    taken_at: datetime
    values: dict[str, Decimal]
    sources: dict[str, str] = field(default_factory=dict)
    observations: tuple[Observation, ...] = ()
    raw_temperature: str | None = None

    def __post_init__(self) -> None:
        if self.taken_at.tzinfo is None or self.taken_at.utcoffset() is None:
            raise ValueError("taken_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class MonitorReading:
    """One HL7 message's vital signs: one :class:`MonitorSet` per measurement time.

    ``sender`` and ``control_id`` (MSH-3 and MSH-4 in full, and MSH-10) identify the message, so
    a resent copy is recognised. ``bed`` (PV1-3's bed label, with its ``point_of_care`` and
    ``facility``) or ``patient_id`` (the PID-3 identifier of type MR) says whose values they are.
    ``notes`` name what the message carried and the app did not use (told back in the ACK).
    """

    sender: str
    control_id: str
    bed: str | None
    patient_id: str | None
    sets: tuple[MonitorSet, ...]
    point_of_care: str | None = None
    facility: str | None = None
    notes: tuple[str, ...] = ()


def choose(
    observations: Sequence[Observation], priority: Sequence[str] = HEART_RATE_SOURCES
) -> dict[str, Observation]:
    """The value the rules use for each vital among ``observations`` (one time's values).

    Heart rate: the first source of ``priority`` that sent one (a source left out of
    ``priority`` is kept but never used). Every other vital, and several values of one source:
    the first sent, in message order.
    """
    rank = {source: n for n, source in enumerate(priority)}
    chosen: dict[str, Observation] = {}
    for observation in observations:
        if observation.vital == "hr" and observation.source not in rank:
            continue
        held = chosen.get(observation.vital)
        if held is None or (
            observation.vital == "hr" and rank[observation.source] < rank[held.source]
        ):
            chosen[observation.vital] = observation
    return chosen


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
