"""The session view's record controls, driven through the real widgets of the demo window.

Correct a stored vitals set, record a skipped check, resolve an acknowledged alert with a reason
(inline, no dialog), and resolve an "other" symptom in the nurse's own words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.alerts import AlertState
from infusion_monitor.domain.schedule import MissedCheckReason
from infusion_monitor.ui.care_view import CareView
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.vitals_panel import VitalsPanel

from .conftest import MakeWindow


def _demo(make_window: MakeWindow, qtbot: QtBot, chair: int) -> MainWindow:
    window = make_window("--demo")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.board.select(chair)
    assert window.session_area.currentWidget() is window.session_view
    return window


def _panel(window: MainWindow) -> VitalsPanel:
    panel = window.vitals_panel  # type: ignore[attr-defined]
    assert isinstance(panel, VitalsPanel)
    return panel


def _care(window: MainWindow) -> CareView:
    assert window.care_view is not None
    return window.care_view


def test_correct_a_stored_set_keeps_the_original_marked_superseded(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = _demo(make_window, qtbot, 1)
    panel = _panel(window)
    record = panel.record
    before = list(record.entries)
    assert len(before) >= 2 and all(entry.current for entry in before)
    newest = before[0]
    assert record.table.item(0, 0).text() == newest.taken_at.astimezone().strftime("%H:%M")
    assert record.table.item(0, 9).text() == "Demo Nurse"
    assert not record.correct.isEnabled()

    record.select_entry(newest.id)
    qtbot.mouseClick(record.correct, Qt.MouseButton.LeftButton)
    form = panel.form
    assert window.session_view.tabs.currentWidget() is window.session_view.vitals_slot
    assert form.amending is not None and form.amending.entry_id == newest.id
    assert form.hr.text() == str(newest.signs.hr)
    assert QApplication.focusWidget() is form.amend_reason
    form.hr.clear()
    QTest.keyClicks(form.hr, "88")
    QTest.keyClicks(form.amend_reason, "typed the wrong pulse")
    QTest.keyClick(form.amend_reason, Qt.Key.Key_Return)
    assert form.status.text().startswith("✓ Saved"), form.status.text()

    after = {entry.id: entry for entry in record.entries}
    assert len(after) == len(before) + 1
    original = after[newest.id]
    assert original.superseded_by is not None
    correction = after[original.superseded_by]
    assert (correction.signs.hr, correction.amend_reason) == (88, "typed the wrong pulse")
    row = [entry.id for entry in record.entries].index(newest.id)
    status = record.table.item(row, 10).text()
    assert status.startswith("SUPERSEDED")
    assert record.table.item(row, 1).font().strikeOut()
    record.select_entry(newest.id)
    assert not record.correct.isEnabled(), "a superseded set is not corrected twice"


def test_skipped_check_is_recorded_with_a_reason_from_the_short_list(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = _demo(make_window, qtbot, 0)
    panel = _panel(window)
    row = panel.skip_row
    skipped = sum(marker.label == "check skipped" for marker in panel.plot.markers)

    row.reason.setCurrentIndex(row.reason.findData(MissedCheckReason.OTHER.value))
    qtbot.mouseClick(row.skip, Qt.MouseButton.LeftButton)
    assert row.status.text().startswith("⛔ Not recorded"), "'other' needs a description"

    row.reason.setCurrentIndex(row.reason.findData(MissedCheckReason.PATIENT_REFUSED.value))
    qtbot.mouseClick(row.skip, Qt.MouseButton.LeftButton)
    assert row.status.text().startswith("✓ Skipped check recorded"), row.status.text()
    assert "Patient refused" in row.status.text()
    after = sum(marker.label == "check skipped" for marker in panel.plot.markers)
    assert after == skipped + 1


def test_resolve_alert_needs_acknowledgement_and_a_reason_typed_inline(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = _demo(make_window, qtbot, 0)
    band = _care(window).band
    alert = band.alert
    assert alert is not None and alert.state is AlertState.ACTIVE
    assert band.isVisible() and band.acknowledge.isVisible()
    assert not band.resolve.isVisible(), "acknowledge first"

    qtbot.mouseClick(band.acknowledge, Qt.MouseButton.LeftButton)
    assert band.alert is not None and band.alert.state is AlertState.ACKNOWLEDGED
    assert band.resolve.isVisible() and not band.acknowledge.isVisible()
    qtbot.mouseClick(band.resolve, Qt.MouseButton.LeftButton)
    assert band.resolve_row.isVisible()
    assert QApplication.focusWidget() is band.resolve_reason
    assert not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())

    qtbot.mouseClick(band.resolve_confirm, Qt.MouseButton.LeftButton)  # no reason yet
    assert band.alert is not None and band.alert.open
    assert band.resolve_reason.property("invalid") is True

    QTest.keyClicks(band.resolve_reason, "Chest tightness settled; reviewed by the registrar")
    QTest.keyClick(band.resolve_reason, Qt.Key.Key_Return)
    assert band.alert is None and not band.isVisible()
    assert window.care is not None
    session = window.session_view.detail
    assert session is not None and session.id not in window.model.alerts
    assert window._tile_bands[0].alert is None


def test_an_other_symptom_in_own_words_can_be_resolved(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = _demo(make_window, qtbot, 3)
    symptoms = _care(window).symptoms
    window.session_view.tabs.setCurrentWidget(symptoms)
    QTest.keyClicks(symptoms.other, "tingling lips")
    QTest.keyClick(symptoms.other, Qt.Key.Key_Return)
    assert len(symptoms.other_buttons) == 1
    ((_symptom_id, button),) = symptoms.other_buttons.items()
    assert "tingling lips" in button.text() and button.isVisible()
    assert "tingling lips" in symptoms.active_list.text()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert symptoms.other_buttons == {}
    picture = _care(window).picture
    assert picture is not None
    stored = [s for s in picture.symptoms if s.note == "tingling lips"]
    assert stored and not stored[-1].active
