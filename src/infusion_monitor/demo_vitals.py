"""A two-hour demo course of vital signs with an infusion reaction (fictional; demo and benches).

Typed sets every 15 min; at minute 44 a reaction (urticaria, flushing, wheeze, hypotension) leads
to a pause, an antihistamine and a corticosteroid, checks every 5 min, then recovery and a
restart at half rate. Minutes count from the infusion start.
"""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.domain.vitals import VitalSigns

BASELINE = VitalSigns(78, 132, 84, 16, 97, 36.8)


@dataclass(frozen=True)
class DemoSet:
    """One typed set at ``minute`` (alert; on oxygen or on air as ``signs`` says)."""

    minute: int
    signs: VitalSigns


#: (minute, HR, SBP, DBP, RR, SpO2, T, O2)
_SETS = (
    (15, 80, 130, 82, 16, 97, 36.8, False),
    (30, 84, 128, 80, 17, 97, 36.9, False),
    (45, 118, 96, 58, 24, 93, 37.6, False),
    (50, 124, 88, 52, 26, 91, 37.9, True),
    (55, 112, 98, 60, 22, 94, 38.0, True),
    (60, 102, 108, 66, 20, 95, 37.8, True),
    (65, 96, 116, 72, 18, 96, 37.5, False),
    (75, 90, 122, 76, 17, 97, 37.2, False),
    (90, 86, 126, 80, 16, 97, 37.0, False),
    (120, 82, 128, 82, 16, 97, 36.9, False),
)
DEMO_SETS = tuple(
    DemoSet(minute, VitalSigns(hr, sbp, dbp, rr, spo2, temp_c, on_oxygen))
    for minute, hr, sbp, dbp, rr, spo2, temp_c, on_oxygen in _SETS
)
#: The check at minute 105 was missed (patient in the bathroom): a gap in the plot.
MISSED_CHECKS_MIN = (105,)
#: (minute, event type, reason or rate)
DEMO_EVENTS = (
    (0, "start", None),
    (30, "rate_change", "escalation step"),
    (46, "pause", "Infusion reaction: urticaria, wheeze, hypotension"),
    (80, "resume", None),
)
#: (minute, symptom code)
DEMO_SYMPTOMS = ((44, "urticaria"), (44, "flushing"), (45, "wheeze"))
#: Every symptom has resolved by this minute.
SYMPTOMS_RESOLVED_MIN = 70
#: (minute, guidance step done): the infusion was stopped (the pause is in ``DEMO_EVENTS``).
DEMO_STEPS = ((46, "stop_infusion"),)
#: (minute, course action)
DEMO_ACTIONS = ((47, "antihistamine_h1"), (48, "corticosteroid"), (50, "oxygen"))
