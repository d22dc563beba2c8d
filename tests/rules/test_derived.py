"""Derived signs against the baseline: edges, children's thresholds, nulls, the fall percent."""

from __future__ import annotations

import pytest
from casebuilder import BASELINE, Run, case, obs

from infusion_monitor.rules.derived import sbp_fall_pct


def derived(run: Run, *observations: dict[str, object], **fields: object) -> dict[str, object]:
    out = run(case(observations=list(observations), **fields))
    return dict(out["derived"], brown=out["brown"])


@pytest.mark.parametrize(
    ("base", "cur", "hypotension"),
    [(200, 140, False), (200, 139, True), (130, 91, False), (130, 90, True)],
)
def test_fall_of_exactly_30_percent_is_not_hypotension(
    run: Run, base: int, cur: int, hypotension: bool
) -> None:
    baseline = {**BASELINE, "sbp": base}
    result = derived(run, obs(10, sbp=cur, dbp=50), baseline=baseline)
    assert result["hypotension"] is hypotension


@pytest.mark.parametrize(
    ("sbp", "hypotension", "brown"), [(90, False, "none"), (89, True, "severe")]
)
def test_adult_low_sbp_is_strictly_below_90(
    run: Run, sbp: int, hypotension: bool, brown: str
) -> None:
    result = derived(run, obs(10, sbp=sbp, dbp=50), baseline={**BASELINE, "sbp": 110})
    assert (result["hypotension"], result["brown"]) == (hypotension, brown)


@pytest.mark.parametrize(
    ("age", "threshold"),
    [(0, 70), (0.5, 70), (1, 72), (5, 80), (10, 90), (11, 90), (17, 90)],
)
def test_childrens_low_sbp_thresholds(run: Run, age: float, threshold: int) -> None:
    baseline = {**BASELINE, "sbp": threshold + 5, "dbp": 40}
    at = derived(run, obs(10, sbp=threshold, dbp=30), baseline=baseline, patient={"age_years": age})
    below = derived(
        run, obs(10, sbp=threshold - 1, dbp=30), baseline=baseline, patient={"age_years": age}
    )
    assert (at["hypotension"], at["brown"]) == (False, "none")
    assert (below["hypotension"], below["brown"]) == (True, "severe")


def test_a_chronically_low_sbp_is_neither_hypotension_nor_brown_severe(run: Run) -> None:
    result = derived(run, obs(10, sbp=86, dbp=50), baseline={**BASELINE, "sbp": 88})
    assert (result["hypotension"], result["brown"]) == (False, "none")


def test_a_fall_of_more_than_30_percent_from_a_low_baseline_is_brown_severe(run: Run) -> None:
    result = derived(run, obs(10, sbp=55, dbp=35), baseline={**BASELINE, "sbp": 85})
    assert (result["hypotension"], result["brown"]) == (True, "severe")


@pytest.mark.parametrize(
    ("base", "cur", "hypoxia", "desaturation"),
    [
        (98, 93, False, True),
        (98, 92, True, False),
        (92, 90, False, False),
        (92, 88, True, False),
        (92, 89, False, False),
        (98, 95, False, False),
        (99, 95, False, False),
        (98, 94, False, True),
        (97, 93, False, True),
    ],
)
def test_hypoxia_and_desaturation(
    run: Run, base: int, cur: int, hypoxia: bool, desaturation: bool
) -> None:
    result = derived(run, obs(10, spo2=cur), baseline={**BASELINE, "spo2": base})
    assert (result["hypoxia"], result["desaturation"]) == (hypoxia, desaturation)


@pytest.mark.parametrize(
    ("base", "cur", "fever"),
    [(37.0, 38.0, True), (37.0, 37.9, False), (38.0, 38.5, False), (37.0, 37.95, True)],
)
def test_fever(run: Run, base: float, cur: float, fever: bool) -> None:
    result = derived(run, obs(10, temp_c=cur), baseline={**BASELINE, "temp_c": base})
    assert result["fever"] is fever


@pytest.mark.parametrize(
    ("base", "cur", "reduced"), [("A", "C", True), ("C", "C", False), ("V", "C", False)]
)
def test_reduced_consciousness(run: Run, base: str, cur: str, reduced: bool) -> None:
    result = derived(run, obs(10, acvpu=cur), baseline={**BASELINE, "acvpu": base})
    assert result["reduced_consciousness"] is reduced


def test_null_vital_keeps_the_previous_state(run: Run) -> None:
    held = derived(
        run,
        obs(10, sbp=80, dbp=50, spo2=90, temp_c=38.5),
        obs(20, sbp=None, spo2=None, temp_c=None),
    )
    assert held["hypotension"] and held["hypoxia"] and held["fever"]
    assert held["sbp_fall_pct"] is None and held["brown"] == "severe"
    never = derived(run, obs(10, sbp=None, spo2=None, temp_c=None))
    assert not (never["hypotension"] or never["hypoxia"] or never["fever"])


def test_null_baseline_keeps_only_the_absolute_parts(run: Run) -> None:
    baseline = {**BASELINE, "sbp": None, "spo2": None, "temp_c": None}
    absolute = derived(run, obs(10, sbp=85, dbp=50, spo2=92, temp_c=38.0), baseline=baseline)
    assert absolute["hypotension"] and absolute["hypoxia"] and absolute["fever"]
    assert absolute["sbp_fall_pct"] is None
    relative = derived(run, obs(10, sbp=95, dbp=50, spo2=93), baseline=baseline)
    assert not (relative["hypotension"] or relative["desaturation"])


def test_no_observation_means_the_baseline_is_current(run: Run) -> None:
    result = derived(run)
    assert result["sbp_fall_pct"] == 0.0
    assert not any(result[key] for key in ("hypotension", "hypoxia", "fever"))


@pytest.mark.parametrize(
    ("cur", "base", "pct"),
    [
        (124, 128, 3.1),
        (150, 134, -11.9),
        (None, 120, None),
        (120, None, None),
        (199, 200, 0.5),
        (201, 200, -0.5),
        (1999, 2000, 0.1),
        (2001, 2000, -0.1),
        (120, 120, 0.0),
    ],
)
def test_sbp_fall_pct_rounds_halves_away_from_zero(
    cur: int | None, base: int | None, pct: float | None
) -> None:
    assert sbp_fall_pct(cur, base) == pct


def test_same_minute_later_observation_wins_everywhere(run: Run) -> None:
    out = run(case(observations=[obs(10, acvpu="V"), obs(10, acvpu="A")]))
    assert out["derived"]["reduced_consciousness"] is False
    assert out["ctcae"]["term"] == "none"
