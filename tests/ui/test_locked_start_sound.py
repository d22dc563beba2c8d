"""A locked window sounds its open alarms before anyone signs in, even while the database opens.

The app paints the locked first screen (its alerts flash), then opens the database beside it.
Alarms never wait for the database: the mixer is built first and sounds the first screen's
alerts while nobody is signed in and another program holds the database; an audio pause, which
must be recorded, is refused until the database is open.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from infusion_monitor.app import first_window, read_first, second_phase
from infusion_monitor.config import Config
from infusion_monitor.demo import seed_demo
from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.clock import FakeClock, SystemClock
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.domain.protocol_library import load_library
from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.sql_rows import reading
from infusion_monitor.ui.alarm_sound import NOT_RECORDED_YET
from infusion_monitor.ui.deferred_build import DeferredBuild
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.sound import SilentPlayer
from session_helpers import NURSE
from sqlite_lock import write_locked

LOCK_S = 2.5


def test_a_locked_window_sounds_its_high_alert_while_the_database_opens(
    qtbot: QtBot, data_dir: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    funnel = MessageFunnel()
    config = Config()
    library = load_library()
    rules = RuleSetService(None, funnel)
    with open_database(None, paths) as database:
        seed_demo(database.sessions, config.unit.chairs, SystemClock().now())
        first = read_first(reading(database.sessions), config, library, SystemClock())
    high = next(
        alert
        for alert in first.unit_alerts.by_session.values()
        if alert.priority is AlertPriority.HIGH
    )
    clock = FakeClock(high.raised_at)  # the moment its first burst is due
    deferred = DeferredBuild()
    window = first_window(config, paths, first, "db", funnel, rules, clock, deferred)
    qtbot.addWidget(window, before_close_func=MainWindow.close_now)
    window.show()
    assert window.locked, "nobody is signed in"
    player = SilentPlayer()
    heard_while_opening: list[PromptSound] = []
    refused: list[str] = []

    def listen() -> None:
        if locker.poll() is None and window.alarm_sound is not None:
            heard_while_opening.extend(player.requested)
            try:
                window.alarm_sound.pause(NURSE)
            except UserError as exc:
                refused.append(exc.message)

    timer = QTimer(window)
    timer.timeout.connect(listen)
    timer.start(100)
    opened: Database | None = None
    with write_locked(paths.database_file, LOCK_S) as locker:
        started = time.monotonic()
        opened = second_phase(
            window,
            lambda: open_database(None, paths),
            build=deferred,
            config=config,
            paths=paths,
            funnel=funnel,
            rules=rules,
            clock=clock,
            library=library,
            make_sound_player=lambda: player,
        )
        waited = time.monotonic() - started
    timer.stop()
    try:
        assert waited >= 1.0, "the database opened only once the other program let go"
        assert PromptSound.ALARM_HIGH in heard_while_opening, "the alarm sounded meanwhile"
        assert refused and refused[0] == NOT_RECORDED_YET
        assert window.locked
        mixer = window.alarm_sound
        assert mixer is not None and mixer.output is player
        assert mixer.sounding(clock.now()), "still sounding: nobody acknowledged it"
        mixer.pause(NURSE)  # the database is open: a pause is recorded now, then silences
        assert not mixer.sounding(clock.now())
    finally:
        window.close_now()
        opened.close()
