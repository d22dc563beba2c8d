"""Vital-sign entry limits, plausibility tiers, °F detection and temperature rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from infusion_monitor.domain.vitals import (
    Acvpu,
    Plausibility,
    VitalSigns,
    looks_like_fahrenheit,
    plausibility,
    pressure_plausibility,
    pressure_reason,
    reject_reason,
    round_temperature,
)

R, C, S = Plausibility.REJECT, Plausibility.CONFIRM, Plausibility.SILENT


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("hr", [(19, R), (20, C), (39, C), (40, S), (150, S), (151, C), (250, C), (251, R)]),
        ("sbp", [(39, R), (40, C), (79, C), (80, S), (200, S), (201, C), (300, C), (301, R)]),
        ("dbp", [(14, R), (15, C), (39, C), (40, S), (120, S), (121, C), (200, C), (201, R)]),
        ("rr", [(3, R), (4, C), (7, C), (8, S), (30, S), (31, C), (60, C), (61, R)]),
        ("spo2", [(49, R), (50, C), (87, C), (88, S), (100, S), (101, R)]),
        (
            "temp_c",
            [
                (Decimal("29.9"), R),
                (Decimal("30.0"), C),
                (Decimal("34.9"), C),
                (Decimal("35.0"), S),
                (Decimal("40.0"), S),
                (Decimal("40.1"), C),
                (Decimal("44.0"), C),
                (Decimal("44.1"), R),
            ],
        ),
    ],
)
def test_tiers_of_reference_section_7(
    name: str, values: list[tuple[Decimal | int, Plausibility]]
) -> None:
    assert [plausibility(name, value) for value, _ in values] == [tier for _, tier in values]


def test_reject_messages() -> None:
    assert reject_reason("spo2", 101) == "101 is above the maximum 100"
    assert reject_reason("hr", 10) == "10 is below the minimum 20"
    assert reject_reason("hr", 100) is None
    assert reject_reason("temp_c", Decimal("101.3")) == (
        "101.3 is above the maximum 44.0; it looks like °F, enter the temperature in °C"
    )
    assert reject_reason("temp_c", Decimal("120.0")) == "120.0 is above the maximum 44.0"


def test_fahrenheit_range() -> None:
    assert [looks_like_fahrenheit(Decimal(v)) for v in ("85.9", "86.0", "111.2", "111.3")] == [
        False,
        True,
        True,
        False,
    ]


def test_blood_pressure_pair() -> None:
    assert pressure_reason(90, 90) == "90 is not below the systolic 90"
    assert pressure_reason(None, 90) is None and pressure_reason(120, 80) is None
    assert pressure_plausibility(120, 121) is R
    assert pressure_plausibility(100, 86) is C
    assert pressure_plausibility(100, 85) is S


@pytest.mark.parametrize(
    ("raw", "rounded"),
    [("38.05", "38.1"), ("38.04", "38.0"), ("36.95", "37.0"), ("-0.05", "-0.1"), (37, "37.0")],
)
def test_temperature_rounds_halves_away_from_zero(raw: str | int, rounded: str) -> None:
    assert round_temperature(raw) == Decimal(rounded)


def test_an_absurd_temperature_is_rounded_and_refused_not_crashed() -> None:
    huge = round_temperature(Decimal("1e27"))
    assert huge == Decimal("1e27")
    assert reject_reason("temp_c", huge) is not None


def test_acvpu_order_and_completeness() -> None:
    assert [level.rank for level in Acvpu] == [0, 1, 2, 3, 4]
    assert VitalSigns(80, 120, 70, 16, 98, 36.8).complete
    assert not VitalSigns(80, 120, 70, 16, None, 36.8).complete
