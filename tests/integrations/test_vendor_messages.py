# ruff: noqa: E501 - the messages keep their segments on one line each, as monitors send them
"""Messages as real monitors send them, over real sockets, on SQLite and PostgreSQL.

Each message is written after a public format: the IHE PCD-01 containment tree and sample
messages of the GE B40/B20 HL7 Reference Manual, the Mindray eGateway's PCD-01 messages (cuff
codes, EUI-64 senders, times with fractions and an offset), the Philips MDIL codes of the
Efficia Data Export Guide, and plain LOINC/UCUM senders. Values are read back from the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.integrations.hl7.codes import OBSERVATION_CODES
from infusion_monitor.integrations.hl7.gateway import GatewayServer
from infusion_monitor.integrations.hl7.simulator import MllpClient, ack_code
from infusion_monitor.services.monitor.beds import BedMappingService
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import GatewayMessage, MonitorObservation, VitalSigns
from unitworld import add_running_session

ADMIN = Actor("ADM1", "Unit Admin", Role.ADMINISTRATOR)
#: A value of each vital in its unit, and how the table reads it back.
VALUES = {
    "hr": ("77", "264864^MDC_DIM_BEAT_PER_MIN^MDC", 77),
    "sbp": ("121", "266016^MDC_DIM_MMHG^MDC", 121),
    "dbp": ("79", "266016^MDC_DIM_MMHG^MDC", 79),
    "map": ("93", "266016^MDC_DIM_MMHG^MDC", 93),
    "rr": ("15", "264928^MDC_DIM_RESP_PER_MIN^MDC", 15),
    "spo2": ("96", "262688^MDC_DIM_PERCENT^MDC", 96),
    "temp_c": ("37.2", "268192^MDC_DIM_DEGC^MDC", 37.2),
}
COLUMNS = {
    "hr": "heart_rate",
    "sbp": "systolic_bp",
    "dbp": "diastolic_bp",
    "map": "mean_arterial_pressure",
    "rr": "respiratory_rate",
    "spo2": "spo2",
    "temp_c": "temperature_c",
}


def _ts(minutes_ago: float, offset: str = "+0000") -> str:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    if offset == "+0530":
        at += timedelta(hours=5, minutes=30)
    return at.strftime("%Y%m%d%H%M%S") + offset


def _exchange(server: GatewayServer, text: str, newline: str = "\r") -> tuple[str, str]:
    with MllpClient(*server.address) as client:
        return ack_code(client.exchange(newline.join(text.strip().splitlines()).encode()))


def _rows(database: Database) -> list[VitalSigns]:
    with database.sessions() as db:
        return list(
            db.scalars(select(VitalSigns).where(VitalSigns.source == "monitor").order_by("id"))
        )


def _observations(database: Database, vital_signs_id: int) -> list[tuple[str, str, float, bool]]:
    with database.sessions() as db:
        rows = db.execute(
            select(
                MonitorObservation.vital,
                MonitorObservation.code,
                MonitorObservation.value,
                MonitorObservation.used,
            )
            .where(MonitorObservation.vital_signs_id == vital_signs_id)
            .order_by(MonitorObservation.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.fixture
def beds(unit_db: Database) -> BedMappingService:
    return BedMappingService(unit_db.sessions, ("Chair 1", "Chair 2"))


def _ge_b40(control_id: str = "004097134535") -> str:
    """GE B40 style: containment-tree OBXs (X status, no value), MDC numeric codes, OBX-4
    dotted sub-IDs, the device's EUI-64 in OBX-18; ECG heart rate, invasive arterial pressure
    (not stored by this app), NIBP, oximeter pulse rate, two respiration rates, two temperatures.
    """
    t = _ts(1)
    return f"""
