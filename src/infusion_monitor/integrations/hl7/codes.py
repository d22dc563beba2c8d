"""The observation codes and units the gateway understands, and where each code comes from.

Every vital the app stores, with each code monitors send for it. An MDC numeric code is
partition * 2**16 + term code (IEEE 11073-10101; partition 2 is SCADA, 4 the units). Sources,
each code checked against at least one of them (it is never guessed):

- [GE] GE Healthcare B40/B20 Patient Monitor HL7 Reference Manual 2062665-001 G (2014), PCD-01
  sample messages: ``147842^MDC_ECG_HEART_RATE``, ``149522^MDC_BLD_PULS_RATE_INV``,
  ``151562^MDC_RESP_RATE``, ``150456^MDC_PULS_OXIM_SAT_O2``, ``150344^MDC_TEMP`` and the units
  264864 MDC_DIM_BEAT_PER_MIN, 264928 MDC_DIM_RESP_PER_MIN, 266016 MDC_DIM_MMHG, 262688
  MDC_DIM_PERCENT, 268192 MDC_DIM_DEGC.
- [PH] Philips Efficia CM Series Data Export Guide, "MDIL Coding": partition-term in hex,
  ``0002-4182`` HR (= 147842), ``0002-480a`` Pulse (MDC_PULS_RATE, 149514), ``0002-4a05/06/07``
  NBP systolic / diastolic / mean (= 150021/150022/150023), ``0002-4bb8`` SpO2 (= 150456); units
  ``0004-0220`` % and ``0004-0aa0`` bpm. Philips IntelliVue Data Export nomenclature:
  NOM_AWAY_RESP_RATE 0x5012 (= 151570, MDC_AWAY_RESP_RATE).
- [PHD] IEEE 11073-20601 / -10408 term codes as published in open implementations of the
  personal-health-device standards: MDC_PULS_OXIM_PULS_RATE 18458 (149530),
  MDC_PULS_RATE_NON_INV 18474 (149546), MDC_PRESS_BLD_NONINV 18948-18951 (150020-150023),
  MDC_TEMP_BODY 19292 (150364), MDC_TEMP_TYMP 19320 (150392), MDC_TEMP_RECT 57348 (188420),
  MDC_TEMP_ORAL 57352 (188424), MDC_TEMP_EAR 57356 (188428), MDC_TEMP_AXILLA 57380 (188452),
  MDC_DIM_FAHR 4416 (266560); and the HL7 FHIR value set of IEEE 11073 codes (150364
  MDC_TEMP_BODY, 150368 MDC_TEMP_CORE, 150392 ... 188452 as above).
- [MR] Mindray eGateway / bedside monitor PCD-01 messages as published (``00A037`` EUI-64
  senders): ``149530^MDC_PULS_OXIM_PULS_RATE``, ``151578^MDC_TTHOR_RESP_RATE``,
  ``151658^MDC_PULS_OXIM_PLETH_RESP_RATE``, ``150301/150302/150303^MDC_PRESS_CUFF_SYS/DIA/MEAN``
  with their units.
- [LN] LOINC, from the project's clinical reference §8.1 and the FHIR vital-signs profiles:
  heart rate 8867-4, systolic / diastolic / mean blood pressure 8480-6 / 8462-4 / 8478-0
  (HL7 FHIR example "mbp" and vital-signs value sets), respiratory rate 9279-1, oxygen
  saturation 2708-6 and SpO2 by pulse oximetry 59408-5, body temperature 8310-5.

Not taken (a monitor may send them; they are named back as not used): invasive arterial
pressures (MDC_PRESS_BLD_ART_*), skin temperature (MDC_TEMP_SKIN, not a body temperature), and
codes whose number could not be checked against a source (e.g. the 151594 some documents give
for an airway respiration rate: [PHD] and [PH] give MDC_AWAY_RESP_RATE as 151570).

Units are UCUM (reference §8.3) or their MDC_DIM equivalents; °F is converted to °C. A value
without a unit is read in the vital's one unit (°C for temperature: a °F value left without its
unit is above the °C limits and refused, saying it looks like °F).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Code:
    """What one observation code measures: the app's vital and its source (what measured it)."""

    vital: str
    source: str


def _entries(number: int, name: str, vital: str, source: str) -> dict[str, Code]:
    return {str(number): Code(vital, source), name: Code(vital, source)}


