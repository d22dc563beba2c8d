"""The composition root: paths, config, logging, crash hooks, database, services, then the window.

The one place where the app's parts are built and wired together (qutebrowser's ``app.py``
order). Nothing is global: each part gets what it needs as arguments.

Start-up comes in two phases. The first paints the locked first screen (header, chair board with
every chair's state and alert band, sign-in panel, status bar), read from the database by the
same SQL text the services use. When the database is an embedded SQLite file at this app's
schema that was closed cleanly, that read runs through the standard library's ``sqlite3``
(``storage.first_read``), so neither SQLAlchemy nor the ORM is imported before the window shows;
any other database (a server, a new file, one to migrate or check) is opened the regular way
first, exactly as before. Qt is imported only once the configuration is known to be usable and
the database checked: a bad ``--db`` fails fast without loading Qt. The second phase, right after
the first paint, opens the database the regular way, builds the services and wires them in
(sign-in, the change feed, the alarm sound, the vitals prompt bar) and the gateway; the app is
*ready* once the unit model's first read arrived (chairs, alerts and vitals prompts are live).
The parts only a signed-in nurse sees (the session view's care tabs, trend plot and vitals
entry, the Review menu, unit settings) and backups are built right after, or at once by a
sign-in that came first.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from infusion_monitor import __version__, crashlog
from infusion_monitor.config import Config, configured_rules_file, load_config
from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.clock import Clock, SystemClock
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.errors import UserError
from infusion_monitor.logsetup import file_logging
from infusion_monitor.paths import AppPaths, workstation_name
from infusion_monitor.services.messages import MessageAction, MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.services.sessions.first_screen import FirstScreen, read_first_screen
from infusion_monitor.startup import seconds_since_process_start
from infusion_monitor.storage.first_read import (
    checked_while_opening,
    read_only_rows,
    readable_at_once,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from infusion_monitor.rules.loader import RuleSet
    from infusion_monitor.services.assessing import AssessingService
    from infusion_monitor.services.backups import BackupJob
    from infusion_monitor.storage.database import Database
    from infusion_monitor.storage.rows import Reader
    from infusion_monitor.ui.alarm_sound import AlarmSoundMixer
    from infusion_monitor.ui.db_worker import DatabaseWorker
    from infusion_monitor.ui.deferred_build import DeferredBuild
    from infusion_monitor.ui.main_window import MainWindow
    from infusion_monitor.ui.model_bridge import ModelBridge
    from infusion_monitor.ui.sound import SoundOutput

log = logging.getLogger(__name__)

#: Who acts when nobody is signed in (until sign-in exists): the workstation, as a nurse.
WORKSTATION_ACTOR = Actor("WORKSTATION", "Workstation", Role.NURSE)

#: Files SQLite may keep next to a database; the demo removes them with it.
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def run_gui(args: argparse.Namespace) -> int:
    """Start the app from parsed command-line arguments and return the exit status.

    A :class:`UserError` raised before the window exists propagates to the command line, which
    prints its one-line message; so does one raised by opening the database right after the
    first paint (the window closes first). Any other error during start-up becomes a crash
    report and exit status 70; once the event loop runs, :class:`~infusion_monitor.ui.crash.
    CrashHooks` does that.
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
    """Load the rules, read the first screen, then load Qt, install crash hooks, paint, complete."""
    funnel = MessageFunnel()
    if args.demo:
        funnel.info(
            "Demo: a fresh demo database with fictional patients, rebuilt at every start;"
            " nothing entered here is kept. Sign in as DEMO (PIN 1234)."
        )
    rules = RuleSetService(configured_rules_file(config, paths.config_file), funnel)
    library = load_library()
    with contextlib.ExitStack() as databases:

        @functools.cache
        def database() -> Database:
            """The database, opened the regular way (created, checked, migrated) at first need."""
            opened = databases.enter_context(
                open_app_database(args, config, paths, clock, rules.rules)
            )
            log.info("database %s", opened.location)
            return opened

        url = args.db or config.database.url
        at_once = None if args.demo else readable_at_once(url, paths)
        unchecked = None if args.demo or at_once else checked_while_opening(url, paths)
        opening_text = OPENING_BUSY_TEXT
        if at_once is not None:
            location = str(at_once)
            first = read_first(functools.partial(read_only_rows, at_once), config, library, clock)
        elif unchecked is not None:  # after a crash: checked while opening, beside the window
            location, first, opening_text = str(unchecked), _not_read_yet(), CHECKING_TEXT
        else:
            location = database().location
            first = read_first(_reading(database()), config, library, clock)

        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication

        from infusion_monitor.ui.crash import CrashHooks
        from infusion_monitor.ui.deferred_build import DeferredBuild
        from infusion_monitor.ui.first_paint import FirstPaintReporter, FirstPaintWatcher
        from infusion_monitor.ui.sound import QtSoundPlayer

        refused: list[UserError] = []
        with (
            CrashHooks(paths.crash_dir, clock, QCoreApplication.exit),
            contextlib.ExitStack() as stack,
        ):
            existing = QApplication.instance()
            qt_app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
            qt_app.setApplicationName("Infusion Monitor")
            qt_app.setApplicationVersion(__version__)
            from infusion_monitor.ui.collector import MainThreadCollector

            MainThreadCollector(qt_app)  # garbage is collected on the GUI thread only
            # Phase 1 paints the locked first screen; the rest waits for its paint.
            deferred = DeferredBuild(qt_app)
            window = first_window(config, paths, first, location, funnel, rules, clock, deferred)

            def complete() -> None:
                try:
                    opened_now = second_phase(
                        window,
                        database,
                        opening_text=opening_text,
                        build=deferred,
                        config=config,
                        paths=paths,
                        funnel=funnel,
                        rules=rules,
                        clock=clock,
                        library=library,
                        make_sound_player=functools.partial(
                            QtSoundPlayer,
                            config.sound.volume,
                            config.sound.volume_floor,
                            qt_app,
                            kept_in=paths.sound_dir,
                        ),
                    )
                except UserError as exc:  # changed since the first read: refuse as before
                    refused.append(exc)
                    window.close_now()
                    qt_app.exit(exc.exit_code)
                    return
                stack.enter_context(
                    _monitor_gateway(
                        config, opened_now, clock, funnel, lambda: rules.rules, library
                    )
                )

            deferred.add(complete)
            painted = FirstPaintWatcher(window)
            if args.quit_after_start:  # connected first: its line comes before phase 2 runs
                FirstPaintReporter(
                    window,
                    seconds_since_process_start,
                    ready=deferred.ready,
                    complete=deferred.complete,
                    watcher=painted,
                )
            painted.painted.connect(deferred.start)
            deferred.start_fallback()
            window.setGeometry(qt_app.primaryScreen().availableGeometry())
            window.showMaximized()
            window.activateWindow()
            status = qt_app.exec()
        if refused:
            raise refused[0]
        return status


