"""Fixtures for window tests: parsed arguments and a composed main window on a temp database."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from care_world import Chair
from infusion_monitor.app import build_main_window, current_actor, open_app_database
from infusion_monitor.cli import build_parser
from infusion_monitor.config import Config, configured_rules_file, load_config
from infusion_monitor.domain.clock import Clock, SystemClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.storage.database import Database
from infusion_monitor.ui.db_worker import DatabaseWorker
from infusion_monitor.ui.deferred_build import DeferredBuild
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.sound import SoundOutput
from session_helpers import NURSE

MakeWindow = Callable[..., MainWindow]


@pytest.fixture(autouse=True)
def no_window_outlives_its_test() -> Iterator[None]:
    """Fail a test that leaves a main window open (pytest-qt's closing of the test's widgets
    runs before this): its timers, its database thread and its application-wide event filter
    would run on into the next tests."""
    yield
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    left = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    for window in left:
        window.close_now()
    assert not left, "a main window was left open; close it with close_now() (the app ending)"


@pytest.fixture
def database_worker(qtbot: QtBot) -> Iterator[DatabaseWorker]:
    """The database thread a window built by hand gets its services through, as the app's
    window does (``app.complete_window``): its queries never run on the GUI thread."""
    worker = DatabaseWorker()
    yield worker
    worker.close()


@pytest.fixture
def make_window(qtbot: QtBot, data_dir: Path) -> Iterator[MakeWindow]:
    """Return ``make(*argv, funnel=None, clock=None, deferred=None, sound_player=None)``: compose
    the window as the app would.

    At the end of the test every window closes as the app does when it ends (``close_now``): a
    plain ``close()`` is refused while infusions run, which would leave the window, its timers and
    its database thread running into the next test.

    Everything but ``exec()``. The window is complete on return, unless ``deferred`` (a
    ``DeferredBuild``) takes the second phase, which the app runs after the first paint.
    """
    databases: list[Database] = []

    def make(
        *argv: str,
        funnel: MessageFunnel | None = None,
        clock: Clock | None = None,
        deferred: DeferredBuild | None = None,
        sound_player: SoundOutput | None = None,
    ) -> MainWindow:
        args: argparse.Namespace = build_parser().parse_args(list(argv))
        paths = AppPaths.resolve(args.data_dir)
        paths.ensure()
        config = load_config(paths.config_file)
        clock = clock or SystemClock()
        funnel = funnel or MessageFunnel()
        rules = RuleSetService(configured_rules_file(config, paths.config_file), funnel)
        database = open_app_database(args, config, paths, clock, rules.rules)
        databases.append(database)
        window = build_main_window(
            config=config,
            paths=paths,
            database=database,
            funnel=funnel,
            rules=rules,
            clock=clock,
            actor=current_actor(args),
            deferred=deferred,
            make_sound_player=None if sound_player is None else lambda: sound_player,
        )
        qtbot.addWidget(window, before_close_func=MainWindow.close_now)
        return window

    yield make
    for database in databases:
        database.close()


def composed_window(
    qtbot: QtBot,
    chair: Chair,
    data_dir: Path,
    funnel: MessageFunnel | None = None,
    config: Config | None = None,
) -> MainWindow:
    """The app's window on ``chair``'s database and clock, the nurse signed in, shown."""
    funnel = funnel or MessageFunnel()
    window = build_main_window(
        config=config or Config(),
        paths=AppPaths.resolve(data_dir),
        database=chair.database,
        funnel=funnel,
        rules=RuleSetService(None, funnel),
        clock=chair.clock,
        actor=NURSE,
    )
    qtbot.addWidget(window, before_close_func=MainWindow.close_now)
    window.show()
    qtbot.waitExposed(window)
    return window
