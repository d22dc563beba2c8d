"""Read an ORU^R01 message into a :class:`MonitorReading`; write the ACK that answers it.

Parsing uses python-hl7 (``hl7``), a maintained HL7 v2 parser; this module only maps fields.
Anything we cannot read is refused with a reason (``AR``) rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import hl7

from infusion_monitor.domain.monitor import MonitorReading
from infusion_monitor.integrations.hl7.codes import (
    FAHRENHEIT,
    LABELS,
    OBSERVATION_CODES,
    UNITS,
    fahrenheit_to_celsius,
)

#: Result statuses (OBX-11) whose value stands: final, corrected, preliminary, results entered.
USABLE_STATUSES = {"", "F", "C", "P", "R"}
#: MSA-3 (text message) is an ST of at most 80 characters.
MAX_ACK_TEXT = 80
ACCEPT, ERROR, REJECT = "AA", "AE", "AR"
_TS = re.compile(r"^(\d{12})(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$")
#: Where year, month, day, hour, minute and second sit in YYYYMMDDHHMMSS.
_TS_FIELDS = ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))
_INTEGER_VITALS = ("hr", "sbp", "dbp", "rr", "spo2")
#: Characters that would confuse a reply (HL7 separators, segment ends): never echoed back.
_SEPARATORS = "|^~\\&\r\n"
_SEPARATORS_TO_SPACE = str.maketrans(dict.fromkeys(_SEPARATORS, " "))
#: Non-integer values refused (reference §7); the others are rounded to whole numbers.
_MUST_BE_WHOLE = ("hr", "spo2")


class MessageRefused(Exception):
    """The message cannot be used; ``code`` (AR or AE) and ``reason`` go back in the ACK."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Header:
    """The MSH fields an ACK echoes back; every field is text ('' when absent)."""

    sending_application: str = ""
    sending_facility: str = ""
    control_id: str = ""
    version: str = "2.5.1"
    message_type: str = ""

    @property
    def sender(self) -> str:
        """Who sent it (MSH-3 and MSH-4), the scope in which control IDs are unique."""
        return f"{self.sending_application}^{self.sending_facility}"


