"""The main window: header, message banners, the chair board, menus and the status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor import __version__
from infusion_monitor.domain.clock import Clock
from infusion_monitor.services.board import ChairStatus
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetInfo
from infusion_monitor.ui.chair_board import ChairBoard
from infusion_monitor.ui.crash import CrashReportViewer
from infusion_monitor.ui.messages import MessageArea, MessageBridge
from infusion_monitor.ui.theme import STYLE_SHEET

TICK_MS = 1000
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
        open_unit_board: Callable[[], QWidget] | None = None,
    ) -> None:
        super().__init__()
        self._open_unit_board = open_unit_board
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1480, 920)
        self._clock = clock
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
        header_layout.addWidget(self._time)

        self.messages = MessageArea()
        self.board = ChairBoard()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.messages)
        layout.addWidget(self.board, 1)
        self.setCentralWidget(central)

        self._database = QLabel(f"Database: {database_location}")
        self._rule_set = QLabel()
        self._show_rule_set(rule_set)
        self.statusBar().addWidget(self._database, 1)
        self.statusBar().addPermanentWidget(self._rule_set)

        self.refresh_board()
        self._build_menus()
        self._bridge = MessageBridge(funnel, self.messages)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()
        self._on_ticker_timeout()

    def refresh_board(self) -> None:
        """Ask for a fresh snapshot of every chair and show it."""
        self.board.show_statuses(self._load_board(), self._clock.now())

    def show_unit_board(self) -> QWidget | None:
        """Open the unit board (every chair of every workstation) in its own window."""
        if self._open_unit_board is None:
            return None
        board = self._open_unit_board()
        board.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        board.show()
        return board

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

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop ticking and hand messages back to the funnel's buffer."""
        self._ticker.stop()
        self._bridge.detach()
        super().closeEvent(event)

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
        if self._open_unit_board is not None:
            view_menu.addSeparator()
            unit_board = view_menu.addAction("&Unit board (all chairs)")
            unit_board.triggered.connect(self.show_unit_board)

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
