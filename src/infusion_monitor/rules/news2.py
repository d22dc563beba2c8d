"""NEWS2 (Royal College of Physicians, 2017): parameter scores, total, band and applicability."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.rules.inputs import Patient
from infusion_monitor.rules.moment import newer_over

SOURCE = "RCP NEWS2 2017"
RED_SCORE = 3  # Chart 1: any single parameter scoring 3 is a "red score" (reference.md §4.2)
MIN_AGE_YEARS = 16  # NEWS2 is not for under-16s or pregnancy (reference.md §4.1, D11)
PARAMETERS = ("rr", "spo2", "air_or_oxygen", "sbp", "hr", "acvpu", "temp")


def _banded(value: float, bands: tuple[tuple[float, int], ...], top: int) -> int:
    """The score of the first band whose upper bound (inclusive) holds ``value``, else ``top``."""
    for upper, score in bands:
        if value <= upper:
            return score
    return top


# Chart 1 (reference.md §4.1), each band given by its inclusive upper bound.
def score_rr(rr: int) -> int:
    """Respiration rate: ≤8 →3, 9-11 →1, 12-20 →0, 21-24 →2, ≥25 →3."""
    return _banded(rr, ((8, 3), (11, 1), (20, 0), (24, 2)), 3)


def score_spo2(spo2: int, *, scale: int, on_oxygen: bool) -> int:
    """SpO2 scale 1: ≤91 →3, 92-93 →2, 94-95 →1, ≥96 →0.

    Scale 2: ≤83 →3, 84-85 →2, 86-87 →1, 88-92 →0, ≥93 on air →0; on oxygen 93-94 →1,
    95-96 →2, ≥97 →3.
    """
    if scale == 1:
        return _banded(spo2, ((91, 3), (93, 2), (95, 1)), 0)
    if spo2 >= 93 and not on_oxygen:
        return 0
    return _banded(spo2, ((83, 3), (85, 2), (87, 1), (92, 0), (94, 1), (96, 2)), 3)


def score_air_or_oxygen(on_oxygen: bool) -> int:
    """Supplemental oxygen scores 2, air 0."""
    return 2 if on_oxygen else 0


def score_sbp(sbp: int) -> int:
    """Systolic BP: ≤90 →3, 91-100 →2, 101-110 →1, 111-219 →0, ≥220 →3."""
    return _banded(sbp, ((90, 3), (100, 2), (110, 1), (219, 0)), 3)


def score_hr(hr: int) -> int:
    """Pulse: ≤40 →3, 41-50 →1, 51-90 →0, 91-110 →1, 111-130 →2, ≥131 →3."""
    return _banded(hr, ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2)), 3)


def score_acvpu(acvpu: Acvpu) -> int:
    """Alert →0; new confusion, voice, pain or unresponsive →3."""
    return 0 if acvpu is Acvpu.A else 3


def score_temp(temp_c: float) -> int:
    """Temperature (0.1 °C): ≤35.0 →3, 35.1-36.0 →1, 36.1-38.0 →0, 38.1-39.0 →1, ≥39.1 →2."""
    return _banded(temp_c, ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1)), 2)


#: NEWS2 parameter -> the value it scores (rules-spec §2: ``air_or_oxygen`` from ``on_oxygen``).
VALUE_OF = {
    "rr": "rr",
    "spo2": "spo2",
    "air_or_oxygen": "on_oxygen",
    "sbp": "sbp",
    "hr": "hr",
    "acvpu": "acvpu",
    "temp": "temp_c",
}


def parameter_scores(vitals: VitalSigns, scale: int) -> dict[str, int | None]:
    """The seven parameter scores in output order; a value not measured or assessed is None.

    The scale-2 SpO2 bands read an unassessed oxygen flag as air.
    """
    return {
        "rr": None if vitals.rr is None else score_rr(vitals.rr),
        "spo2": (
            None
            if vitals.spo2 is None
            else score_spo2(vitals.spo2, scale=scale, on_oxygen=bool(vitals.on_oxygen))
        ),
        "air_or_oxygen": None
        if vitals.on_oxygen is None
        else score_air_or_oxygen(vitals.on_oxygen),
        "sbp": None if vitals.sbp is None else score_sbp(vitals.sbp),
        "hr": None if vitals.hr is None else score_hr(vitals.hr),
        "acvpu": None if vitals.acvpu is None else score_acvpu(vitals.acvpu),
        "temp": None if vitals.temp_c is None else score_temp(vitals.temp_c),
    }


def carried(current: VitalSigns, earlier: VitalSigns) -> tuple[VitalSigns, list[str]]:
    """The set NEWS2 scores, with each value missing now carried from ``earlier``, and the names
    of the parameters carried, in output order (rules-spec §2, "Carried values").

    A carried scale-2 SpO2 is scored with the oxygen flag in force now, and a current SpO2 with a
    carried flag: both follow from scoring the merged set.
    """
    merged = newer_over(earlier, current)
    names = [
        name
        for name, key in VALUE_OF.items()
        if getattr(current, key) is None and getattr(earlier, key) is not None
    ]
    return merged, names


def total(scores: dict[str, int | None]) -> int:
    """The aggregate score of what was measured."""
    return sum(score for score in scores.values() if score is not None)


def has_red(scores: dict[str, int | None]) -> bool:
    """True when any single parameter scores 3."""
    return RED_SCORE in scores.values()


def band(score: int, red: bool) -> str:
    """Chart 3 risk band: zero, low (1-4), low-medium (a 3, total under 5), medium, high."""
    # RCP NEWS2 2017 Charts 3-4 (reference.md §4.2): 5-6 medium, ≥7 high; rules-spec §4.
    if score >= 7:
        return "high"
    if score >= 5:
        return "medium"
    if red:
        return "low-medium"
    return "low" if score >= 1 else "zero"


def applicable(patient: Patient) -> bool:
    """NEWS2 applies from 16 years and not in pregnancy."""
    return patient.completed_years >= MIN_AGE_YEARS and not patient.pregnant


@dataclass(frozen=True, slots=True)
class News2:
    """NEWS2 of the current set of vital signs against the baseline's own score."""

    applicable: bool
    complete: bool
    scale: int
    parameters: dict[str, int | None]
    baseline_parameters: dict[str, int | None]
    score: int
    baseline_score: int
    red_parameter: bool
    band: str
    baseline_warning: bool
    carried: tuple[str, ...]

    def new_reds(self) -> list[str]:
        """Parameters at 3 now that were below 3 (or not measured) at baseline."""
        return [
            name
            for name, score in self.parameters.items()
            if score == RED_SCORE and self.baseline_parameters[name] != RED_SCORE
        ]


def news2(
    current: VitalSigns,
    earlier: VitalSigns | None,
    baseline: VitalSigns,
    patient: Patient,
    warning_score: int,
) -> News2:
    """Score the current set, each value missing carried from ``earlier`` (the latest value of
    the entries before it; None when the baseline is the current set, which carries nothing),
    and the baseline as given; ``warning_score`` is the baseline acknowledgement."""
    scored, names = (current, []) if earlier is None else carried(current, earlier)
    scores = parameter_scores(scored, patient.spo2_scale)
    baseline_scores = parameter_scores(baseline, patient.spo2_scale)
    score, baseline_score = total(scores), total(baseline_scores)
    red = has_red(scores)
    return News2(
        applicable=applicable(patient),
        complete=current.assessed,
        scale=patient.spo2_scale,
        parameters=scores,
        baseline_parameters=baseline_scores,
        score=score,
        baseline_score=baseline_score,
        red_parameter=red,
        band=band(score, red),
        baseline_warning=baseline_score >= warning_score or has_red(baseline_scores),
        carried=tuple(names),
    )
