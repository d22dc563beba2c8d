"""NIAID 2006 and WAO 2020 criteria, exposure window edges and prior reaction."""

from __future__ import annotations

import pytest
from casebuilder import Run, act, case, obs, symptom

HYPOTENSIVE = {"sbp": 80, "dbp": 50}


@pytest.mark.parametrize(
    ("codes", "changes", "prior", "niaid", "wao"),
    [
        (["urticaria", "dyspnea"], {}, False, [1, 2], [1]),
        (["urticaria", "vomiting_repeated"], {}, False, [2], [1]),
        (["urticaria", "vomiting"], {}, False, [], []),
        (["dyspnea", "syncope"], {}, False, [2], []),
        (["wheeze"], {}, False, [], [2]),
        (["wheeze"], {}, True, [], [2]),
        (["stridor", "chest_tightness"], {}, True, [], [2]),
        (["chest_tightness", "throat_tightness", "cough"], {}, True, [], []),
        ([], HYPOTENSIVE, False, [], [2]),
        ([], HYPOTENSIVE, True, [3], [2]),
        (["flushing"], HYPOTENSIVE, False, [1, 2], [1, 2]),
        (["flushing"], {"acvpu": "V"}, False, [1, 2], [1]),
        (["flushing"], {"spo2": 93}, False, [1, 2], [1]),
        ([], {"spo2": 90, **HYPOTENSIVE}, False, [2], [2]),
    ],
)
def test_criteria(
    run: Run,
    codes: list[str],
    changes: dict[str, object],
    prior: bool,
    niaid: list[int],
    wao: list[int],
) -> None:
    data = case(
        patient={"prior_reaction_to_drug": prior},
        observations=[obs(10, **changes)],
        symptoms=[symptom(code, 10) for code in codes],
    )
    out = run(data)
    assert (out["niaid_criteria"], out["wao_criteria"]) == (niaid, wao)
    assert out["niaid_2006"] is bool(niaid) and out["wao_2020"] is bool(wao)
    assert ("anaphylaxis" in out["pathways"]) is bool(niaid or wao)


@pytest.mark.parametrize(("at", "exposed"), [(420, True), (421, False)])
def test_exposure_window_is_360_minutes_after_the_end_inclusive(
    run: Run, at: int, exposed: bool
) -> None:
    data = case(
        patient={"prior_reaction_to_drug": True},
        observations=[obs(at, **HYPOTENSIVE)],
        infusion_end_minute=60,
    )
    assert run(data)["niaid_criteria"] == ([3] if exposed else [])


@pytest.mark.parametrize(
    ("end", "discontinued", "criteria"),
    [
        (None, None, [2]),
        (100, None, [2]),
        (None, 30, []),
        (100, 30, []),
        (20, 50, []),
        (None, 40, [2]),
    ],
)
def test_the_end_is_the_earlier_of_infusion_end_and_discontinue(
    run: Run, end: int | None, discontinued: int | None, criteria: list[int]
) -> None:
    course = [] if discontinued is None else [act(discontinued, "discontinue_infusion")]
    data = case(
        observations=[obs(400, spo2=90)],
        symptoms=[symptom("syncope", 400)],
        course=course,
        infusion_end_minute=end,
    )
    assert run(data)["niaid_criteria"] == criteria


def test_before_minute_zero_nothing_is_an_exposure(run: Run) -> None:
    data = case(patient={"prior_reaction_to_drug": True}, observations=[obs(-5, **HYPOTENSIVE)])
    out = run(data)
    assert out["niaid_criteria"] == [] and out["derived"]["hypotension"] is True
    assert run({**data, "at_minute": 0})["niaid_criteria"] == [3]


def test_criterion_findings_carry_evidence_and_source(run: Run) -> None:
    out = run(case(observations=[obs(10, spo2=90)], symptoms=[symptom("urticaria", 8)]))
    finding = next(f for f in out["findings"] if f["rule"] == "niaid_2006.criterion1")
    assert finding["pathway"] == "anaphylaxis" and finding["source"] == "NIAID/FAAN 2006"
    assert "urticaria since minute 8" in finding["evidence"]
    assert any("SpO2 90 at minute 10" in text for text in finding["evidence"])
