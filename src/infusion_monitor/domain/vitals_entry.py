"""Typed vital-sign entry: parse the form's text into a draft, or say per field what is wrong.

Pure and Qt-free, so it can be fuzzed; the form only shows its verdicts (reference.md §7):

- an impossible value is refused with the allowed range, beside its field;
- an implausible but possible value needs one confirmation of that exact text;
- a temperature that looks like the other unit is refused with an offer to convert it
  (never converted silently);
- DBP ≥ SBP is refused; a narrow pulse pressure needs a confirmation;
- a partial set needs a reason; a time taken must fall within the session and not in the future.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from infusion_monitor.domain.schedule import MissedCheckNote
from infusion_monitor.domain.vitals import (
    VITAL_LIMITS,
    Acvpu,
    Plausibility,
    VitalSigns,
    plausibility,
    pressure_plausibility,
    pressure_reason,
    reject_reason,
    round_temperature,
)

# reference.md §7: °F limits and tiers, and the °C range that suggests the wrong unit.
F_REJECT_BELOW = Decimal("86.0")
F_REJECT_ABOVE = Decimal("111.2")
F_SILENT_LOW = Decimal("95.0")
F_SILENT_HIGH = Decimal("104.0")
C_IN_F_FIELD_LOW = Decimal("30.0")
C_IN_F_FIELD_HIGH = Decimal("44.0")
# reference.md §7: O2 flow above 15 L/min is refused; above 6 (nasal cannula) is confirmed.
O2_FLOW_MAX_L_MIN = Decimal(15)
O2_FLOW_NASAL_MAX_L_MIN = Decimal(6)
PAIN_MAX = 10
MAX_ENTRY_CHARS = 20


class EntryField(enum.StrEnum):
    """The form's fields (the values are the keys used in verdicts and confirmations)."""

    HR = "hr"
    BP = "bp"
    RR = "rr"
    SPO2 = "spo2"
    O2_FLOW = "o2_flow"
    TEMP = "temp"
    PAIN = "pain"
    TAKEN_AT = "taken_at"
    REASON = "reason"


class TempUnit(enum.StrEnum):
    """The unit the temperature is typed in; the nurse switches it explicitly."""

    C = "°C"
    F = "°F"


class Source(enum.StrEnum):
    """Where a set came from (the stored value). Typed values never pass as measured."""

    TYPED = "typed"
    MONITOR = "monitor"


class IssueKind(enum.Enum):
    """What the form must do about a field."""

    ERROR = "error"
    """Refused: the value must change."""
    CONFIRM = "confirm"
    """Unusual: save only once the nurse confirmed this exact text."""


@dataclass(frozen=True)
class FieldIssue:
    """A message to show beside ``field``; ``convert_to`` is a text the form may offer instead."""

    field: EntryField
    kind: IssueKind
    message: str
    convert_to: str | None = None
    convert_unit: TempUnit | None = None


@dataclass(frozen=True)
class VitalsText:
    """Exactly what the nurse typed or chose, field by field."""

    hr: str = ""
    bp: str = ""
    rr: str = ""
    spo2: str = ""
    on_oxygen: bool = False
    o2_flow: str = ""
    temp: str = ""
    temp_unit: TempUnit = TempUnit.C
    acvpu: Acvpu = Acvpu.A
    pain: str = ""
    taken_at: str = ""
    """Empty for "now"; ``HH:MM`` (local time today) or ``-N`` (N minutes ago)."""
    source: Source = Source.TYPED
    reason: MissedCheckNote | None = None
    """Why the set is partial (or late); required for a partial set."""
    confirmed: Mapping[EntryField, str] = field(default_factory=dict)
    """The text of each field the nurse confirmed; a confirmation holds for that text only."""

    def text_of(self, name: EntryField) -> str:
        """The raw text of a text field (empty for the reason)."""
        return "" if name is EntryField.REASON else str(getattr(self, name.value))


