"""Chair-side keyboard safety, typed as hurried hands type: every key goes to whatever has focus.

Nothing here calls a slot: keys are sent to ``QApplication.focusWidget()`` one at a time (the
focus is read again before each key), and the database says what was stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from care_world import Chair, case, planned_chair, running_chair
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.care_view import CareView
from infusion_monitor.ui.keys import is_typing_widget
from infusion_monitor.ui.main_window import MainWindow
from session_helpers import T0

from .conftest import composed_window

#: One word with every letter of the alphabet, typed into every field.
EVERY_LETTER = "thequickbrownfoxjumpsoverthelazydog"
CLINICAL_TABLES = (
    models.VitalSigns,
    models.SymptomRecord,
    models.Intervention,
    models.SessionEvent,
    models.ReactionRecord,
)


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A fresh database in the test's data folder."""
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


def _window(qtbot: QtBot, chair: Chair, data_dir: Path, funnel: MessageFunnel) -> MainWindow:
    """The composed window, active, with Chair 1 opened by a click on its tile."""
    window = composed_window(qtbot, chair, data_dir, funnel)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.mouseClick(window.board.tiles[0], Qt.MouseButton.LeftButton)
    assert window.session_area.currentWidget() is window.session_view
    return window


def _minute_10(qtbot: QtBot, database: Database, data_dir: Path) -> tuple[MainWindow, CareView]:
    """Chair 1 running (case V03's baseline), opened; the clock at minute 10."""
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    window = _window(qtbot, chair, data_dir, MessageFunnel())
    care = window.care_view
    assert care is not None
    clock.advance(timedelta(minutes=10))
    return window, care


def _alerting(qtbot: QtBot, database: Database, data_dir: Path) -> tuple[MainWindow, CareView]:
    """Chair 1 running; at minute 10 the nurse typed "stridor": an alert is active."""
    window, care = _minute_10(qtbot, database, data_dir)
    type_keys("s")
    type_keys("stridor\n")
    assert care.band.alert is not None
    return window, care


def focused() -> QWidget:
    """The widget with the keyboard focus (there must be one)."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def type_keys(text: str) -> None:
    """Type ``text`` into whatever has focus, one key at a time (Tab and Enter as keys)."""
    for character in text:
        widget = focused()
        if character == "\t":
            QTest.keyClick(widget, Qt.Key.Key_Tab)
        elif character == "\n":
            QTest.keyClick(widget, Qt.Key.Key_Return)
        else:
            QTest.keyClicks(widget, character)


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press one key on whatever has focus."""
    QTest.keyClick(focused(), key, modifiers)


def counts(database: Database) -> dict[str, int]:
    """How many rows each clinical table holds."""
    with database.sessions() as db:
        return {
            table.__name__: db.scalar(select(func.count()).select_from(table)) or 0
            for table in CLINICAL_TABLES
        }


def alerts(database: Database) -> list[models.Alert]:
    """Every stored alert."""
    with database.sessions() as db:
        return list(db.scalars(select(models.Alert)).all())


def symptoms(database: Database) -> list[str]:
    """The codes of the stored symptom records, in order."""
    with database.sessions() as db:
        return list(db.scalars(select(models.SymptomRecord.code).order_by(models.SymptomRecord.id)))


