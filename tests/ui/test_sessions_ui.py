"""Sessions through the real widgets: set-up form, session view, board, restart, failed save."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.services.messages import Level
from infusion_monitor.services.sessions.board import ChairState
from infusion_monitor.storage.errors import DiskFullError
from infusion_monitor.ui.chair_board import ChairTile
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.session_setup_form import SetupForm

from .conftest import MakeWindow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATIENTS = (
    ("Ellen Marsh", "00412821", "12.03.1961", "rituximab-first", "675", "50"),
    ("Tomas Rivera", "00538807", "30.09.1974", "infliximab", "350", "125"),
    ("Grace Okafor", "00291436", "21.01.1958", "paclitaxel", "315", "167"),
    ("Henry Lindqvist", "00677152", "04.06.1969", "cetuximab", "720", "5"),
)
BASELINE = ("78", "132", "84", "16", "97", "36.8")


def activate(window: MainWindow, qtbot: QtBot) -> MainWindow:
    """Show the window and make it the active one, so its keys reach it."""
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def tile_text(tile: ChairTile) -> str:
    """Everything a tile shows, visible labels only."""
    return " ".join(label.text() for label in tile.findChildren(QLabel) if label.isVisibleTo(tile))


def fill_form(window: MainWindow, qtbot: QtBot, patient: tuple[str, ...]) -> None:
    """Type one patient's set-up into the form as a nurse would."""
    name, mrn, born, protocol, dose, rate = patient
    form = window.setup_form
    qtbot.keyClicks(form.mrn, mrn)
    qtbot.keyClicks(form.name, name)
    qtbot.keyClicks(form.dob, born)
    form.drug.setCurrentIndex(form.drug.findData(protocol))
    form.dose.setValue(float(dose))
    assert form.drug_name.text() or protocol == "generic"
    form.rate.setValue(float(rate))
    form.duration.setValue(120)
    for edit, value in zip(form.baseline.values(), BASELINE, strict=True):
        qtbot.keyClicks(edit, value)
    give_premedications(qtbot, form)


def give_premedications(qtbot: QtBot, form: SetupForm) -> None:
    """Tick every premedication the protocol says to give (given at the time shown)."""
    QApplication.processEvents()  # the reminders' rows appear
    for row in form._premed_rows:
        if "GIVE" in row.box.text():
            row.box.click()
            assert row.box.isChecked()
    window = form.window()
    if window.isVisible():  # the new rows' events leave the offscreen window inactive
        window.windowHandle().requestActivate()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def set_up_chair(window: MainWindow, qtbot: QtBot, index: int) -> None:
    window.board.select(index)
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.session_area.currentWidget() is window.setup_form
    fill_form(window, qtbot, PATIENTS[index])
    qtbot.mouseClick(window.setup_form.save_button, Qt.MouseButton.LeftButton)
    banners = window.messages.banners
    assert window.session_area.currentWidget() is window.session_view, banners[-1].message.text


def act(
    window: MainWindow,
    qtbot: QtBot,
    index: int,
    button: str,
    reason: str = "",
    rate: float | None = None,
) -> None:
    """Open the chair, type the reason (and rate), and press one of the session view's buttons.

    The chair is opened by a click on its tile, as a nurse opens it: the click is activity, so
    a fake clock moved past the inactivity limit does not lock the screen under the test."""
    qtbot.mouseClick(window.board.tiles[index], Qt.MouseButton.LeftButton)
    view = window.session_view
    view.reason.setText(reason)
    if rate is not None:
        view.rate.setValue(rate)
    widget = getattr(view, button)
    assert widget.isVisibleTo(view), f"{button} hidden in {view.detail and view.detail.state}"
    before = view.detail.version if view.detail is not None else None
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    # Stored: the session view shows the session as committed, or the chair freed by closing
    # it (a refusal changes nothing).
    qtbot.waitUntil(
        lambda: (
            view.detail is None
            or view.detail.version != before
            or window.session_area.currentWidget() is not view
        )
    )


def states(window: MainWindow) -> list[ChairState]:
    return [tile.status.state for tile in window.board.tiles if tile.status]


