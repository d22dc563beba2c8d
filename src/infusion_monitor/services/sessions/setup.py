"""Session set-up: the draft the form hands in, its checks, the patient and the baseline vitals.

Used by ``SessionService.set_up``; everything here runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from infusion_monitor.domain.protocol import Advice, DrugProtocol, Premedication
from infusion_monitor.domain.protocol_library import LoadedProtocol, ProtocolLibrary
from infusion_monitor.domain.users import Actor
from infusion_monitor.domain.vitals import Acvpu, VitalSigns, pressure_reason, reject_reason
from infusion_monitor.errors import UserError
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import Patient as RulesPatient
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import DEFAULT_AGE_YEARS, rules_patient
from infusion_monitor.services.audit import record as record_audit
from infusion_monitor.services.sessions.records import ACTIVE_STATES, PatientInfo, patient_info
from infusion_monitor.storage.models import Chair, InfusionSession, Patient
from infusion_monitor.storage.models import SessionEvent as EventRow
from infusion_monitor.storage.models import VitalSigns as VitalsRow

GENERIC_PROTOCOL_ID = "generic"
#: A baseline may not be stamped more than this far in the future (clock skew, typos).
MAX_FUTURE_MIN = 2
MAX_DOSE = 100_000
MAX_CYCLE = 100
MAX_DURATION_MIN = 24 * 60
MAX_TEXT = 2000

PREMEDICATION_LABELS = {
    Premedication.H1_ANTIHISTAMINE: "H1 antihistamine",
    Premedication.H2_ANTAGONIST: "H2 antagonist",
    Premedication.ANTIPYRETIC: "Antipyretic (paracetamol)",
    Premedication.CORTICOSTEROID: "Corticosteroid",
    Premedication.POST_INFUSION_CORTICOSTEROID: "Post-infusion corticosteroid",
    Premedication.BRONCHODILATOR: "Bronchodilator",
}

Problem = tuple[str, str]
"""(form field, what is wrong and what to do)."""


#: How a refused set-up's message begins (the window clears these once the set-up is saved).
NOT_SAVED = "The session was not saved."


class SetupRefused(UserError):
    """The set-up was refused; ``problems`` names each field and what to fix. Nothing stored."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        text = " ".join(message for _, message in problems)
        super().__init__(f"{NOT_SAVED} {text}")
        self.problems = problems


@dataclass(frozen=True)
class PremedReminder:
    """One premedication reminder of a protocol, as the set-up checklist shows it."""

    label: str
    advice: str
    note: str
    code: str = ""


@dataclass(frozen=True)
class ProtocolChoice:
    """One entry of the drug list: display name, the protocol behind it, and what it prefills."""

    protocol_id: str
    version: str
    drug_name: str
    protocol_name: str
    applies_to: str
    rate_unit: str | None
    start_rate: float | None
    max_rate: float | None
    observation_min: int
    premedications: tuple[PremedReminder, ...]
    risk_profile: str
    risk_notes: tuple[str, ...]
    high_risk_cycles: tuple[int, ...]
    high_risk_from_cycle: int | None
    lifetime_doses: bool = False

    @property
    def generic(self) -> bool:
        """The generic protocol: the nurse types the drug's name."""
        return self.protocol_id == GENERIC_PROTOCOL_ID

    def is_high_risk(self, cycle: int) -> bool:
        """Whether ``cycle`` is a high-risk cycle of this drug."""
        return cycle in self.high_risk_cycles or (
            self.high_risk_from_cycle is not None and cycle >= self.high_risk_from_cycle
        )

    def cycle_risk(self, cycle: int) -> str | None:
        """The words the form shows for a high-risk cycle, or None."""
        if not self.is_high_risk(cycle):
            return None
        if self.high_risk_from_cycle is not None and cycle >= self.high_risk_from_cycle:
            why = f"cycle {self.high_risk_from_cycle} on"
        else:
            why = "cycles " + ", ".join(str(c) for c in self.high_risk_cycles)
        return f"High-risk cycle for {self.drug_name} ({why}): closer vital-sign checks."


@dataclass(frozen=True)
class BaselineDraft:
    """Baseline vital signs typed in the set-up form (°C; every value required)."""

    taken_at: datetime
    signs: VitalSigns
    """The values as typed; ACVPU None means the nurse has not chosen one."""