def test_two_symptoms_typed_in_a_row_after_an_alert_is_raised(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    window, care = _minute_10(qtbot, database, data_dir)

    type_keys("s")  # from the session view: S puts the cursor in the symptom search
    assert focused() is care.symptoms.filter
    type_keys("wheeze\n")
    assert care.band.isVisible(), "the first symptom raises an alert"
    raised = care.band.alert
    assert raised is not None
    type_keys("hives\n")  # the second one straight after, without looking up

    assert symptoms(database) == ["wheeze", "urticaria"]
    assert all(alert.acknowledged_at is None for alert in alerts(database))
    assert focused() is care.symptoms.filter, "the cursor stays in the symptom search"
    assert window.session_view.tabs.currentWidget() is care.symptoms
    tabs = window.session_view.tabs
    assert "!!" in tabs.tabText(tabs.indexOf(care.guidance)), "the Guidance tab says the alert"
    assert care.band.isVisible(), "the band stays in sight above the tabs"


def test_acknowledging_takes_ctrl_shift_a_or_the_button_never_the_letter_a(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    window, care = _alerting(qtbot, database, data_dir)
    window.session_view.setFocus()
    type_keys("aAaa")
    care.band.acknowledge.setFocus()  # even on the band's own button a letter is a letter
    type_keys("aA")
    assert all(alert.acknowledged_at is None for alert in alerts(database))

    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    (alert,) = alerts(database)
    assert alert.acknowledged_at == T0 + timedelta(minutes=10)
    assert "Ctrl+Shift+A" in care.band.acknowledge.text()


def test_a_vitals_set_typed_right_after_start(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    chair = planned_chair(database, clock, case("V03"))
    window = _window(qtbot, chair, data_dir, MessageFunnel())
    view = window.session_view
    QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert view.detail is not None and view.detail.state is SessionState.RUNNING
    assert focused() is view, "after Start the keyboard is back on the session"
    before = counts(database)

    clock.advance(timedelta(minutes=15))
    type_keys("v72\t120/80\t16\t98\t37.2\n")

    with database.sessions() as db:
        stored = db.scalars(select(models.VitalSigns).order_by(models.VitalSigns.id)).all()[-1]
    values = (stored.heart_rate, stored.systolic_bp, stored.diastolic_bp)
    assert (*values, stored.respiratory_rate, stored.spo2) == (72, 120, 80, 16, 98)
    assert stored.temperature_c == pytest.approx(37.2)
    after = counts(database)
    assert after["VitalSigns"] == before["VitalSigns"] + 1
    assert {k: v for k, v in after.items() if k != "VitalSigns"} == {
        k: v for k, v in before.items() if k != "VitalSigns"
    }
    assert view.reason.text() == ""
    assert window.vitals_prompt is None or window.vitals_prompt.mute_reason.text() == ""


def test_a_vitals_set_typed_right_after_dismissing_a_banner(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    funnel = MessageFunnel()
    chair = running_chair(database, clock, case("V03"))
    window = _window(qtbot, chair, data_dir, funnel)
    funnel.warning("Printer offline: the report was not printed.")
    qtbot.waitUntil(lambda: len(window.messages.banners) >= 1)
    banner = window.messages.banners[-1]
    dismiss = next(
        b for b in banner.findChildren(type(window.lock_button)) if b.text() == "Dismiss"
    )
    QTest.mouseClick(dismiss, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: banner not in window.messages.banners)
    assert focused() in (window.session_view, window.board), focused()
    before = counts(database)

    clock.advance(timedelta(minutes=15))
    type_keys("v72\t120/80\t16\t98\t37.2\n")

    after = counts(database)
    assert after["VitalSigns"] == before["VitalSigns"] + 1
    assert after["SymptomRecord"] == before["SymptomRecord"]
    assert window.session_view.reason.text() == ""


def _typing_fields(window: MainWindow) -> list[QWidget]:
    """Every visible, enabled field of the session view that takes typing, tab by tab."""
    view = window.session_view
    return [
        widget
        for widget in view.findChildren(QWidget)
        if is_typing_widget(widget)
        and widget.isVisible()
        and widget.isEnabled()
        and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox))
    ]


def test_a_word_with_every_letter_typed_into_every_field_stores_nothing(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    window, care = _alerting(qtbot, database, data_dir)
    before = counts(database)
    tabs = window.session_view.tabs
    typed_into = 0
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        for field in _typing_fields(window):
            field.setFocus()
            assert focused() is field
            for letter in EVERY_LETTER + EVERY_LETTER.upper():
                QTest.keyClicks(focused(), letter)
                assert focused() is field, f"{letter!r} moved the focus out of {field}"
            press(Qt.Key.Key_Escape)
            assert not is_typing_widget(QApplication.focusWidget()), "Esc leaves the field"
            typed_into += 1
    assert typed_into >= 10
    # Stray letters on the view itself and on the band's buttons.
    for widget in (window.session_view, care.band.acknowledge, care.band.why):
        tabs.setCurrentWidget(care.guidance)
        widget.setFocus()
        type_keys(EVERY_LETTER)

    assert counts(database) == before
    assert all(alert.acknowledged_at is None for alert in alerts(database))
    assert window.session_area.currentWidget() is window.session_view
    assert window.session_view.detail is not None
    assert window.session_view.detail.state is SessionState.RUNNING


def test_v_in_the_acvpu_list_picks_voice_and_does_not_jump_to_hr(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    window = _window(qtbot, chair, data_dir, MessageFunnel())
    type_keys("v")
    form = window.vitals_form()
    assert form is not None and focused() is form.hr
    form.acvpu.setFocus()
    type_keys("v")
    assert focused() is form.acvpu
    assert form.acvpu.currentData() == "V"


def test_esc_leaves_a_field_and_v_and_s_bring_theirs_into_view(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    window = _window(qtbot, chair, data_dir, MessageFunnel())
    window.resize(1280, 800)
    view = window.session_view
    view.reason.setFocus()
    type_keys("patient in bathroom")
    press(Qt.Key.Key_Escape)
    assert focused() is view
    assert view.reason.text() == "patient in bathroom", "leaving a field keeps its text"
    type_keys("v")
    form = window.vitals_form()
    assert form is not None and focused() is form.hr
    assert form.hr.visibleRegion().boundingRect().height() > 0
    press(Qt.Key.Key_Escape)
    type_keys("s")
    care = window.care_view
    assert care is not None and focused() is care.symptoms.filter
    assert care.symptoms.filter.visibleRegion().boundingRect().height() > 0