def decode(raw: bytes) -> str:
    """Bytes to text: UTF-8 when valid, else ISO-8859-1 (never fails); newlines as \\r."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\r").replace("\n", "\r")


def read_header(text: str) -> Header:
    """The MSH fields, read by hand so that an ACK can be sent even for a broken message."""
    first = text.lstrip("\r").split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 8:
        raise MessageRefused(REJECT, "the message does not begin with an MSH segment")
    fields = first.split(first[3])
    component = first[4]

    def field(number: int) -> str:  # MSH-1 is the separator itself, so MSH-n is fields[n - 1]
        value = fields[number - 1] if len(fields) >= number else ""
        return "".join(ch for ch in value if ch.isprintable())[:199].strip()

    return Header(
        sending_application=_clean(field(3).split(component)[0]),
        sending_facility=_clean(field(4).split(component)[0]),
        control_id=_clean(field(10)),
        version=field(12).split(component)[0] or "2.5.1",
        message_type=field(9),
    )


def _clean(value: str, limit: int = 199) -> str:
    """Printable characters only, no separators a reply could be confused by, bounded length."""
    if value.isprintable():  # the usual case, without a look at each character
        kept = value.translate(_SEPARATORS_TO_SPACE)
    else:
        kept = "".join(ch if ch.isprintable() and ch not in _SEPARATORS else " " for ch in value)
    return kept.strip()[:limit]


def parse_oru(raw: bytes, *, local_zone: timezone | None = None) -> MonitorReading:
    """Read an ORU^R01 vital-signs message; raise :class:`MessageRefused` saying why not.

    Times without an offset are read in ``local_zone`` (default: this computer's zone).
    """
    text = decode(raw)
    header = read_header(text)
    type_parts = re.split(r"[^A-Za-z0-9_]", header.message_type)
    if type_parts[:2] != ["ORU", "R01"]:
        raise MessageRefused(
            REJECT, f"message type {_clean(header.message_type) or '(none)'} is not ORU^R01"
        )
    if not header.control_id:
        raise MessageRefused(REJECT, "MSH-10 (message control ID) is empty")
    try:
        message = hl7.parse(text)
    except Exception as exc:
        raise MessageRefused(REJECT, f"malformed message ({type(exc).__name__})") from exc
    return _reading(message, header, local_zone)


def _reading(message: Any, header: Header, zone: timezone | None) -> MonitorReading:
    bed = _first(message, "PV1", 3, 3) or _first(message, "PV1", 3, 1)
    patient_id = _first(message, "PID", 3, 1)
    if not bed and not patient_id:
        raise MessageRefused(REJECT, "no bed (PV1-3) or patient identifier (PID-3)")
    obr_time = _first(message, "OBR", 7, 1)
    values: dict[str, Decimal] = {}
    times: list[datetime] = []
    raw_temperature = None
    for obx in _segments(message, "OBX"):
        name = _observation(obx)
        if name is None or _component(obx, 11, 1).upper() not in USABLE_STATUSES:
            continue
        if name in values:
            raise MessageRefused(REJECT, f"{LABELS[name]} appears twice in one message")
        unit = _component(obx, 6, 1)
        if unit not in UNITS[name]:
            raise MessageRefused(
                ERROR, f"unit '{_clean(unit, 20)}' is not known for {LABELS[name]}"
            )
        value = _number(_component(obx, 5, 1), LABELS[name])
        if name == "temp":
            raw_temperature = f"{value} {'°F' if unit in FAHRENHEIT else '°C'}"
            values["temp_c"] = fahrenheit_to_celsius(value) if unit in FAHRENHEIT else value
        else:
            values[name] = _whole(name, value)
        stamp = _component(obx, 14, 1)
        if stamp:
            times.append(parse_ts(stamp, zone))
    if not values:
        raise MessageRefused(REJECT, "no supported vital sign in the OBX segments")
    if times:
        taken_at = max(times)
    elif obr_time:
        taken_at = parse_ts(obr_time, zone)
    else:
        raise MessageRefused(REJECT, "no measurement time (OBX-14 or OBR-7)")
    return MonitorReading(
        sender=header.sender,
        control_id=header.control_id,
        bed=bed or None,
        patient_id=patient_id or None,
        taken_at=taken_at,
        values=values,
        raw_temperature=raw_temperature,
    )


def _segments(message: Any, name: str) -> list[Any]:
    try:
        return list(message.segments(name))
    except KeyError:
        return []


def _component(segment: Any, field: int, component: int) -> str:
    """Segment field ``field``, component ``component`` (both 1-based), first repetition."""
    try:
        value = segment.extract_field(
            field_num=field, repeat_num=1, component_num=component, subcomponent_num=1
        )
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return ""
    return _clean(str(value))


def _first(message: Any, segment: str, field: int, component: int) -> str:
    try:
        return _clean(str(message.extract_field(segment, 1, field, 1, component)))
    except (IndexError, KeyError, TypeError, ValueError):
        return ""


def _observation(obx: Any) -> str | None:
    """The vital an OBX carries, from OBX-3's code or (MDC) its reference id, else None."""
    for part in (1, 2, 4, 5):
        code = _component(obx, 3, part)
        if code in OBSERVATION_CODES:
            return OBSERVATION_CODES[code]
    return None


def _number(text: str, label: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MessageRefused(
            REJECT, f"{label} value '{_clean(text, 20)}' is not a number"
        ) from None
    if not value.is_finite():
        raise MessageRefused(REJECT, f"{label} value is not a finite number")
    return value


def _whole(name: str, value: Decimal) -> Decimal:
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if name in _MUST_BE_WHOLE and whole != value:
        raise MessageRefused(ERROR, f"{LABELS[name]} {value} is not a whole number")
    return whole


def parse_ts(text: str, zone: timezone | None = None) -> datetime:
    """An HL7 TS/DTM (``YYYYMMDDHHMM[SS[.S+]][+/-ZZZZ]``) as an aware datetime."""
    match = _TS.match(text.strip())
    if match is None:
        raise MessageRefused(REJECT, f"time '{_clean(text, 30)}' is not YYYYMMDDHHMM[SS][+ZZZZ]")
    minutes, seconds, fraction, offset = match.groups()
    digits = minutes + (seconds or "00")
    try:
        when = datetime(*(int(digits[a:b]) for a, b in _TS_FIELDS))
    except ValueError:
        raise MessageRefused(REJECT, f"time '{_clean(text, 30)}' is not a valid date") from None
    if fraction:
        when = when.replace(microsecond=int(fraction.ljust(6, "0")))
    if offset:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        return when.replace(tzinfo=timezone(sign * delta))
    if zone is not None:
        return when.replace(tzinfo=zone)
    return when.astimezone()  # naive: this computer's local time zone


def ack(header: Header | None, code: str, text: str, now: datetime, control_id: str) -> bytes:
    """An ACK message (MSH + MSA) answering ``header`` with ``code`` and a short reason."""
    header = header or Header()
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")
    msh = "|".join(
        [
            "MSH",
            "^~\\&",
            "INFUSION-MONITOR",
            "UNIT",
            header.sending_application,
            header.sending_facility,
            stamp,
            "",
            "ACK^R01^ACK",
            control_id,
            "P",
            header.version[:10],
        ]
    )
    msa = "|".join(["MSA", code, header.control_id, _clean(text, MAX_ACK_TEXT)])
    return f"{msh}\r{msa}\r".encode()