MSH|^~\\&|VSP^080019FFFE134535^EUI-64|GE Healthcare|||{t}||ORU^R01^ORU_R01|{control_id}|P|2.6|||NE|AL||UNICODE UTF-8|||PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO
PID|||HED12^^^PID^MR||LAZY^KITTY^^^^^L
PV1||R|SURGERY^^V2
OBR|1|080019FFFE134535{t[:14]}^VSP^080019FFFE134535^EUI-64|080019FFFE134535{t[:14]}^VSP^080019FFFE134535^EUI-64|182777000^monitoring of patient^SCT|||{t}
OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X
OBX|2||69798^MDC_DEV_ECG_VMD^MDC|1.5.0.0|||||||X
OBX|3|NM|147842^MDC_ECG_HEART_RATE^MDC|1.5.1.1|80|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||||||080019FFFE0B4020^B40_GE
OBX|4|NM|148066^MDC_ECG_V_P_C_RATE^MDC|1.5.1.2|0|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||||||080019FFFE0B4020^B40_GE
OBX|5||69854^MDC_DEV_METER_PRESS_BLD_VMD^MDC|1.13.0.0|||||||X
OBX|6|NM|150033^MDC_PRESS_BLD_ART_SYS^MDC|1.13.1.1|112|266016^MDC_DIM_MMHG^MDC|||||R
OBX|7|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.13.2.1|118|266016^MDC_DIM_MMHG^MDC|||||R
OBX|8|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.13.2.2|72|266016^MDC_DIM_MMHG^MDC|||||R
OBX|9|NM|150023^MDC_PRESS_BLD_NONINV_MEAN^MDC|1.13.2.3|87|266016^MDC_DIM_MMHG^MDC|||||R
OBX|10|NM|149546^MDC_PULS_RATE_NON_INV^MDC|1.13.2.4|79|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R
OBX|11|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.22.1.1|82|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R
OBX|12|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.22.1.2|97|262688^MDC_DIM_PERCENT^MDC|||||R
OBX|13|NM|151562^MDC_RESP_RATE^MDC|1.20.1.1|18|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R
OBX|14|NM|151562^MDC_RESP_RATE^MDC|1.6.1.1|30|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R
OBX|15|NM|150344^MDC_TEMP^MDC|1.26.1.1|37.1|268192^MDC_DIM_DEGC^MDC|||||R
OBX|16|NM|150344^MDC_TEMP^MDC|1.26.1.2|36.5|268192^MDC_DIM_DEGC^MDC|||||R
"""


def test_a_ge_style_message_keeps_both_heart_rates_and_uses_the_ecg(
    gateway_server: GatewayServer, unit_db: Database, beds: BedMappingService
) -> None:
    beds.add(ADMIN, "V2", "Chair 1", datetime.now(UTC), point_of_care="SURGERY")
    message = _ge_b40().replace("HED12^^^PID^MR", "MRN-1^^^PID^MR")
    code, text = _exchange(gateway_server, message)
    assert code == "AA", text
    assert "MDC_ECG_V_P_C_RATE not used" in text and "MDC_PRESS_BLD_ART_SYS not used" in text
    (row,) = _rows(unit_db)
    assert (row.heart_rate, row.systolic_bp, row.diastolic_bp, row.mean_arterial_pressure) == (
        80,
        118,
        72,
        87,
    )
    assert (row.spo2, row.respiratory_rate, row.temperature_c) == (97, 18, 37.1)
    assert row.heart_rate_source == "147842^MDC_ECG_HEART_RATE^MDC"
    kept = _observations(unit_db, row.id)
    hr = [(code, value, used) for vital, code, value, used in kept if vital == "hr"]
    assert hr == [
        ("147842^MDC_ECG_HEART_RATE^MDC", 80, True),
        ("149546^MDC_PULS_RATE_NON_INV^MDC", 79, False),
        ("149530^MDC_PULS_OXIM_PULS_RATE^MDC", 82, False),
    ]
    assert [v for vital, _c, v, _u in kept if vital == "temp_c"] == [37.1, 36.5]


def test_the_heart_rate_priority_is_configurable(unit_db: Database) -> None:
    from infusion_monitor.integrations.hl7.message import parse_oru

    message = _ge_b40().encode()
    (default,) = parse_oru(message).sets
    (cuff_first,) = parse_oru(message, heart_rate_sources=("cuff", "ecg")).sets
    assert (default.values["hr"], default.sources["hr"]) == (80, "147842^MDC_ECG_HEART_RATE^MDC")
    assert cuff_first.values["hr"] == 79
    without_ecg = "\r".join(
        line for line in _ge_b40().strip().splitlines() if "MDC_ECG_HEART_RATE" not in line
    )
    (oximeter,) = parse_oru(without_ecg.encode()).sets
    assert oximeter.sources["hr"] == "149530^MDC_PULS_OXIM_PULS_RATE^MDC"


def _mindray(control_id: str, *, bed: str = "ONC^^5^XYZ HOSPITAL", eui: str = "00A03700273EDE18"):
    """Mindray eGateway style: CRLF-free LF lines, +0530 times with fractions, cuff codes,
    oximeter and ECG rates, impedance and pleth respiration, vendor codes and -100 sentinels."""
    t = _ts(2, "+0530").replace("+", ".0000+")
    return f"""
