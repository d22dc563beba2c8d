"""NEWS2 chart: every band edge on both sides, both SpO2 scales, totals, bands, applicability."""

from __future__ import annotations

import pytest
from casebuilder import BASELINE, Run, case, obs

from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.rules import news2


@pytest.mark.parametrize(
    ("rr", "score"),
    [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)],
)
def test_respiration_rate_edges(rr: int, score: int) -> None:
    assert news2.score_rr(rr) == score


@pytest.mark.parametrize(("spo2", "score"), [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0)])
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale1_edges_ignore_oxygen(spo2: int, score: int, on_oxygen: bool) -> None:
    assert news2.score_spo2(spo2, scale=1, on_oxygen=on_oxygen) == score


@pytest.mark.parametrize(
    ("spo2", "on_air", "on_oxygen"),
    [
        (83, 3, 3),
        (84, 2, 2),
        (85, 2, 2),
        (86, 1, 1),
        (87, 1, 1),
        (88, 0, 0),
        (92, 0, 0),
        (93, 0, 1),
        (94, 0, 1),
        (95, 0, 2),
        (96, 0, 2),
        (97, 0, 3),
        (100, 0, 3),
    ],
)
def test_spo2_scale2_edges_on_air_and_oxygen(spo2: int, on_air: int, on_oxygen: int) -> None:
    assert news2.score_spo2(spo2, scale=2, on_oxygen=False) == on_air
    assert news2.score_spo2(spo2, scale=2, on_oxygen=True) == on_oxygen


@pytest.mark.parametrize(
    ("sbp", "score"),
    [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_edges(sbp: int, score: int) -> None:
    assert news2.score_sbp(sbp) == score


@pytest.mark.parametrize(
    ("hr", "score"),
    [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)],
)
def test_pulse_edges(hr: int, score: int) -> None:
    assert news2.score_hr(hr) == score


@pytest.mark.parametrize(
    ("temp", "score"),
    [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2)],
)
def test_temperature_edges(temp: float, score: int) -> None:
    assert news2.score_temp(temp) == score


def test_oxygen_and_consciousness() -> None:
    assert (news2.score_air_or_oxygen(False), news2.score_air_or_oxygen(True)) == (0, 2)
    assert [news2.score_acvpu(level) for level in Acvpu] == [0, 3, 3, 3, 3]


@pytest.mark.parametrize(
    ("score", "red", "band"),
    [
        (0, False, "zero"),
        (1, False, "low"),
        (4, False, "low"),
        (3, True, "low-medium"),
        (4, True, "low-medium"),
        (5, False, "medium"),
        (6, True, "medium"),
        (7, False, "high"),
    ],
)
def test_bands(score: int, red: bool, band: str) -> None:
    assert news2.band(score, red) == band


def test_scale2_temperature_rounding_and_totals_through_assess(run: Run) -> None:
    data = case(
        patient={"spo2_scale": 2},
        observations=[obs(5, spo2=95, on_oxygen=True, temp_c=38.05, hr=131)],
    )
    out = run(data)["news2"]
    assert out["parameters"] == {
        "rr": 0,
        "spo2": 2,
        "air_or_oxygen": 2,
        "sbp": 0,
        "hr": 3,
        "acvpu": 0,
        "temp": 1,
    }
    assert (out["score"], out["band"], out["red_parameter"], out["scale"]) == (8, "high", True, 2)


def test_null_vital_is_incomplete_and_scores_what_exists(run: Run) -> None:
    out = run(case(baseline={**BASELINE, "rr": None}, observations=[obs(5, rr=None, hr=135)]))
    n = out["news2"]
    assert n["complete"] is False
    assert n["parameters"]["rr"] is None and n["carried"] == []
    assert n["score"] == 3 and n["red_parameter"] is True


@pytest.mark.parametrize("patient", [{"age_years": 15.9}, {"pregnant": True}])
def test_not_applicable_under_16_or_pregnant(run: Run, patient: dict[str, object]) -> None:
    out = run(case(patient=patient, observations=[obs(5, sbp=80, dbp=50, rr=30)]))
    n = out["news2"]
    assert n == {
        "applicable": False,
        "complete": True,
        "score": None,
        "scale": 1,
        "red_parameter": None,
        "band": None,
        "baseline_score": None,
        "baseline_warning": None,
        "parameters": None,
        "carried": None,
    }
    assert not {"deterioration_emergency", "deterioration_urgent"} & set(out["pathways"])


def test_applicable_at_exactly_16(run: Run) -> None:
    assert run(case(patient={"age_years": 16}))["news2"]["applicable"] is True


@pytest.mark.parametrize(
    ("baseline_changes", "warning"),
    [({"hr": 131}, True), ({"rr": 21, "hr": 111, "spo2": 95}, True), ({"rr": 21, "hr": 95}, False)],
)
def test_baseline_warning(run: Run, baseline_changes: dict[str, int], warning: bool) -> None:
    out = run(case(baseline={**BASELINE, **baseline_changes}))
    assert out["news2"]["baseline_warning"] is warning
