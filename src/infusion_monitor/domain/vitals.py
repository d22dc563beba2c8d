"""Vital signs: the record, the entry limits and plausibility tiers, temperature rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import Enum, StrEnum


class Acvpu(StrEnum):
    """Level of consciousness, best to worst (RCP NEWS2 2017: Alert, Confusion, Voice, Pain, U)."""

    A = "A"
    C = "C"
    V = "V"
    P = "P"
    U = "U"

    @property
    def rank(self) -> int:
        """0 for Alert up to 4 for Unresponsive; a higher rank is worse."""
        return list(Acvpu).index(self)


@dataclass(frozen=True, slots=True)
class VitalSigns:
    """One set of vital signs; a vital that was not measured is None.

    Temperature is in °C already rounded to 0.1 (see ``round_temperature``). ``acvpu`` and
    ``on_oxygen`` are None when they were not assessed: a bedside monitor knows neither.
    """

    hr: int | None
    sbp: int | None
    dbp: int | None
    rr: int | None
    spo2: int | None
    temp_c: float | None
    on_oxygen: bool | None = False
    acvpu: Acvpu | None = Acvpu.A

    @property
    def complete(self) -> bool:
        """True when every vital was measured."""
        return None not in (self.hr, self.sbp, self.dbp, self.rr, self.spo2, self.temp_c)

    @property
    def assessed(self) -> bool:
        """True when every vital was measured and consciousness and oxygen were assessed."""
        return self.complete and self.acvpu is not None and self.on_oxygen is not None


class Plausibility(Enum):
    """How the entry form treats a value (reference.md §7, project convention [D])."""

    REJECT = "reject"
    CONFIRM = "confirm"
    SILENT = "silent"


@dataclass(frozen=True, slots=True)
class VitalLimits:
    """Entry limits of one vital: outside ``reject_*`` impossible, inside ``silent_*`` usual."""

    label: str
    unit: str
    reject_below: Decimal
    reject_above: Decimal
    silent_low: Decimal
    silent_high: Decimal


# reference.md §7 "Plausible physiologic input ranges" [D anchored on MIMIC-III filters, S16].
VITAL_LIMITS: dict[str, VitalLimits] = {
    "hr": VitalLimits("heart rate", "/min", Decimal(20), Decimal(250), Decimal(40), Decimal(150)),
    "sbp": VitalLimits("systolic BP", "mmHg", Decimal(40), Decimal(300), Decimal(80), Decimal(200)),
    "dbp": VitalLimits(
        "diastolic BP", "mmHg", Decimal(15), Decimal(200), Decimal(40), Decimal(120)
    ),
    "rr": VitalLimits("respiratory rate", "/min", Decimal(4), Decimal(60), Decimal(8), Decimal(30)),
    "spo2": VitalLimits("SpO2", "%", Decimal(50), Decimal(100), Decimal(88), Decimal(100)),
    "temp_c": VitalLimits(
        "temperature", "°C", Decimal("30.0"), Decimal("44.0"), Decimal("35.0"), Decimal("40.0")
    ),
}
INTEGER_VITALS = ("hr", "sbp", "dbp", "rr", "spo2")
# reference.md §7: a °C entry of 86.0-111.2 is probably °F (Genes 2013, S17: the commonest error).
FAHRENHEIT_LOW = Decimal("86.0")
FAHRENHEIT_HIGH = Decimal("111.2")
# reference.md §7: a pulse pressure below 15 mmHg asks for confirmation.
MIN_USUAL_PULSE_PRESSURE_MMHG = 15
_TENTH = Decimal("0.1")


def round_temperature(value: Decimal | int | str) -> Decimal:
    """Round a temperature to 0.1 °C, halves away from zero (38.05 → 38.1), as rules-spec §2.

    The precision grows with the value, so an absurd entry such as 1e27 is rounded (and then
    refused by the limits) instead of overflowing the decimal context.
    """
    number = Decimal(value)
    if not number.is_finite():
        return number
    with localcontext() as context:
        context.prec = max(context.prec, number.adjusted() + 3)
        return number.quantize(_TENTH, rounding=ROUND_HALF_UP)


def looks_like_fahrenheit(temp_c: Decimal) -> bool:
    """True when a value entered as °C falls in the °F body-temperature range 86.0-111.2."""
    return FAHRENHEIT_LOW <= temp_c <= FAHRENHEIT_HIGH


def reject_reason(name: str, value: Decimal | int) -> str | None:
    """Why ``value`` is impossible for vital ``name`` (a key of VITAL_LIMITS), or None if it is not.

    A temperature in the °F range says so, because °F typed into a °C field is a known hazard.
    """
    limits = VITAL_LIMITS[name]
    if isinstance(value, Decimal) and value.is_nan():
        return f"{value} is not a number"
    if value < limits.reject_below:
        return f"{value} is below the minimum {limits.reject_below}"
    if value > limits.reject_above:
        reason = f"{value} is above the maximum {limits.reject_above}"
        if name == "temp_c" and looks_like_fahrenheit(Decimal(value)):
            reason += "; it looks like °F, enter the temperature in °C"
        return reason
    return None


def pressure_reason(sbp: int | None, dbp: int | None) -> str | None:
    """Why a diastolic value is impossible against the systolic one (DBP ≥ SBP), or None."""
    if sbp is not None and dbp is not None and dbp >= sbp:
        return f"{dbp} is not below the systolic {sbp}"
    return None


def plausibility(name: str, value: Decimal | int) -> Plausibility:
    """The entry tier of one value: reject, confirm with the nurse, or accept silently."""
    limits = VITAL_LIMITS[name]
    if reject_reason(name, value) is not None:
        return Plausibility.REJECT
    if limits.silent_low <= value <= limits.silent_high:
        return Plausibility.SILENT
    return Plausibility.CONFIRM


def pressure_plausibility(sbp: int, dbp: int) -> Plausibility:
    """The tier of a blood-pressure pair: DBP ≥ SBP rejects, a narrow pulse pressure confirms."""
    if pressure_reason(sbp, dbp) is not None:
        return Plausibility.REJECT
    if sbp - dbp < MIN_USUAL_PULSE_PRESSURE_MMHG:
        return Plausibility.CONFIRM
    return Plausibility.SILENT
