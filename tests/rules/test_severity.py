"""Brown 2004 classes from symptoms and signs, with the GI rule."""

from __future__ import annotations

import pytest
from casebuilder import Run, case, obs, symptom


@pytest.mark.parametrize(
    ("codes", "brown"),
    [
        ([], "none"),
        (["pruritus_local"], "none"),
        (["urticaria"], "mild"),
        (["edema_limb"], "mild"),
        (["urticaria", "dizziness"], "moderate"),
        (["nausea"], "none"),
        (["nausea", "vomiting_repeated", "fever"], "none"),
        (["nausea", "flushing"], "moderate"),
        (["abdominal_pain", "headache"], "none"),
        (["confusion"], "severe"),
        (["syncope", "urticaria"], "severe"),
        (["site_reaction"], "none"),
    ],
)
def test_symptom_classes(run: Run, codes: list[str], brown: str) -> None:
    out = run(case(symptoms=[symptom(code, 5) for code in codes], at_minute=6))
    assert out["brown"] == brown


@pytest.mark.parametrize(
    ("changes", "brown"),
    [
        ({"spo2": 93}, "moderate"),
        ({"spo2": 92}, "severe"),
        ({"acvpu": "P"}, "severe"),
        ({"temp_c": 39.0}, "none"),
        ({"sbp": 80, "dbp": 50}, "severe"),
    ],
)
def test_gi_counts_beside_a_classed_sign(run: Run, changes: dict[str, object], brown: str) -> None:
    out = run(case(observations=[obs(5, **changes)], symptoms=[symptom("nausea", 5)]))
    assert out["brown"] == brown


def test_symptoms_before_minute_zero_and_resolved_ones_are_ignored(run: Run) -> None:
    symptoms = [symptom("confusion", -5), symptom("wheeze", 1, 4), symptom("dyspnea", 3, 3)]
    out = run(case(symptoms=symptoms, at_minute=4))
    assert out["brown"] == "none"
    assert run(case(symptoms=symptoms, at_minute=3))["brown"] == "moderate"
