"""A bedside-monitor simulator: plays a scenario's vital signs as ORU^R01 over MLLP.

Each message waits for its ACK; a message not acknowledged (timeout, broken connection,
AE) is sent again with the same control ID until it is, so the gateway sees it at least once
and stores it exactly once. Shapes follow the clinical reference (NEWS2 bands, §7 ranges).
"""

from __future__ import annotations

import math
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.hl7.mllp import FrameDecoder, UnframeableError, frame

#: Seconds of scenario time between two messages (a monitor's NIBP cycle).
INTERVAL_S = 60
ACK_TIMEOUT_S = 10.0
#: How long to keep retrying one message before giving up.
GIVE_UP_AFTER_S = 60.0
_RETRY_PAUSE_S = 0.05


def _monitor_set(hr: int, sbp: int, dbp: int, rr: int, spo2: int, temp_c: float) -> VitalSigns:
    """One simulated set: a monitor knows neither consciousness nor oxygen (None)."""
    return VitalSigns(hr, sbp, dbp, rr, spo2, temp_c, on_oxygen=None, acvpu=None)


def _stable_pressures(minute: float) -> tuple[int, int, int]:
    """HR, SBP and DBP of the stable patient, wobbling a little."""
    return (
        round(72 + _wobble(minute, 3)),
        round(122 + _wobble(minute, 4, 11)),
        round(76 + _wobble(minute, 2, 11)),
    )


