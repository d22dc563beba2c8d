"""Read and validate a case file (rules-spec §2) into the engine's inputs; name every bad field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeGuard

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.symptoms import SYMPTOMS
from infusion_monitor.domain.vitals import (
    INTEGER_VITALS,
    Acvpu,
    VitalSigns,
    pressure_reason,
    reject_reason,
    round_temperature,
)
from infusion_monitor.errors import UserError
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.inputs import SECONDS_PER_MIN, Patient
from infusion_monitor.rules.loader import RuleSet

TOP_KEYS = frozenset(
    {
        "id",
        "patient",
        "drug",
        "baseline",
        "observations",
        "symptoms",
        "course",
        "infusion_end_minute",
        "at_minute",
        "expect",
    }
)
PATIENT_KEYS = frozenset({"age_years", "pregnant", "spo2_scale", "prior_reaction_to_drug"})
VITAL_KEYS = (*INTEGER_VITALS, "temp_c")
MAX_AGE_YEARS = 120  # rules-spec §2: an age below 0 or above 120 is refused
SPO2_SCALES = (1, 2)  # RCP NEWS2 2017 scales 1 and 2


class CaseError(UserError):
    """A case file was refused; the message names every bad field and its problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems), exit_code=2)


@dataclass(frozen=True)
class Case:
    """A validated case in engine units (seconds); ``expect`` is kept for ``rules test``."""

    id: str | None
    patient: Patient
    drug: str | None
    baseline: VitalSigns
    observations: list[tuple[int, VitalSigns]]
    symptoms: list[tuple[str, int, int | None]]
    course: list[tuple[int, CourseAction]]
    infusion_end: int | None
    at: int
    expect: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()


def _is_number(value: object) -> TypeGuard[int | Decimal]:
    """A JSON number (booleans are not numbers here)."""
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