#: The status bar's words while another program keeps the database from opening.
OPENING_BUSY_TEXT = (
    "Opening the database — busy: another program holds it. Waiting; alerts and chairs show "
    "what was stored at start."
)
#: The status bar's words while a database not closed cleanly is checked and opened.
CHECKING_TEXT = (
    "Opening the database — it was not closed cleanly (the app stopped unexpectedly), so it "
    "is checked first. Chairs and alerts show as soon as it is open."
)


def _not_read_yet() -> FirstScreen:
    """The first screen of a start whose database is checked while it opens: no chair and no
    alert is shown before they are read (never a chair shown free that may not be)."""
    from infusion_monitor.domain.alerts import UnitAlerts
    from infusion_monitor.services.care.views import UnitAlertView

    return FirstScreen((), UnitAlertView(UnitAlerts(), {}), first_run=False)


def second_phase(
    window: MainWindow,
    database: Callable[[], Database],
    *,
    opening_text: str = OPENING_BUSY_TEXT,
    build: DeferredBuild,
    config: Config,
    paths: AppPaths,
    funnel: MessageFunnel,
    rules: RuleSetService,
    clock: Clock,
    library: ProtocolLibrary,
    make_sound_player: Callable[[], SoundOutput] | None,
) -> Database:
    """After the first paint: the first screen's alarms sound at once, then the database opens
    beside the window (``database()``: it may wait for another program's lock, or be checked
    after a crash) and the services are wired in (``complete_window``). Returns the database.

    A nurse hears an unacknowledged alarm while nobody is signed in and the database is still
    opening: alarms never wait for the database."""
    sound_the_alarms(window, config, clock, funnel, make_sound_player)
    opened = _open_beside_the_window(window, database, opening_text)
    complete_window(
        window,
        build=build,
        config=config,
        paths=paths,
        database=opened,
        funnel=funnel,
        rules=rules,
        clock=clock,
        library=library,
        make_sound_player=make_sound_player,
    )
    return opened


