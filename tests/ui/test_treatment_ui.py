"""Treatment the rules name, through the real widgets and real keys (issue 13): the epinephrine
dose for the patient's age, the 5-minute repeat timer, the refractory step after two doses, and
the observation after anaphylaxis that cannot end early without a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from care_world import Chair, case, running_chair, vitals_draft
from infusion_monitor.config import Config, SecuritySection
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.main_window import MainWindow
from session_helpers import NURSE, T0

from .conftest import composed_window

SEVEN_YEARS_OLD = date(2019, 1, 15)  # on T0 (2 March 2026)


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


def _window(qtbot: QtBot, chair: Chair, data_dir: Path) -> MainWindow:
    config = Config(security=SecuritySection(lock_after_minutes=240))
    window = composed_window(qtbot, chair, data_dir, config=config)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.open_chair(0)
    return window


def press(widget: QWidget, key: Qt.Key = Qt.Key.Key_Space) -> None:
    """Focus ``widget`` and press ``key`` on whatever then has focus, as a hand would."""
    widget.setFocus()
    focused = QApplication.focusWidget()
    assert focused is widget
    QTest.keyClick(focused, key)


def _anaphylaxis(qtbot: QtBot, database: Database, data_dir: Path, **setup: object):  # type: ignore[no-untyped-def]
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"), **setup)
    window = _window(qtbot, chair, data_dir)
    care = window.care_view
    assert care is not None
    clock.advance(timedelta(minutes=10))
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    for code in ("urticaria", "wheeze"):
        press(care.symptoms.buttons[code])
    assert care.picture is not None and care.picture.guidance.pathways[0] == "anaphylaxis"
    return clock, chair, window, care


def _row(care, code: str):  # type: ignore[no-untyped-def]
    return next(row for row in care.guidance.rows if row.step.code == code)


def test_anaphylaxis_in_a_seven_year_old_shows_the_dose_for_the_age(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    _, _, _, care = _anaphylaxis(qtbot, database, data_dir, date_of_birth=SEVEN_YEARS_OLD)
    text = _row(care, "epinephrine_im").text.text()
    assert "Dose for this patient's age: 0.3 mg IM." in text


def test_two_doses_bring_the_repeat_timer_then_the_refractory_step(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock, _, window, care = _anaphylaxis(qtbot, database, data_dir)
    assert "0.5 mg IM" in _row(care, "epinephrine_im").text.text()
    assert not care.guidance.repeat_dose.isVisibleTo(window)
    clock.advance(timedelta(seconds=30))
    window.session_view.tabs.setCurrentWidget(care.guidance)
    press(_row(care, "epinephrine_im").done)
    given = clock.now().astimezone().strftime("%H:%M")
    timer = care.guidance.epinephrine
    assert timer.text() == f"Epinephrine dose 1 given {given} · repeat in 5:00 if no better"
    tile = window.board.tiles[0]
    qtbot.waitUntil(lambda: tile.treatment.isVisibleTo(window))  # the model follows the commit
    # The events processed meanwhile delete the pressed (redrawn) Done button; offscreen, the
    # window loses its activation with it: give it back, as the nurse's next click would.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert tile.treatment.text().startswith(f"Epinephrine dose 1 given {given}")
    assert window.session_view.treatment.text().startswith("Epinephrine dose 1")
    assert "refractory_anaphylaxis" not in [row.step.code for row in care.guidance.rows]

    clock.advance(timedelta(minutes=3))
    window.check_inactivity()
    assert timer.text().endswith("repeat in 2:00 if no better")
    clock.advance(timedelta(minutes=2))
    window.check_inactivity()
    assert timer.text().endswith("repeat dose DUE NOW if no better")
    assert tile.treatment.text().endswith("repeat dose DUE NOW if no better")

    press(care.guidance.repeat_dose)  # the second dose, given now
    codes = [row.step.code for row in care.guidance.rows]
    assert codes.index("refractory_anaphylaxis") == codes.index("epinephrine_im") + 1
    assert "iv_fluid_bolus" in codes  # a rapid fluid bolus when refractory, hypotensive or not
    refractory = _row(care, "refractory_anaphylaxis").text.text()
    assert "critical-care" in refractory
    assert timer.text().startswith("Epinephrine dose 2 given")


def test_observation_after_anaphylaxis_cannot_end_early_without_a_reason(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock, chair, window, care = _anaphylaxis(qtbot, database, data_dir)
    view = window.session_view
    # Resolved at minute 30: symptoms cleared and a normal nurse's set.
    clock.advance(timedelta(minutes=20))
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    for code in ("urticaria", "wheeze"):
        press(care.symptoms.buttons[code])
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(case("V03")["baseline"]), clock.now()
    )
    resolved = clock.now()
    view.reason.setText("anaphylaxis")
    press(view.discontinue_button)
    assert view.detail is not None and view.detail.state is SessionState.OBSERVATION
    clock.advance(timedelta(minutes=61))  # the protocol's 60 min are over; RCUK's 2 h are not
    until = (resolved + timedelta(minutes=120)).astimezone().strftime("%H:%M")

    def observed() -> bool:
        window.check_inactivity()  # the window's tick
        text = window.board.tiles[0].treatment.text()
        return text == f"Anaphylaxis: observe until {until} · 59:00 left"

    qtbot.waitUntil(observed)

    view.reason.clear()
    press(view.close_button)
    assert view.detail.state is SessionState.OBSERVATION  # refused
    banner = window.messages.banners[-1].message.text
    assert f"observe until {until}" in banner and "Give a reason to close earlier" in banner

    view.reason.setFocus()
    QTest.keyClicks(QApplication.focusWidget(), "transferred to the ward for observation")
    press(view.close_button)
    assert chair.sessions.detail(chair.session_id).state is SessionState.CLOSED


def test_an_iv_iron_reaction_shows_the_protocol_notes_and_offers_no_h1(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    iron = {
        "protocol_id": "iv-iron",
        "drug_name": "Ferric carboxymaltose",
        "dose": 1000,
        "rate": None,
        "rate_unit": None,
        "planned_duration_min": 30,
    }
    chair = running_chair(database, clock, case("V03"), **iron)
    window = _window(qtbot, chair, data_dir)
    care = window.care_view
    assert care is not None
    assert not care.guidance.notes.isVisibleTo(window)  # nothing flagged: no notes
    clock.advance(timedelta(minutes=5))
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    for code in ("flushing", "chest_tightness"):
        press(care.symptoms.buttons[code])
    window.session_view.tabs.setCurrentWidget(care.guidance)
    notes = care.guidance.notes
    assert notes.isVisibleTo(window)
    assert notes.text().startswith("Protocol notes:\n• Avoid first-generation H1 antihistamines")
    assert _row(care, "stop_infusion").step.text == "Stop the infusion now."
    standing = _row(care, "standing_order_medication").choice
    offered = [standing.itemData(i) for i in range(standing.count())]
    assert "antihistamine_h1" not in offered and "antipyretic" in offered


def test_the_outcome_form_preselects_no_outcome(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock, _, window, care = _anaphylaxis(qtbot, database, data_dir)
    form = care.reaction
    window.session_view.tabs.setCurrentWidget(form)
    assert form.disposition.currentData() is None
    assert form.disposition.currentText() == "— choose the outcome —"
    clock.advance(timedelta(minutes=1))
    press(form.save)
    assert form.problem.text().startswith("Choose the outcome")
    assert form.recorded.text() == ""
    # Grade 3 (suggested) resolved and continued at the same rate: a reason is asked for.
    form.disposition.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert form.disposition.currentData() == "continued"
    form.resolved.setChecked(True)
    press(form.save)
    assert form.recorded.text() == ""
    messages = [banner.message.text for banner in window.messages.banners]
    assert any("not usually continued at the same rate" in text for text in messages), messages