@dataclass(frozen=True)
class PremedicationDraft:
    """A premedication given before the start, and when; or, for one the protocol names
    (``code``), the reason it was not given (``skipped_reason``)."""

    name: str
    given_at: datetime | None
    code: str | None = None
    skipped_reason: str | None = None

    @property
    def decided(self) -> bool:
        """Given with its time, or not given with a reason."""
        return self.given_at is not None or bool((self.skipped_reason or "").strip())


@dataclass(frozen=True)
class SessionDraft:
    """What the set-up form hands in. ``mrn`` may be blank when ``date_of_birth`` is given."""

    chair: str
    patient_name: str
    mrn: str
    date_of_birth: date | None
    protocol_id: str
    drug_name: str
    dose: float
    dose_unit: str
    rate: float | None
    rate_unit: str | None
    planned_duration_min: int
    cycle: int
    first_dose: bool
    baseline: BaselineDraft
    premedications: tuple[PremedicationDraft, ...] = ()
    allergies: str = ""
    reaction_history: str = ""
    prior_reaction_to_drug: bool = False
    spo2_scale: int = 1
    nurse_staff_id: str | None = None
    #: Pregnant: NEWS2 does not apply (rules-spec §4), and is shown as not applicable.
    pregnant: bool = False


@dataclass(frozen=True)
class ReturningPatient:
    """A patient found by MRN, with every previous reaction on record (the red banner)."""

    patient: PatientInfo
    previous_reactions: tuple[str, ...]


def drug_display_name(protocol: DrugProtocol) -> str:
    """The short name a nurse reads: "Rituximab IV: first infusion" → "Rituximab"."""
    name = protocol.name.split(":")[0].split(" (")[0].strip()
    short = name.removesuffix(" IV").strip()
    return short or name


def protocol_choices(library: ProtocolLibrary) -> tuple[ProtocolChoice, ...]:
    """Every protocol as a drug-list entry, by display name, the generic protocol last."""
    choices = [_choice(loaded) for loaded in library]
    return tuple(sorted(choices, key=lambda c: (c.generic, c.drug_name.casefold(), c.protocol_id)))


def _choice(loaded: LoadedProtocol) -> ProtocolChoice:
    protocol = loaded.protocol
    rate = protocol.rate
    return ProtocolChoice(
        protocol_id=protocol.id,
        version=loaded.version,
        drug_name="" if protocol.id == GENERIC_PROTOCOL_ID else drug_display_name(protocol),
        protocol_name=protocol.name,
        applies_to=protocol.applies_to,
        rate_unit=rate.unit if rate else None,
        start_rate=rate.start if rate else None,
        max_rate=rate.max if rate else None,
        observation_min=protocol.observation.minutes,
        premedications=tuple(
            PremedReminder(
                PREMEDICATION_LABELS[item.code], item.advice.value, item.note, item.code.value
            )
            for item in protocol.premedication
        ),
        risk_profile=protocol.risk.profile,
        risk_notes=tuple(protocol.risk.notes),
        high_risk_cycles=tuple(protocol.risk.high_risk_cycles),
        high_risk_from_cycle=protocol.risk.high_risk_from_cycle,
        lifetime_doses=protocol.risk.lifetime_doses,
    )


def find_protocol(library: ProtocolLibrary, protocol_id: str) -> LoadedProtocol | None:
    """The chosen protocol, or None if none was chosen or the library has no such id."""
    return library.protocols.get(protocol_id) if protocol_id else None