def _open_beside_the_window(
    window: MainWindow, database: Callable[[], Database], busy_text: str = OPENING_BUSY_TEXT
) -> Database:
    """``database()`` (importing SQLAlchemy, checking or migrating the schema) on a thread of its
    own: meanwhile the painted window repaints, its alerts flash and its timers tick, and the
    status bar says ``busy_text`` when the open takes a while (another program holds the
    database, or it is checked after a crash)."""
    opener = _database_worker(window, busy_text=busy_text)
    try:
        return opener.call(database)
    finally:
        opener.close()
        opener.deleteLater()


def _ready_once_read(window: MainWindow, deferred: DeferredBuild) -> None:
    """Hold ``deferred.ready`` until the unit model's first read arrived: until then the vitals
    prompts cannot say what is due (the chairs and alerts shown are the first screen's)."""
    release = deferred.hold()
    model = window.model
    if model.schedule_read:
        release()
        return
    model.schedule_changed.connect(lambda _dues: release())


def _reading(database: Database) -> Reader:
    """Reads through the database's SQLAlchemy sessions (imported here, not at start)."""
    from infusion_monitor.storage.sql_rows import reading

    return reading(database.sessions)


def alert_policy(config: Config) -> AlertPolicy:
    """The unit's alert timing from the configuration."""
    return AlertPolicy(config.alerts.escalate_after_s)


def stale_after(config: Config) -> timedelta:
    """How old a monitor's value may be before the screens grey it out."""
    return timedelta(minutes=config.gateway.stale_after_min)


def read_first(
    reader: Reader, config: Config, library: ProtocolLibrary, clock: Clock
) -> FirstScreen:
    """What the locked first screen shows, read now in one transaction."""
    with reader() as rows:
        return read_first_screen(
            rows, config.unit.chairs, library, alert_policy(config), clock.now()
        )


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
    from infusion_monitor.integrations.hl7.gateway import (
        listen_error,
        parse_listen,
        running_gateway,
    )
    from infusion_monitor.services.monitor.feed import make_monitor_feed

    host, port = parse_listen(config.gateway.listen)
    feed = make_monitor_feed(
        database.sessions,
        clock,
        rules,
        library,
        alert_policy(config),
        workstation_name(config.security.workstation),
    )
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(
                running_gateway(
                    feed.store_batch,
                    clock.now,
                    host,
                    port,
                    heart_rate_sources=config.gateway.heart_rate_sources,
                )
            )
        except OSError as exc:
            funnel.warning(f"The monitor gateway is off. {listen_error(host, port, exc)}")
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
    from infusion_monitor.storage.database import open_database

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