def test_four_concurrent_sessions_through_their_whole_lifecycle(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    # The fake clock jumps 20 minutes between two clicks; the window's timers tick while a
    # call waits for the database, so the inactivity lock would see those minutes as idle.
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "config.toml").write_text("[security]\nlock_after_minutes = 240\n")
    clock = FakeClock(T0)
    window = activate(make_window(clock=clock), qtbot)
    for index in range(4):
        set_up_chair(window, qtbot, index)
    assert states(window)[:5] == [ChairState.PLANNED] * 4 + [ChairState.FREE]
    for index in range(4):
        act(window, qtbot, index, "start_button")
    assert states(window)[:4] == [ChairState.RUNNING] * 4
    first = window.board.tiles[0].status
    assert first is not None and first.session is not None
    first_id = first.session.id
    clock.advance(timedelta(minutes=20))
    for index in range(4):
        act(window, qtbot, index, "pause_button", "Patient to the bathroom")
        assert "Patient to the bathroom" in tile_text(window.board.tiles[index])
    clock.advance(timedelta(minutes=5))
    for index in range(4):
        act(window, qtbot, index, "resume_button")
        rate = float(PATIENTS[index][5]) / 2
        act(window, qtbot, index, "rate_button", rate=rate)
        assert window.session_view.detail is not None
        assert window.session_view.detail.rate == rate
    clock.advance(timedelta(minutes=10))
    for index in range(4):
        act(window, qtbot, index, "complete_button")
    assert states(window)[:4] == [ChairState.OBSERVATION] * 4
    for index in range(4):
        assert "30:00" in tile_text(window.board.tiles[index])
    clock.advance(timedelta(minutes=60))
    window.board.refresh_times(clock.now())
    for index in range(4):
        act(window, qtbot, index, "close_button")
    assert states(window) == [ChairState.FREE] * 6
    window.board.select(0)
    assert window.session_area.currentWidget() is window.placeholder
    closed = window.controller.detail(first_id)
    assert closed is not None and closed.state is SessionState.CLOSED
    window.session_view.show_session(closed, clock.now())
    timeline = window.session_view.timeline
    kinds = [timeline.item(row, 2).text() for row in range(timeline.rowCount())]
    assert kinds == [
        "Started",
        "Paused",
        "Resumed",
        "Rate changed",
        "Completed",
        "Observation started",
        "Closed",
    ]


