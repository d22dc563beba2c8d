"""Suggested CTCAE v5.0 term and grade from the course, and the cytokine pattern."""

from __future__ import annotations

from typing import Any

import pytest
from casebuilder import BASELINE, Run, act, case, obs, symptom


def ctcae(run: Run, **fields: Any) -> tuple[str, int]:
    out = run(case(**fields))["ctcae"]
    return out["term"], out["grade"]


IRR = "infusion_related_reaction"


def test_nothing_is_none_grade_0(run: Run) -> None:
    assert ctcae(run, observations=[obs(10)]) == ("none", 0)


@pytest.mark.parametrize("action", ["slow_infusion", "hold_escalation"])
def test_slowing_or_holding_is_grade_1(run: Run, action: str) -> None:
    assert ctcae(run, symptoms=[symptom("headache", 5)], course=[act(6, action)]) == (IRR, 1)


def test_action_while_a_feature_is_active_is_grade_2(run: Run) -> None:
    fields = {"symptoms": [symptom("chills", 5, 30)], "course": [act(5, "pause_infusion")]}
    assert ctcae(run, **fields, at_minute=6) == (IRR, 2)
    assert ctcae(run, **fields, at_minute=100) == (IRR, 2)


def test_action_when_nothing_is_active_does_not_count(run: Run) -> None:
    fields = {"symptoms": [symptom("chills", 5, 10)], "course": [act(10, "antipyretic")]}
    assert ctcae(run, **fields) == (IRR, 1)


@pytest.mark.parametrize(
    ("second_onset", "grade"),
    [(15, 2), (20, 3), (25, 3)],
)
def test_recurrence_once_every_earlier_feature_resolved(
    run: Run, second_onset: int, grade: int
) -> None:
    symptoms = [symptom("flushing", 5, 20), symptom("pruritus", second_onset)]
    fields = {"symptoms": symptoms, "course": [act(5, "pause_infusion")]}
    assert ctcae(run, **fields, at_minute=30) == (IRR, grade)


def test_recurrence_without_any_action_and_of_a_derived_sign(run: Run) -> None:
    observations = [obs(10, temp_c=38.2), obs(20), obs(30, temp_c=38.3)]
    assert ctcae(run, observations=observations, at_minute=25) == (IRR, 1)
    assert ctcae(run, observations=observations) == (IRR, 3)


@pytest.mark.parametrize(
    ("resolved", "at", "grade"), [(None, 69, 2), (None, 70, 3), (70, 80, 2), (71, 80, 3)]
)
def test_still_active_an_hour_after_the_first_counting_action(
    run: Run, resolved: int | None, at: int, grade: int
) -> None:
    fields = {"symptoms": [symptom("rash", 5, resolved)], "course": [act(10, "antihistamine_h1")]}
    assert ctcae(run, **fields, at_minute=at) == (IRR, grade)


@pytest.mark.parametrize(("admit_minute", "grade"), [(8, 3), (12, 2)])
def test_admit_counts_only_while_a_feature_is_active(
    run: Run, admit_minute: int, grade: int
) -> None:
    fields = {
        "symptoms": [symptom("rash", 5, 10)],
        "course": [act(5, "pause_infusion"), act(admit_minute, "admit")],
    }
    assert ctcae(run, **fields) == (IRR, grade)


@pytest.mark.parametrize(
    ("changes", "baseline", "scale", "grade"),
    [
        ({"acvpu": "V"}, {}, 1, 4),
        ({"acvpu": "C"}, {}, 1, 1),
        ({"spo2": 87, "on_oxygen": True}, {}, 1, 4),
        ({"spo2": 88, "on_oxygen": True}, {}, 1, 1),
        ({"spo2": 87, "on_oxygen": False}, {}, 1, 1),
        ({"spo2": 85, "on_oxygen": True}, {"spo2": 87}, 1, 1),
        ({"spo2": 83, "on_oxygen": True}, {"spo2": 90}, 2, 4),
        ({"spo2": 84, "on_oxygen": True}, {"spo2": 90}, 2, 1),
    ],
)
def test_life_threatening_observations(
    run: Run, changes: dict[str, Any], baseline: dict[str, Any], scale: int, grade: int
) -> None:
    fields = {
        "patient": {"spo2_scale": scale},
        "baseline": {**BASELINE, **baseline},
        "observations": [obs(10, **changes)],
        "symptoms": [symptom("chills", 10)],
    }
    assert ctcae(run, **fields) == (IRR, grade)


@pytest.mark.parametrize(("minute", "grade"), [(12, 3), (13, 4)])
def test_hypotension_strictly_after_the_second_epinephrine(
    run: Run, minute: int, grade: int
) -> None:
    fields = {
        "observations": [obs(5, sbp=80, dbp=50), obs(minute, sbp=82, dbp=50)],
        "course": [act(6, "epinephrine_im"), act(12, "epinephrine_im")],
        "patient": {"prior_reaction_to_drug": True},
    }
    assert ctcae(run, **fields) == ("anaphylaxis", grade)


@pytest.mark.parametrize("action", ["airway_intervention", "vasopressor", "cpr"])
def test_urgent_actions_count_whatever_was_active(run: Run, action: str) -> None:
    fields = {"symptoms": [symptom("chills", 5, 10)], "course": [act(20, action)]}
    assert ctcae(run, **fields) == (IRR, 4)


def test_anaphylaxis_met_at_any_time_stays_the_term(run: Run) -> None:
    fields = {
        "symptoms": [symptom("urticaria", 5, 15), symptom("wheeze", 5, 15)],
        "course": [act(5, "epinephrine_im")],
    }
    out = run(case(**fields, at_minute=40))
    assert (out["ctcae"]["term"], out["ctcae"]["grade"]) == ("anaphylaxis", 3)
    assert out["niaid_2006"] is False and out["priority"] == "none"


@pytest.mark.parametrize(
    ("observations", "symptoms", "pattern"),
    [
        ([obs(10, temp_c=38.5, sbp=80, dbp=50)], [], True),
        ([obs(10, temp_c=38.5, sbp=80, dbp=50)], [symptom("flushing", 10)], False),
        ([obs(10, spo2=91)], [symptom("fever", 10)], True),
        ([obs(10, temp_c=38.5, spo2=91), obs(20)], [], True),
        ([obs(10, temp_c=38.5)], [], False),
        ([obs(10, temp_c=38.5, sbp=80, dbp=50)], [symptom("flushing", 5, 12)], True),
    ],
)
def test_cytokine_pattern(
    run: Run, observations: list[dict[str, Any]], symptoms: list[dict[str, Any]], pattern: bool
) -> None:
    out = run(case(observations=observations, symptoms=symptoms, at_minute=30))
    assert out["ctcae"]["cytokine_pattern"] is pattern


def test_grade_2_evidence_counts_the_hour(run: Run) -> None:
    out = run(
        case(symptoms=[symptom("urticaria", 38)], course=[act(41, "pause_infusion")], at_minute=45)
    )
    finding = next(f for f in out["findings"] if f["rule"] == "ctcae.irr.grade2")
    assert finding["evidence"] == ["pause_infusion at minute 41", "unresolved, 4 of 60 min"]
