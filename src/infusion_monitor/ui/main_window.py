"""The main window: header, message banners, the chair board, menus and the status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor import __version__
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.services.board import ChairStatus
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetInfo
from infusion_monitor.ui.chair_board import ChairBoard
from infusion_monitor.ui.crash import CrashReportViewer
from infusion_monitor.ui.messages import MessageArea, MessageBridge
from infusion_monitor.ui.security import SecurityWiring
from infusion_monitor.ui.sign_in import SignInPanel
from infusion_monitor.ui.theme import STYLE_SHEET

TICK_MS = 1000
_ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
MAX_CHAIR_SHORTCUTS = 9
WINDOW_TITLE = "Infusion Monitor"
CLINICAL_JUDGEMENT = (
    "Infusion Monitor supports and does not replace clinical judgement. "
    "Always assess the patient yourself and follow your unit's protocols."
)


def about_text() -> str:
    """The About box's text: what the app is, its version, and the clinical-judgement statement."""
    return (
        f"<h2>Infusion Monitor {__version__}</h2>"
        "<p>Chair-side monitoring of intravenous infusions for infusion and "
        "hypersensitivity reactions.</p>"
        f"<p><b>{CLINICAL_JUDGEMENT}</b></p>"
    )


class MainWindow(QMainWindow):
    """The nurse's screen. Shows snapshots handed to it; holds no clinical truth of its own."""

    def __init__(
        self,
        *,
        unit_name: str,
        load_board: Callable[[], Sequence[ChairStatus]],
        clock: Clock,
        funnel: MessageFunnel,
        database_location: str,
        rule_set: RuleSetInfo,
        reload_rules: Callable[[], RuleSetInfo],
        latest_crash_report: Path | None,
        security: SecurityWiring | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1480, 920)
        self._clock = clock
        self._funnel = funnel
        self._guarded_actions: list[tuple[QAction, Permission]] = []
        self._load_board = load_board
        self._latest_crash_report = latest_crash_report
        self._reload_rules = reload_rules

        self._unit = QLabel(unit_name)
        self._unit.setObjectName("HeaderUnit")
        self._time = QLabel()
        self._time.setObjectName("HeaderClock")
        header = QWidget()
        header.setObjectName("HeaderBar")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 8, 16, 8)
        header_layout.addWidget(self._unit)
        header_layout.addStretch(1)
        self.user_label = QLabel()
        self.user_label.setObjectName("HeaderUser")
        self.lock_button = QPushButton("Lock (Ctrl+L)")
        self.lock_button.setToolTip("Lock the screen (Ctrl+L); F2 switches user")
        self.lock_button.clicked.connect(self._on_lock_button_clicked)
        header_layout.addWidget(self.user_label)
        header_layout.addWidget(self.lock_button)
        header_layout.addSpacing(16)
        header_layout.addWidget(self._time)

        self.messages = MessageArea()
        self.board = ChairBoard()
        self._security = security
        self.sign_in_panel: SignInPanel | None = None
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.board, 1)
        if security is not None:
            self.sign_in_panel = SignInPanel(
                security.auth.sign_in,
                security.auth.create_first_administrator,
                first_run=security.auth.needs_first_run(),
            )
            self.sign_in_panel.signed_in.connect(self._on_sign_in_panel_signed_in)
            body.addWidget(self.sign_in_panel)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.messages)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)
        self._last_activity = clock.now()
        self._open_windows: list[QWidget] = []

        self._database = QLabel(f"Database: {database_location}")
        self._rule_set = QLabel()
        self._show_rule_set(rule_set)
        self.statusBar().addWidget(self._database, 1)
        self.statusBar().addPermanentWidget(self._rule_set)

        self.refresh_board()
        self._build_menus()
        self._bridge = MessageBridge(funnel, self.messages)
        self._show_signed_in(None)
        app = QApplication.instance()
        if security is not None and app is not None:
            app.installEventFilter(self)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()
        self._on_ticker_timeout()

    def refresh_board(self) -> None:
        """Ask for a fresh snapshot of every chair and show it."""
        self.board.show_statuses(self._load_board(), self._clock.now())

    def show_about(self) -> QMessageBox:
        """Open the About box without blocking the board."""
        box = QMessageBox(QMessageBox.Icon.Information, "About Infusion Monitor", about_text())
        box.setParent(self, box.windowFlags())
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        return box

    def show_crash_report(self, report: Path) -> CrashReportViewer:
        """Open a saved crash report in its own non-modal window."""
        viewer = CrashReportViewer(report, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer

    @property
    def actor(self) -> Actor | None:
        """Who is signed in at this window, or None while it is locked."""
        return None if self._security is None else self._security.state.actor

    @property
    def locked(self) -> bool:
        """True while nobody is signed in: patient identity hidden, alarms still shown."""
        return self._security is not None and self._security.state.actor is None

    def lock(self, reason: str = "locked") -> None:
        """Hide patient identity and ask for a sign-in; the board and alarms stay visible."""
        security = self._security
        if security is None:
            return
        actor = security.state.actor
        if actor is not None:
            try:
                security.auth.sign_out(actor, reason)
            except UserError as exc:  # the lock happens anyway; the audit row could not be saved
                self._funnel.warning(exc.message)
        security.state.set_actor(None)
        self._show_signed_in(None)

    def switch_user(self) -> None:
        """Quick switch at a shared workstation: lock, then the next nurse signs in."""
        self.lock("switched user")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note keyboard and mouse activity anywhere in the app (for the inactivity lock)."""
        if event.type() in _ACTIVITY_EVENTS:
            self._last_activity = self._clock.now()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop ticking and hand messages back to the funnel's buffer."""
        self._ticker.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for window in self._open_windows:
            window.close()
        self._bridge.detach()
        super().closeEvent(event)

    def open_staff_window(self) -> QWidget:
        """The administrator's staff accounts window (the service refuses other roles)."""
        from infusion_monitor.ui.admin import StaffWindow

        assert self._security is not None
        return self._open(StaffWindow(self._security.staff, self._security.state.require_actor))

    def open_audit_window(self) -> QWidget:
        """The read-only audit trail (the service refuses roles without the audit right)."""
        from infusion_monitor.ui.admin import AuditWindow

        assert self._security is not None
        return self._open(AuditWindow(self._security.audit, self._security.state.require_actor))

    def _open(self, window: QWidget) -> QWidget:
        self._open_windows.append(window)
        window.show()
        return window

    def _show_signed_in(self, actor: Actor | None) -> None:
        security = self._security
        hidden = security is not None and actor is None
        self.board.set_identity_hidden(hidden, self._clock.now())
        self.lock_button.setVisible(security is not None and actor is not None)
        if security is None:
            self.user_label.setText("")
        elif actor is None:
            self.user_label.setText("Locked: sign in at the right")
        else:
            self.user_label.setText(f"{actor.name} · {actor.role.label}")
        if self.sign_in_panel is not None:
            self.sign_in_panel.setVisible(hidden)
            if hidden:
                self.sign_in_panel.focus_first_field()
        for action, permission in self._guarded_actions:
            action.setEnabled(actor is not None and actor.can(permission))
        if hidden:  # nothing opened by the previous user stays on screen
            for window in self._open_windows:
                window.close()
            self._open_windows.clear()

    def _on_sign_in_panel_signed_in(self, actor: Actor) -> None:
        assert self._security is not None
        self._security.state.set_actor(actor)
        self._last_activity = self._clock.now()
        self._show_signed_in(actor)

    def _on_lock_button_clicked(self) -> None:
        self.lock()

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addAction("&Reload rule set").triggered.connect(self._on_reload_rules_triggered)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

        view_menu = menu_bar.addMenu("&View")
        for index, tile in enumerate(self.board.tiles[:MAX_CHAIR_SHORTCUTS]):
            name = tile.status.name if tile.status else f"Chair {index + 1}"
            action = QAction(f"Select {name}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, index=index: self.board.select(index))
            view_menu.addAction(action)

        if self._security is not None:
            staff_menu = menu_bar.addMenu("&Staff")
            switch = staff_menu.addAction("&Switch user")
            switch.setShortcut(QKeySequence("F2"))
            switch.triggered.connect(self.switch_user)
            lock = staff_menu.addAction("&Lock screen")
            lock.setShortcut(QKeySequence("Ctrl+L"))
            lock.triggered.connect(self._on_lock_button_clicked)
            staff_menu.addSeparator()
            accounts = staff_menu.addAction("Staff &accounts…")
            accounts.triggered.connect(self.open_staff_window)
            audit = staff_menu.addAction("Audit &trail…")
            audit.triggered.connect(self.open_audit_window)
            self._guarded_actions += [
                (accounts, Permission.MANAGE_STAFF),
                (audit, Permission.AUDIT),
            ]

        help_menu = menu_bar.addMenu("&Help")
        help_menu.addAction("&About Infusion Monitor").triggered.connect(self.show_about)
        if self._latest_crash_report is not None:
            report = self._latest_crash_report
            show_report = help_menu.addAction("Show last &crash report")
            show_report.triggered.connect(lambda: self.show_crash_report(report))

    def _show_rule_set(self, rule_set: RuleSetInfo) -> None:
        self._rule_set.setText(rule_set.label)
        self._rule_set.setToolTip(rule_set.detail)

    def _on_reload_rules_triggered(self) -> None:
        self._show_rule_set(self._reload_rules())

    def _on_ticker_timeout(self) -> None:
        now = self._clock.now()
        self._time.setText(now.astimezone().strftime("%a %d %b  %H:%M"))
        self.board.refresh_times(now)
        security = self._security
        if (
            security is not None
            and security.state.actor is not None
            and now - self._last_activity >= security.lock_after
        ):
            self.lock("inactivity")

    def check_inactivity(self) -> None:
        """Run the once-a-second check now (tests call this after moving a fake clock)."""
        self._on_ticker_timeout()