def _ramp(minute: float, start: float, length: float) -> float:
    """0 before ``start``, rising smoothly to 1 over ``length`` minutes."""
    x = min(max((minute - start) / length, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def _wobble(minute: float, amplitude: float, period: float = 7.0) -> float:
    return amplitude * math.sin(2 * math.pi * minute / period)


def _stable(minute: float) -> VitalSigns:
    hr, sbp, dbp = _stable_pressures(minute)
    return _monitor_set(hr=hr, sbp=sbp, dbp=dbp, rr=14, spo2=98, temp_c=36.8)


def _mild(minute: float) -> VitalSigns:
    """Flushing-type reaction from minute 15: HR and temperature up, recovering after 45 min."""
    r = _ramp(minute, 15, 10) * (1 - _ramp(minute, 45, 20))
    hr, sbp, dbp = _stable_pressures(minute)
    return _monitor_set(
        hr=round(hr + 30 * r),
        sbp=round(sbp + 12 * r),
        dbp=round(dbp + 6 * r),
        rr=round(14 + 6 * r),
        spo2=round(98 - 2 * r),
        temp_c=round(36.8 + 1.1 * r, 1),
    )


def _anaphylaxis(minute: float) -> VitalSigns:
    """Within minutes of minute 10: tachycardia, hypotension, tachypnoea, desaturation."""
    r = _ramp(minute, 10, 4)
    hr, sbp, dbp = _stable_pressures(minute)
    return _monitor_set(
        hr=round(hr + 60 * r),
        sbp=round(sbp - 48 * r),
        dbp=round(dbp - 32 * r),
        rr=round(14 + 14 * r),
        spo2=round(98 - 10 * r),
        temp_c=36.8,
    )


def _cytokine(minute: float) -> VitalSigns:
    """Cytokine release: fever from minute 60 rising over two hours, then tachycardia, low BP."""
    fever = _ramp(minute, 60, 120)
    late = _ramp(minute, 120, 60)
    hr, sbp, dbp = _stable_pressures(minute)
    return _monitor_set(
        hr=round(hr + 30 * fever + 16 * late),
        sbp=round(sbp - 27 * late),
        dbp=round(dbp - 18 * late),
        rr=round(14 + 8 * late),
        spo2=round(98 - 5 * late),
        temp_c=round(36.8 + 2.4 * fever, 1),
    )


SCENARIOS: dict[str, Callable[[float], VitalSigns]] = {
    "stable": _stable,
    "mild-reaction": _mild,
    "anaphylaxis": _anaphylaxis,
    "cytokine": _cytokine,
}


def _ts(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


def oru_message(vitals: VitalSigns, *, bed: str, control_id: str, taken_at: datetime) -> bytes:
    """An ORU^R01 carrying one set, coded in LOINC with UCUM units, as a spot-check monitor."""
    stamp = _ts(taken_at)
    rows = [
        ("8867-4", "Heart rate", vitals.hr, "/min"),
        ("8480-6", "Systolic blood pressure", vitals.sbp, "mm[Hg]"),
        ("8462-4", "Diastolic blood pressure", vitals.dbp, "mm[Hg]"),
        ("9279-1", "Respiratory rate", vitals.rr, "/min"),
        ("59408-5", "SpO2 by pulse oximetry", vitals.spo2, "%"),
        ("8310-5", "Body temperature", vitals.temp_c, "Cel"),
    ]
    segments = [
        f"MSH|^~\\&|SIMULATOR|UNIT|INFUSION-MONITOR|UNIT|{stamp}||ORU^R01^ORU_R01|{control_id}"
        "|P|2.5.1",
        "PID|1||",
        f"PV1|1|O|INFUSION^^{bed}",
        f"OBR|1|||85353-1^Vital signs panel^LN|||{stamp}",
    ]
    segments += [
        f"OBX|{n}|NM|{code}^{name}^LN||{value}|{unit}^^UCUM|||||F|||{stamp}"
        for n, (code, name, value, unit) in enumerate(rows, start=1)
    ]
    return ("\r".join(segments) + "\r").encode("ascii")


def ack_code(reply: bytes) -> tuple[str, str]:
    """MSA-1 and MSA-3 of an ACK."""
    for segment in reply.decode("utf-8", "replace").split("\r"):
        if segment.startswith("MSA"):
            fields = segment.split("|")
            return fields[1] if len(fields) > 1 else "", fields[3] if len(fields) > 3 else ""
    return "", "no MSA segment"


class MllpClient:
    """One MLLP connection that sends a message and waits for its ACK; reconnects on failure."""

    def __init__(self, host: str, port: int, timeout_s: float = ACK_TIMEOUT_S) -> None:
        self._address = (host, port)
        self._timeout = timeout_s
        self._socket: socket.socket | None = None
        self._decoder = FrameDecoder()

    def close(self) -> None:
        """Close the connection if open."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> MllpClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def exchange(self, message: bytes) -> bytes:
        """Send one message and return its ACK; OSError/TimeoutError when the link fails."""
        if self._socket is None:
            self._socket = socket.create_connection(self._address, timeout=self._timeout)
            self._decoder = FrameDecoder()
        try:
            self._socket.sendall(frame(message))
            while True:
                data = self._socket.recv(65536)
                if not data:
                    raise ConnectionResetError("the gateway closed the connection")
                replies = self._decoder.feed(data)
                if replies:
                    reply = replies[-1]
                    if isinstance(reply, bytes):
                        return reply
                    raise ConnectionResetError("oversized reply")
        except (OSError, UnframeableError) as exc:
            self.close()
            raise ConnectionResetError(str(exc)) from exc

    def send_reliably(self, message: bytes, give_up_after_s: float = GIVE_UP_AFTER_S) -> str:
        """Send until acknowledged with AA (resending after a failure or an AE); return 'AA'.

        An AR (the gateway will never accept it) is returned at once; giving up raises.
        """
        deadline = time.monotonic() + give_up_after_s
        while True:
            try:
                code, _text = ack_code(self.exchange(message))
                if code in ("AA", "AR"):
                    return code
            except ConnectionResetError:
                pass
            if time.monotonic() > deadline:
                raise UserError(f"No acknowledgement from {self._address} after retrying.")
            time.sleep(_RETRY_PAUSE_S)


def play(
    scenario: str,
    *,
    host: str,
    port: int,
    bed: str,
    count: int,
    speed: float,
    on_ack: Callable[[int, str, str], None] | None = None,
    run_id: str | None = None,
) -> int:
    """Send ``count`` sets of ``scenario``; return how many were acknowledged AA.

    ``speed`` is scenario seconds per real second (0: as fast as the ACKs come back).
    """
    shape = SCENARIOS[scenario]
    run = run_id or uuid.uuid4().hex[:8]
    accepted = 0
    with MllpClient(host, port) as client:
        for index, minute in _minutes(count):
            control_id = f"SIM-{run}-{index:06d}"
            message = oru_message(
                shape(minute), bed=bed, control_id=control_id, taken_at=datetime.now(UTC)
            )
            code = client.send_reliably(message)
            accepted += code == "AA"
            if on_ack is not None:
                on_ack(index, control_id, code)
            if speed > 0 and index + 1 < count:
                time.sleep(INTERVAL_S / speed)
    return accepted


def _minutes(count: int) -> Iterator[tuple[int, float]]:
    for index in range(count):
        yield index, index * INTERVAL_S / 60
