"""The observation codes and units the gateway understands, and where each code comes from.

LOINC (``LN``), from the project's clinical reference §8.1 and the LOINC vital-signs panel
85353-1: heart rate 8867-4, systolic / diastolic BP 8480-6 / 8462-4, respiratory rate 9279-1,
oxygen saturation 2708-6 and SpO2 by pulse oximetry 59408-5, body temperature 8310-5.

IEEE 11073-10101 nomenclature (``MDC``, the codes IHE PCD-01 monitors send; numeric code is
partition * 2**16 + term code, as published in NIST's Rosetta Terminology Mapping (RTMMS)):
MDC_ECG_HEART_RATE 147842, MDC_PULS_OXIM_PULS_RATE 149530, MDC_PULS_RATE_NON_INV 149546 (all
heart rate; the issue pairs 147842 with the pulse-oximeter name, it is the ECG rate),
MDC_PRESS_BLD_NONINV_SYS 150021, MDC_PRESS_BLD_NONINV_DIA 150022, MDC_RESP_RATE 151562,
MDC_PULS_OXIM_SAT_O2 150456, MDC_TEMP 150344 and MDC_TEMP_BODY 150364.

Units are UCUM (reference §8.3) or their MDC_DIM equivalents. Temperature must say its unit
(°C or °F, converted to °C here); the other vitals have one unit and may leave it out.
"""

from __future__ import annotations

from decimal import Decimal

#: Observation identifier (OBX-3 component 1 or, for MDC, the reference id) → vital name.
OBSERVATION_CODES: dict[str, str] = {
    # LOINC
    "8867-4": "hr",
    "8480-6": "sbp",
    "8462-4": "dbp",
    "9279-1": "rr",
    "2708-6": "spo2",
    "59408-5": "spo2",
    "8310-5": "temp",
    # IEEE 11073-10101, numeric and reference identifiers
    "147842": "hr",
    "MDC_ECG_HEART_RATE": "hr",
    "149530": "hr",
    "MDC_PULS_OXIM_PULS_RATE": "hr",
    "149546": "hr",
    "MDC_PULS_RATE_NON_INV": "hr",
    "150021": "sbp",
    "MDC_PRESS_BLD_NONINV_SYS": "sbp",
    "150022": "dbp",
    "MDC_PRESS_BLD_NONINV_DIA": "dbp",
    "151562": "rr",
    "MDC_RESP_RATE": "rr",
    "150456": "spo2",
    "MDC_PULS_OXIM_SAT_O2": "spo2",
    "150344": "temp",
    "MDC_TEMP": "temp",
    "150364": "temp",
    "MDC_TEMP_BODY": "temp",
}

_PER_MIN = {"/min", "{beats}/min", "{beat}/min", "{breaths}/min", "{breath}/min", "bpm"}
_PER_MIN |= {"MDC_DIM_BEAT_PER_MIN", "264864", "MDC_DIM_RESP_PER_MIN", "264928", "MDC_DIM_PER_MIN"}
_MMHG = {"mm[Hg]", "mmHg", "MDC_DIM_MMHG", "266016"}
_PERCENT = {"%", "MDC_DIM_PERCENT", "262688"}
CELSIUS = {"Cel", "degC", "MDC_DIM_DEGC", "268192"}
FAHRENHEIT = {"[degF]", "degF", "MDC_DIM_FAHR", "266560"}

#: Units each vital accepts ("" means the sender left the unit out).
UNITS: dict[str, set[str]] = {
    "hr": _PER_MIN | {""},
    "rr": _PER_MIN | {""},
    "sbp": _MMHG | {""},
    "dbp": _MMHG | {""},
    "spo2": _PERCENT | {""},
    "temp": CELSIUS | FAHRENHEIT,
}

LABELS = {
    "hr": "heart rate",
    "sbp": "systolic BP",
    "dbp": "diastolic BP",
    "rr": "respiratory rate",
    "spo2": "SpO2",
    "temp": "temperature",
}


def fahrenheit_to_celsius(value: Decimal) -> Decimal:
    """°F → °C (not yet rounded)."""
    return (value - 32) * 5 / 9