def check_draft(draft: SessionDraft, protocol: DrugProtocol | None, now: datetime) -> None:
    """Every problem of the draft at once; SetupRefused if there is any."""
    problems: list[Problem] = []
    if protocol is None:
        problems.append(("drug", "Choose the drug from the list (or the generic protocol)."))
    if not draft.patient_name.strip():
        problems.append(("name", "Enter the patient's name."))
    if not draft.mrn.strip() and draft.date_of_birth is None:
        problems.append(
            ("mrn", "Enter a second identifier: the MRN or the date of birth (or both).")
        )
    if draft.date_of_birth is not None and draft.date_of_birth > now.date():
        problems.append(("dob", "The date of birth is in the future. Check it."))
    if not draft.drug_name.strip():
        problems.append(("drug_name", "Enter the drug's name."))
    if not 0 < draft.dose <= MAX_DOSE:
        problems.append(("dose", "Enter the dose (above 0)."))
    if not draft.dose_unit.strip():
        problems.append(("dose_unit", "Enter the dose unit (e.g. mg)."))
    plan = protocol.rate if protocol is not None else None
    if draft.rate is not None and draft.rate <= 0:
        problems.append(("rate", "The rate must be above 0."))
    elif draft.rate is not None and plan is not None and draft.rate > plan.max:
        problems.append(
            ("rate", f"{draft.rate:g} {plan.unit} is above the protocol maximum {plan.max:g}.")
        )
    if draft.rate is None and plan is not None:
        problems.append(("rate", "Enter the starting rate."))
    unit_needed = protocol is not None and plan is None
    if draft.rate is not None and unit_needed and not (draft.rate_unit or "").strip():
        problems.append(("rate_unit", "Enter the rate unit (e.g. mL/h)."))
    if not 0 < draft.planned_duration_min <= MAX_DURATION_MIN:
        problems.append(("duration", "Enter the planned duration in minutes (1 to 1440)."))
    if not 1 <= draft.cycle <= MAX_CYCLE:
        problems.append(("cycle", "Enter the cycle number (1 or more)."))
    if draft.spo2_scale not in (1, 2):
        problems.append(("spo2_scale", "The SpO2 scale is 1 or 2."))
    for field, text in (("allergies", draft.allergies), ("reactions", draft.reaction_history)):
        if len(text) > MAX_TEXT:
            problems.append((field, f"The text is longer than {MAX_TEXT} characters."))
    for reminder in protocol.premedication if protocol is not None else ():
        if reminder.advice is not Advice.GIVE:
            continue
        if not any(
            given.code == reminder.code.value and given.decided for given in draft.premedications
        ):
            label = PREMEDICATION_LABELS[reminder.code]
            problems.append(
                (
                    "premedication",
                    f"Before the start: {label} (the protocol says give): tick it with the time "
                    "it was given, or say why it was not given.",
                )
            )
    for item in draft.premedications:
        if not item.name.strip():
            problems.append(("premedication", "A premedication has no name."))
        if item.given_at is not None and item.given_at > now + timedelta(minutes=MAX_FUTURE_MIN):
            problems.append(("premedication", f"{item.name}: the time given is in the future."))
    problems.extend(baseline_problems(draft.baseline, now))
    if problems:
        raise SetupRefused(tuple(problems))


def baseline_problems(baseline: BaselineDraft, now: datetime) -> list[Problem]:
    """What is missing or impossible in a baseline set (domain entry limits)."""
    problems: list[Problem] = []
    signs = baseline.signs
    values: dict[str, Any] = {
        "hr": signs.hr,
        "sbp": signs.sbp,
        "dbp": signs.dbp,
        "rr": signs.rr,
        "spo2": signs.spo2,
        "temp_c": signs.temp_c,
    }
    missing = [name for name, value in values.items() if value is None]
    if missing:
        problems.append(
            (
                f"baseline_{missing[0]}",
                "Baseline vital signs are required before the start: enter "
                + ", ".join(_LABELS[name] for name in missing)
                + ".",
            )
        )
    for name, value in values.items():
        reason = None if value is None else reject_reason(name, value)
        if reason is not None:
            problems.append((f"baseline_{name}", f"Baseline {_LABELS[name]}: {reason}."))
    reason = pressure_reason(signs.sbp, signs.dbp)
    if reason is not None:
        problems.append(("baseline_dbp", f"Baseline diastolic BP: {reason}."))
    if signs.acvpu is None:
        problems.append(("baseline_acvpu", "Choose the level of consciousness (ACVPU)."))
    if baseline.taken_at > now + timedelta(minutes=MAX_FUTURE_MIN):
        problems.append(("baseline_time", "The baseline time is in the future. Check it."))
    return problems


_LABELS = {
    "hr": "heart rate",
    "sbp": "systolic BP",
    "dbp": "diastolic BP",
    "rr": "respiratory rate",
    "spo2": "SpO2",
    "temp_c": "temperature",
}


def returning_patient(db: DbSession, mrn: str) -> ReturningPatient | None:
    """The patient with ``mrn`` and their reactions on record, or None."""
    cleaned = mrn.strip()
    if not cleaned:
        return None
    patient = db.scalars(select(Patient).where(Patient.mrn == cleaned)).first()
    if patient is None:
        return None
    return ReturningPatient(patient_info(patient), previous_reactions(db, patient))