@dataclass(frozen=True)
class VitalsDraft:
    """A validated set ready to save: normalised values (°C to 0.1) and the raw temperature."""

    signs: VitalSigns
    """The values as the rules take them (°C rounded to 0.1); a monitor's set has no ACVPU or
    oxygen (None)."""
    o2_flow_l_min: float | None
    temp_raw: str | None
    """The temperature as typed, with its unit (``"101.3 °F"``), for the record."""
    pain: int | None
    taken_at: datetime | None
    """When measured (aware); None means "now" at the moment of saving."""
    source: Source = Source.TYPED
    reason: MissedCheckNote | None = None
    mean_bp: int | None = None
    """Mean arterial pressure, when a monitor sent it (never typed)."""
    hr_source: str | None = None
    """The monitor's code the heart rate came from (``147842^MDC_ECG_HEART_RATE^MDC``)."""

    @property
    def missing(self) -> tuple[str, ...]:
        """Labels of the NEWS2 vitals not measured."""
        return tuple(
            label
            for label, value in (
                ("heart rate", self.signs.hr),
                ("blood pressure", self.signs.sbp),
                ("respiratory rate", self.signs.rr),
                ("SpO2", self.signs.spo2),
                ("temperature", self.signs.temp_c),
            )
            if value is None
        )

    @property
    def complete(self) -> bool:
        """Whether every NEWS2 vital was measured."""
        return not self.missing


@dataclass(frozen=True)
class EntryVerdict:
    """The issues to show, and the draft when nothing stops the save."""

    issues: tuple[FieldIssue, ...]
    draft: VitalsDraft | None

    def for_field(self, name: EntryField) -> FieldIssue | None:
        """The first issue of ``name`` (errors before confirmations), or None."""
        found = [issue for issue in self.issues if issue.field is name]
        found.sort(key=lambda issue: issue.kind is not IssueKind.ERROR)
        return found[0] if found else None


class _Refused(Exception):
    """A field's text cannot be read as a value; the message says how to write it."""


def _clean(text: str) -> str:
    return text.strip().replace(",", ".")


def _number(text: str) -> Decimal:
    cleaned = _clean(text)
    if len(cleaned) > MAX_ENTRY_CHARS or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise _Refused(f"{text.strip()!r} is not a number")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise _Refused(f"{text.strip()!r} is not a number") from None


def _whole(text: str) -> int:
    value = _number(text)
    if value != value.to_integral_value():
        raise _Refused(f"{text.strip()} is not a whole number")
    return int(value)


def _range(name: str) -> str:
    limits = VITAL_LIMITS[name]
    return f"allowed {limits.reject_below} to {limits.reject_above} {limits.unit}"


def _usual(name: str) -> str:
    limits = VITAL_LIMITS[name]
    return f"usual {limits.silent_low} to {limits.silent_high} {limits.unit}"


