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
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from infusion_monitor import __version__, crashlog
from infusion_monitor.config import Config, configured_rules_file, load_config
from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.clock import Clock, SystemClock
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.errors import UserError
from infusion_monitor.logsetup import file_logging
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.board import BoardService
from infusion_monitor.services.care import make_care_services, sessions_lifecycle
from infusion_monitor.services.messages import MessageAction, MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.services.sessions import SessionService
from infusion_monitor.startup import seconds_since_process_start
from infusion_monitor.storage.database import Database, open_database

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from infusion_monitor.services.backups import BackupJob
    from infusion_monitor.ui.controller import SessionController
    from infusion_monitor.ui.main_window import MainWindow
    from infusion_monitor.ui.sound import SoundPlayer

log = logging.getLogger(__name__)

#: Who acts when nobody is signed in (until sign-in exists): the workstation, as a nurse.
WORKSTATION_ACTOR = Actor("WORKSTATION", "Workstation", Role.NURSE)

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
    with open_app_database(args, config, paths, clock, rules.rules) as database:
        log.info("database %s", database.location)
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication

        from infusion_monitor.ui.crash import CrashHooks
        from infusion_monitor.ui.deferred_build import DeferredBuild
        from infusion_monitor.ui.first_paint import FirstPaintReporter, FirstPaintWatcher
        from infusion_monitor.ui.sound import QtSoundPlayer

        with (
            CrashHooks(paths.crash_dir, clock, QCoreApplication.exit),
            contextlib.ExitStack() as stack,
        ):
            existing = QApplication.instance()
            qt_app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
            qt_app.setApplicationName("Infusion Monitor")
            qt_app.setApplicationVersion(__version__)
            # Phase 1 builds what the locked first screen shows; the rest waits for its paint.
            deferred = DeferredBuild(qt_app)
            window = build_main_window(
                config=config,
                paths=paths,
                database=database,
                funnel=funnel,
                rules=rules,
                clock=clock,
                make_sound_player=functools.partial(QtSoundPlayer, config.sound.volume, qt_app),
                later=deferred.add,
            )
            deferred.add(
                lambda: stack.enter_context(
                    _monitor_gateway(
                        config, database, clock, funnel, lambda: rules.rules, load_library()
                    )
                )
            )
            painted = FirstPaintWatcher(window)
            if args.quit_after_start:  # connected first: its line comes before phase 2 runs
                FirstPaintReporter(
                    window, seconds_since_process_start, ready=deferred.ready, watcher=painted
                )
            painted.painted.connect(deferred.start)
            deferred.start_fallback()
            window.setGeometry(qt_app.primaryScreen().availableGeometry())
            window.showMaximized()
            window.activateWindow()
            return qt_app.exec()


@contextlib.contextmanager
def _monitor_gateway(
    config: Config,
    database: Database,
    clock: Clock,
    funnel: MessageFunnel,
    rules: Callable[[], RuleSet],
    library: ProtocolLibrary,
) -> Iterator[None]:
    """Run the bedside-monitor gateway inside the app when ``[gateway] listen`` is set."""
    if not config.gateway.listen:
        yield
        return
    from infusion_monitor.integrations.hl7.gateway import parse_listen, running_gateway
    from infusion_monitor.services.monitor_feed import make_monitor_feed

    host, port = parse_listen(config.gateway.listen)
    feed = make_monitor_feed(
        database.sessions,
        clock,
        rules,
        library,
        AlertPolicy(config.alerts.repeat_sound_s, config.alerts.escalate_after_s),
        config.security.workstation or socket.gethostname(),
    )
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(running_gateway(feed.store_batch, clock.now, host, port))
        except OSError as exc:
            funnel.warning(f"The monitor gateway cannot listen on {host}:{port} ({exc.strerror}).")
        yield


def current_actor(args: argparse.Namespace) -> Actor:
    """A pre-signed-in actor for tests and tools that compose the window without a sign-in.

    The app itself starts locked and the actor comes from the sign-in panel (``SignInState``).
    """
    from infusion_monitor.demo import DEMO_NURSE

    return DEMO_NURSE if args.demo else WORKSTATION_ACTOR