def first_window(
    config: Config,
    paths: AppPaths,
    first: FirstScreen,
    location: str,
    funnel: MessageFunnel,
    rules: RuleSetService,
    clock: Clock,
    deferred: DeferredBuild,
) -> MainWindow:
    """The locked first screen from ``first`` (needs a QApplication); ``complete_window`` ends it.

    ``deferred`` runs the second phase: a sign-in before it ran runs it at once.
    """
    from infusion_monitor.ui.main_window import MainWindow

    latest_crash = crashlog.latest_report(paths.crash_dir)
    window = MainWindow(
        unit_name=config.unit.name,
        first=first,
        alert_policy=alert_policy(config),
        clock=clock,
        funnel=funnel,
        database_location=location,
        rule_set=rules.info(),
        reload_rules=rules.reload,
        latest_crash_report=latest_crash.path if latest_crash else None,
        finish_build=deferred.finish,
        stale_after=stale_after(config),
    )
    _announce_unshown_crash(paths.crash_dir, funnel, window)
    return window


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
    make_sound_player: Callable[[], SoundOutput] | None = None,
    deferred: DeferredBuild | None = None,
) -> MainWindow:
    """Build the window over an open database as the app does (needs a QApplication).

    The first screen is read from ``database`` and the rest is added to ``deferred`` as the app
    adds it after the first paint; without ``deferred`` the window is complete on return.
    ``actor`` signs someone in from the start (tests and tools only); the app starts locked.
    """
    from infusion_monitor.ui.deferred_build import DeferredBuild

    library = library or load_library()
    build = deferred or DeferredBuild()
    first = read_first(_reading(database), config, library, clock)
    window = first_window(config, paths, first, database.location, funnel, rules, clock, build)
    build.add(
        functools.partial(
            complete_window,
            window,
            build=build,
            config=config,
            paths=paths,
            database=database,
            funnel=funnel,
            rules=rules,
            clock=clock,
            library=library,
            actor=actor,
            make_sound_player=make_sound_player,
        )
    )
    if deferred is None:
        build.finish()
    return window


