"""Two-phase start: the locked first screen paints first, the rest is built right after."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from infusion_monitor.app import (
    CHECKING_TEXT,
    OPENING_BUSY_TEXT,
    _not_read_yet,
    _open_beside_the_window,
    build_main_window,
    first_window,
    read_first,
    second_phase,
)
from infusion_monitor.config import Config
from infusion_monitor.demo import seed_demo
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.protocol_library import load_library
from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.services.sessions.board import ChairState
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.sql_rows import reading
from infusion_monitor.ui.chair_board import CHAIRS_NOT_READ_YET
from infusion_monitor.ui.deferred_build import FALLBACK_MS, UNDER_WAY_TEXT, DeferredBuild
from infusion_monitor.ui.first_paint import FirstPaintWatcher
from infusion_monitor.ui.main_window import MainWindow
from sqlite_lock import write_locked

from .conftest import MakeWindow


def test_window_paints_before_phase_two_and_then_completes(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    deferred = DeferredBuild()
    window = make_window("--demo", deferred=deferred)
    # Phase 1: the real, locked window with the real chair board and alert bands, no services.
    assert window.locked and window.controller is None
    assert any(
        tile.status is not None and tile.status.session is not None for tile in window.board.tiles
    )
    assert any(not band.isHidden() for band in window._tile_bands.values())
    assert window.care_view is None
    assert not hasattr(window, "vitals_panel")
    assert window.review_menu is None
    seen_at_paint: list[bool] = []
    watcher = FirstPaintWatcher(window)
    watcher.painted.connect(lambda: seen_at_paint.append(deferred.done))
    watcher.painted.connect(deferred.start)
    with qtbot.waitSignal(deferred.ready, timeout=10_000):
        window.show()
    assert seen_at_paint == [False]  # painted before phase 2 ran
    assert deferred.done
    # Ready: the app answers a nurse (sign-in, chairs, alerts and their sound, prompts).
    assert window.controller is not None
    assert window.alarm_sound is not None
    assert window.vitals_prompt is not None  # type: ignore[attr-defined]
    # What only a signed-in nurse sees is built right after.
    with qtbot.waitSignal(deferred.complete, timeout=10_000):
        pass
    assert window.care_view is not None
    assert window.vitals_panel is not None  # type: ignore[attr-defined]
    assert window.review_menu is not None


def test_a_chair_selected_before_phase_two_is_shown_once_built(make_window: MakeWindow) -> None:
    deferred = DeferredBuild()
    window = make_window("--demo", deferred=deferred)
    index = next(
        i
        for i, tile in enumerate(window.board.tiles)
        if tile.status is not None and tile.status.session is not None
    )
    window.board.select(index)
    chosen = window.board.tiles[index].status
    assert chosen is not None and chosen.session is not None
    deferred.finish()
    deferred.finish()  # once only
    shown = window.session_view.detail
    assert shown is not None and shown.id == chosen.session.id
    panel = window.vitals_panel  # type: ignore[attr-defined]
    assert panel._session_id == shown.id
    assert window.care_view is not None
    assert window.care_view.session_id == shown.id


def test_a_sign_in_before_phase_two_builds_it_first(qtbot: QtBot, data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    funnel = MessageFunnel()
    deferred = DeferredBuild()
    chairs = ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    with open_database(None, paths) as database:
        seed_demo(database.sessions, chairs, datetime.now(UTC))
        window = build_main_window(
            config=Config.model_validate({"unit": {"chairs": chairs}}),
            paths=paths,
            database=database,
            funnel=funnel,
            rules=RuleSetService(None, funnel),
            clock=SystemClock(),
            deferred=deferred,
        )
        qtbot.addWidget(window, before_close_func=MainWindow.close_now)
        assert window.locked and not deferred.done
        assert window.board.tiles[0].status is not None
        assert window.board.tiles[0].status.state is ChairState.RUNNING
        window.sign_in_panel.staff_id.setText("DEMO")
        window.sign_in_panel.pin.setText("1234")
        window.sign_in_panel.submit.click()
        assert deferred.done
        assert not window.locked
        assert window.actor is not None and window.actor.staff_id == "DEMO"


def test_ready_waits_for_what_a_step_holds_and_hidden_parts_come_after(qtbot: QtBot) -> None:
    deferred = DeferredBuild()
    heard: list[str] = []
    deferred.ready.connect(lambda: heard.append("ready"))
    deferred.complete.connect(lambda: heard.append("complete"))
    releases: list[Callable[[], None]] = []
    deferred.add(lambda: releases.append(deferred.hold()))
    deferred.add_later(lambda: heard.append("plot built"))
    deferred.start()
    qtbot.waitUntil(lambda: deferred.done)
    qtbot.wait(50)
    assert heard == [], "nothing is ready while the first read is awaited"
    releases[0]()
    releases[0]()  # once only
    assert heard == ["ready"]
    qtbot.waitUntil(lambda: deferred.is_complete)
    assert heard == ["ready", "plot built", "complete"]


def test_a_sign_in_while_a_step_waits_for_the_database_is_told_to_come_back() -> None:
    deferred = DeferredBuild()
    heard: list[str] = []

    def opening() -> None:  # a sign-in's event handled while the database opens
        with pytest.raises(UserError) as refused:
            deferred.finish()
        heard.append(refused.value.message)

    deferred.add(opening)
    deferred.finish()
    assert heard == [UNDER_WAY_TEXT]
    assert deferred.done and deferred.is_complete


def test_steps_added_after_phase_two_run_at_once() -> None:
    deferred = DeferredBuild()
    ran: list[str] = []
    deferred.add(lambda: ran.append("first"))
    deferred.finish()
    deferred.add(lambda: ran.append("late"))
    deferred.add_later(lambda: ran.append("hidden part"))
    assert ran == ["first", "late", "hidden part"]


def test_a_window_that_never_paints_is_built_all_the_same(qtbot: QtBot) -> None:
    deferred = DeferredBuild()
    deferred.add(lambda: None)
    deferred.start_fallback()
    with qtbot.waitSignal(deferred.complete, timeout=FALLBACK_MS + 5_000):
        pass
    assert deferred.is_ready


def test_a_sign_in_after_the_database_was_refused_says_so(qtbot: QtBot, data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    funnel = MessageFunnel()
    config = Config()
    with open_database(None, paths) as database:
        first = read_first(reading(database.sessions), config, load_library(), SystemClock())
    deferred = DeferredBuild()
    deferred.add(lambda: None)  # the second phase found the database refused: nothing attached
    window = first_window(
        config, paths, first, "db", funnel, RuleSetService(None, funnel), SystemClock(), deferred
    )
    qtbot.addWidget(window, before_close_func=MainWindow.close_now)
    assert window.sign_in_panel.first_run
    window.sign_in_panel.staff_id.setText("ADMIN")
    window.sign_in_panel.name.setText("Ann Admin")
    window.sign_in_panel.pin.setText("3456")
    window.sign_in_panel.pin_again.setText("3456")
    window.sign_in_panel.submit.click()
    assert deferred.done and window.locked
    assert "the app is closing" in window.sign_in_panel.error.text()


def test_the_painted_window_lives_while_a_locked_database_is_opened(
    qtbot: QtBot, data_dir: Path
) -> None:
    """Phase 2 opens the database (schema check under a write transaction) beside the window:
    with the file write-locked by another program, the window's timers tick, the status bar
    says why it waits, and the database opens once the lock is gone."""
    paths = AppPaths.resolve(data_dir)
    funnel = MessageFunnel()
    config = Config()
    with open_database(None, paths) as database:
        seed_demo(database.sessions, config.unit.chairs, datetime.now(UTC))
        first = read_first(reading(database.sessions), config, load_library(), SystemClock())
    window = first_window(
        config,
        paths,
        first,
        "db",
        funnel,
        RuleSetService(None, funnel),
        SystemClock(),
        DeferredBuild(),
    )
    qtbot.addWidget(window, before_close_func=MainWindow.close_now)
    window.show()
    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    said: list[str] = []

    def look() -> None:
        shown = [w for w in window.statusBar().findChildren(QLabel) if w.isVisible()]
        said.extend(w.text() for w in shown if w.objectName() == "DatabaseBusy")

    timer.timeout.connect(look)
    with write_locked(paths.database_file, 1.5):
        started = time.monotonic()
        opened = _open_beside_the_window(window, lambda: open_database(None, paths))
        waited = time.monotonic() - started
    try:
        assert waited >= 1.0, "the schema check waited for the lock"
        assert len(ticks) >= 10, "the window's timers ticked while the database opened"
        assert OPENING_BUSY_TEXT in said
        said.clear()
        look()
        assert said == [], "the word goes once the database is open"
        with opened.sessions() as db:
            assert db.execute(text("SELECT count(*) FROM infusion_session")).scalar_one() > 0
    finally:
        opened.close()


def test_a_first_start_that_crashed_shows_the_chairs_and_asks_for_the_first_administrator_once_read(
    qtbot: QtBot, data_dir: Path
) -> None:
    """The start after a crash paints before anything is read (no chair, the sign-in panel); on
    a database with no administrator yet the panel must become the first-run form, or nobody
    could sign in until the next clean start."""
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    funnel = MessageFunnel()
    config = Config()
    clock = SystemClock()
    rules = RuleSetService(None, funnel)
    deferred = DeferredBuild()
    window = first_window(config, paths, _not_read_yet(), "db", funnel, rules, clock, deferred)
    qtbot.addWidget(window, before_close_func=MainWindow.close_now)
    window.show()
    panel = window.sign_in_panel
    assert not panel.first_run, "nothing is known before the database is read"
    board = window.board
    assert board.tiles == () and board.not_read_yet.isVisible()
    assert board.not_read_yet.text() == CHAIRS_NOT_READ_YET, "never an empty page of no chairs"
    opened = second_phase(
        window,
        lambda: open_database(None, paths),
        opening_text=CHECKING_TEXT,
        build=deferred,
        config=config,
        paths=paths,
        funnel=funnel,
        rules=rules,
        clock=clock,
        library=load_library(),
        make_sound_player=None,
    )
    try:
        qtbot.waitUntil(lambda: panel.first_run, timeout=10_000)
        qtbot.waitUntil(lambda: len(board.tiles) == len(config.unit.chairs))
        assert not board.not_read_yet.isVisible()
        assert panel.title.text() == "Create the administrator account"
        assert panel.submit.text() == "Create administrator and sign in"
        window.activateWindow()
        panel.focus_first_field()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.staff_id)
        for index, typed in enumerate(("ADMIN", "Ann Admin", "3456", "3456")):
            if index:
                QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            QTest.keyClicks(QApplication.focusWidget(), typed)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
        assert window.actor is not None and window.actor.staff_id == "ADMIN"
        window.lock()
        qtbot.waitUntil(lambda: not panel.first_run, timeout=10_000)
        assert panel.title.text() == "Screen locked" and panel.submit.text() == "Sign in"
    finally:
        window.close_now()
        opened.close()