MSH|^~\\&|MINDRAY_EGATEWAY^{eui}^EUI-64|MINDRAY|||{t}||ORU^R01^ORU_R01|{control_id}|P|2.6|||AL|NE||UNICODE UTF-8|||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO
PID|||^^^Hospital^PI||^^^^^^L
PV1||I|{bed}^^^^^00-0F-14-50-72-99
OBR|1|{control_id}^MINDRAY_EGATEWAY^{eui}^EUI-64||182777000^monitoring of patient^SCT|||{t}
OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|98|262688^MDC_DIM_PERCENT^MDC|||||R|||{t}||||000F14049B507238^BIG_DIPPER^000F14049B507238^EUI-64
OBX|2|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.3.1.149530|65|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||{t}
OBX|3|NM|151658^MDC_PULS_OXIM_PLETH_RESP_RATE^MDC|1.3.1.151658|19|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||{t}
OBX|4|NM|151578^MDC_TTHOR_RESP_RATE^MDC|1.7.1.151578|17|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||{t}
OBX|5|NM|108^MNDRY_ECG_PAUSE_RATE^99MNDRY|1.7.2.108|0|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||{t}
OBX|6|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.4.147842|66|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||{t}
OBX|7|NM|150301^MDC_PRESS_CUFF_SYS^MDC|1.1.9.150301|142|266016^MDC_DIM_MMHG^MDC|||||F|||{t}
OBX|8|NM|150303^MDC_PRESS_CUFF_MEAN^MDC|1.1.9.150303|114|266016^MDC_DIM_MMHG^MDC|||||F|||{t}
OBX|9|NM|150302^MDC_PRESS_CUFF_DIA^MDC|1.1.9.150302|100|266016^MDC_DIM_MMHG^MDC|||||F|||{t}
OBX|10|NM|150344^MDC_TEMP^MDC|1.2.1.150344|-100|268192^MDC_DIM_DEGC^MDC|||||F|||{t}
"""


def test_a_mindray_style_message_with_cuff_codes_and_a_bed_spelling_of_its_own(
    gateway_server: GatewayServer, unit_db: Database, beds: BedMappingService
) -> None:
    code, text = _exchange(gateway_server, _mindray("23545"), "\n")
    assert code == "AE" and "bed '5 (ONC, XYZ HOSPITAL)' is not mapped" in text
    beds.add(ADMIN, "5", "chair 1", datetime.now(UTC), facility="xyz  hospital")
    code, text = _exchange(gateway_server, _mindray("23545"), "\n")
    assert code == "AA", text
    assert "MNDRY_ECG_PAUSE_RATE not used" in text and "temperature not measured" in text
    (row,) = _rows(unit_db)
    assert (row.systolic_bp, row.diastolic_bp, row.mean_arterial_pressure) == (142, 100, 114)
    assert (row.heart_rate, row.spo2, row.respiratory_rate, row.temperature_c) == (66, 98, 19, None)
    assert row.taken_at.utcoffset() is not None
    assert abs(row.taken_at - (datetime.now(UTC) - timedelta(minutes=2))) < timedelta(seconds=5)


def test_two_monitors_of_one_model_with_the_same_counter_are_both_stored(
    gateway_server: GatewayServer, unit_db: Database, beds: BedMappingService
) -> None:
    add_running_session(unit_db.sessions, "Chair 2", "MRN-2")
    beds.add(ADMIN, "5", "Chair 1", datetime.now(UTC))
    beds.add(ADMIN, "6", "Chair 2", datetime.now(UTC))
    first = _mindray("100", bed="ONC^^5^XYZ HOSPITAL", eui="00A03700273EDE18")
    second = _mindray("100", bed="ONC^^6^XYZ HOSPITAL", eui="00A03700273EDE99")
    assert _exchange(gateway_server, first)[0] == "AA"
    assert _exchange(gateway_server, second)[0] == "AA"
    assert _exchange(gateway_server, second) == ("AA", "already stored")
    with unit_db.sessions() as db:
        senders = sorted(db.scalars(select(GatewayMessage.sender)))
    assert senders == [
        "MINDRAY_EGATEWAY^00A03700273EDE18^EUI-64|MINDRAY",
        "MINDRAY_EGATEWAY^00A03700273EDE99^EUI-64|MINDRAY",
    ]
    assert len(_rows(unit_db)) == 2


def test_a_philips_style_message_with_mdil_codes_and_an_unmeasured_value(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    t = _ts(1)
    message = f"""