class _Reader:
    """Walks the parsed JSON and collects every problem as ``path: reason``.

    Keys the contract does not name are not an error (rules-spec §2 does not list them), but each
    is reported as a warning so that a misspelt optional key is not silently ignored.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def bad(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def mapping(self, value: object, path: str, allowed: frozenset[str]) -> dict[str, Any] | None:
        """The object at ``path`` (None, with a problem, when it is not one)."""
        if not isinstance(value, dict):
            self.bad(path, "must be an object")
            return None
        for key in value:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.warnings.append(f"{where}: unknown key, ignored (check its spelling)")
        return value

    def items(self, value: object, path: str) -> list[Any]:
        if value is None or not isinstance(value, list):
            self.bad(path, "must be a list")
            return []
        return value

    def integer(self, value: object, path: str) -> int | None:
        """A whole number; integral decimals such as 98.0 are accepted."""
        if not _is_number(value):
            self.bad(path, "must be a number" if value is not None else "must not be null")
            return None
        number = Decimal(value)
        if number != number.to_integral_value():
            self.bad(path, f"{value} is not a whole number")
            return None
        return int(number)

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.bad(path, "must be true or false")
            return False
        return value

    def minute(self, value: object, path: str) -> int | None:
        number = self.integer(value, path)
        return None if number is None else number * SECONDS_PER_MIN

    def required_minute(self, data: dict[str, Any], key: str, path: str) -> int | None:
        """A minute the entry must carry: a missing key is reported as missing."""
        if key not in data:
            self.bad(path, "missing")
            return None
        return self.minute(data[key], path)

    def optional_minute(self, data: dict[str, Any], key: str, path: str) -> int | None:
        value = data.get(key)
        return None if value is None else self.minute(value, path)

    def vital(self, data: dict[str, Any], key: str, path: str) -> int | float | None:
        where = f"{path}.{key}"
        if key not in data:
            self.bad(where, "missing (give null if it was not measured)")
            return None
        value = data[key]
        if value is None:
            return None
        if key == "temp_c":
            if not _is_number(value):
                self.bad(where, "must be a number")
                return None
            temp = round_temperature(value)
            reason = reject_reason(key, temp)
            if reason is not None:
                self.bad(where, reason)
            return float(temp)
        number = self.integer(value, where)
        if number is not None and (reason := reject_reason(key, number)) is not None:
            self.bad(where, reason)
        return number

    def vitals(self, data: dict[str, Any], path: str, *, baseline: bool = False) -> VitalSigns:
        """A set of vital signs; every vital key is required, ``null`` when not measured.

        ``acvpu`` and ``on_oxygen`` may be ``null`` or omitted (not assessed, as in a bedside
        monitor's set); only the baseline reads an omitted one as "A" and air.
        """
        found = {key: self.vital(data, key, path) for key in VITAL_KEYS}
        on_oxygen = data.get("on_oxygen", False if baseline else None)
        if on_oxygen is not None and not isinstance(on_oxygen, bool):
            self.bad(f"{path}.on_oxygen", "must be true, false or null")
            on_oxygen = None
        acvpu = data.get("acvpu", "A" if baseline else None)
        if acvpu is not None and (
            not isinstance(acvpu, str) or acvpu not in {level.value for level in Acvpu}
        ):
            self.bad(
                f"{path}.acvpu", f"{json.dumps(_plain(acvpu))} is not one of A, C, V, P, U or null"
            )
            acvpu = None
        sbp, dbp = found["sbp"], found["dbp"]
        if isinstance(sbp, int) and isinstance(dbp, int):
            reason = pressure_reason(sbp, dbp)
            if reason is not None:
                self.bad(f"{path}.dbp", reason)
        return VitalSigns(
            hr=_int(found["hr"]),
            sbp=_int(sbp),
            dbp=_int(dbp),
            rr=_int(found["rr"]),
            spo2=_int(found["spo2"]),
            temp_c=found["temp_c"],
            on_oxygen=on_oxygen,
            acvpu=None if acvpu is None else Acvpu(acvpu),
        )

    def patient(self, value: object) -> Patient:
        data = self.mapping(value, "patient", PATIENT_KEYS) or {}
        age: float = 50
        if "age_years" in data:
            raw = data["age_years"]
            if not _is_number(raw):
                self.bad("patient.age_years", "must be a number")
            elif raw < 0:
                self.bad("patient.age_years", f"{raw} is below the minimum 0")
            elif raw > MAX_AGE_YEARS:
                self.bad("patient.age_years", f"{raw} is above the maximum {MAX_AGE_YEARS}")
            else:
                age = float(raw)
        scale = 1
        if "spo2_scale" in data:
            raw = data["spo2_scale"]
            if not _is_number(raw) or raw not in SPO2_SCALES:
                self.bad("patient.spo2_scale", f"{json.dumps(_plain(raw))} is not 1 or 2")
            else:
                scale = int(raw)
        return Patient(
            age_years=age,
            pregnant=self.boolean(data.get("pregnant", False), "patient.pregnant"),
            spo2_scale=scale,
            prior_reaction_to_drug=self.boolean(
                data.get("prior_reaction_to_drug", False), "patient.prior_reaction_to_drug"
            ),
        )


def _int(value: int | float | None) -> int | None:
    return value if isinstance(value, int) else None


def _plain(value: object) -> object:
    """JSON value with decimals turned into floats (for messages and expectations)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        raise CaseError([f"malformed JSON: {exc}"]) from exc
    if not isinstance(data, dict):
        raise CaseError(["the case must be a JSON object"])
    return data


VITALS_ENTRY = frozenset(VITAL_KEYS) | {"on_oxygen", "acvpu"}
ACTION_CODES = frozenset(action.value for action in CourseAction)


def _observations(reader: _Reader, data: dict[str, Any]) -> list[tuple[int, VitalSigns]]:
    found = []
    for index, raw in enumerate(reader.items(data.get("observations", []), "observations")):
        path = f"observations[{index}]"
        entry = reader.mapping(raw, path, VITALS_ENTRY | {"minute"})
        if entry is None:
            continue
        t = reader.required_minute(entry, "minute", f"{path}.minute")
        vitals = reader.vitals(entry, path)
        if t is not None:
            found.append((t, vitals))
    return found


def _symptoms(reader: _Reader, data: dict[str, Any]) -> list[tuple[str, int, int | None]]:
    found = []
    for index, raw in enumerate(reader.items(data.get("symptoms", []), "symptoms")):
        path = f"symptoms[{index}]"
        entry = reader.mapping(raw, path, frozenset({"code", "onset_minute", "resolved_minute"}))
        if entry is None:
            continue
        code = entry.get("code")
        if not isinstance(code, str):  # a list or an object is no code (and cannot be looked up)
            code = json.dumps(_plain(code))
            reader.bad(f"{path}.code", f"{code} is not a symptom code")
        elif code not in SYMPTOMS:
            reader.bad(f"{path}.code", f"{json.dumps(_plain(code))} is not a symptom code")
        onset = reader.required_minute(entry, "onset_minute", f"{path}.onset_minute")
        resolved = reader.optional_minute(entry, "resolved_minute", f"{path}.resolved_minute")
        if onset is not None and resolved is not None and resolved < onset:
            reader.bad(f"{path}.resolved_minute", "is before the onset minute")
        if code in SYMPTOMS and onset is not None:
            found.append((str(code), onset, resolved))
    return found


def _course(reader: _Reader, data: dict[str, Any]) -> list[tuple[int, CourseAction]]:
    found = []
    for index, raw in enumerate(reader.items(data.get("course", []), "course")):
        path = f"course[{index}]"
        entry = reader.mapping(raw, path, frozenset({"minute", "action"}))
        if entry is None:
            continue
        action = entry.get("action")
        if not isinstance(action, str):
            action = json.dumps(_plain(action))
            reader.bad(f"{path}.action", f"{action} is not an action code")
        elif action not in ACTION_CODES:
            reader.bad(f"{path}.action", f"{json.dumps(_plain(action))} is not an action code")
        t = reader.required_minute(entry, "minute", f"{path}.minute")
        if t is not None and action in ACTION_CODES:
            found.append((t, CourseAction(action)))
    return found


def _default_at(data: dict[str, Any]) -> int:
    """The latest minute of any entry (rules-spec §2), or 0; only called on valid data."""
    minutes = [o["minute"] for o in data.get("observations", [])]
    for symptom in data.get("symptoms", []):
        minutes.append(symptom["onset_minute"])
        if symptom.get("resolved_minute") is not None:
            minutes.append(symptom["resolved_minute"])
    minutes += [c["minute"] for c in data.get("course", [])]
    return int(max(minutes, default=0)) * SECONDS_PER_MIN


def parse_case(text: str) -> Case:
    """Validate a case file's text; raise CaseError naming every bad field."""
    data = _load(text)
    reader = _Reader()
    reader.mapping(data, "", TOP_KEYS)
    case_id = data.get("id")
    if "id" in data and not isinstance(case_id, str):
        reader.bad("id", "must be a string")
    drug = data.get("drug")
    if "drug" in data and not isinstance(drug, str):
        reader.bad("drug", "must be a string")
    patient = reader.patient(data.get("patient", {}))
    baseline = None
    if "baseline" not in data:
        reader.bad("baseline", "missing")
    elif (raw := reader.mapping(data["baseline"], "baseline", VITALS_ENTRY)) is not None:
        baseline = reader.vitals(raw, "baseline", baseline=True)
    observations = _observations(reader, data)
    symptoms = _symptoms(reader, data)
    course = _course(reader, data)
    end = reader.optional_minute(data, "infusion_end_minute", "infusion_end_minute")
    at = reader.minute(data["at_minute"], "at_minute") if "at_minute" in data else None
    expect = _plain(data.get("expect", {}))
    if not isinstance(expect, dict):
        reader.bad("expect", "must be an object")
    if reader.problems or baseline is None or not isinstance(expect, dict):
        raise CaseError(reader.problems)
    return Case(
        id=case_id,
        patient=patient,
        drug=drug if isinstance(drug, str) else None,
        baseline=baseline,
        observations=observations,
        symptoms=symptoms,
        course=course,
        infusion_end=end,
        at=at if at is not None else _default_at(data),
        expect=expect if "expect" in data else None,
        warnings=tuple(reader.warnings),
    )


def case_context(case: Case, rules: RuleSet) -> SessionContext:
    """A session context holding every entry of ``case``, in the case's order."""
    context = SessionContext(rules, case.patient, case.baseline, case.drug)
    for t, vitals in case.observations:
        context.add_observation(t, vitals)
    for code, onset, resolved in case.symptoms:
        context.add_symptom(code, onset, resolved)
    for t, action in case.course:
        context.add_action(t, action)
    if case.infusion_end is not None:
        context.end_infusion(case.infusion_end)
    return context