def previous_reactions(db: DbSession, patient: Patient) -> tuple[str, ...]:
    """The reaction history text, then every earlier session flagged or stopped, newest first."""
    found = [line.strip() for line in (patient.reaction_history or "").splitlines() if line.strip()]
    rows = db.scalars(
        select(InfusionSession)
        .where(
            InfusionSession.patient_id == patient.id,
            InfusionSession.state.not_in(ACTIVE_STATES),
        )
        .order_by(InfusionSession.created_at.desc())
    )
    for row in rows:
        stopped = db.scalars(
            select(EventRow.reason).where(
                EventRow.session_id == row.id, EventRow.type == "discontinue"
            )
        ).first()
        when = f"{row.created_at.astimezone():%d %b %Y}"
        if stopped:
            found.append(f"{row.drug_name} C{row.cycle or 1}, {when}: discontinued ({stopped})")
        elif row.prior_reaction_to_drug:
            found.append(f"{row.drug_name} C{row.cycle or 1}, {when}: previous reaction flagged")
    # Reaction records closed at the chair and flagged for the next session (issue 6).
    from infusion_monitor.services.care.picture import flagged_reactions

    return (*flagged_reactions(db, patient.id), *found)


def patient_for(db: DbSession, draft: SessionDraft, actor: Actor, now: datetime) -> Patient:
    """The returning patient (identifiers checked against the record) or a new one."""
    mrn = draft.mrn.strip() or None
    name = " ".join(draft.patient_name.split())
    patient = None
    if mrn is not None:
        patient = db.scalars(select(Patient).where(Patient.mrn == mrn)).first()
    elif draft.date_of_birth is not None:
        patient = db.scalars(
            select(Patient).where(
                func.lower(Patient.name) == name.lower(),
                Patient.date_of_birth == draft.date_of_birth,
            )
        ).first()
    if patient is None:
        patient = Patient(
            mrn=mrn,
            name=name,
            date_of_birth=draft.date_of_birth,
            allergies=draft.allergies.strip(),
            reaction_history=draft.reaction_history.strip(),
        )
        db.add(patient)
        db.flush()
        record_audit(
            db,
            actor,
            at=now,
            action="patient.create",
            entity="patient",
            entity_id=patient.id,
            before=None,
            after=patient_audit(mrn, draft.date_of_birth is not None),
        )
        return patient
    _check_identity(patient, name, draft.date_of_birth)
    before = {"allergies": patient.allergies, "reaction_history": patient.reaction_history}
    after = {
        "allergies": draft.allergies.strip(),
        "reaction_history": draft.reaction_history.strip(),
    }
    if after != before:
        patient.allergies = after["allergies"]
        patient.reaction_history = after["reaction_history"]
        db.flush()
        record_audit(
            db,
            actor,
            at=now,
            action="patient.update_allergies",
            entity="patient",
            entity_id=patient.id,
            before=before,
            after=after,
        )
    if patient.date_of_birth is None and draft.date_of_birth is not None:
        # A second identifier added to the record (it changes the age the rules use): audited.
        patient.date_of_birth = draft.date_of_birth
        db.flush()
        record_audit(
            db,
            actor,
            at=now,
            action="patient.add_date_of_birth",
            entity="patient",
            entity_id=patient.id,
            before={"has_dob": False},
            after={"has_dob": True},
        )
    return patient


def _check_identity(patient: Patient, name: str, born: date | None) -> None:
    """Refuse a set-up whose name or date of birth contradicts the record found by MRN."""
    problems: list[Problem] = []
    if patient.name.casefold() != name.casefold():
        problems.append(
            (
                "name",
                f"MRN {patient.mrn} belongs to {patient.name}, not {name}. "
                "Check both identifiers with the patient's wristband.",
            )
        )
    if born is not None and patient.date_of_birth is not None and born != patient.date_of_birth:
        problems.append(
            (
                "dob",
                f"The date of birth does not match the record for MRN {patient.mrn} "
                f"({patient.date_of_birth:%d %b %Y}). Check it with the patient.",
            )
        )
    if problems:
        raise SetupRefused(tuple(problems))


