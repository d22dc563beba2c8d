"""FHIR R4 export of one finished session: a collection Bundle built as plain JSON.

Patient, Encounter, one vital-signs Observation per measured sign (LOINC codes and UCUM units of
clinical reference §8.1/§8.3, ``category`` vital-signs, ``subject``, ``effectiveDateTime``, the
base profile of each sign; blood pressure as the 85354-9 panel with systolic and diastolic
components), and for a reaction an AdverseEvent (CTCAE term with its MedDRA code, SNOMED where
§8.4 confirms one) and an AllergyIntolerance to the drug with the manifestations. A corrected set
is exported as the correction (status ``amended``); the superseded original is left out. The
tests validate the bundle with ``fhir.resources`` (its R4B models: FHIR 4.3, the R4-compatible
release, since the package ships no separate R4 module).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from infusion_monitor.services.review.detail import SessionReview, VitalsReview

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
MEDDRA = "http://terminology.hl7.org/CodeSystem/mdr"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PROFILE = "http://hl7.org/fhir/StructureDefinition/"
MRN_SYSTEM = "urn:infusion-monitor:mrn"
_NAMESPACE = uuid.UUID("6f1c1f8e-3c1a-4d5e-9a40-6d1c0b8e7a11")

#: (attribute, LOINC, display, UCUM unit, profile) of each single vital sign.
SIGNS = (
    ("hr", "8867-4", "Heart rate", "/min", "heartrate"),
    ("rr", "9279-1", "Respiratory rate", "/min", "resprate"),
    ("spo2", "2708-6", "Oxygen saturation in Arterial blood", "%", "oxygensat"),
    ("temp_c", "8310-5", "Body temperature", "Cel", "bodytemp"),
)
SPO2_PULSE_OXIMETRY = "59408-5"
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
#: LOINC 8478-0 Mean blood pressure (HL7 FHIR example "mbp"; reference §8.1).
MEAN = ("8478-0", "Mean blood pressure")
#: CTCAE term -> (MedDRA LLT, SNOMED CT or None) (reference §8.4, §8.5).
REACTION_CODES = {
    "infusion_related_reaction": ("10051792", None),
    "allergic_reaction": ("10001718", "419076005"),
    "anaphylaxis": ("10002218", "39579001"),
    "cytokine_release_syndrome": ("10052015", "710027002"),
}
#: Symptom code -> SNOMED CT concept (reference §8.4; unconfirmed ones are sent as text).
SYMPTOM_SNOMED = {
    "urticaria": "126485001",
    "pruritus": "418363000",
    "rash": "271807003",
    "flushing": "238810007",
    "angioedema": "41291007",
    "dyspnea": "267036007",
    "wheeze": "56018004",
    "stridor": "70407001",
    "cough": "49727002",
    "chest_tightness": "23924001",
    "dizziness": "404640003",
    "nausea": "422587007",
    "vomiting": "422400008",
    "syncope": "271594007",
    "fever": "386661006",
    "chills": "43724002",
    "back_pain": "161891005",
    "headache": "25064002",
    "throat_irritation": "162397003",
}


def _id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _time(at: datetime) -> str:
    return at.isoformat()


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _severity(grade: int) -> str:
    return "mild" if grade <= 1 else ("moderate" if grade == 2 else "severe")


def session_bundle(review: SessionReview) -> dict[str, Any]:
    """The FHIR R4 Bundle (type ``collection``) of one session, as JSON-ready dicts."""
    detail = review.detail
    patient_ref = f"urn:uuid:{_id('patient', detail.patient.id)}"
    encounter_ref = f"urn:uuid:{_id('encounter', detail.id)}"
    entries: list[dict[str, Any]] = []
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "name": [{"text": detail.patient.name}],
    }
    if detail.patient.mrn:
        patient["identifier"] = [{"system": MRN_SYSTEM, "value": detail.patient.mrn}]
    if detail.patient.date_of_birth is not None:
        patient["birthDate"] = detail.patient.date_of_birth.isoformat()
    entries.append({"fullUrl": patient_ref, "resource": patient})
    started = next((e.at for e in detail.timeline if e.kind == "start"), None)
    ended = next((e.at for e in reversed(detail.timeline) if e.kind == "close"), None)
    period: dict[str, str] = {}
    if started is not None:
        period["start"] = _time(started)
    if ended is not None:
        period["end"] = _time(ended)
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": f"Infusion: {detail.drug_name} cycle {detail.cycle}"}],
        "subject": {"reference": patient_ref},
        "location": [{"location": {"display": detail.chair}}],
    }
    if period:
        encounter["period"] = period
    entries.append({"fullUrl": encounter_ref, "resource": encounter})
    for vitals in review.current_vitals:
        entries += _observations(vitals, patient_ref, encounter_ref)
    record = review.reaction.outcome
    if record is not None and review.reaction.clock is not None:
        entries += _reaction(review, patient_ref, encounter_ref)
    return {
        "resourceType": "Bundle",
        "id": _id("bundle", detail.id),
        "type": "collection",
        "entry": entries,
    }


def _observation(
    vitals: VitalsReview,
    patient_ref: str,
    encounter_ref: str,
    profile: str,
    coding: list[dict[str, str]],
    key: str,
) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{_id('observation', vitals.id, key)}",
        "resource": {
            "resourceType": "Observation",
            "meta": {"profile": [PROFILE + profile]},
            "status": "amended" if vitals.amends_id is not None else "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": OBSERVATION_CATEGORY,
                            "code": "vital-signs",
                            "display": "Vital Signs",
                        }
                    ],
                    "text": "Vital Signs",
                }
            ],
            "code": {"coding": coding},
            "subject": {"reference": patient_ref},
            "encounter": {"reference": encounter_ref},
            "effectiveDateTime": _time(vitals.taken_at),
        },
    }


def _observations(
    vitals: VitalsReview, patient_ref: str, encounter_ref: str
) -> list[dict[str, Any]]:
    found = []
    for attribute, code, display, unit, profile in SIGNS:
        value = getattr(vitals.signs, attribute)
        if value is None:
            continue
        coding = [{"system": LOINC, "code": code, "display": display}]
        if attribute == "spo2":
            coding.append(
                {
                    "system": LOINC,
                    "code": SPO2_PULSE_OXIMETRY,
                    "display": "Oxygen saturation in Arterial blood by Pulse oximetry",
                }
            )
        entry = _observation(vitals, patient_ref, encounter_ref, profile, coding, attribute)
        entry["resource"]["valueQuantity"] = _quantity(value, unit)
        found.append(entry)
    if vitals.signs.sbp is not None or vitals.signs.dbp is not None:
        entry = _observation(
            vitals,
            patient_ref,
            encounter_ref,
            "bp",
            [{"system": LOINC, "code": BP_PANEL[0], "display": BP_PANEL[1]}],
            "bp",
        )
        components = []
        for (code, display), value in ((SYSTOLIC, vitals.signs.sbp), (DIASTOLIC, vitals.signs.dbp)):
            component: dict[str, Any] = {
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]}
            }
            if value is None:
                component["dataAbsentReason"] = {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                            "code": "not-performed",
                        }
                    ]
                }
            else:
                component["valueQuantity"] = _quantity(value, "mm[Hg]")
            components.append(component)
        if vitals.mean_bp is not None:  # sent by a monitor: a component only when measured
            components.append(
                {
                    "code": {"coding": [{"system": LOINC, "code": MEAN[0], "display": MEAN[1]}]},
                    "valueQuantity": _quantity(vitals.mean_bp, "mm[Hg]"),
                }
            )
        entry["resource"]["component"] = components
        found.append(entry)
    return found


def _reaction(review: SessionReview, patient_ref: str, encounter_ref: str) -> list[dict[str, Any]]:
    outcome = review.reaction.outcome
    clock = review.reaction.clock
    assert outcome is not None and clock is not None
    detail = review.detail
    meddra, snomed = REACTION_CODES.get(outcome.ctcae_term, (None, None))
    term = outcome.ctcae_term.replace("_", " ").capitalize()
    event_coding = []
    if snomed:
        event_coding.append({"system": SNOMED, "code": snomed, "display": term})
    if meddra:
        event_coding.append({"system": MEDDRA, "code": meddra, "display": term})
    severity = _severity(outcome.ctcae_grade)
    resolved = outcome.resolved_at is not None
    adverse: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "actuality": "actual",
        "event": {
            "coding": event_coding,
            "text": f"{term}, CTCAE v5.0 grade {outcome.ctcae_grade}",
        },
        "subject": {"reference": patient_ref},
        "encounter": {"reference": encounter_ref},
        "date": _time(clock.onset_at),
        "recordedDate": _time(review.reaction.outcome_at or clock.onset_at),
        "seriousness": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                    "code": "serious" if outcome.ctcae_grade >= 3 else "non-serious",
                }
            ]
        },
        "severity": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                    "code": severity,
                }
            ]
        },
        "outcome": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                    "code": "resolved" if resolved else "ongoing",
                }
            ]
        },
        "suspectEntity": [{"instance": {"display": f"{detail.drug_name} {detail.dose_text()}"}}],
    }
    manifestations = []
    for symptom in review.symptoms:
        concept: dict[str, Any] = {"text": symptom.label}
        code = SYMPTOM_SNOMED.get(symptom.code)
        if code:
            concept["coding"] = [{"system": SNOMED, "code": code, "display": symptom.label}]
        manifestations.append(concept)
    if not manifestations:
        manifestations.append({"text": term})
    allergy: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                    "code": "unconfirmed",
                }
            ]
        },
        "category": ["medication"],
        "criticality": "high" if outcome.ctcae_grade >= 3 else "low",
        "code": {"text": detail.drug_name},
        "patient": {"reference": patient_ref},
        "encounter": {"reference": encounter_ref},
        "onsetDateTime": _time(clock.onset_at),
        "reaction": [
            {
                "manifestation": manifestations,
                "onset": _time(clock.onset_at),
                "severity": severity,
                "description": f"{term} grade {outcome.ctcae_grade} during {detail.drug_name} "
                f"cycle {detail.cycle}",
            }
        ],
    }
    if review.reaction.outcome_at is not None:
        allergy["recordedDate"] = _time(review.reaction.outcome_at)
    return [
        {"fullUrl": f"urn:uuid:{_id('adverse-event', detail.id)}", "resource": adverse},
        {"fullUrl": f"urn:uuid:{_id('allergy', detail.id)}", "resource": allergy},
    ]
