"""The gateway over real sockets on both backends: ACK after commit, refusals, hostility."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from infusion_monitor.domain.vitals import VitalSigns as Signs
from infusion_monitor.integrations.hl7.gateway import GatewayServer
from infusion_monitor.integrations.hl7.mllp import END, START, FrameDecoder, frame
from infusion_monitor.integrations.hl7.simulator import MllpClient, ack_code, oru_message
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import GatewayMessage, VitalSigns

NORMAL = Signs(hr=72, sbp=122, dbp=76, rr=14, spo2=98, temp_c=36.8)
TIMEOUT_S = 10.0


def _message(control_id: str, bed: str = "Chair 1", vitals: Signs = NORMAL) -> bytes:
    return oru_message(
        vitals, bed=bed, control_id=control_id, taken_at=datetime.now(UTC) - timedelta(minutes=1)
    )


def _exchange(server: GatewayServer, message: bytes) -> tuple[str, str]:
    with MllpClient(*server.address) as client:
        return ack_code(client.exchange(message))


def _stored(database: Database) -> tuple[int, int]:
    with database.sessions() as db:
        return (
            db.scalar(select(func.count()).where(VitalSigns.source == "monitor")) or 0,
            db.scalar(select(func.count()).select_from(GatewayMessage)) or 0,
        )


def test_a_message_is_stored_as_monitor_vitals_with_its_measurement_time(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    taken = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    message = oru_message(NORMAL, bed="Chair 1", control_id="M1", taken_at=taken)
    assert _exchange(gateway_server, message) == ("AA", "stored")
    with unit_db.sessions() as db:
        row = db.scalars(select(VitalSigns).where(VitalSigns.source == "monitor")).one()
    assert (row.source, row.taken_at, row.heart_rate, row.temperature_c) == (
        "monitor",
        taken,
        72,
        36.8,
    )
    assert row.entered_at > row.taken_at


def test_a_repeated_control_id_is_acknowledged_but_stored_once(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    assert _exchange(gateway_server, _message("DUP-1")) == ("AA", "stored")
    assert _exchange(gateway_server, _message("DUP-1")) == ("AA", "already stored")
    assert _stored(unit_db) == (1, 1)


@pytest.mark.parametrize(
    ("message", "code", "reason"),
    [
        (_message("U1", bed="Chair 99"), "AE", "bed 'Chair 99 (INFUSION)' is not mapped"),
        (_message("R1", vitals=Signs(72, 122, 76, 14, 98, 98.6)), "AE", "temperature"),
        (_message("R2", vitals=Signs(310, 122, 76, 14, 98, 36.8)), "AE", "heart rate"),
        (_message("R3", vitals=Signs(72, 80, 90, 14, 98, 36.8)), "AE", "diastolic"),
        (b"MSH|^~\\&|X|Y|Z|W|20250101||ADT^A01|A1|P|2.5\r", "AR", "is not ORU R01"),
        (b"PID|1||x\r", "AR", "MSH"),
        (_message("B1").replace(b"|72|", b"|seventy|"), "AR", "not a number"),
        (_message("T1").replace(b"|P|2.5.1", b"|P|2.5.1").replace(b"+0000", b"+9x"), "AR", "time"),
    ],
    ids=[
        "unknown-bed",
        "fahrenheit-as-celsius",
        "hr-out-of-range",
        "dbp-over-sbp",
        "not-oru",
        "no-msh",
        "non-numeric",
        "bad-time",
    ],
)
def test_refusals_carry_their_reason_and_store_nothing(
    gateway_server: GatewayServer, unit_db: Database, message: bytes, code: str, reason: str
) -> None:
    got_code, text = _exchange(gateway_server, message)
    assert got_code == code
    assert reason in text
    assert _stored(unit_db) == (0, 0)


def test_a_one_megabyte_message_is_refused_and_the_connection_keeps_serving(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    huge = _message("BIG") + b"NTE|1||" + b"x" * (1024 * 1024) + b"\r"
    with MllpClient(*gateway_server.address) as client:
        code, text = ack_code(client.exchange(huge))
        assert code == "AR"
        assert "larger than" in text
        assert ack_code(client.exchange(_message("AFTER-BIG")))[0] == "AA"
    assert _stored(unit_db) == (1, 1)


def test_an_unframeable_stream_is_closed_and_others_are_still_served(
    gateway_server: GatewayServer,
) -> None:
    with socket.create_connection(gateway_server.address, timeout=TIMEOUT_S) as rogue:
        rogue.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert rogue.recv(100) == b""  # closed by the gateway, nothing answered
    assert _exchange(gateway_server, _message("OK-1"))[0] == "AA"


def test_a_truncated_frame_is_dropped_without_harm(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    with socket.create_connection(gateway_server.address, timeout=TIMEOUT_S) as cut:
        cut.sendall(START + _message("CUT")[:40])
    assert _exchange(gateway_server, _message("OK-2"))[0] == "AA"
    assert _stored(unit_db) == (1, 1)


def test_odd_encoding_characters_are_answered(gateway_server: GatewayServer) -> None:
    odd = _message("ODD-1").replace(b"^~\\&", b"#$%*").replace(b"PV1|1|O|INFUSION^^", b"PV1|1|O|")
    odd = odd.replace(b"\xff", b"") + "ÄÖ\u2028\x00".encode()
    code, _text = _exchange(gateway_server, odd)
    assert code in ("AA", "AE", "AR")
    latin = _message("ODD-2").replace(b"Chair 1", b"Chair \xe9")
    assert _exchange(gateway_server, latin)[0] == "AE"


_FIELD = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x0b\x1c"), max_size=30)
_SEGMENT = st.builds(
    lambda name, fields: name + "|" + "|".join(fields),
    st.sampled_from(["MSH", "PID", "PV1", "OBR", "OBX", "NTE", "ZZZ", "MS", ""]),
    st.lists(_FIELD, max_size=20),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(segments=st.lists(_SEGMENT, min_size=1, max_size=8), keep_header=st.booleans())
def test_hypothesis_segments_always_get_a_negative_ack_with_a_reason(
    gateway_server: GatewayServer, segments: list[str], keep_header: bool
) -> None:
    header = "MSH|^~\\&|FUZZ|UNIT|IM|UNIT|20250101||ORU^R01|FZ|P|2.5.1"
    text = "\r".join(([header] if keep_header else []) + segments)
    code, reason = _exchange(gateway_server, text.encode("utf-8"))
    assert code in ("AE", "AR")
    assert reason


def test_frames_split_anywhere_decode_the_same() -> None:
    stream = frame(b"one") + b"\r\n" + frame(b"two") + frame(b"three")
    for cut in range(len(stream)):
        decoder = FrameDecoder()
        assert decoder.feed(stream[:cut]) + decoder.feed(stream[cut:]) == [b"one", b"two", b"three"]
    assert END not in b"one"
