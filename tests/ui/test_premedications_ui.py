"""Premedications the protocol says to give are ticked with their time, or skipped with a reason,
before the start (issue 13): the set-up form refuses otherwise, and keeps its values."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import FakeClock

from .conftest import MakeWindow
from .test_sessions_ui import BASELINE, T0, activate


def test_start_without_the_premedications_or_a_reason_is_refused(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    clock = FakeClock(T0)
    window = activate(make_window(clock=clock), qtbot)
    window.board.select(0)
    qtbot.keyClick(window, Qt.Key.Key_N)
    form = window.setup_form
    qtbot.keyClicks(form.mrn, "00412821")
    qtbot.keyClicks(form.name, "Ellen Marsh")
    qtbot.keyClicks(form.dob, "12.03.1961")
    form.drug.setCurrentIndex(form.drug.findData("rituximab-first"))
    QApplication.processEvents()  # the reminders' rows appear
    form.dose.setValue(675.0)
    form.rate.setValue(50.0)
    form.duration.setValue(255)
    for edit, value in zip(form.baseline.values(), BASELINE, strict=True):
        qtbot.keyClicks(edit, value)
    rows = form._premed_rows
    assert [row.label for row in rows] == ["H1 antihistamine", "Antipyretic (paracetamol)"]

    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.session_area.currentWidget() is form  # refused, nothing stored
    message = window.messages.banners[-1].message.text
    assert "Before the start: H1 antihistamine (the protocol says give)" in message
    assert "Antipyretic (paracetamol)" in message
    assert form.premed_box.property("invalid") is True
    assert form.name.text() == "Ellen Marsh"  # the form keeps every value

    window.windowHandle().requestActivate()  # the refusal's message took the focus
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    rows[0].box.setFocus()  # given: ticked with its time
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert rows[0].box.isChecked()
    rows[1].why.setFocus()  # not given, and why
    assert QApplication.focusWidget() is rows[1].why
    qtbot.keyClicks(QApplication.focusWidget(), "paracetamol taken at home 08:00")
    assert rows[1].why.text() == "paracetamol taken at home 08:00"
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.session_area.currentWidget() is window.session_view, [
        banner.message.text for banner in window.messages.banners
    ]
    detail = window.session_view.detail
    assert detail is not None
    given, skipped = detail.premedications
    assert (given.name, given.given_at is not None) == ("H1 antihistamine", True)
    assert (skipped.given_at, skipped.skipped) == (None, "paracetamol taken at home 08:00")
    assert "NOT GIVEN: paracetamol taken at home 08:00" in window.session_view.setup_info.text()


def test_platins_ask_for_the_lifetime_dose_number(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = activate(make_window(clock=FakeClock(T0)), qtbot)
    window.board.select(0)
    qtbot.keyClick(window, Qt.Key.Key_N)
    form = window.setup_form
    assert form.cycle_label.text() == "Cycle"
    for protocol in ("carboplatin", "oxaliplatin"):
        form.drug.setCurrentIndex(form.drug.findData(protocol))
        assert form.cycle_label.text() == "Lifetime dose no."
        assert "all lines of treatment" in form.cycle.toolTip()
    form.drug.setCurrentIndex(form.drug.findData("paclitaxel"))
    assert form.cycle_label.text() == "Cycle"