def check_free(db: DbSession, chair: Chair, patient: Patient, draft: SessionDraft) -> None:
    """Refuse a second open session in the chair, or for the same patient in another chair."""
    rows = db.execute(
        select(InfusionSession.patient_id, InfusionSession.chair_id, Chair.name)
        .join(InfusionSession.chair)
        .where(InfusionSession.state.in_(ACTIVE_STATES))
        .where((InfusionSession.chair_id == chair.id) | (InfusionSession.patient_id == patient.id))
    )
    for patient_id, chair_id, chair_name in rows:
        if chair_id == chair.id:
            raise SetupRefused(
                (("chair", f"{draft.chair} already has an open session. Close it first."),)
            )
        if patient_id == patient.id:
            raise SetupRefused(
                (("name", f"This patient already has an open session in {chair_name}."),)
            )


def baseline_row(
    session_id: int, baseline: BaselineDraft, author_id: int, now: datetime
) -> VitalsRow:
    """The stored baseline set (typed at the chair)."""
    return VitalsRow(
        session_id=session_id,
        taken_at=min(baseline.taken_at, now),
        entered_at=now,
        entered_by_id=author_id,
        source="typed",
        heart_rate=baseline.signs.hr,
        systolic_bp=baseline.signs.sbp,
        diastolic_bp=baseline.signs.dbp,
        respiratory_rate=baseline.signs.rr,
        spo2=baseline.signs.spo2,
        on_oxygen=baseline.signs.on_oxygen,
        temperature_c=baseline.signs.temp_c,
        acvpu=None if baseline.signs.acvpu is None else baseline.signs.acvpu.value,
    )


def age_note(patient: Patient) -> str | None:
    """What the nurse is told when the rules must assume the patient's age (no date of birth)."""
    if patient.date_of_birth is not None:
        return None
    return (
        f"No date of birth on record: the rules assume an adult aged {DEFAULT_AGE_YEARS}. "
        "For a patient under 16 enter the date of birth: children have their own low blood "
        "pressure limits, and NEWS2 does not apply to them."
    )


def _rules_patient(row: InfusionSession, patient: Patient, now: datetime) -> RulesPatient:
    """The assessing service's view of the patient (the same age, pregnancy and scale)."""
    assert row.patient is patient
    return rules_patient(row, now.date())


def baseline_warning(
    rules: RuleSet, row: InfusionSession, patient: Patient, baseline: BaselineDraft, now: datetime
) -> bool:
    """Whether the rules engine flags the baseline NEWS2 (``news2.baseline_warning``).

    Never when NEWS2 does not apply (pregnancy, under 16): the rules report it as null then.
    """
    context = SessionContext(rules, _rules_patient(row, patient, now), baseline.signs)
    scored = assess(context, 0).news2
    return scored.applicable and scored.baseline_warning


def stored_baseline_warning(
    rules: RuleSet, row: InfusionSession, vitals: VitalsRow, now: datetime
) -> bool:
    """The baseline warning for a stored baseline set."""
    draft = BaselineDraft(
        vitals.taken_at,
        VitalSigns(
            vitals.heart_rate,
            vitals.systolic_bp,
            vitals.diastolic_bp,
            vitals.respiratory_rate,
            vitals.spo2,
            vitals.temperature_c,
            bool(vitals.on_oxygen),
            Acvpu(vitals.acvpu or Acvpu.A),
        ),
    )
    return baseline_warning(rules, row, row.patient, draft, now)


def patient_audit(mrn: str | None, has_dob: bool) -> dict[str, Any]:
    """What the audit row of a new patient records (no name, no date of birth)."""
    return {"mrn": mrn, "has_dob": has_dob}


def audit_summary(row: InfusionSession, baseline_id: int) -> dict[str, Any]:
    """What the set-up audit row records (no patient name)."""
    return {
        "state": row.state,
        "chair": row.chair_id,
        "patient": row.patient_id,
        "protocol": row.protocol_id,
        "protocol_version": row.protocol_version,
        "ruleset_version": row.ruleset_version,
        "drug": row.drug_name,
        "dose": row.dose,
        "dose_unit": row.dose_unit,
        "rate": row.rate,
        "cycle": row.cycle,
        "first_dose": row.first_dose,
        "prior_reaction_to_drug": row.prior_reaction_to_drug,
        "spo2_scale": row.spo2_scale,
        "pregnant": row.pregnant,
        "premedications": row.premedications,
        "baseline_vitals": baseline_id,
        "version": row.version,
    }
