"""Brown 2004 severity of the features active at one moment, with the GI rule of rules-spec §3."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.domain.symptoms import Brown
from infusion_monitor.rules.moment import Moment, symptom_evidence

SOURCE = "Brown 2004"


@dataclass(frozen=True, slots=True)
class Severity:
    """The Brown class and the features that set it."""

    brown: Brown
    evidence: tuple[str, ...]


def brown(moment: Moment) -> Severity:
    """The highest Brown class among active symptoms and derived signs.

    GI features count only beside another feature with a Brown class of its own (rules-spec §3:
    GI symptoms alone, or with fever only, are common non-allergic side effects).
    """
    classed: list[tuple[Brown, str]] = []
    gi: list[tuple[Brown, str]] = []
    for entry, symptom in moment.reaction_symptoms():
        if symptom.brown is not Brown.NONE:
            (gi if symptom.gi else classed).append((symptom.brown, symptom_evidence(entry)))
    signs = moment.current.signs
    # Brown 2004 (reference.md §2): hypotension (absolute SBP), hypoxia and neurological
    # compromise are severe; desaturation is respiratory involvement, moderate (rules-spec §3).
    for sign, grade in (
        (signs.low_sbp, Brown.SEVERE),
        (signs.hypoxia, Brown.SEVERE),
        (signs.reduced_consciousness, Brown.SEVERE),
        (signs.desaturation, Brown.MODERATE),
    ):
        if sign.active:
            classed.append((grade, sign.evidence))
    if classed:
        classed += gi
    top = max((grade for grade, _ in classed), default=Brown.NONE)
    return Severity(top, tuple(text for grade, text in classed if grade is top))
