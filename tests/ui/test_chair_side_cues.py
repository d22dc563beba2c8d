"""What the nurse sees of rate steps, guidance steps and the trend, through the real window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from care_world import case, running_chair
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.model_bridge import ModelBridge
from session_helpers import T0

from .test_keyboard_safety import _window, press, type_keys


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A fresh database in the test's data folder."""
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


def _chair_1(qtbot: QtBot, database: Database, data_dir: Path) -> tuple[MainWindow, FakeClock]:
    """Chair 1 running rituximab (first infusion, 50 mg/h stepping up every 30 min), opened
    by a click on its tile; the clock at minute 10."""
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    clock.advance(timedelta(minutes=10))
    return _window(qtbot, chair, data_dir, MessageFunnel()), clock


def test_the_rate_field_shows_the_current_rate_and_the_countdown_stops_for_a_pause_or_reaction(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    window, _clock = _chair_1(qtbot, database, data_dir)
    view = window.session_view
    detail = view.detail
    assert detail is not None and detail.rate == 50
    assert view.rate.value() == 50, "the rate field shows what the pump runs now"
    qtbot.waitUntil(lambda: view.rate_timer.note.text().startswith("Next step → 100 mg/h in"))

    QTest.mouseClick(view.reason, Qt.MouseButton.LeftButton)
    type_keys("patient to the toilet")
    QTest.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.state is SessionState.PAUSED)
    assert "Next step" not in view.rate_timer.note.text(), "no countdown while paused"
    assert not view.step_cue.isVisibleTo(view)
    tile_step = window.board.tiles[0].findChild(QLabel, "TileStep")
    assert tile_step is not None and not tile_step.isVisibleTo(window.board.tiles[0])

    QTest.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.state is SessionState.RUNNING)
    qtbot.waitUntil(lambda: view.rate_timer.note.text().startswith("Next step →"))
    assert view.rate.value() == 50

    type_keys("s")  # to the symptom search
    type_keys("hives\n")
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.reaction_active)
    qtbot.waitUntil(lambda: view.rate_timer.note.text() == "❚❚ on hold")
    assert view.step_cue.isVisibleTo(view)
    assert view.step_cue.text() == "❚❚ Step on hold (reaction)"
    assert "in " not in view.step_cue.text()
    assert view.rate.value() == 50


def _where(widget: QWidget, window: MainWindow) -> QRect:
    """The widget's rectangle in window coordinates."""
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_guidance_buttons_stay_where_they_are_when_a_step_is_done(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    window, _clock = _chair_1(qtbot, database, data_dir)
    window.resize(1600, 1000)
    type_keys("s")
    type_keys("wheeze\n")
    type_keys("hives\n")
    care = window.care_view
    assert care is not None and care.band.alert is not None
    press(Qt.Key.Key_Escape)  # out of the search
    type_keys("g")
    assert window.session_view.tabs.currentWidget() is care.guidance
    panel = care.guidance
    assert len(panel.rows) >= 3
    codes = [row.step.code for row in panel.rows]
    bridge = window.findChild(ModelBridge)
    assert bridge is not None

    for code in reversed(codes):  # the last first: nothing after it may move either
        qtbot.wait(300)
        qtbot.waitUntil(lambda: bridge.settled)
        rows_before = {row.step.code: _where(row, window) for row in panel.rows}
        buttons_before = {
            row.step.code: (_where(row.done, window), _where(row.decline, window))
            for row in panel.rows
            if not row.step.answered
        }
        row = next(r for r in panel.rows if r.step.code == code)
        QTest.mouseClick(row.done, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda code=code: next(r for r in panel.rows if r.step.code == code).step.answered
        )
        qtbot.waitUntil(lambda: bridge.settled)  # what the commit changed is shown
        assert [r.step.code for r in panel.rows] == codes, "every step keeps its row"
        done_row = next(r for r in panel.rows if r.step.code == code)
        assert done_row.state.isVisibleTo(panel) and "✔ Done" in done_row.state.text()
        assert {r.step.code: _where(r, window) for r in panel.rows} == rows_before
        buttons_after = {
            r.step.code: (_where(r.done, window), _where(r.decline, window))
            for r in panel.rows
            if not r.step.answered
        }
        assert buttons_after == {c: b for c, b in buttons_before.items() if c != code}