def complete_window(
    window: MainWindow,
    *,
    build: DeferredBuild,
    config: Config,
    paths: AppPaths,
    database: Database,
    funnel: MessageFunnel,
    rules: RuleSetService,
    clock: Clock,
    library: ProtocolLibrary,
    actor: Actor | None = None,
    make_sound_player: Callable[[], SoundOutput] | None = None,
) -> None:
    """The second phase: build the services over the open database and wire them in, the
    change feed, the alarm sound and the vitals prompt bar, and hold ``build`` ready until the
    unit model's first read arrived; hand ``build`` for later what only a signed-in nurse sees
    (the session view's care tabs, vitals plot and entry row, Review menu, unit settings) and
    the backups.

    Every use case acts for whoever signs in (``SignInState``); ``actor`` signs someone in now.
    """
    from infusion_monitor.model.reads import UnitReads
    from infusion_monitor.services.assessing import AssessingService
    from infusion_monitor.services.audit import AuditService
    from infusion_monitor.services.care.service import make_care_services, sessions_lifecycle
    from infusion_monitor.services.monitor.beds import BedMappingService
    from infusion_monitor.services.sessions.board import BoardService
    from infusion_monitor.services.sessions.lifecycle import SessionService
    from infusion_monitor.services.sessions.unit_board import UnitBoardService
    from infusion_monitor.services.staff.accounts import StaffService
    from infusion_monitor.services.staff.sign_in import AuthService, LockoutPolicy, SignInState
    from infusion_monitor.services.vitals.schedule import VitalsScheduleService
    from infusion_monitor.ui.care_controller import CareController
    from infusion_monitor.ui.controller import SessionController
    from infusion_monitor.ui.model_bridge import ModelBridge
    from infusion_monitor.ui.security import SecurityWiring

    worker = _database_worker(window)
    security_config = config.security
    auth = AuthService(
        database.sessions,
        clock,
        workstation=workstation_name(security_config.workstation),
        policy=LockoutPolicy(security_config.max_failed_pins, security_config.lockout_minutes),
    )
    state = SignInState()
    if actor is not None:
        state.set_actor(actor)
    staff = StaffService(database.sessions, clock, hasher=auth.hasher)
    security = SecurityWiring(
        auth=worker.serve(auth),
        staff=worker.serve(staff),
        audit=worker.serve(AuditService(database.sessions)),
        state=state,
        lock_after=timedelta(minutes=security_config.lock_after_minutes),
    )
    board = BoardService(_reading(database), config.unit.chairs, library)
    # One assessing service for the workstation: lifecycle changes, vitals, symptoms and care
    # steps all assess through it, and the alert service listens to it.
    assessing = AssessingService(lambda: rules.rules, library)
    sessions = SessionService(
        database.sessions,
        library,
        lambda: rules.rules,
        clock,
        config.unit.chairs,
        assessing=assessing,
    )
    care_services = make_care_services(
        database.sessions,
        clock,
        lambda: rules.rules,
        alert_policy(config),
        sessions_lifecycle(sessions),
        assessing,
    )
    schedule = VitalsScheduleService(database.sessions, library)
    unit_board = UnitBoardService(database.sessions, library, chairs=config.unit.chairs)
    beds = BedMappingService(database.sessions, config.unit.chairs)
    reads = UnitReads(
        board,
        care_services.alerts,
        care_services.care,
        schedule,
        unit_board.snapshot,
        staff.accounts,
        beds.mappings,
    )
    bridge = ModelBridge(window.model, reads.read, window)
    # The model's reads run on its loader's thread; the use cases the widgets call run on the
    # database worker's (the GUI thread never executes a query).
    controller = SessionController(
        worker.serve(sessions), board.chair_names, funnel, state.require_actor, bridge.publish
    )
    care = CareController(
        worker.serve(care_services.care),
        worker.serve(care_services.alerts),
        funnel,
        state.require_actor,
        bridge.publish,
    )

    def open_unit_board() -> QWidget:
        from infusion_monitor.services.sessions.unit_board import tiles_of
        from infusion_monitor.ui.unit_board import UnitBoardWindow, mirror_unit_board

        model = window.model
        # Painted at once from what this workstation shows; the whole unit's read follows.
        first = model.unit_tiles or tiles_of(model.chairs, model.alerts)
        board_window = UnitBoardWindow(
            first, clock.now, stale_after(config), care_services.alerts.policy
        )
        return mirror_unit_board(board_window, window.model, bridge.reread)

    window.attach_services(
        controller=controller,
        care=care,
        security=security,
        open_unit_board=open_unit_board,
        follow_staff=bridge.reread,
    )
    _ready_once_read(window, build)
    _follow_commits(window, bridge, database)
    _attach_prompts(
        window, worker, database, config, clock, state.require_actor, funnel, make_sound_player
    )
    later = build.add_later
    later(window.attach_care_view)
    later(
        functools.partial(
            _attach_vitals,
            window,
            bridge,
            worker,
            database,
            library,
            assessing,
            rules,
            clock,
            state.require_actor,
            funnel,
        )
    )
    later(
        functools.partial(
            _attach_review,
            window,
            worker,
            database,
            clock,
            library,
            rules,
            state.require_actor,
            config,
        )
    )
    later(functools.partial(_attach_unit_settings, window, bridge, config))
    later(functools.partial(_attach_backups, window, database, paths, config, clock, funnel))


def _attach_backups(
    window: MainWindow,
    database: Database,
    paths: AppPaths,
    config: Config,
    clock: Clock,
    funnel: MessageFunnel,
) -> None:
    """Copies of the database file at the configured interval (never of the demo's)."""
    if database.file is None or database.file == paths.demo_database_file:
        return
    from infusion_monitor.services.backups import BackupJob

    job = BackupJob(
        database.file,
        paths.backup_dir,
        clock,
        funnel,
        every=timedelta(hours=config.backup.every_hours),
        keep=config.backup.keep,
    )
    _schedule_backups(window, job)


