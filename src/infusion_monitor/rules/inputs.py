"""What the engine is given: the patient, timed observations, symptoms and course actions.

Time is an integer number of **seconds from infusion start** (negative before start). The JSON
contract speaks in minutes; a case's minute ``m`` is second ``60 * m``. Seconds keep the
arithmetic exact while letting a bedside monitor feed 1 Hz data. Entries at the same second are
"the same minute" of rules-spec §2: for observations the later entry wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.vitals import VitalSigns

SECONDS_PER_MIN = 60


def minute_label(t: int) -> str:
    """``minute 38`` for second 2280, ``minute 38.5`` for second 2310."""
    whole, rest = divmod(t, SECONDS_PER_MIN)
    if rest == 0:
        return f"minute {whole}"
    return f"minute {t / SECONDS_PER_MIN:g}"


@dataclass(frozen=True, slots=True)
class Patient:
    """Patient facts the rules use (rules-spec §2 defaults)."""

    age_years: float = 50
    pregnant: bool = False
    spo2_scale: int = 1
    prior_reaction_to_drug: bool = False

    @property
    def completed_years(self) -> int:
        """Age in completed years (0.5 is under 1)."""
        return math.floor(self.age_years)


@dataclass(frozen=True, slots=True)
class Observation:
    """A set of vital signs taken at second ``t``."""

    t: int
    vitals: VitalSigns


@dataclass(frozen=True, slots=True)
class SymptomEntry:
    """A symptom from ``onset`` until ``resolved`` (exclusive; None while unresolved).

    ``key`` tells apart two entries that are otherwise equal.
    """

    key: int
    code: str
    onset: int
    resolved: int | None = None


@dataclass(frozen=True, slots=True)
class CourseEntry:
    """An action done at second ``t``."""

    t: int
    action: CourseAction
