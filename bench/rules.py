"""Benchmark ``assess`` on the latest minute of long sessions; prints figures, then one JSON line.

What is timed, for each scenario: appending the newest observation to a warm ``SessionContext``
(every earlier entry already added and assessed once) and assessing at that observation's
second. That is what the app does when a monitor reading or a typed set of vitals arrives.

- ``assess_12h_1hz_ms``: a 12-hour session with one monitor observation per second (43,200
  observations) and a reaction course (symptoms and actions) on top.
- ``assess_4h_manual_ms``: a 4-hour session with manual vital signs every 15 minutes.

Run with ``uv run python bench/rules.py``. Figures are medians in milliseconds.
"""

from __future__ import annotations

import json
import statistics
import time

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import Patient
from infusion_monitor.rules.loader import default_rules

BASELINE = VitalSigns(hr=80, sbp=124, dbp=76, rr=16, spo2=98, temp_c=36.8)
ROUNDS = 200


def _vitals(second: int) -> VitalSigns:
    """A plausible reading that wanders a little, with a reaction between hours 2 and 3."""
    reacting = 7200 <= second < 10800
    return VitalSigns(
        hr=80 + second % 7 + (25 if reacting else 0),
        sbp=124 - second % 5 - (30 if reacting else 0),
        dbp=76 - second % 3 - (16 if reacting else 0),
        rr=16 + second % 3,
        spo2=98 - second % 2 - (3 if reacting else 0),
        temp_c=36.8,
    )


def _session(end_s: int, step_s: int) -> SessionContext:
    """A warm context holding every observation up to ``end_s`` (exclusive)."""
    context = SessionContext(default_rules(), Patient(), BASELINE)
    key = context.add_symptom("urticaria", 7200)
    context.add_action(7260, CourseAction.PAUSE_INFUSION)
    context.add_action(7300, CourseAction.ANTIHISTAMINE_H1)
    context.resolve_symptom(key, 9000)
    for second in range(0, end_s, step_s):
        context.add_observation(second, _vitals(second))
    assess(context, end_s - step_s)
    return context


def _median_ms(end_s: int, step_s: int) -> float:
    """Median time to append one more observation and assess, over ROUNDS appends."""
    context = _session(end_s, step_s)
    timings = []
    for round_ in range(ROUNDS):
        second = end_s + round_ * step_s
        start = time.perf_counter()
        context.add_observation(second, _vitals(second))
        assess(context, second)
        timings.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(timings), 3)


def main() -> None:
    """Print the figures; the last line is the JSON object."""
    twelve_hours = _median_ms(12 * 3600, 1)
    print(f"12 h at 1 Hz (43,200 observations): median {twelve_hours} ms per append + assess")
    four_hours = _median_ms(4 * 3600, 15 * 60)
    print(f"4 h with 15-minute manual vitals: median {four_hours} ms per append + assess")
    print(json.dumps({"assess_12h_1hz_ms": twelve_hours, "assess_4h_manual_ms": four_hours}))


if __name__ == "__main__":
    main()
