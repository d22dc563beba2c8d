"""Typed vitals entry: parsing, refusals with the allowed range, confirmations, °F, partial sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import (
    EntryField,
    IssueKind,
    TempUnit,
    VitalsText,
    check_entry,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
START = NOW - timedelta(hours=1)
FULL = VitalsText(hr="72", bp="120/80", rr="16", spo2="98", temp="36.8")


def check(text: VitalsText):  # type: ignore[no-untyped-def]
    return check_entry(text, now=NOW, session_start=START, local=UTC)


def with_(**changes: object) -> VitalsText:
    return VitalsText(**{**FULL.__dict__, **changes})  # type: ignore[arg-type]


def test_full_set_parses() -> None:
    verdict = check(FULL)
    assert verdict.issues == ()
    draft = verdict.draft
    assert draft is not None
    signs = draft.signs
    assert (signs.hr, signs.sbp, signs.dbp, signs.rr, signs.spo2) == (72, 120, 80, 16, 98)
    assert signs.temp_c == 36.8
    assert draft.temp_raw == "36.8 °C"
    assert draft.complete
    assert draft.taken_at is None


@pytest.mark.parametrize("typed", ["37,8", " 37.8 ", "37.80", "37.75"])
def test_decimal_comma_and_rounding(typed: str) -> None:
    draft = check(with_(temp=typed)).draft
    assert draft is not None
    assert draft.signs.temp_c == 37.8


@pytest.mark.parametrize("typed", ["120/80", "120 / 80", "120 80"])
def test_blood_pressure_in_one_field(typed: str) -> None:
    draft = check(with_(bp=typed)).draft
    assert draft is not None
    assert (draft.signs.sbp, draft.signs.dbp) == (120, 80)


@pytest.mark.parametrize(
    ("changes", "where", "words"),
    [
        ({"hr": "300"}, EntryField.HR, "allowed 20 to 250 /min"),
        ({"hr": "7a"}, EntryField.HR, "not a number"),
        ({"hr": "72.5"}, EntryField.HR, "not a whole number"),
        ({"bp": "120"}, EntryField.BP, "e.g. 120/80"),
        ({"bp": "80/120"}, EntryField.BP, "not below the systolic 80"),
        ({"bp": "120/120"}, EntryField.BP, "not below the systolic 120"),
        ({"bp": "350/80"}, EntryField.BP, "allowed 40 to 300 mmHg"),
        ({"bp": "120/10"}, EntryField.BP, "allowed 15 to 200 mmHg"),
        ({"rr": "2"}, EntryField.RR, "allowed 4 to 60 /min"),
        ({"spo2": "101"}, EntryField.SPO2, "allowed 50 to 100 %"),
        ({"temp": "25"}, EntryField.TEMP, "outside 30.0 to 44.0 °C"),
        ({"temp": "101.3"}, EntryField.TEMP, "looks like °F = 38.5 °C"),
        ({"temp": "37", "temp_unit": TempUnit.F}, EntryField.TEMP, "looks like °C"),
        ({"temp": "120", "temp_unit": TempUnit.F}, EntryField.TEMP, "outside 86.0 to 111.2 °F"),
        ({"on_oxygen": True, "o2_flow": "20"}, EntryField.O2_FLOW, "allowed 0 to 15"),
        ({"o2_flow": "2"}, EntryField.O2_FLOW, "'on oxygen' is not ticked"),
        ({"pain": "11"}, EntryField.PAIN, "pain scale 0 to 10"),
        ({"taken_at": "10:30"}, EntryField.TAKEN_AT, "in the future"),
        ({"taken_at": "08:30"}, EntryField.TAKEN_AT, "before the session began (09:00)"),
        ({"taken_at": "-90"}, EntryField.TAKEN_AT, "before the session began"),
        ({"taken_at": "soon"}, EntryField.TAKEN_AT, "HH:MM"),
    ],
)
def test_refusals_say_why_beside_the_field(
    changes: dict[str, object], where: EntryField, words: str
) -> None:
    verdict = check(with_(**changes))
    assert verdict.draft is None
    issue = verdict.for_field(where)
    assert issue is not None
    assert issue.kind is IssueKind.ERROR
    assert words in issue.message


def test_fahrenheit_in_celsius_field_offers_conversion_never_converts() -> None:
    issue = check(with_(temp="101.3")).for_field(EntryField.TEMP)
    assert issue is not None
    assert (issue.convert_to, issue.convert_unit) == ("38.5", TempUnit.C)


def test_fahrenheit_unit_converts_with_full_precision() -> None:
    draft = check(with_(temp="101.3", temp_unit=TempUnit.F)).draft
    assert draft is not None
    assert draft.signs.temp_c == 38.5
    assert draft.temp_raw == "101.3 °F"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"hr": "35"}, EntryField.HR),
        ({"hr": "160"}, EntryField.HR),
        ({"bp": "210/90"}, EntryField.BP),
        ({"bp": "100/90"}, EntryField.BP),
        ({"rr": "35"}, EntryField.RR),
        ({"spo2": "85"}, EntryField.SPO2),
        ({"temp": "34.2"}, EntryField.TEMP),
        ({"temp": "90", "temp_unit": TempUnit.F}, EntryField.TEMP),
        ({"on_oxygen": True, "o2_flow": "10"}, EntryField.O2_FLOW),
    ],
)
def test_unusual_values_need_one_confirmation_of_that_text(
    changes: dict[str, object], where: EntryField
) -> None:
    first = check(with_(**changes))
    issue = first.for_field(where)
    assert issue is not None
    assert issue.kind is IssueKind.CONFIRM
    assert "Press Enter again to confirm" in issue.message
    assert first.draft is None
    typed = with_(**changes).text_of(where)
    confirmed = check(with_(**changes, confirmed={where: typed}))
    assert confirmed.issues == ()
    assert confirmed.draft is not None
    # A confirmation holds for the confirmed text only.
    other = check(with_(**{**changes, where.value: typed + "0"}, confirmed={where: typed}))
    assert other.draft is None


def test_partial_set_needs_a_reason_and_is_marked_incomplete() -> None:
    verdict = check(with_(rr="", temp=""))
    issue = verdict.for_field(EntryField.REASON)
    assert issue is not None
    assert "respiratory rate, temperature" in issue.message
    note = MissedCheckNote(MissedCheckReason.PATIENT_REFUSED, None)
    draft = check(with_(rr="", temp="", reason=note)).draft
    assert draft is not None
    assert not draft.complete
    assert draft.missing == ("respiratory rate", "temperature")


def test_empty_form_says_nothing_entered() -> None:
    issue = check(VitalsText()).for_field(EntryField.HR)
    assert issue is not None
    assert "Nothing entered" in issue.message


@pytest.mark.parametrize(
    ("typed", "minutes_ago"), [("-10", 10), ("09:45", 15), ("0945", 15), ("now", None)]
)
def test_back_dating(typed: str, minutes_ago: int | None) -> None:
    draft = check(with_(taken_at=typed)).draft
    assert draft is not None
    expected = None if minutes_ago is None else NOW - timedelta(minutes=minutes_ago)
    assert draft.taken_at == expected


def test_other_fields_pass_through() -> None:
    draft = check(with_(acvpu=Acvpu.V, on_oxygen=True, o2_flow="2", pain="4")).draft
    assert draft is not None
    assert (draft.signs.acvpu, draft.signs.on_oxygen, draft.o2_flow_l_min, draft.pain) == (
        Acvpu.V,
        True,
        2.0,
        4,
    )


_FIELDS = ("hr", "bp", "rr", "spo2", "temp", "o2_flow", "pain", "taken_at")


@given(
    st.dictionaries(st.sampled_from(_FIELDS), st.text(max_size=12)),
    st.booleans(),
    st.sampled_from(TempUnit),
)
def test_never_crashes_and_a_draft_is_always_within_limits(
    texts: dict[str, str], on_oxygen: bool, unit: TempUnit
) -> None:
    verdict = check(with_(**texts, on_oxygen=on_oxygen, temp_unit=unit))
    draft = verdict.draft
    assert (draft is None) == bool(verdict.issues)
    if draft is None:
        return
    signs = draft.signs
    assert signs.hr is None or 20 <= signs.hr <= 250
    assert signs.spo2 is None or 50 <= signs.spo2 <= 100
    assert signs.temp_c is None or 30 <= signs.temp_c <= 44
    if signs.sbp is not None and signs.dbp is not None:
        assert signs.dbp < signs.sbp
    assert draft.taken_at is None or START <= draft.taken_at <= NOW