MSH|^~\\&|MONITOR|ABC|||{t}||ORU^R01|MONITORABC000000002D|P|2.3
PID|||MRN-1
PV1||I|ONC^^Chair 1
OBR|||||||{t}
OBX||NM|0002-4182^HR^MDIL|||0004-0aa0^bpm^MDIL|||||X
OBX||NM|0002-480a^Pulse^MDIL||74|0004-0aa0^bpm^MDIL|||||F
OBX||NM|0002-4a05^NBPs^MDIL||131|0004-0f20^mmHg^MDIL|||||F
OBX||NM|0002-4a06^NBPd^MDIL||77|0004-0f20^mmHg^MDIL|||||F
OBX||NM|0002-4a07^NBPm^MDIL||95|0004-0f20^mmHg^MDIL|||||F
OBX||NM|0002-4bb8^SpO2^MDIL||95|0004-0220^%^MDIL|||||F
"""
    code, text = _exchange(gateway_server, message, "\r\n")
    assert code == "AA", text
    assert "heart rate not measured" in text
    (row,) = _rows(unit_db)
    assert (row.heart_rate, row.systolic_bp, row.diastolic_bp, row.mean_arterial_pressure) == (
        74,
        131,
        77,
        95,
    )
    assert row.heart_rate_source == "0002-480a^Pulse^MDIL"


def test_loinc_senders_with_sn_and_st_values_fahrenheit_and_pid3_repetitions(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    t = _ts(1)
    message = f"""
MSH|^~\\&|SPOTCHECK|UNIT|||{t}||ORU^R01^ORU_R01|LN-1|P^T|2.5.1
PID|1||V8812^^^HOSP^VN~MRN-1^^^HOSP^MR~ACC9^^^HOSP^AN
OBR|1|||85353-1^Vital signs panel^LN|||{t}
OBX|1|SN|8867-4^Heart rate^LN||=^88|/min^^UCUM|||||F
OBX|2|ST|59408-5^SpO2^LN||94|%^^UCUM|||||F
OBX|3|NM|8480-6^Systolic^LN||109|mm[Hg]^^UCUM|||||F
OBX|4|NM|8462-4^Diastolic^LN||61|mm[Hg]^^UCUM|||||F
OBX|5|NM|8478-0^Mean^LN||77|mm[Hg]^^UCUM|||||F
OBX|6|NM|9279-1^Resp^LN||20|/min^^UCUM|||||F
OBX|7|NM|8310-5^Body temp^LN||100.4|[degF]^^UCUM|||||F
"""
    code, text = _exchange(gateway_server, message, "\n")
    assert (code, text) == ("AA", "stored")
    (row,) = _rows(unit_db)
    assert (row.heart_rate, row.spo2, row.systolic_bp, row.mean_arterial_pressure) == (
        88,
        94,
        109,
        77,
    )
    assert row.temperature_c == 38.0
    assert ("temp_c", "8310-5^Body temp^LN", 38.0, True) in [
        (v, c, round(x, 1), u) for v, c, x, u in _observations(unit_db, row.id)
    ]


def test_a_visit_number_ahead_of_the_mrn_does_not_mismatch_the_patient(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    t = _ts(1)
    wrong_first = f"""
MSH|^~\\&|SPOTCHECK|UNIT|||{t}||ORU^R01|PID-2|P|2.5.1
PID|1||MRN-9^^^HOSP^VN~MRN-1^^^HOSP^MR
PV1||O|^^Chair 1
OBR|1|||||{t}|{t}
OBX|1|NM|8867-4^Heart rate^LN||70|/min|||||F
"""
    assert _exchange(gateway_server, wrong_first) == ("AA", "stored")
    other = wrong_first.replace("MRN-1^^^HOSP^MR", "MRN-7^^^HOSP^MR").replace("PID-2", "PID-3")
    code, text = _exchange(gateway_server, other)
    assert code == "AE" and "does not match the patient" in text


def test_each_value_takes_its_own_time_and_a_set_is_stored_per_time(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    cuff, now = _ts(4), _ts(1)
    message = f"""