def test_a_refused_action_is_shown_and_changes_nothing(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    clock = FakeClock(T0)
    window = activate(make_window(clock=clock), qtbot)
    set_up_chair(window, qtbot, 0)
    act(window, qtbot, 0, "start_button")
    clock.advance(timedelta(minutes=40))
    window.board.refresh_times(clock.now())
    view = window.session_view
    view.refresh_times(clock.now())
    view.rate.setValue(100)
    assert view.rate_button.isVisibleTo(view)
    failures: list[str] = []
    window.controller.operation_failed.connect(failures.append)
    qtbot.mouseClick(view.rate_button, Qt.MouseButton.LeftButton)
    assert len(failures) == 1
    message = window.messages.banners[-1].message
    assert message.level is Level.ERROR
    assert "Cannot change the rate" in message.text and "Take a new set" in message.text
    assert view.detail is not None and view.detail.rate == 50
    assert "Step DUE → 100 mg/h" in tile_text(window.board.tiles[0])


@pytest.mark.parametrize(("pause_min", "shown"), [(0, "37:00"), (5, "32:00")])
def test_restart_37_minutes_after_the_start_shows_the_right_time(
    make_window: MakeWindow, qtbot: QtBot, pause_min: int, shown: str
) -> None:
    clock = FakeClock(T0)
    window = activate(make_window(clock=clock), qtbot)
    set_up_chair(window, qtbot, 2)
    act(window, qtbot, 2, "start_button")
    if pause_min:
        clock.advance(timedelta(minutes=10))
        act(window, qtbot, 2, "pause_button", "Line flush")
        clock.advance(timedelta(minutes=pause_min))
        act(window, qtbot, 2, "resume_button")
        clock.advance(timedelta(minutes=37 - 10 - pause_min))
    else:
        clock.advance(timedelta(minutes=37))
    window.close_now()  # the app ends (a plain close asks first: infusions run)
    restarted = make_window(clock=clock)
    assert f"{shown} infusion time" in tile_text(restarted.board.tiles[2])
    restarted.board.select(2)
    assert restarted.session_view.infusion_timer.value.text() == shown


def test_failed_save_keeps_every_value_and_says_why(
    make_window: MakeWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(clock=FakeClock(T0))
    window.board.select(0)
    window.new_session()
    fill_form(window, qtbot, PATIENTS[0])
    form = window.setup_form

    def disk_full(*_args: object) -> None:
        raise DiskFullError("The disk holding the database is full. Free space, then save again.")

    monkeypatch.setattr(window.controller._sessions, "set_up", disk_full)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.session_area.currentWidget() is form
    assert window.messages.banners[-1].message.text.startswith("The disk holding the database")
    assert (form.name.text(), form.mrn.text(), form.dob.text()) == (
        "Ellen Marsh",
        "00412821",
        "12.03.1961",
    )
    assert [edit.text() for edit in form.baseline.values()] == list(BASELINE)
    assert form.drug.currentData() == "rituximab-first"
    assert states(window)[0] is ChairState.FREE
    monkeypatch.undo()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert states(window)[0] is ChairState.PLANNED


def test_refused_set_up_marks_the_fields_and_keeps_them(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = activate(make_window(clock=FakeClock(T0)), qtbot)
    window.board.select(1)
    qtbot.keyClick(window, Qt.Key.Key_N)
    form = window.setup_form
    qtbot.keyClicks(form.name, "Tomas Rivera")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.session_area.currentWidget() is form
    assert form.mrn.property("invalid") is True
    assert form.baseline["hr"].property("invalid") is True
    assert form.name.property("invalid") is False
    assert form.name.text() == "Tomas Rivera"
    assert "second identifier" in window.messages.banners[-1].message.text
    assert form.isAncestorOf(QApplication.focusWidget())  # a field to correct
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # the first Esc leaves the field: nothing lost
    assert window.session_area.currentWidget() is form
    assert form.name.text() == "Tomas Rivera"
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # the second cancels the set-up
    assert window.session_area.currentWidget() is window.placeholder


def test_returning_patient_shows_previous_reactions_in_red(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window("--demo")
    window.board.select(4)
    window.new_session()
    form = window.setup_form
    qtbot.keyClicks(form.mrn, "00291436")
    qtbot.keyClick(form.mrn, Qt.Key.Key_Return)
    assert form.name.text() == "Grace Okafor"
    assert form.returning.isVisibleTo(form)
    assert "Paclitaxel C1: flushing" in form.returning.text()


def test_demo_session_view_header_banner_and_controls(make_window: MakeWindow) -> None:
    window = make_window("--demo")
    window.board.select(0)
    view = window.session_view
    assert view.detail is not None and view.detail.state is SessionState.RUNNING
    assert "Ellen Marsh · MRN 00412821 · born 12 Mar 1961" in view.name.text()
    assert view.reaction_banner.isVisibleTo(view)
    assert "Penicillin" in view.reaction_banner.text()
    assert view.step_cue.isVisibleTo(view)
    assert not view.start_button.isVisibleTo(view)
    assert view.pause_button.isVisibleTo(view)
    assert view.rate.value() == 50, "the current rate, not the step on hold (100)"


def test_pregnant_box_reaches_the_draft_and_a_blank_birth_date_is_warned(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(clock=FakeClock(T0))
    window.board.select(0)
    window.new_session()
    form = window.setup_form
    name, mrn, _born, protocol, dose, rate = PATIENTS[0]
    fill_form(window, qtbot, (name, mrn, "", protocol, dose, rate))
    assert "rules assume an adult, 50" in form.dob.placeholderText()
    assert form.pregnant.text() == "Pregnant (NEWS2 does not apply)"
    assert form.pregnant.parentWidget() is form.scale2.parentWidget()
    form.pregnant.setChecked(True)
    assert form.draft().pregnant is True
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.session_area.currentWidget() is window.session_view
    texts = [banner.message.text for banner in window.messages.banners]
    assert any("assume an adult aged 50" in text for text in texts), texts
    window.new_session()
    assert form.pregnant.isChecked() is False


def test_allergies_none_is_not_a_red_banner(make_window: MakeWindow) -> None:
    window = make_window("--demo")
    window.board.select(0)
    view = window.session_view
    assert view.detail is not None
    for typed, banner in (("None", False), ("NKDA", False), ("Latex", True)):
        patient = replace(view.detail.patient, allergies=typed, reaction_history="")
        view.show_session(replace(view.detail, patient=patient, prior_reaction_to_drug=False), T0)
        assert view.reaction_banner.isVisibleTo(view) is banner, typed
