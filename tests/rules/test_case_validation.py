"""Case files are validated as rules-spec §2 says; every message names the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from casebuilder import BASELINE, case, obs, symptom

from infusion_monitor.rules.case import CaseError, parse_case


def problems(data: Any) -> list[str]:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(CaseError) as caught:
        parse_case(text)
    assert caught.value.exit_code == 2
    return caught.value.problems


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "malformed JSON"),
        ('{"baseline": NaN}', "malformed JSON"),
        ("[1, 2]", "the case must be a JSON object"),
        ({"id": "x"}, "baseline: missing"),
        (case(baseline=[1]), "baseline: must be an object"),
        (
            case(observations=[obs(1, spo2=101)]),
            "observations[0].spo2: 101 is above the maximum 100",
        ),
        (
            case(observations=[obs(1), obs(2, hr=400)]),
            "observations[1].hr: 400 is above the maximum 250",
        ),
        (case(observations=[obs(1, rr=3)]), "observations[0].rr: 3 is below the minimum 4"),
        (
            case(observations=[obs(1, spo2=98.5)]),
            "observations[0].spo2: 98.5 is not a whole number",
        ),
        (case(observations=[obs(1, hr="90")]), "observations[0].hr: must be a number"),
        (case(observations=[obs(1, hr=True)]), "observations[0].hr: must be a number"),
        (
            case(observations=[obs(1, temp_c=101.3)]),
            "observations[0].temp_c: 101.3 is above the maximum 44.0; it looks like °F",
        ),
        (
            case(observations=[obs(1, temp_c=29.94)]),
            "observations[0].temp_c: 29.9 is below the minimum 30.0",
        ),
        (case(observations=[obs(1, temp_c="37")]), "observations[0].temp_c: must be a number"),
        (
            case(observations=[obs(1, sbp=90, dbp=90)]),
            "observations[0].dbp: 90 is not below the systolic 90",
        ),
        (case(observations=[obs(1, acvpu="X")]), 'observations[0].acvpu: "X" is not one of'),
        (case(observations=[obs(1, acvpu="a")]), 'observations[0].acvpu: "a" is not one of'),
        (case(observations=[obs(1, acvpu=1)]), "observations[0].acvpu: 1 is not one of"),
        (case(observations=[obs(1, on_oxygen="yes")]), "observations[0].on_oxygen: must be true"),
        (case(observations=[obs(1, on_oxygen=0)]), "observations[0].on_oxygen: must be true"),
        (case(baseline={**BASELINE, "on_oxygen": "no"}), "baseline.on_oxygen: must be true"),
        (
            case(observations=[{k: v for k, v in obs(1).items() if k != "rr"}]),
            "observations[0].rr: missing",
        ),
        (
            case(observations=[{k: v for k, v in obs(1).items() if k != "minute"}]),
            "observations[0].minute: missing",
        ),
        (case(observations=[obs(1.5)]), "observations[0].minute: 1.5 is not a whole number"),
        (case(observations=[5]), "observations[0]: must be an object"),
        (case(observations={}), "observations: must be a list"),
        (case(symptoms=[symptom("hives", 1)]), 'symptoms[0].code: "hives" is not a symptom code'),
        (
            case(symptoms=[symptom("rash", 10, 5)]),
            "symptoms[0].resolved_minute: is before the onset minute",
        ),
        (
            case(symptoms=[{"code": "rash", "onset_minute": None}]),
            "symptoms[0].onset_minute: must not be null",
        ),
        (case(symptoms=[{"code": "rash"}]), "symptoms[0].onset_minute: missing"),
        (case(symptoms=[7]), "symptoms[0]: must be an object"),
        (
            case(course=[{"minute": 1, "action": "adrenaline"}]),
            'course[0].action: "adrenaline" is not an action code',
        ),
        (case(course=[3]), "course[0]: must be an object"),
        (case(course=[{"action": "oxygen"}]), "course[0].minute: missing"),
        (case(course=[{"minute": None, "action": "oxygen"}]), "course[0].minute: must not be null"),
        (case(patient={"spo2_scale": 3}), "patient.spo2_scale: 3 is not 1 or 2"),
        (case(patient={"spo2_scale": "1"}), 'patient.spo2_scale: "1" is not 1 or 2'),
        (case(patient={"age_years": -1}), "patient.age_years: -1 is below the minimum 0"),
        (case(patient={"age_years": 121}), "patient.age_years: 121 is above the maximum 120"),
        (case(patient={"age_years": "old"}), "patient.age_years: must be a number"),
        (case(patient={"pregnant": "no"}), "patient.pregnant: must be true or false"),
        (case(at_minute=None), "at_minute: must not be null"),
        (case(infusion_end_minute="60"), "infusion_end_minute: must be a number"),
        (case(id=5), "id: must be a string"),
        (case(drug=5), "drug: must be a string"),
        (case(expect=[1]), "expect: must be an object"),
    ],
)
def test_refused_with_the_field_named(data: Any, message: str) -> None:
    assert any(problem.startswith(message) for problem in problems(data)), problems(data)


def test_unknown_keys_are_ignored_with_a_warning_naming_them() -> None:
    data = case(observations=[obs(1, spo_2=98)], patient={"weight": 70}, note="from ward")
    parsed = parse_case(json.dumps(data))
    assert parsed.warnings == (
        "note: unknown key, ignored (check its spelling)",
        "patient.weight: unknown key, ignored (check its spelling)",
        "observations[0].spo_2: unknown key, ignored (check its spelling)",
    )
    assert len(parsed.observations) == 1


def test_superseded_entries_are_validated_too() -> None:
    data = case(observations=[obs(5, spo2=101), obs(5)])
    assert problems(data) == ["observations[0].spo2: 101 is above the maximum 100"]


def test_every_problem_is_reported() -> None:
    data = case(observations=[obs(1, spo2=101, hr=10)], patient={"spo2_scale": 4})
    assert len(problems(data)) == 3


def test_accepted_forms_and_defaults() -> None:
    data = case(
        baseline={k: v for k, v in BASELINE.items() if k not in ("acvpu", "on_oxygen")},
        observations=[obs(3, spo2=98.0, temp_c=37.25, hr=None)],
        symptoms=[{"code": "rash", "onset_minute": 2}, symptom("rash", 4, 9)],
        patient={"age_years": 0.5, "spo2_scale": 2.0},
    )
    parsed = parse_case(json.dumps(data))
    ((t, vitals),) = parsed.observations
    assert (t, vitals.spo2, vitals.temp_c, vitals.hr) == (180, 98, 37.3, None)
    assert parsed.patient.completed_years == 0 and parsed.patient.spo2_scale == 2
    assert parsed.at == 9 * 60 and parsed.expect is None


def test_default_at_minute_is_zero_without_entries() -> None:
    assert parse_case(json.dumps(case())).at == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (case(symptoms=[{"code": ["x"], "onset_minute": 1}]), 'symptoms[0].code: ["x"] is not'),
        (case(course=[{"minute": 1, "action": {"a": 1}}]), 'course[0].action: {"a": 1} is not'),
        (case(baseline={**BASELINE, "acvpu": [1.5]}), "baseline.acvpu: [1.5] is not one of"),
    ],
)
def test_a_list_or_object_where_a_code_belongs_is_refused_not_a_crash(
    data: Any, message: str
) -> None:
    assert any(problem.startswith(message) for problem in problems(data))