class _Checker:
    """Collects issues while reading the fields one by one."""

    def __init__(self, text: VitalsText) -> None:
        self.text = text
        self.issues: list[FieldIssue] = []

    def error(
        self,
        where: EntryField,
        message: str,
        convert_to: str | None = None,
        convert_unit: TempUnit | None = None,
    ) -> None:
        self.issues.append(FieldIssue(where, IssueKind.ERROR, message, convert_to, convert_unit))

    def confirm(self, where: EntryField, message: str) -> None:
        typed = self.text.text_of(where).strip()
        if self.text.confirmed.get(where, "").strip() != typed or not typed:
            self.issues.append(
                FieldIssue(where, IssueKind.CONFIRM, f"{message}. Press Enter again to confirm.")
            )

    def vital(self, where: EntryField, name: str, raw: str) -> int | None:
        """An integer vital (HR, RR, SpO2): refused outside the limits, confirmed if unusual."""
        if not raw.strip():
            return None
        try:
            value = _whole(raw)
        except _Refused as exc:
            self.error(where, f"{exc}; {_range(name)}")
            return None
        reason = reject_reason(name, value)
        if reason is not None:
            self.error(where, f"{reason}; {_range(name)}")
            return None
        if plausibility(name, value) is Plausibility.CONFIRM:
            self.confirm(where, f"{value} is unusual ({_usual(name)})")
        return value

    def pressure(self) -> tuple[int | None, int | None]:
        raw = self.text.bp.strip()
        if not raw:
            return None, None
        parts = re.split(r"\s*[/ ]\s*", raw)
        if len(parts) != 2 or not all(parts):
            self.error(EntryField.BP, "Type systolic/diastolic, e.g. 120/80")
            return None, None
        try:
            sbp, dbp = _whole(parts[0]), _whole(parts[1])
        except _Refused as exc:
            self.error(EntryField.BP, f"{exc}; type systolic/diastolic, e.g. 120/80")
            return None, None
        problems = []
        for name, value in (("sbp", sbp), ("dbp", dbp)):
            reason = reject_reason(name, value)
            if reason is not None:
                label = VITAL_LIMITS[name].label.capitalize()
                problems.append(f"{label} {reason}; {_range(name)}")
        if not problems and pressure_reason(sbp, dbp) is not None:
            problems.append(f"Diastolic {pressure_reason(sbp, dbp)}: check the order")
        if problems:
            self.error(EntryField.BP, "; ".join(problems))
            return None, None
        unusual = [
            f"{VITAL_LIMITS[name].label} {value} is unusual ({_usual(name)})"
            for name, value in (("sbp", sbp), ("dbp", dbp))
            if plausibility(name, value) is Plausibility.CONFIRM
        ]
        if pressure_plausibility(sbp, dbp) is Plausibility.CONFIRM:
            unusual.append(f"pulse pressure {sbp - dbp} mmHg is narrow (usual ≥ 15)")
        if unusual:
            text = "; ".join(unusual)
            self.confirm(EntryField.BP, text[:1].upper() + text[1:])
        return sbp, dbp

    def temperature(self) -> tuple[Decimal | None, str | None]:
        raw = self.text.temp.strip()
        if not raw:
            return None, None
        unit = self.text.temp_unit
        try:
            value = _number(raw)
        except _Refused as exc:
            self.error(EntryField.TEMP, f"{exc}; type e.g. 37.8")
            return None, None
        typed = f"{_clean(raw)} {unit}"
        if unit is TempUnit.C:
            if reject_reason("temp_c", value) is not None:
                self._temp_c_refused(value)
                return None, None
            celsius = round_temperature(value)
            if plausibility("temp_c", celsius) is Plausibility.CONFIRM:
                self.confirm(EntryField.TEMP, f"{celsius} °C is unusual ({_usual('temp_c')})")
            return celsius, typed
        if value < F_REJECT_BELOW or value > F_REJECT_ABOVE:
            message = f"{value} °F is outside {F_REJECT_BELOW} to {F_REJECT_ABOVE} °F"
            if C_IN_F_FIELD_LOW <= value <= C_IN_F_FIELD_HIGH:
                self.error(
                    EntryField.TEMP,
                    f"{message}; it looks like °C. Switch the unit to °C?",
                    convert_to=_clean(raw),
                    convert_unit=TempUnit.C,
                )
            else:
                self.error(EntryField.TEMP, message)
            return None, None
        celsius = round_temperature((value - 32) * 5 / 9)
        if not F_SILENT_LOW <= value <= F_SILENT_HIGH:
            self.confirm(
                EntryField.TEMP,
                f"{value} °F ({celsius} °C) is unusual "
                f"(usual {F_SILENT_LOW} to {F_SILENT_HIGH} °F)",
            )
        return celsius, typed

    def _temp_c_refused(self, value: Decimal) -> None:
        message = f"{value} °C is outside {_range('temp_c').removeprefix('allowed ')}"
        if F_REJECT_BELOW <= value <= F_REJECT_ABOVE:
            celsius = round_temperature((value - 32) * 5 / 9)
            self.error(
                EntryField.TEMP,
                f"{message}. {value} looks like °F = {celsius} °C. Use {celsius} °C?",
                convert_to=str(celsius),
                convert_unit=TempUnit.C,
            )
        else:
            self.error(EntryField.TEMP, message)

    def oxygen(self) -> float | None:
        raw = self.text.o2_flow.strip()
        if not raw:
            return None
        if not self.text.on_oxygen:
            self.error(EntryField.O2_FLOW, "A flow is given but 'on oxygen' is not ticked")
            return None
        try:
            flow = _number(raw)
        except _Refused as exc:
            self.error(EntryField.O2_FLOW, f"{exc}; allowed 0 to {O2_FLOW_MAX_L_MIN} L/min")
            return None
        if flow < 0 or flow > O2_FLOW_MAX_L_MIN:
            self.error(
                EntryField.O2_FLOW, f"{flow} L/min is outside the allowed 0 to {O2_FLOW_MAX_L_MIN}"
            )
            return None
        if flow > O2_FLOW_NASAL_MAX_L_MIN:
            self.confirm(
                EntryField.O2_FLOW,
                f"{flow} L/min is above {O2_FLOW_NASAL_MAX_L_MIN} (nasal cannula maximum); a mask?",
            )
        return float(flow)

    def pain(self) -> int | None:
        raw = self.text.pain.strip()
        if not raw:
            return None
        try:
            value = _whole(raw)
        except _Refused as exc:
            self.error(EntryField.PAIN, f"{exc}; allowed 0 to {PAIN_MAX}")
            return None
        if not 0 <= value <= PAIN_MAX:
            self.error(EntryField.PAIN, f"{value} is outside the pain scale 0 to {PAIN_MAX}")
            return None
        return value

    def taken_at(
        self, now: datetime, session_start: datetime | None, local: tzinfo | None
    ) -> datetime | None:
        raw = self.text.taken_at.strip().lower()
        if raw in ("", "now"):
            return None
        when: datetime | None = None
        ago = re.fullmatch(r"-\s*(\d{1,4})", raw)
        clock = re.fullmatch(r"(\d{1,2})[:.h]?(\d{2})", raw)
        if ago:
            when = now - timedelta(minutes=int(ago.group(1)))
        elif clock and int(clock.group(1)) < 24 and int(clock.group(2)) < 60:
            here = now.astimezone(local)
            hour, minute = int(clock.group(1)), int(clock.group(2))
            when = datetime.combine(here.date(), time(hour, minute), here.tzinfo)
            if when > now and when - now > timedelta(hours=12):
                when -= timedelta(days=1)
        if when is None:
            self.error(EntryField.TAKEN_AT, "Type a time as HH:MM, or -10 for 10 minutes ago")
            return None
        if when > now:
            self.error(EntryField.TAKEN_AT, "The time taken is in the future")
            return None
        if session_start is not None and when < session_start:
            shown = session_start.astimezone(local).strftime("%H:%M")
            self.error(EntryField.TAKEN_AT, f"The time taken is before the session began ({shown})")
            return None
        return when


