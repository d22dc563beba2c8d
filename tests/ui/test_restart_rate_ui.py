"""The restart after a reaction through the real session view and real keys (issue 13): the rate
typed into the box while paused, Resume refused above half the rate at which the reaction began
(rituximab label), then accepted with the reason typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from care_world import case, running_chair
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from session_helpers import NURSE, T0

from .conftest import composed_window


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


def focused_on(widget: QWidget) -> QWidget:
    """Give ``widget`` the focus and return whatever then has it (the keys go there)."""
    widget.setFocus()
    focused = QApplication.focusWidget()
    assert focused is not None and (focused is widget or widget.isAncestorOf(focused))
    return focused


def test_a_restart_above_half_the_reaction_rate_is_refused_then_overridden_with_a_reason(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))  # rituximab at 50 mg/h
    clock.advance(timedelta(minutes=10))
    chair.care.care.record_symptom(NURSE, chair.session_id, "flushing")
    detail = chair.sessions.detail(chair.session_id)
    chair.sessions.pause(SessionRef(detail.id, detail.version), NURSE, "flushing")
    clock.advance(timedelta(minutes=15))
    symptom = chair.care.care.picture(chair.session_id).symptoms[0]
    chair.care.care.resolve_symptom(NURSE, symptom.id)
    window = composed_window(qtbot, chair, data_dir)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.open_chair(0)
    view = window.session_view
    assert view.detail is not None and view.detail.state is SessionState.PAUSED
    assert view.rate.isVisibleTo(view) and view.resume_button.isVisibleTo(view)
    assert not view.rate_button.isVisibleTo(view)
    assert view.rate.value() == 50

    rate = focused_on(view.rate)
    QTest.keyClick(rate, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(rate, "40")
    assert view.rate.value() == 40
    QTest.keyClick(focused_on(view.resume_button), Qt.Key.Key_Space)
    banner = window.messages.banners[-1].message.text
    assert "Cannot resume: 40 mg/h is above the restart limit" in banner
    assert "restart at no more than 25 mg/h (Rituxan label" in banner
    assert "type the reason to restart higher" in banner
    assert chair.sessions.detail(chair.session_id).state is SessionState.PAUSED
    assert view.rate.value() == 40  # what was typed stays

    QTest.keyClicks(focused_on(view.reason), "Dr Lee ordered 40 mg/h")
    QTest.keyClick(focused_on(view.resume_button), Qt.Key.Key_Space)
    shown = view.detail
    assert shown is not None and (shown.state, shown.rate) == (SessionState.RUNNING, 40)
    with database.sessions() as db:
        event = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "resume")
        ).one()
    assert event.reason == "Dr Lee ordered 40 mg/h"