#: Observation identifier (OBX-3 code, MDC reference id, or LOINC) → what it measures.
OBSERVATION_CODES: dict[str, Code] = {
    # Heart and pulse rate
    **_entries(147842, "MDC_ECG_HEART_RATE", "hr", "ecg"),  # [GE] [PH]
    **_entries(149530, "MDC_PULS_OXIM_PULS_RATE", "hr", "oximeter"),  # [PHD] [MR]
    **_entries(149546, "MDC_PULS_RATE_NON_INV", "hr", "cuff"),  # [PHD]
    **_entries(149522, "MDC_BLD_PULS_RATE_INV", "hr", "arterial"),  # [GE]
    **_entries(149514, "MDC_PULS_RATE", "hr", "unspecified"),  # [PH] 0002-480a
    "8867-4": Code("hr", "unspecified"),  # [LN]
    # Non-invasive blood pressure (NIBP) and the cuff codes
    **_entries(150021, "MDC_PRESS_BLD_NONINV_SYS", "sbp", "noninvasive"),  # [PHD] [PH]
    **_entries(150022, "MDC_PRESS_BLD_NONINV_DIA", "dbp", "noninvasive"),  # [PHD] [PH]
    **_entries(150023, "MDC_PRESS_BLD_NONINV_MEAN", "map", "noninvasive"),  # [PHD] [PH]
    **_entries(150301, "MDC_PRESS_CUFF_SYS", "sbp", "cuff"),  # [MR]
    **_entries(150302, "MDC_PRESS_CUFF_DIA", "dbp", "cuff"),  # [MR]
    **_entries(150303, "MDC_PRESS_CUFF_MEAN", "map", "cuff"),  # [MR]
    "8480-6": Code("sbp", "unspecified"),  # [LN]
    "8462-4": Code("dbp", "unspecified"),  # [LN]
    "8478-0": Code("map", "unspecified"),  # [LN]
    # Respiration rate
    **_entries(151562, "MDC_RESP_RATE", "rr", "unspecified"),  # [GE]
    **_entries(151570, "MDC_AWAY_RESP_RATE", "rr", "airway"),  # [PH] [PHD]
    **_entries(151578, "MDC_TTHOR_RESP_RATE", "rr", "impedance"),  # [MR]
    **_entries(151658, "MDC_PULS_OXIM_PLETH_RESP_RATE", "rr", "pleth"),  # [MR]
    "9279-1": Code("rr", "unspecified"),  # [LN]
    # Oxygen saturation
    **_entries(150456, "MDC_PULS_OXIM_SAT_O2", "spo2", "oximeter"),  # [GE] [PH]
    "59408-5": Code("spo2", "oximeter"),  # [LN]
    "2708-6": Code("spo2", "unspecified"),  # [LN]
    # Body temperature, by site
    **_entries(150344, "MDC_TEMP", "temp_c", "unspecified"),  # [GE]
    **_entries(150364, "MDC_TEMP_BODY", "temp_c", "body"),  # [PHD]
    **_entries(150368, "MDC_TEMP_CORE", "temp_c", "core"),  # [PHD]
    **_entries(150392, "MDC_TEMP_TYMP", "temp_c", "tympanic"),  # [PHD]
    **_entries(188420, "MDC_TEMP_RECT", "temp_c", "rectal"),  # [PHD]
    **_entries(188424, "MDC_TEMP_ORAL", "temp_c", "oral"),  # [PHD]
    **_entries(188428, "MDC_TEMP_EAR", "temp_c", "ear"),  # [PHD]
    **_entries(188452, "MDC_TEMP_AXILLA", "temp_c", "axillary"),  # [PHD]
    "8310-5": Code("temp_c", "body"),  # [LN]
}

#: Philips MDIL form of an MDC code: partition and term code in hex (``0002-4182``).
_MDIL = re.compile(r"^([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})$")


def mdc_number(code: str) -> str:
    """An MDIL ``PPPP-TTTT`` code as its MDC number (``0002-4182`` → ``147842``); else as is."""
    match = _MDIL.match(code)
    if match is None:
        return code
    return str(int(match.group(1), 16) * 65536 + int(match.group(2), 16))


_PER_MIN = {"/min", "1/min", "min-1", "bpm", "rpm", "{beats}/min", "{beat}/min"}
_PER_MIN |= {"{breaths}/min", "{breath}/min", "{resp}/min", "breaths/min", "beats/min"}
_PER_MIN |= {"mdc_dim_beat_per_min", "264864", "mdc_dim_resp_per_min", "264928"}
_PER_MIN |= {"mdc_dim_per_min", "mdc_dim_min-1"}
_MMHG = {"mm[hg]", "mmhg", "mm hg", "mdc_dim_mmhg", "266016"}
_PERCENT = {"%", "mdc_dim_percent", "262688", "percent"}
CELSIUS = {"cel", "degc", "°c", "c", "deg c", "mdc_dim_degc", "268192"}
FAHRENHEIT = {"[degf]", "degf", "°f", "f", "deg f", "mdc_dim_fahr", "266560"}

#: Units each vital accepts, lower case ("" means the sender left the unit out).
UNITS: dict[str, set[str]] = {
    "hr": _PER_MIN | {""},
    "rr": _PER_MIN | {""},
    "sbp": _MMHG | {""},
    "dbp": _MMHG | {""},
    "map": _MMHG | {""},
    "spo2": _PERCENT | {""},
    # A temperature without its unit is read as °C: a °F body temperature (86-111.2) is above
    # the °C limit and refused as looking like °F (domain.vitals.reject_reason).
    "temp_c": CELSIUS | FAHRENHEIT | {""},
}

LABELS = {
    "hr": "heart rate",
    "sbp": "systolic BP",
    "dbp": "diastolic BP",
    "map": "mean arterial pressure",
    "rr": "respiratory rate",
    "spo2": "SpO2",
    "temp_c": "temperature",
}


def fahrenheit_to_celsius(value: Decimal) -> Decimal:
    """°F → °C (not yet rounded)."""
    return (value - 32) * 5 / 9