def check_entry(
    text: VitalsText,
    *,
    now: datetime,
    session_start: datetime | None = None,
    local: tzinfo | None = None,
) -> EntryVerdict:
    """Read the form: every issue, and the draft when no error and no unconfirmed value remains.

    ``now`` and ``session_start`` are aware; ``local`` is the zone ``HH:MM`` is read in (None:
    the computer's).
    """
    check = _Checker(text)
    hr = check.vital(EntryField.HR, "hr", text.hr)
    sbp, dbp = check.pressure()
    rr = check.vital(EntryField.RR, "rr", text.rr)
    spo2 = check.vital(EntryField.SPO2, "spo2", text.spo2)
    flow = check.oxygen()
    temp_c, temp_raw = check.temperature()
    pain = check.pain()
    taken_at = check.taken_at(now, session_start, local)
    typed = [text.hr, text.bp, text.rr, text.spo2, text.temp]
    failed = {issue.field for issue in check.issues if issue.kind is IssueKind.ERROR}
    signs = VitalSigns(
        hr=hr,
        sbp=sbp,
        dbp=dbp,
        rr=rr,
        spo2=spo2,
        temp_c=None if temp_c is None else float(temp_c),
        on_oxygen=text.on_oxygen,
        acvpu=text.acvpu,
    )
    draft = VitalsDraft(
        signs=signs,
        o2_flow_l_min=flow,
        temp_raw=temp_raw,
        pain=pain,
        taken_at=taken_at,
        source=text.source,
        reason=text.reason,
    )
    if not any(value.strip() for value in typed) and not failed:
        check.error(EntryField.HR, "Nothing entered: type the vital signs, starting here")
    elif not failed and not draft.complete and text.reason is None:
        check.error(
            EntryField.REASON,
            f"Partial set (no {', '.join(draft.missing)}): enter them, or choose a reason",
        )
    issues = tuple(check.issues)
    return EntryVerdict(issues, None if issues else draft)