def open_app_database(
    args: argparse.Namespace, config: Config, paths: AppPaths, clock: Clock, rules: RuleSet
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
        _seed_demo_history(database, clock, rules)
        seed_demo(database.sessions, config.unit.chairs, clock.now(), rules)
    except BaseException:
        database.close()
        raise
    return database


#: The demo's finished sessions for the review pages: chairs and days before today.
DEMO_HISTORY_CHAIRS = 5
DEMO_HISTORY_DAYS = 28


def _seed_demo_history(database: Database, clock: Clock, rules: RuleSet) -> None:
    """Four weeks of synthetic finished sessions, so the review and quality pages have data."""
    from infusion_monitor.synthetic import GenerateSpec, generate

    yesterday = clock.now().date() - timedelta(days=1)
    spec = GenerateSpec(DEMO_HISTORY_CHAIRS, DEMO_HISTORY_DAYS, yesterday, seed=7)
    generate(database.sessions, spec, rules)


def build_main_window(
    *,
    config: Config,
    paths: AppPaths,
    database: Database,
    funnel: MessageFunnel,
    rules: RuleSetService,
    clock: Clock,
    actor: Actor | None = None,
    library: ProtocolLibrary | None = None,
    make_sound_player: Callable[[], SoundPlayer] | None = None,
    later: Callable[[Callable[[], None]], None] | None = None,
) -> MainWindow:
    """Build the services and the main window over an open database (needs a QApplication).

    The window starts locked; every use case acts for whoever signs in (``SignInState``).
    ``actor`` signs someone in from the start (tests and tools only).

    What the locked first screen shows (header, chair board, sign-in panel, status bar) is built
    at once. The rest (vitals plot and entry row, prompt bar, Review menu, backups) is handed to
    ``later`` as steps to run after the first paint (``DeferredBuild.add``); without ``later``
    they run here, and the window is complete on return.
    """
    from infusion_monitor.services.audit import AuditService
    from infusion_monitor.services.auth import AuthService, LockoutPolicy, SignInState
    from infusion_monitor.services.staff import StaffService
    from infusion_monitor.ui.care_controller import CareController
    from infusion_monitor.ui.controller import SessionController
    from infusion_monitor.ui.main_window import MainWindow
    from infusion_monitor.ui.security import SecurityWiring

    security_config = config.security
    auth = AuthService(
        database.sessions,
        clock,
        workstation=security_config.workstation or socket.gethostname(),
        policy=LockoutPolicy(security_config.max_failed_pins, security_config.lockout_minutes),
    )
    state = SignInState()
    if actor is not None:
        state.set_actor(actor)
    security = SecurityWiring(
        auth=auth,
        staff=StaffService(database.sessions, clock, hasher=auth.hasher),
        audit=AuditService(database.sessions),
        state=state,
        lock_after=timedelta(minutes=security_config.lock_after_minutes),
    )

    library = library or load_library()
    board = BoardService(database.sessions, config.unit.chairs, library)
    # One assessing service for the workstation: lifecycle changes, vitals, symptoms and care
    # steps all assess through it, and the alert service listens to it.
    assessing = AssessingService(lambda: rules.rules)
    sessions = SessionService(
        database.sessions,
        library,
        lambda: rules.rules,
        clock,
        config.unit.chairs,
        assessing=assessing,
    )
    controller = SessionController(sessions, board, funnel, state.require_actor)
    care_services = make_care_services(
        database.sessions,
        clock,
        lambda: rules.rules,
        AlertPolicy(config.alerts.repeat_sound_s, config.alerts.escalate_after_s),
        sessions_lifecycle(sessions),
        assessing,
    )
    care = CareController(
        care_services.care, care_services.alerts, funnel, state.require_actor, clock
    )
    latest_crash = crashlog.latest_report(paths.crash_dir)
    stale_after = timedelta(minutes=config.gateway.stale_after_min)

    def open_unit_board() -> QWidget:
        from infusion_monitor.services.unit_board import UnitBoardService
        from infusion_monitor.storage.changes import ChangeWatcher
        from infusion_monitor.ui.unit_board import UnitBoardWindow

        watcher = ChangeWatcher(database.engine)
        service = UnitBoardService(database.sessions, library, watcher, config.unit.chairs)
        window = UnitBoardWindow(
            service.snapshot, service.changed, clock.now, stale_after, care_services.alerts.policy
        )
        window.destroyed.connect(lambda *_args: watcher.close())
        return window

    window = MainWindow(
        unit_name=config.unit.name,
        controller=controller,
        clock=clock,
        funnel=funnel,
        database_location=database.location,
        rule_set=rules.info(),
        reload_rules=rules.reload,
        latest_crash_report=latest_crash.path if latest_crash else None,
        open_unit_board=open_unit_board,
        care=care,
        security=security,
        stale_after=stale_after,
    )
    _announce_unshown_crash(paths.crash_dir, funnel, window)
    steps: list[Callable[[], None]] = [
        window.attach_care_view,
        functools.partial(_watch_database, window, database),
        functools.partial(
            _attach_vitals,
            window,
            controller,
            database,
            library,
            assessing,
            rules,
            config,
            clock,
            state.require_actor,
            funnel,
            make_sound_player,
        ),
        functools.partial(
            _attach_review, window, database, clock, library, rules, state.require_actor
        ),
    ]
    if database.file is not None and database.file != paths.demo_database_file:
        from infusion_monitor.services.backups import BackupJob

        job = BackupJob(
            database.file,
            paths.backup_dir,
            clock,
            funnel,
            every=timedelta(hours=config.backup.every_hours),
            keep=config.backup.keep,
        )
        steps.append(functools.partial(_schedule_backups, window, job))
    for step in steps:
        (later or _run_now)(step)
    return window


def _run_now(step: Callable[[], None]) -> None:
    step()


def _watch_database(window: MainWindow, database: Database) -> None:
    """Let the window notice every commit (monitor values, other workstations) at its tick."""
    from infusion_monitor.storage.changes import ChangeWatcher

    watcher = ChangeWatcher(database.engine)
    window.watch_database(watcher.changed)
    window.destroyed.connect(lambda *_args: watcher.close())


def _schedule_backups(window: MainWindow, job: BackupJob) -> None:
    """Check now whether a backup is due, then every ``BACKUP_CHECK_MS``."""
    from PySide6.QtCore import QTimer

    backup_timer = QTimer(window)
    backup_timer.setInterval(BACKUP_CHECK_MS)
    backup_timer.timeout.connect(functools.partial(_start_backup, job))
    backup_timer.start()
    _start_backup(job)  # at start: a copy if the newest is older than the interval


def _attach_vitals(
    window: MainWindow,
    sessions: SessionController,
    database: Database,
    library: ProtocolLibrary,
    assessing: AssessingService,
    rules: RuleSetService,
    config: Config,
    clock: Clock,
    actor: Callable[[], Actor],
    funnel: MessageFunnel,
    make_sound_player: Callable[[], SoundPlayer] | None,
) -> None:
    """Plot and entry row in the session view; the due/overdue prompt bar with its sound."""
    from infusion_monitor.domain.prompts import VitalsPrompter
    from infusion_monitor.services.silencing import SilencingService
    from infusion_monitor.services.vitals import VitalsService
    from infusion_monitor.services.vitals_schedule import VitalsScheduleService
    from infusion_monitor.services.vitals_trend import VitalsTrendService
    from infusion_monitor.ui.sound import SilentPlayer, play_alarm
    from infusion_monitor.ui.vitals_panel import VitalsController, VitalsPanel
    from infusion_monitor.ui.vitals_prompt import VitalsPromptBar

    vitals = VitalsService(database.sessions, assessing, library)
    trend = VitalsTrendService(database.sessions, lambda: rules.rules)
    schedule = VitalsScheduleService(database.sessions, library)
    silencing = SilencingService(database.sessions, clock)
    controller = VitalsController(vitals, trend, funnel, actor, clock, sessions)
    window.vitals_panel = VitalsPanel(window.session_view, controller, clock)
    controller.vitals_recorded.connect(lambda _outcome: sessions.board_changed.emit())
    sound_player = make_sound_player() if make_sound_player is not None else None
    player = sound_player or SilentPlayer()
    problem = getattr(player, "problem", None)
    if sound_player is not None and not player.available:
        funnel.warning(
            f"Sound is unavailable ({problem or 'no audio'}): alarms and vitals prompts are "
            "shown on screen only. Connect speakers or call IT."
        )
    if window.care is not None:
        window.care.attach_sound(functools.partial(play_alarm, player))
    window.vitals_prompt = VitalsPromptBar(
        clock,
        schedule.open_statuses,
        schedule.chair_name,
        player,
        VitalsPrompter(max_mute_min=config.sound.mute_max_min),
        actor,
        silencing.record_mute,
    )
    window.statusBar().addPermanentWidget(window.vitals_prompt, 3)


def _attach_review(
    window: MainWindow,
    database: Database,
    clock: Clock,
    library: ProtocolLibrary,
    rules: RuleSetService,
    actor: Callable[[], Actor],
) -> None:
    """The charge nurse's Review menu: session review and quality measures."""
    from infusion_monitor.services.quality import QualityService
    from infusion_monitor.services.review import ReviewService
    from infusion_monitor.ui.review.wiring import ReviewWiring, attach_review

    review = ReviewService(database.sessions, clock, library, lambda: rules.rules)
    attach_review(window, ReviewWiring(review, QualityService(database.sessions), actor, clock))


#: How often the app asks whether a backup is due (the interval itself is in the config).
BACKUP_CHECK_MS = 10 * 60 * 1000


def _start_backup(job: BackupJob) -> None:
    """Run the backup job on a worker thread, so a large database never freezes the board."""
    threading.Thread(target=job.run_if_due, name="backup", daemon=True).start()


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
