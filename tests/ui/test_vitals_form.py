"""The vitals row, driven by keys: every validation rule shows its message beside the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import EntryField, VitalsDraft, VitalsText
from infusion_monitor.ui.vitals_form import VitalsForm

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def form(qtbot: QtBot) -> VitalsForm:
    widget = VitalsForm(FakeClock(NOW))
    widget.set_session_start(NOW - timedelta(hours=1))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.focus_first()
    return widget


def type_set(form: VitalsForm, *values: str) -> None:
    """Type values into consecutive fields from HR, Tab between them."""
    for index, value in enumerate(values):
        if index:
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        QTest.keyClicks(QApplication.focusWidget(), value)


def enter(form: VitalsForm) -> None:
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def captured(form: VitalsForm) -> list[VitalsDraft]:
    drafts: list[VitalsDraft] = []
    form.draft_ready.connect(drafts.append)
    return drafts


def test_focus_on_hr_tab_order_and_enter_saves(form: VitalsForm) -> None:
    assert QApplication.focusWidget() is form.hr
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98", "37,8")
    assert QApplication.focusWidget() is form.temp
    enter(form)
    assert len(drafts) == 1
    draft = drafts[0]
    signs = draft.signs
    assert (signs.hr, signs.sbp, signs.dbp, signs.rr, signs.spo2) == (72, 120, 80, 16, 98)
    assert str(signs.temp_c) == "37.8"
    assert signs.acvpu is Acvpu.A
    assert form.status.text() == "Saving…"


def test_saved_clears_and_refocuses(form: VitalsForm) -> None:
    type_set(form, "72", "120/80", "16", "98", "36.8")
    enter(form)
    form.accept_saved("Saved 10:00 · NEWS2 0")
    assert form.hr.text() == form.bp.text() == form.temp.text() == ""
    assert "Saved 10:00" in form.status.text()
    assert QApplication.focusWidget() is form.hr


def test_failed_save_keeps_every_typed_value(form: VitalsForm) -> None:
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98", "36.8")
    form.on_oxygen.setChecked(True)
    form.o2_flow.setText("2")
    form.pain.setText("3")
    QTest.keyClick(form.acvpu, Qt.Key.Key_V)
    before = form.text()
    enter(form)
    assert len(drafts) == 1
    form.show_save_error("The disk is full. Free some space, then save again.")
    assert form.text() == before
    assert form.text().acvpu is Acvpu.V
    assert "Not saved: The disk is full" in form.status.text()
    form.submit()
    assert len(drafts) == 2


def test_acvpu_is_one_key(form: VitalsForm) -> None:
    form.acvpu.setFocus()
    QTest.keyClick(form.acvpu, Qt.Key.Key_P)
    assert form.text().acvpu is Acvpu.P


@pytest.mark.parametrize(
    ("where", "values", "words"),
    [
        (EntryField.HR, ("300", "120/80", "16", "98", "36.8"), "allowed 20 to 250 /min"),
        (EntryField.HR, ("7x", "120/80", "16", "98", "36.8"), "not a number"),
        (EntryField.HR, ("72.5", "120/80", "16", "98", "36.8"), "not a whole number"),
        (EntryField.BP, ("72", "120", "16", "98", "36.8"), "e.g. 120/80"),
        (EntryField.BP, ("72", "80/120", "16", "98", "36.8"), "not below the systolic 80"),
        (EntryField.BP, ("72", "350/80", "16", "98", "36.8"), "allowed 40 to 300 mmHg"),
        (EntryField.BP, ("72", "120/10", "16", "98", "36.8"), "allowed 15 to 200 mmHg"),
        (EntryField.RR, ("72", "120/80", "70", "98", "36.8"), "allowed 4 to 60 /min"),
        (EntryField.SPO2, ("72", "120/80", "16", "101", "36.8"), "allowed 50 to 100 %"),
        (EntryField.SPO2, ("72", "120/80", "16", "98.5", "36.8"), "not a whole number"),
        (EntryField.TEMP, ("72", "120/80", "16", "98", "25"), "outside 30.0 to 44.0 °C"),
        (EntryField.TEMP, ("72", "120/80", "16", "98", "101.3"), "looks like °F = 38.5 °C"),
        (EntryField.HR, ("",), "Nothing entered"),
        (EntryField.REASON, ("72", "120/80"), "Partial set (no respiratory rate, SpO2"),
    ],
)
def test_refusal_is_shown_beside_the_field(
    form: VitalsForm, where: EntryField, values: tuple[str, ...], words: str
) -> None:
    drafts = captured(form)
    type_set(form, *values)
    enter(form)
    assert drafts == []
    assert words in form.message(where)
    # Typing in the field clears its message.
    if where is not EntryField.REASON:
        field = getattr(form, where.value)
        QTest.keyClick(field, Qt.Key.Key_Backspace if field.text() else Qt.Key.Key_7)
        assert form.message(where) == ""


@pytest.mark.parametrize(
    ("where", "setup", "words"),
    [
        (EntryField.O2_FLOW, {"on_oxygen": True, "o2_flow": "20"}, "allowed 0 to 15"),
        (EntryField.O2_FLOW, {"o2_flow": "2"}, "'on oxygen' is not ticked"),
        (EntryField.PAIN, {"pain": "11"}, "pain scale 0 to 10"),
        (EntryField.TAKEN_AT, {"taken_at": "10:30"}, "in the future"),
        (EntryField.TAKEN_AT, {"taken_at": "-90"}, "before the session began"),
        (EntryField.TAKEN_AT, {"taken_at": "soon"}, "HH:MM"),
    ],
)
def test_refusals_of_the_rarer_fields(
    form: VitalsForm, where: EntryField, setup: dict[str, object], words: str
) -> None:
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98", "36.8")
    if setup.get("on_oxygen"):
        form.on_oxygen.setFocus()
        QTest.keyClick(form.on_oxygen, Qt.Key.Key_Space)
        assert form.on_oxygen.isChecked()
    for name, value in setup.items():
        if isinstance(value, str):
            edit = getattr(form, name)
            edit.setFocus()
            QTest.keyClicks(edit, value)
    enter(form)
    assert drafts == []
    assert words in form.message(where)


def test_fahrenheit_in_the_celsius_field_offers_the_conversion(form: VitalsForm) -> None:
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98", "101.3")
    enter(form)
    assert "looks like °F" in form.message(EntryField.TEMP)
    assert form.offer_text() == "Use 38.5 °C (Ctrl+U)"
    assert drafts == []
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert form.temp.text() == "38.5"
    assert form.offer_text() is None
    enter(form)
    assert str(drafts[0].signs.temp_c) == "38.5"


def test_fahrenheit_unit_switch_with_f_key(form: VitalsForm) -> None:
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98", "f101.3")
    assert form.temp_unit.text() == "°F"
    enter(form)
    assert str(drafts[0].signs.temp_c) == "38.5"
    assert drafts[0].temp_raw == "101.3 °F"


def test_celsius_typed_with_fahrenheit_unit_is_refused_with_an_offer(form: VitalsForm) -> None:
    type_set(form, "72", "120/80", "16", "98", "f37.2")
    enter(form)
    assert "it looks like °C" in form.message(EntryField.TEMP)
    assert form.offer_text() == "Use 37.2 °C (Ctrl+U)"


@pytest.mark.parametrize(
    ("where", "values", "words"),
    [
        (EntryField.HR, ("35", "120/80", "16", "98", "36.8"), "35 is unusual (usual 40 to 150"),
        (EntryField.BP, ("72", "210/90", "16", "98", "36.8"), "Systolic BP 210 is unusual"),
        (EntryField.BP, ("72", "100/92", "16", "98", "36.8"), "Pulse pressure 8 mmHg is narrow"),
        (EntryField.RR, ("72", "120/80", "35", "98", "36.8"), "35 is unusual"),
        (EntryField.SPO2, ("72", "120/80", "16", "85", "36.8"), "85 is unusual"),
        (EntryField.TEMP, ("72", "120/80", "16", "98", "34.2"), "34.2 °C is unusual"),
    ],
)
def test_unusual_value_needs_one_confirmation(
    form: VitalsForm, where: EntryField, values: tuple[str, ...], words: str
) -> None:
    drafts = captured(form)
    type_set(form, *values)
    enter(form)
    assert drafts == []
    assert words in form.message(where)
    assert "Press Enter again to confirm" in form.message(where)
    enter(form)
    assert len(drafts) == 1


def test_changing_a_value_after_the_prompt_asks_again(form: VitalsForm) -> None:
    drafts = captured(form)
    type_set(form, "35", "120/80", "16", "98", "36.8")
    enter(form)
    form.hr.setText("36")
    enter(form)
    assert drafts == []
    assert "36 is unusual" in form.message(EntryField.HR)


def test_o2_flow_above_nasal_needs_confirmation(form: VitalsForm) -> None:
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98", "36.8")
    form.on_oxygen.setChecked(True)
    form.o2_flow.setText("10")
    enter(form)
    assert "nasal cannula maximum" in form.message(EntryField.O2_FLOW)
    enter(form)
    assert drafts[0].o2_flow_l_min == 10.0


def test_partial_set_with_a_reason(form: VitalsForm) -> None:
    drafts = captured(form)
    type_set(form, "72", "120/80", "16", "98")
    form.reason.setCurrentIndex(1)
    enter(form)
    assert drafts[0].reason is not None
    assert drafts[0].missing == ("temperature",)


def test_amend_mode_emits_correction_with_reason(form: VitalsForm) -> None:
    amends: list[tuple[int, VitalsDraft, str]] = []
    form.amend_ready.connect(lambda i, d, r: amends.append((i, d, r)))
    values = VitalsText(hr="72", bp="80/50", rr="16", spo2="98", temp="36.8")
    form.begin_amend(7, NOW - timedelta(minutes=10), values)
    assert form.amending is not None
    assert form.bp.text() == "80/50"
    QTest.keyClicks(form.amend_reason, "typed 80 for 130")
    form.bp.setText("130/80")
    form.taken_at.clear()
    enter(form)
    assert amends[0][0] == 7
    assert amends[0][1].signs.sbp == 130
    assert amends[0][2] == "typed 80 for 130"
    QTest.keyClick(form.hr, Qt.Key.Key_Escape)
    assert form.amending is None
