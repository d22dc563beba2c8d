"""The symptom catalogue: every code of rules-spec §3 with its label, body system and properties."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Brown(IntEnum):
    """Brown 2004 severity class of a generalised hypersensitivity reaction; higher is worse."""

    NONE = 0
    MILD = 1
    MODERATE = 2
    SEVERE = 3

    @property
    def label(self) -> str:
        """The lower-case name used in the assessment output: none, mild, moderate, severe."""
        return self.name.lower()


class BodySystem(StrEnum):
    """The groups of the symptom panel."""

    SKIN = "skin"
    RESPIRATORY = "respiratory"
    CARDIOVASCULAR = "cardiovascular"
    GASTROINTESTINAL = "gastrointestinal"
    NEUROLOGICAL = "neurological"
    GENERAL = "general/other"
    LINE_SITE = "line site"


@dataclass(frozen=True, slots=True)
class Symptom:
    """One catalogue entry. Properties as rules-spec §3.

    ``brown`` is the class the feature implies on its own; ``gi`` marks the GI features whose
    class counts only beside another classed feature (the "moderate*" rule). ``skin``: skin or
    mucosal involvement; ``resp``: respiratory compromise; ``organ``: end-organ dysfunction;
    ``gi_plus``: persistent/severe GI; ``airway``: bronchospasm or laryngeal involvement.
    """

    code: str
    label: str
    system: BodySystem
    brown: Brown = Brown.NONE
    gi: bool = False
    skin: bool = False
    resp: bool = False
    organ: bool = False
    gi_plus: bool = False
    airway: bool = False


_S, _R, _C, _G, _N, _O, _L = BodySystem
_MILD, _MOD, _SEV = Brown.MILD, Brown.MODERATE, Brown.SEVERE

# rules-spec §3 table; Brown classes from Brown 2004 (reference.md §2), skin/resp/organ/GI+/airway
# from NIAID/FAAN 2006 and WAO 2020 with conventions D3-D6 (reference.md §3).
SYMPTOMS: dict[str, Symptom] = {
    s.code: s
    for s in (
        Symptom("flushing", "Flushing", _S, _MILD, skin=True),
        Symptom("urticaria", "Hives (urticaria)", _S, _MILD, skin=True),
        Symptom("rash", "Rash, generalised", _S, _MILD, skin=True),
        Symptom("pruritus", "Itching, generalised", _S, _MILD, skin=True),
        Symptom("pruritus_local", "Itching, localised", _S),
        Symptom("angioedema", "Swelling of lips, tongue, face or eyelids", _S, _MILD, skin=True),
        Symptom("edema_limb", "Swelling of limbs (edema)", _S, _MILD),
        Symptom("dyspnea", "Shortness of breath", _R, _MOD, resp=True),
        Symptom("wheeze", "Wheeze / bronchospasm", _R, _MOD, resp=True, airway=True),
        Symptom("stridor", "Stridor", _R, _MOD, resp=True, airway=True),
        Symptom("voice_change", "Hoarse or changed voice", _R, _MOD, resp=True, airway=True),
        Symptom("throat_tightness", "Throat tightness", _R, _MOD),
        Symptom("chest_tightness", "Chest tightness", _R, _MOD),
        Symptom("cough", "Cough", _R),
        Symptom("nasal_congestion", "Nasal congestion / sneezing", _R),
        Symptom("throat_irritation", "Throat irritation", _R),
        Symptom("dizziness", "Dizziness, light-headed (presyncope)", _C, _MOD),
        Symptom("diaphoresis", "Sweating (diaphoresis)", _C, _MOD),
        Symptom("chest_pain", "Chest pain", _C, _MOD),
        Symptom("nausea", "Nausea", _G, _MOD, gi=True),
        Symptom("vomiting", "Vomiting, single episode", _G, _MOD, gi=True),
        Symptom("vomiting_repeated", "Vomiting, repeated", _G, _MOD, gi=True, gi_plus=True),
        Symptom(
            "abdominal_pain", "Abdominal pain, severe/cramping", _G, _MOD, gi=True, gi_plus=True
        ),
        Symptom("diarrhea", "Diarrhoea", _G, _MOD, gi=True),
        Symptom("dysphagia", "Difficulty or pain swallowing", _R, _MOD, airway=True),
        Symptom("palpitations", "Palpitations", _C),
        Symptom("eye_symptoms", "Eye pain, redness or blurred vision", _O),
        Symptom("confusion", "New confusion", _N, _SEV, organ=True),
        Symptom("syncope", "Collapse / fainting", _N, _SEV, organ=True),
        Symptom("incontinence", "Incontinence", _N, _SEV, organ=True),
        Symptom("fever", "Fever (reported)", _O),
        Symptom("chills", "Chills / rigors", _O),
        Symptom("back_pain", "Back pain", _O),
        Symptom("myalgia", "Muscle or joint pain", _O),
        Symptom("headache", "Headache", _N),
        Symptom("pallor", "Pallor", _C),
        Symptom("anxiety", "Anxiety, sense of impending doom", _O),
        Symptom("site_reaction", "Redness, swelling or pain at the line site", _L),
    )
}

#: The one symptom that is not a reaction feature (rules-spec §3): a local line-site problem.
SITE_REACTION = "site_reaction"
#: A symptom the nurse describes in her own words. Stored and shown with its words, but never
#: graded: the rules' vocabulary is fixed (rules-spec §3), so it is not passed to them.
OTHER_SYMPTOM = "other"


def symptoms_in(system: BodySystem) -> list[Symptom]:
    """The catalogue entries of one body system, in catalogue order (for the symptom panel)."""
    return [symptom for symptom in SYMPTOMS.values() if symptom.system is system]