MSH|^~\\&|MON^0011223344556677^EUI-64|UNIT|||{now}||ORU^R01|TIMES-1|P|2.6
PID|||MRN-1^^^^MR
PV1||O|INF^^Chair 1
OBR|1|||182777000^monitoring of patient^SCT|||{cuff}
OBX|1|NM|150301^MDC_PRESS_CUFF_SYS^MDC|1.1.9.1|128|266016^MDC_DIM_MMHG^MDC|||||F
OBX|2|NM|150302^MDC_PRESS_CUFF_DIA^MDC|1.1.9.2|82|266016^MDC_DIM_MMHG^MDC|||||F
OBX|3|NM|149546^MDC_PULS_RATE_NON_INV^MDC|1.1.9.3|90|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F
OBR|2|||182777000^monitoring of patient^SCT|||{now}
OBX|4|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.1.1|75|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F
OBX|5|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|99|262688^MDC_DIM_PERCENT^MDC|||||F|||{now}
"""
    assert _exchange(gateway_server, message) == ("AA", "stored 2 sets")
    first, second = _rows(unit_db)
    assert (first.systolic_bp, first.diastolic_bp, first.heart_rate) == (128, 82, 90)
    assert (second.heart_rate, second.spo2, second.systolic_bp) == (75, 99, None)
    assert second.taken_at - first.taken_at == timedelta(minutes=3)


def test_training_and_debugging_messages_are_answered_and_stored_nowhere(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    message = _ge_b40("TRAIN-1").replace("|P|2.6|", "|T|2.6|").replace("SURGERY^^V2", "^^Chair 1")
    code, text = _exchange(gateway_server, message)
    assert code == "AR" and "training message (MSH-11 T)" in text
    code, text = _exchange(gateway_server, message.replace("|T|2.6|", "|D|2.6|"))
    assert code == "AR" and "debugging" in text
    with unit_db.sessions() as db:
        assert db.scalar(select(func.count()).select_from(VitalSigns)) == 1  # the baseline
        assert db.scalar(select(func.count()).select_from(GatewayMessage)) == 0


def test_a_message_with_no_known_vital_left_is_refused_with_the_reason(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    t = _ts(1)
    message = f"""
MSH|^~\\&|MON|UNIT|||{t}||ORU^R01|NONE-1|P|2.6
PV1||O|^^Chair 1
OBR|1|||||{t}
OBX|1|NM|148066^MDC_ECG_V_P_C_RATE^MDC|1.5.1.2|0|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R
OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|-100|262688^MDC_DIM_PERCENT^MDC|||||R
"""
    code, text = _exchange(gateway_server, message)
    assert code == "AR"
    assert "no known vital sign" in text and "MDC_ECG_V_P_C_RATE" in text


def _single(code: str, vital: str, index: int) -> str:
    value, unit, _stored = VALUES[vital]
    t = _ts(50 - index * 0.5)
    return f"""
MSH|^~\\&|TABLES|UNIT|||{t}||ORU^R01|CODE-{index}|P|2.6
PID|||MRN-1^^^^MR
PV1||O|^^Chair 1
OBR|1|||||{t}
OBX|1|NM|{code}^^{"LN" if "-" in code else "MDC"}|1.1.1.1|{value}|{unit}|||||F|||{t}
"""


@pytest.fixture
def every_code() -> Iterator[list[tuple[str, str]]]:
    yield [(code, entry.vital) for code, entry in OBSERVATION_CODES.items()]


def test_every_code_in_the_tables_is_stored_and_read_back(
    gateway_server: GatewayServer, unit_db: Database, every_code: list[tuple[str, str]]
) -> None:
    """Nothing acknowledged AA loses a known value: each code alone in its message, each value
    in its column and, with its code, among the set's observations."""
    with MllpClient(*gateway_server.address) as client:
        for index, (code, vital) in enumerate(every_code):
            message = "\r".join(_single(code, vital, index).strip().splitlines()).encode()
            assert ack_code(client.exchange(message)) == ("AA", "stored"), code
    rows = _rows(unit_db)
    assert len(rows) == len(every_code)
    for row, (code, vital) in zip(rows, every_code, strict=True):
        expected = VALUES[vital][2]
        assert getattr(row, COLUMNS[vital]) == expected, code
        (kept,) = _observations(unit_db, row.id)
        assert (kept[0], kept[1].split("^")[0], Decimal(str(kept[2]))) == (
            vital,
            code,
            Decimal(str(expected)),
        )


def test_a_byte_order_mark_a_facility_with_subcomponents_and_a_unitless_temperature() -> None:
    from infusion_monitor.integrations.hl7.message import parse_oru

    t = _ts(1)
    message = f"""\ufeff
MSH|^~\\&|MON|UNIT|||{t}||ORU^R01|BOM-1|P|2.6
PV1||O|ONC^^5^XYZ HOSPITAL&1.2.3.4&ISO
OBR|1||||||{t}
OBX|1|NM|150364^MDC_TEMP_BODY^MDC|1.2.1.1|37.4||||||F
"""
    reading = parse_oru("\r".join(message.splitlines()).encode())
    assert (reading.bed, reading.point_of_care, reading.facility) == ("5", "ONC", "XYZ HOSPITAL")
    (one,) = reading.sets
    assert one.values == {"temp_c": Decimal("37.4")}
