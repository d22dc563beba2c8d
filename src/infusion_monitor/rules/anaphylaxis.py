"""Anaphylaxis criteria at one moment: NIAID/FAAN 2006 (Sampson) and WAO 2020 (Cardona)."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.rules.moment import Moment, symptom_evidence

NIAID_SOURCE = "NIAID/FAAN 2006"
WAO_SOURCE = "WAO 2020"


@dataclass(frozen=True, slots=True)
class Exposure:
    """Whether the drug counts as a likely, a highly probable or a known allergen now."""

    likely: bool
    highly_probable: bool
    known: bool
    evidence: str


def exposure(
    moment: Moment,
    window_s: int,
    prior_reaction: bool,
    earlier_episode: str | None = None,
    highly_probable: bool = True,
) -> Exposure:
    """Exposure at ``moment`` (rules-spec §4 "Exposure"; reference.md §3.5, D1 revised).

    From minute 0 until ``window_s`` after the infusion ended (inclusive) the drug is a likely
    allergen (NIAID 2) and, when the site says so, a highly probable one (WAO 2); a known one
    with a prior reaction to it or after ``earlier_episode``, an episode of this session that met
    the criteria and resolved. Outside the window it is none of these.
    """
    inside = moment.t >= 0 and (moment.ended is None or moment.t <= moment.ended + window_s)
    if not inside:
        return Exposure(False, False, False, "outside the exposure window")
    reasons = ["exposed to the drug"]
    if prior_reaction:
        reasons.append("prior reaction to it")
    if earlier_episode is not None:
        reasons.append(earlier_episode)
    known = prior_reaction or earlier_episode is not None
    return Exposure(True, highly_probable, known, ", ".join(reasons))


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
    # WAO 2: hypotension, bronchospasm or laryngeal involvement with a known or highly
    # probable allergen.
    if (exp.known or exp.highly_probable) and (s.hypotension or s.airway):
        met.append(Criterion("wao_2020", 2, (*s.hypotension, *s.airway, exp.evidence)))
    return met


def names_anaphylaxis(moment: Moment, met: list[Criterion]) -> bool:
    """Criteria met with skin or airway involvement, or NIAID 3 (a known allergen): the CTCAE
    term may be anaphylaxis (rules-spec §4; reference.md §3.5, D8 revised)."""
    s = systems(moment)
    return bool(s.skin or s.airway) or any(c.system == "niaid_2006" and c.number == 3 for c in met)


def cytokine_pattern(moment: Moment) -> bool:
    """Fever with hypotension or hypoxia and no skin feature (rules-spec §4)."""
    s = systems(moment)
    signs = moment.current.signs
    low = signs.hypotension.active or signs.hypoxia.active
    return bool(s.fever) and low and not s.skin