def _database_worker(window: MainWindow, *, busy_text: str | None = None) -> DatabaseWorker:
    """The window's database thread, and the status bar's word while a call waits on it (the
    worker's own, or ``busy_text``); the word goes with the worker."""
    from PySide6.QtWidgets import QLabel

    from infusion_monitor.ui.db_worker import DatabaseWorker

    worker = DatabaseWorker(window)
    window.destroyed.connect(lambda *_args: worker.close())
    from infusion_monitor.ui.vitals_form import BUSY_STYLE

    busy = QLabel()
    busy.setObjectName("DatabaseBusy")
    busy.setWordWrap(True)
    busy.setStyleSheet(BUSY_STYLE + " font-size: 15px;")
    busy.setVisible(False)

    def show_busy(text: str) -> None:
        busy.setText((busy_text or text) if text else "")
        busy.setVisible(bool(text))

    worker.busy_changed.connect(show_busy)
    worker.destroyed.connect(busy.deleteLater)
    window.statusBar().insertWidget(0, busy, 3)
    return worker


def _follow_commits(window: MainWindow, bridge: ModelBridge, database: Database) -> None:
    """Every commit of any connection (monitor values, other workstations, this one's echo)
    reaches the unit model through the change feed; the model's schedules are read at once."""
    from infusion_monitor.domain.changes import Changes
    from infusion_monitor.storage.changes import ChangeFeed

    feed = ChangeFeed(database.engine, bridge.submit)
    feed.start()
    loader_stop = bridge.close  # plain Python: safe to call while the window is being deleted

    def stop(*_args: object) -> None:
        feed.close()
        loader_stop()

    # Closed (the app ends) or deleted without closing (a close asked about and never
    # confirmed): either way the threads that feed the window stop.
    window.when_closed(stop)
    window.destroyed.connect(stop)
    bridge.reread(Changes(board=True))


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
    bridge: ModelBridge,
    worker: DatabaseWorker,
    database: Database,
    library: ProtocolLibrary,
    assessing: AssessingService,
    rules: RuleSetService,
    clock: Clock,
    actor: Callable[[], Actor],
    funnel: MessageFunnel,
) -> None:
    """Plot and entry row in the session view."""
    from infusion_monitor.services.vitals.recording import VitalsService
    from infusion_monitor.services.vitals.trend import VitalsTrendService
    from infusion_monitor.ui.vitals_panel import VitalsController, VitalsPanel

    vitals = worker.serve(VitalsService(database.sessions, assessing, library))
    trend = worker.serve(VitalsTrendService(database.sessions, lambda: rules.rules))
    controller = VitalsController(vitals, trend, funnel, actor, clock, bridge.publish)
    panel = VitalsPanel(window.session_view, controller, window.model, clock)
    window.vitals_panel = panel
    worker.busy_changed.connect(panel.show_busy)


def _attach_prompts(
    window: MainWindow,
    worker: DatabaseWorker,
    database: Database,
    config: Config,
    clock: Clock,
    actor: Callable[[], Actor],
    funnel: MessageFunnel,
    make_sound_player: Callable[[], SoundOutput] | None,
) -> None:
    """The alarm sound and the due/overdue prompt bar with its sound."""
    from infusion_monitor.domain.prompts import VitalsPrompter
    from infusion_monitor.services.care.silencing import SilencingService
    from infusion_monitor.ui.vitals_prompt import VitalsPromptBar

    silencing = worker.serve(SilencingService(database.sessions, clock))
    mixer = sound_the_alarms(window, config, clock, funnel, make_sound_player)
    mixer.record_with(silencing.record_audio_pause, silencing.record_audio_resume)
    from infusion_monitor.ui.alarm_audio_bar import AlarmAudioBar

    window.show_alarm_audio(AlarmAudioBar(mixer, clock, actor, funnel))
    model = window.model
    bar = window.vitals_prompt = VitalsPromptBar(
        clock,
        model.vitals_statuses,
        model.chair_of,
        mixer,
        VitalsPrompter(max_mute_min=config.sound.mute_max_min),
        actor,
        silencing.record_mute,
    )
    model.schedule_changed.connect(lambda _dues: bar.refresh())
    window.statusBar().addPermanentWidget(bar, 3)


