"""Anaphylaxis criteria at one moment: NIAID/FAAN 2006 (Sampson) and WAO 2020 (Cardona)."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.rules.moment import Moment, symptom_evidence

NIAID_SOURCE = "NIAID/FAAN 2006"
WAO_SOURCE = "WAO 2020"


@dataclass(frozen=True, slots=True)
class Exposure:
    """Whether the drug counts as a likely, or a known (highly probable), allergen now."""

    likely: bool
    known: bool
    evidence: str


def exposure(moment: Moment, window_s: int, prior_reaction: bool) -> Exposure:
    """Exposure at ``moment`` (rules-spec §4, convention D1).

    From minute 0 until ``window_s`` after the infusion ended (inclusive) the drug is a likely
    allergen; a known one only with a prior reaction to it. Outside the window it is neither.
    """
    inside = moment.t >= 0 and (moment.ended is None or moment.t <= moment.ended + window_s)
    if not inside:
        return Exposure(False, False, "outside the exposure window")
    known = prior_reaction
    evidence = "exposed to the drug" + (", prior reaction to it" if known else "")
    return Exposure(True, known, evidence)


@dataclass(frozen=True, slots=True)
class Systems:
    """Evidence of each organ system involved now (empty when not involved)."""

    skin: list[str]
    resp: list[str]
    organ: list[str]
    gi_plus: list[str]
    airway: list[str]
    hypotension: list[str]
    fever: list[str]


def systems(moment: Moment) -> Systems:
    """Sort the active features by organ system (rules-spec §3, conventions D3-D6)."""
    found = Systems([], [], [], [], [], [], [])
    for entry, symptom in moment.reaction_symptoms():
        text = symptom_evidence(entry)
        for flag, bucket in (
            (symptom.skin, found.skin),
            (symptom.resp, found.resp),
            (symptom.organ, found.organ),
            (symptom.gi_plus, found.gi_plus),
            (symptom.airway, found.airway),
            (entry.code == "fever", found.fever),
        ):
            if flag:
                bucket.append(text)
    signs = moment.current.signs
    for sign, bucket in (
        (signs.hypoxia, found.resp),
        (signs.desaturation, found.resp),
        (signs.hypotension, found.organ),
        (signs.hypotension, found.hypotension),
        (signs.reduced_consciousness, found.organ),
        (signs.fever, found.fever),
    ):
        if sign.active:
            bucket.append(sign.evidence)
    return found


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion that fired, with its evidence."""

    system: str  # "niaid_2006" or "wao_2020"
    number: int
    evidence: tuple[str, ...]

    @property
    def source(self) -> str:
        """``NIAID/FAAN 2006`` or ``WAO 2020``."""
        return NIAID_SOURCE if self.system == "niaid_2006" else WAO_SOURCE

    @property
    def label(self) -> str:
        """``NIAID/FAAN 2006 criterion 2``."""
        return f"{self.source} criterion {self.number}"


def criteria(moment: Moment, exp: Exposure) -> list[Criterion]:
    """Every NIAID 2006 and WAO 2020 criterion met at ``moment``, NIAID first."""
    s = systems(moment)
    met: list[Criterion] = []
    # NIAID 1: skin/mucosal involvement and respiratory compromise or reduced BP/end-organ.
    if s.skin and (s.resp or s.organ):
        met.append(Criterion("niaid_2006", 1, (*s.skin, *s.resp, *s.organ)))
    # NIAID 2: two or more systems after exposure to a likely allergen.
    involved = [group for group in (s.skin, s.resp, s.organ, s.gi_plus) if group]
    if exp.likely and len(involved) >= 2:
        met.append(Criterion("niaid_2006", 2, (*(t for g in involved for t in g), exp.evidence)))
    # NIAID 3: reduced BP after exposure to a known allergen.
    if exp.known and s.hypotension:
        met.append(Criterion("niaid_2006", 3, (*s.hypotension, exp.evidence)))
    # WAO 1: skin/mucosal involvement and respiratory, reduced BP/end-organ or severe GI.
    if s.skin and (s.resp or s.organ or s.gi_plus):
        met.append(Criterion("wao_2020", 1, (*s.skin, *s.resp, *s.organ, *s.gi_plus)))
    # WAO 2: hypotension, bronchospasm or laryngeal involvement with a known allergen.
    if exp.known and (s.hypotension or s.airway):
        met.append(Criterion("wao_2020", 2, (*s.hypotension, *s.airway, exp.evidence)))
    return met


def cytokine_pattern(moment: Moment) -> bool:
    """Fever with hypotension or hypoxia and no skin feature (rules-spec §4)."""
    s = systems(moment)
    signs = moment.current.signs
    low = signs.hypotension.active or signs.hypoxia.active
    return bool(s.fever) and low and not s.skin
