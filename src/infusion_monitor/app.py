"""The composition root: paths, config, logging, crash hooks, database, services, then the window.

The one place where the app's parts are built and wired together (qutebrowser's ``app.py``
order). Nothing is global: each part gets what it needs as arguments.

Qt is imported only once the configuration and the database are known to be usable: a bad
``--db`` fails fast without loading Qt, and SQLAlchemy and pydantic load before PySide6 installs
its import hook, which slows every later import.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from infusion_monitor import __version__, crashlog
from infusion_monitor.config import Config, configured_rules_file, load_config
from infusion_monitor.domain.clock import Clock, SystemClock
from infusion_monitor.errors import UserError
from infusion_monitor.logsetup import file_logging
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.board import BoardService
from infusion_monitor.services.messages import MessageAction, MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.services.unit_board import UnitBoardService
from infusion_monitor.startup import seconds_since_process_start
from infusion_monitor.storage.changes import ChangeWatcher
from infusion_monitor.storage.database import Database, open_database

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from infusion_monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: Files SQLite may keep next to a database; the demo removes them with it.
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def run_gui(args: argparse.Namespace) -> int:
    """Start the app from parsed command-line arguments and return the exit status.

    A :class:`UserError` raised before the window exists propagates to the command line, which
    prints its one-line message. Any other error during start-up becomes a crash report and exit
    status 70; once the event loop runs, :class:`~infusion_monitor.ui.crash.CrashHooks` does that.
    """
    clock = SystemClock()
    paths = AppPaths.resolve(args.data_dir)
    paths.ensure()
    config = load_config(paths.config_file)
    with file_logging(paths.log_dir):
        log.info("Infusion Monitor %s starting; data folder %s", __version__, paths.data_dir)
        try:
            status = _run(args, config, paths, clock)
        except UserError:
            raise
        except Exception as exc:
            crashlog.save_exception_report(
                paths.crash_dir, type(exc), exc, exc.__traceback__, clock.now()
            )
            return crashlog.CRASH_EXIT_STATUS
        log.info("Infusion Monitor stopped with status %d", status)
        return status


def _run(args: argparse.Namespace, config: Config, paths: AppPaths, clock: Clock) -> int:
    """Load the rules, open the database, then load Qt, install crash hooks, build the window."""
    funnel = MessageFunnel()
    rules = RuleSetService(configured_rules_file(config, paths.config_file), funnel)
    with open_app_database(args, config, paths, clock, rules.rules.version) as database:
        log.info("database %s", database.location)
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication

        from infusion_monitor.ui.crash import CrashHooks
        from infusion_monitor.ui.first_paint import FirstPaintReporter

        with CrashHooks(paths.crash_dir, clock, QCoreApplication.exit):
            existing = QApplication.instance()
            qt_app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
            qt_app.setApplicationName("Infusion Monitor")
            qt_app.setApplicationVersion(__version__)
            window = build_main_window(
                config=config,
                paths=paths,
                database=database,
                funnel=funnel,
                rules=rules,
                clock=clock,
            )
            if args.quit_after_start:
                FirstPaintReporter(window, seconds_since_process_start)
            window.setGeometry(qt_app.primaryScreen().availableGeometry())
            window.showMaximized()
            window.activateWindow()
            with _monitor_gateway(config, database, clock, funnel):
                return qt_app.exec()


@contextlib.contextmanager
def _monitor_gateway(
    config: Config, database: Database, clock: Clock, funnel: MessageFunnel
) -> Iterator[None]:
    """Run the bedside-monitor gateway inside the app when ``[gateway] listen`` is set."""
    if not config.gateway.listen:
        yield
        return
    from infusion_monitor.integrations.hl7.gateway import Gateway, GatewayServer, parse_listen
    from infusion_monitor.services.monitor_feed import MonitorFeedService

    host, port = parse_listen(config.gateway.listen)
    feed = MonitorFeedService(database.sessions)
    try:
        server = GatewayServer(Gateway(feed.store, clock.now), host, port).start()
    except OSError as exc:
        funnel.warning(f"The monitor gateway cannot listen on {host}:{port} ({exc.strerror}).")
        yield
        return
    try:
        yield
    finally:
        server.stop()


def open_app_database(
    args: argparse.Namespace, config: Config, paths: AppPaths, clock: Clock, ruleset_version: str
) -> Database:
    """Open the database chosen by ``--demo``, ``--db``, the config file or the default.

    ``--demo`` uses its own file in the data folder, deleted and seeded afresh at every start.
    """
    if not args.demo:
        return open_database(args.db or config.database.url, paths)
    if args.db:
        raise UserError("--demo uses its own database; leave out --db to see the demo.")
    from infusion_monitor.demo import seed_demo

    demo_file = paths.demo_database_file
    for suffix in _SQLITE_SIDE_FILES:
        demo_file.with_name(demo_file.name + suffix).unlink(missing_ok=True)
    database = open_database(f"sqlite:///{demo_file}", paths)
    try:
        seed_demo(database.sessions, config.unit.chairs, clock.now(), ruleset_version)
    except BaseException:
        database.close()
        raise
    return database


def build_main_window(
    *,
    config: Config,
    paths: AppPaths,
    database: Database,
    funnel: MessageFunnel,
    rules: RuleSetService,
    clock: Clock,
) -> MainWindow:
    """Build the services and the main window over an open database (needs a QApplication)."""
    from infusion_monitor.ui.main_window import MainWindow

    board = BoardService(database.sessions, config.unit.chairs)
    latest_crash = crashlog.latest_report(paths.crash_dir)
    stale_after = timedelta(minutes=config.gateway.stale_after_min)

    def open_unit_board() -> QWidget:
        from infusion_monitor.ui.unit_board import UnitBoardWindow

        watcher = ChangeWatcher(database.engine)
        service = UnitBoardService(database.sessions, watcher, stale_after)
        window = UnitBoardWindow(service.snapshot, service.changed, clock.now)
        window.destroyed.connect(lambda *_args: watcher.close())
        return window

    window = MainWindow(
        unit_name=config.unit.name,
        load_board=board.snapshot,
        clock=clock,
        funnel=funnel,
        database_location=database.location,
        rule_set=rules.info(),
        reload_rules=rules.reload,
        latest_crash_report=latest_crash.path if latest_crash else None,
        open_unit_board=open_unit_board,
    )
    _announce_unshown_crash(paths.crash_dir, funnel, window)
    return window


def _announce_unshown_crash(crash_dir: Path, funnel: MessageFunnel, window: MainWindow) -> None:
    """Tell the nurse, once, that the last run ended in a crash and where the report is."""
    report = crashlog.unshown_report(crash_dir)
    if report is None:
        return
    when = report.at.astimezone().strftime("%H:%M on %d %b %Y")
    funnel.warning(
        f"The app closed unexpectedly at {when}; report saved at {report.path}.",
        MessageAction("View report", functools.partial(window.show_crash_report, report.path)),
    )
    crashlog.mark_shown(report)