def sound_the_alarms(
    window: MainWindow,
    config: Config,
    clock: Clock,
    funnel: MessageFunnel,
    make_sound_player: Callable[[], SoundOutput] | None,
) -> AlarmSoundMixer:
    """The mixer that sounds the unit's alerts (the unit model's: the first screen's until its
    first read) and the vitals chimes one at a time; made once, before the database is open,
    so it sounds while nobody is signed in and the database opens. Its pauses are recorded once
    ``_attach_prompts`` gives it the database's recorders (until then a pause is refused)."""
    if window.alarm_sound is not None:
        return window.alarm_sound
    from infusion_monitor.ui.alarm_sound import AlarmSoundMixer
    from infusion_monitor.ui.sound import SilentPlayer

    sound_player = make_sound_player() if make_sound_player is not None else None
    output = sound_player or SilentPlayer()
    if sound_player is not None and not output.available:
        problem = getattr(output, "problem", None)
        funnel.warning(
            f"Sound is unavailable ({problem or 'no audio'}): alarms and vitals prompts are "
            "shown on screen only. Connect speakers or call IT."
        )
    mixer = AlarmSoundMixer(
        output,
        clock,
        config.sound.timing,
        timedelta(minutes=config.sound.alarm_pause_min),
        None,
        None,
        window,
    )
    model = window.model
    model.alerts_changed.connect(lambda alerts: mixer.show_alerts(alerts.values()))
    mixer.show_alerts(model.alerts.values())
    window.alarm_sound = mixer
    return mixer


def _attach_review(
    window: MainWindow,
    worker: DatabaseWorker,
    database: Database,
    clock: Clock,
    library: ProtocolLibrary,
    rules: RuleSetService,
    actor: Callable[[], Actor],
    config: Config,
) -> None:
    """The charge nurse's Review menu: session review and quality measures."""
    from infusion_monitor.services.review.gate import ReviewService
    from infusion_monitor.services.review.quality import QualityService
    from infusion_monitor.services.review.quality_facts import settings_from
    from infusion_monitor.ui.review.wiring import ReviewWiring, attach_review

    review = worker.serve(ReviewService(database.sessions, clock, library, lambda: rules.rules))
    settings = settings_from(config.quality, config.alerts.escalate_after_s)
    # The quality page reads on its own reader thread (ui.review.quality_worker), so a year's
    # figures never hold the database thread a save waits for.
    quality = QualityService(database.sessions, settings)
    attach_review(window, ReviewWiring(review, quality, actor, clock))


def _attach_unit_settings(window: MainWindow, bridge: ModelBridge, config: Config) -> None:
    """View ▸ Unit settings…: chairs, gateway settings and the monitors' bed mappings (the unit
    model reads them while the window is open, so it follows a change made elsewhere)."""
    from PySide6.QtWidgets import QMenu

    from infusion_monitor.ui.unit_settings import UnitSettingsWindow, mirror_unit_settings

    # PySide6 types QAction.menu() as QObject; the View action's menu is a QMenu.
    menus = (cast(QMenu, a.menu()) for a in window.menuBar().actions() if a.text() == "&View")
    view_menu = next(menus)
    action = view_menu.addAction("Unit &settings and monitor beds…")
    action.triggered.connect(
        lambda: window.open_window(
            mirror_unit_settings(UnitSettingsWindow(config), window.model, bridge.reread)
        )
    )


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
