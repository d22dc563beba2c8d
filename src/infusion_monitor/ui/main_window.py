"""The main window: header, messages, the chair board on the left, the session area on the right.

The session area shows the selected chair: its session view, the set-up form (N on a free chair;
Esc cancels), or a quiet prompt. Nothing here is modal, so no form can hide another chair.

The window is built in two steps: the constructor paints the locked first screen from a
``FirstScreen`` read (board, alert bands, sign-in panel, status bar), and ``attach_services``
adds the controllers, the set-up form and the session view right after the first paint.

The window is layout and mirrors: what it shows comes from the unit model (``model.unit``),
whose events say precisely what changed; its once-a-second tick only recomputes clocks, timers,
escalation and the inactivity lock from the model, and never reads the database.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFocusEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from infusion_monitor import __version__
from infusion_monitor.domain.alerts import (
    Alert,
    AlertPriority,
    AlertState,
    condition_label,
    summarise,
)
from infusion_monitor.domain.monitor import DEFAULT_STALE_AFTER
from infusion_monitor.domain.session import SessionState
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.model.unit import ChairChanged, UnitModel
from infusion_monitor.ui.alert_band import AlertBand
from infusion_monitor.ui.chair_board import ChairBoard
from infusion_monitor.ui.crash import CrashReportViewer
from infusion_monitor.ui.elided_label import ElidedLabel
from infusion_monitor.ui.fitting import SCROLL_BAR_PX, VerticalScroll, reveal
from infusion_monitor.ui.flow_layout import FlowLayout
from infusion_monitor.ui.keys import focus_key, install_typing_guard, is_typing_widget
from infusion_monitor.ui.messages import MessageArea, MessageBridge
from infusion_monitor.ui.sign_in import SignInPanel
from infusion_monitor.ui.theme import ALARM_STYLES, STYLE_SHEET, restyle

if TYPE_CHECKING:
    from infusion_monitor.domain.alerts import AlertPolicy
    from infusion_monitor.domain.changes import Changes
    from infusion_monitor.domain.clock import Clock
    from infusion_monitor.services.messages import MessageFunnel
    from infusion_monitor.services.ruleset import RuleSetInfo
    from infusion_monitor.services.sessions.board import ChairStatus
    from infusion_monitor.services.sessions.first_screen import FirstScreen
    from infusion_monitor.services.sessions.lifecycle import SessionSetUp
    from infusion_monitor.services.sessions.records import SessionDetail
    from infusion_monitor.services.staff.accounts import StaffMember
    from infusion_monitor.ui.alarm_sound import AlarmSoundMixer
    from infusion_monitor.ui.care_controller import CareController
    from infusion_monitor.ui.care_view import CareView
    from infusion_monitor.ui.controller import SessionController
    from infusion_monitor.ui.security import SecurityWiring
    from infusion_monitor.ui.session_setup_form import SetupForm
    from infusion_monitor.ui.session_view import SessionView
    from infusion_monitor.ui.vitals_form import VitalsForm
    from infusion_monitor.ui.vitals_panel import VitalsPanel
    from infusion_monitor.ui.vitals_prompt import VitalsPromptBar

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


class _LockableStack(QStackedWidget):
    """The session area: while locked it shows only the sign-in page (patient identity hidden).

    Pages asked for while locked are remembered and shown after the next sign-in.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lock_page: QWidget | None = None
        self._wanted: QWidget | None = None

    @property
    def locked(self) -> bool:
        """Whether the sign-in page covers the session area."""
        return self.lock_page is not None and super().currentWidget() is self.lock_page

    def setCurrentWidget(self, widget: QWidget) -> None:
        """Show ``widget``, or remember it for after the sign-in while locked."""
        if self.locked and widget is not self.lock_page:
            self._wanted = widget
            return
        super().setCurrentWidget(widget)

    def currentWidget(self) -> QWidget | None:
        """The page the nurse is working on (the remembered one while locked)."""
        if self.locked and self._wanted is not None:
            return self._wanted
        return super().currentWidget()

    def lock(self) -> None:
        """Cover the session area with the sign-in page."""
        if self.lock_page is None or self.locked:
            return
        self._wanted = super().currentWidget()
        super().setCurrentWidget(self.lock_page)

    def unlock(self) -> None:
        """Show the page the nurse was on (or asked for while locked)."""
        if not self.locked:
            return
        wanted, self._wanted = self._wanted, None
        if wanted is not None:
            super().setCurrentWidget(wanted)


BOARD_WIDTH_PX = 690
#: On a wide window the board takes more columns while the session keeps this much width.
WIDE_SESSION_PX = 880
MAX_CHAIR_SHORTCUTS = 9
WINDOW_TITLE = "Infusion Monitor"
CLINICAL_JUDGEMENT = (
    "Infusion Monitor supports and does not replace clinical judgement. "
    "Always assess the patient yourself and follow your unit's protocols."
)


def _alarm_chip(priority: AlertPriority) -> str:
    """The style of a header chip in the priority's alarm colours."""
    _, ink, fill, _, edge = ALARM_STYLES[priority.code]
    return (
        f"color: {ink}; background: {fill}; border: 2px solid {edge};"
        " border-radius: 6px; padding: 2px 10px; font-size: 22px; font-weight: 800;"
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

    #: Attached by ``app`` once the services are up.
    vitals_panel: VitalsPanel
    vitals_prompt: VitalsPromptBar

    def __init__(
        self,
        *,
        unit_name: str,
        first: FirstScreen,
        alert_policy: AlertPolicy,
        clock: Clock,
        funnel: MessageFunnel,
        database_location: str,
        rule_set: RuleSetInfo,
        reload_rules: Callable[[], RuleSetInfo],
        latest_crash_report: Path | None,
        finish_build: Callable[[], None],
        stale_after: timedelta = DEFAULT_STALE_AFTER,
    ) -> None:
        """Build the locked first screen from ``first``; ``attach_services`` completes it.

        ``finish_build`` builds the rest of the window (services, hidden parts) at once, should a
        sign-in come before that.
        """
        super().__init__()
        self._open_unit_board: Callable[[], QWidget] | None = None
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1480, 920)
        self._clock = clock
        self._alert_policy = alert_policy
        self._finish_build = finish_build
        self._stale_after = stale_after
        self._security: SecurityWiring | None = None
        self._guarded_actions: list[tuple[QAction, Permission]] = []
        self._open_windows: list[QWidget] = []
        #: The Review menu (``ui.review.wiring.attach_review``), when the review pages are wired.
        self.review_menu: object | None = None
        self._last_activity = clock.now()
        #: The session controller, the set-up form and the session view: ``attach_services``.
        self.controller: SessionController | None = None
        self.setup_form: SetupForm
        self.session_view: SessionView
        self.care: CareController | None = None
        #: Sounds the alerts and the vitals chimes one at a time (``app.sound_the_alarms``).
        self.alarm_sound: AlarmSoundMixer | None = None
        #: What the screens show (Qt-free, evented); the widgets below mirror its events.
        self.model = UnitModel(first.statuses, first.unit_alerts.by_session)
        #: Run once the window closes (the change feed, the model's loader).
        self._closers: list[Callable[[], None]] = []
        self._latest_crash_report = latest_crash_report
        self._reload_rules = reload_rules

        # The unit's and the user's names give way ("…", whole in the tooltip) so that the alert
        # chips, the alarm-audio controls and the clock fit a 1280-pixel screen.
        self._unit = ElidedLabel(unit_name)
        self._unit.setObjectName("HeaderUnit")
        self._time = QLabel()
        self._time.setObjectName("HeaderClock")
        header = QWidget()
        header.setObjectName("HeaderBar")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 8, 16, 8)
        header_layout.addWidget(self._unit)
        header_layout.addSpacing(24)
        #: One button per chair of this board with an open alert, worst first ("!!! Chair 3");
        #: a click opens that chair.
        self.chair_alerts = QWidget()
        # The chips wrap onto a second line rather than push the header past a 1280 px screen.
        self._chair_alerts_layout = FlowLayout(self.chair_alerts, spacing=6)
        self._chair_alerts_layout.setContentsMargins(0, 0, 0, 0)
        self.chair_alerts.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.chair_alert_buttons: list[QPushButton] = []
        #: What the chips say (board index, text, priority, tooltip), to rebuild them on change
        #: (None: never shown yet).
        self._chips_shown: list[tuple[int, str, AlertPriority, str]] | None = None
        header_layout.addWidget(self.chair_alerts, 1)  # the room between the names and the rest
        #: Open alerts of chairs on other workstations: "other chairs !!! 1 HIGH · escalated".
        self.unit_alerts = QLabel()
        self.unit_alerts.setObjectName("HeaderAlerts")
        self.unit_alerts.setVisible(False)
        header_layout.addWidget(self.unit_alerts)
        header_layout.addSpacing(24)
        self._header_layout = header_layout
        self.user_label = ElidedLabel()
        self.user_label.setObjectName("HeaderUser")
        for name in (self._unit, self.user_label):  # whole when there is room, else "…"
            name.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.lock_button = QPushButton("Lock (Ctrl+L)")
        self.lock_button.setToolTip("Lock the screen (Ctrl+L); F2 switches user")
        self.lock_button.clicked.connect(self._on_lock_button_clicked)
        header_layout.addWidget(self.user_label)
        header_layout.addWidget(self.lock_button)
        header_layout.addSpacing(16)
        header_layout.addWidget(self._time)

        self.messages = MessageArea()
        self.board = ChairBoard(stale_after=stale_after)
        self.board.chair_selected.connect(self._on_board_chair_selected)
        self.placeholder_text = QLabel()
        self.placeholder_text.setObjectName("PlaceholderText")
        self.placeholder_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder_text.setWordWrap(True)
        self.new_session_button = QPushButton("Set up a session (N)")
        self.new_session_button.setToolTip("Set up a session in the selected free chair (N)")
        self.new_session_button.clicked.connect(self.new_session)
        placeholder = QWidget()
        placeholder_layout = QVBoxLayout(placeholder)
        placeholder_layout.addStretch(1)
        placeholder_layout.addWidget(self.placeholder_text)
        placeholder_layout.addWidget(self.new_session_button, 0, Qt.AlignmentFlag.AlignCenter)
        placeholder_layout.addStretch(1)
        self.placeholder = placeholder
        self.session_area = _LockableStack()
        self.session_area.addWidget(self.placeholder)
        self.sign_in_panel = SignInPanel(
            self._sign_in,
            self._create_first_administrator,
            first_run=first.first_run,
            choose_pin=self._choose_first_pin,
        )
        self.sign_in_panel.signed_in.connect(self._on_sign_in_panel_signed_in)
        lock_page = QWidget()
        lock_layout = QHBoxLayout(lock_page)
        lock_layout.addStretch(1)
        lock_layout.addWidget(self.sign_in_panel, 0, Qt.AlignmentFlag.AlignTop)
        lock_layout.addStretch(1)
        self.session_area.addWidget(lock_page)
        self.session_area.lock_page = lock_page
        #: The board scrolls (vertically only) on a short screen.
        self.board_scroll = VerticalScroll(self.board)
        self.board_scroll.setObjectName("BoardScroll")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.board_scroll)
        # Not scrolled as a whole: each page scrolls what is under its pinned top (the session
        # view keeps its identity and alert band in sight; the set-up form scrolls inside).
        splitter.addWidget(self.session_area)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([BOARD_WIDTH_PX, 1000])
        splitter.setChildrenCollapsible(False)
        splitter.splitterMoved.connect(self._on_splitter_moved)
        self._splitter = splitter
        #: Until the nurse drags the divider, a wide window gives the board more columns.
        self._board_width_chosen = False
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.messages)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self._database = ElidedLabel(f"Database: {database_location}")
        self._rule_set = ElidedLabel()
        self._show_rule_set(rule_set)
        self.statusBar().addWidget(self._database, 1)
        self.statusBar().addPermanentWidget(self._rule_set, 1)
        self._rule_set.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self.board.show_statuses(self.model.chairs, clock.now())
        self._show_placeholder("Select a chair (click, or Ctrl+1…9) to see it.")
        self._build_menus()
        self._build_keys()
        self._funnel = funnel
        self._bridge = MessageBridge(funnel, self.messages)
        self._show_signed_in(None)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.installEventFilter(self)
            install_typing_guard(app)
            app.focusChanged.connect(self._on_app_focus_changed)
        self._focus_reason = Qt.FocusReason.OtherFocusReason
        #: Set once the nurse confirmed quitting with infusions running or alerts open.
        self._quit_confirmed = False
        self.quit_box: QMessageBox | None = None

        #: The session view's alert band and care tabs: ``attach_care_view`` (after first paint).
        self.care_view: CareView | None = None
        self._tile_bands: dict[int, AlertBand] = {}
        self._show_alerts(clock.now())
        self.model.chair_changed.connect(self._on_model_chair_changed)
        self.model.alerts_changed.connect(self._on_model_alerts_changed)
        self.model.session_changed.connect(self._on_model_session_changed)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()
        self._on_ticker_timeout()

    def attach_services(
        self,
        *,
        controller: SessionController,
        care: CareController,
        security: SecurityWiring,
        open_unit_board: Callable[[], QWidget],
        follow_staff: Callable[[Changes], None],
    ) -> None:
        """Wire the services in: the set-up form, the session view, sign-in and the live board.

        The composition root calls this right after the first paint (the locked first screen
        needs none of it). A chair selected before is shown now. ``follow_staff`` asks the
        unit model to read the staff accounts (the staff window, when it opens).
        """
        from infusion_monitor.ui.session_setup_form import SetupForm
        from infusion_monitor.ui.session_view import SessionView

        self.controller = controller
        self.setup_form = SetupForm(controller, self._clock)
        self.setup_form.saved.connect(self._on_setup_form_saved)
        self.setup_form.cancelled.connect(self._on_setup_form_cancelled)
        self.session_view = SessionView(controller, stale_after=self._stale_after)
        self.session_area.addWidget(self.setup_form)
        self.session_area.addWidget(self.session_view)
        self._open_unit_board = open_unit_board
        self._follow_staff = follow_staff
        self.model.staff_changed.connect(self._on_model_staff_changed)
        self._security = security
        self.care = care
        if security.state.actor is not None:
            self._show_signed_in(security.state.actor)
        if self.board.selected_index is not None:
            self.open_chair(self.board.selected_index)

    def show_alarm_audio(self, controls: QWidget) -> None:
        """Put the alarm-audio controls (pause, countdown, inaudible warning) in the header,
        after the unit's alerts."""
        layout = self._header_layout
        layout.insertWidget(layout.indexOf(self.unit_alerts) + 1, controls)

    def _security_now(self) -> SecurityWiring:
        """The sign-in services, and the whole window with them, built at once if the nurse was
        quicker than the build."""
        self._finish_build()
        if self._security is None:  # the database was refused: the app is closing
            raise UserError("The database cannot be used; the app is closing. See the message.")
        return self._security

    def _sign_in(self, staff_id: str, pin: str) -> Actor:
        return self._security_now().auth.sign_in(staff_id, pin)

    def _choose_first_pin(self, staff_id: str, code: str, pin: str) -> Actor:
        return self._security_now().auth.choose_first_pin(staff_id, code, pin)

    def _create_first_administrator(self, staff_id: str, name: str, pin: str) -> Actor:
        return self._security_now().auth.create_first_administrator(staff_id, name, pin)

    def attach_care_view(self) -> None:
        """Build the session view's alert band and care tabs (once; nothing without care).

        The locked first screen does not show them, so the composition root builds them after
        the first paint; a session already shown by then gets its care at once.
        """
        if self.care is None or self.care_view is not None:
            return
        from infusion_monitor.ui.care_view import CareView

        self.care_view = CareView(self.session_view, self.care, self.model, self._clock)
        shown = self.session_view.detail
        if shown is not None:
            self.care_view.follow(shown.id)

    @property
    def _statuses(self) -> tuple[ChairStatus, ...]:
        return self.model.chairs

    def _on_model_chair_changed(self, changed: ChairChanged) -> None:
        """A chair's status changed: its tile, its alert band, and the session view when it
        shows that chair's session (latest values, vitals schedule, hold)."""
        now = self._clock.now()
        tiles = self.board.tiles
        if len(tiles) != len(self.model.chairs):
            self.board.show_statuses(self.model.chairs, now)
        else:
            tiles[changed.index].show_status(changed.status, now)
        self._show_alerts(now)
        if self.controller is None:
            return
        shown = self.session_view.detail
        status = changed.status
        if shown is None or status.name != shown.chair:
            return
        if status.session is None or status.session.id != shown.id:
            if self.session_area.currentWidget() is self.session_view:
                # Closed (or moved) elsewhere: the chair no longer holds the session shown.
                self._show_placeholder(f"{shown.chair}: session closed; the chair is free.")
            return
        self.session_view.step_hold = status.hold_escalation
        self.session_view.follow(status.session, now)

    def _on_model_session_changed(self, detail: SessionDetail) -> None:
        """A session's record changed (here or elsewhere): the session view shows it if it
        shows that session; a closed one frees the chair."""
        if self.controller is None:
            return
        shown = self.session_view.detail
        if self.session_area.currentWidget() is not self.session_view or shown is None:
            return
        if shown.id != detail.id:
            return
        if detail.state is SessionState.CLOSED:
            self._show_placeholder(f"{detail.chair}: session closed; the chair is free.")
            return
        self.session_view.follow(detail, self._clock.now())

    def when_closed(self, stop: Callable[[], None]) -> None:
        """Run ``stop`` once the window closes (threads that feed it)."""
        self._closers.append(stop)

    def open_chair(self, index: int) -> None:
        """Show the chair at ``index`` in the session area: its session, or the free prompt.

        Before the services are attached the board only remembers the selection.
        """
        if self.controller is None or not 0 <= index < len(self._statuses):
            return
        in_form = self.session_area.currentWidget() is self.setup_form
        if in_form and self.setup_form.chair.currentText() == self._statuses[index].name:
            return
        status = self._statuses[index]
        if status.session is None:
            self._show_placeholder(f"{status.name} is free.")
            return
        self.session_view.step_hold = status.hold_escalation
        self.session_view.show_session(status.session, self._clock.now())
        self.session_area.setCurrentWidget(self.session_view)

    def new_session(self) -> None:
        """Open the set-up form for the selected chair if it is free (else the first free one)."""
        if self.controller is None:
            return
        index = self.board.selected_index
        if index is None or self._statuses[index].session is not None:
            index = next((i for i, s in enumerate(self._statuses) if s.session is None), None)
            if index is None:
                self._funnel.info("Every chair has a session. Close one to free its chair.")
                return
            self.board.select(index)
        self.setup_form.open_for(self._statuses[index].name)
        self.session_area.setCurrentWidget(self.setup_form)

    def _show_placeholder(self, text: str) -> None:
        free = (
            self.board.selected_index is not None
            and self._statuses[self.board.selected_index].session is None
        )
        self.placeholder_text.setText(text + ("\n\nPress N to set up a session." if free else ""))
        self.new_session_button.setVisible(free)
        self.session_area.setCurrentWidget(self.placeholder)

    def _on_board_chair_selected(self, index: int) -> None:
        self.open_chair(index)

    def _on_setup_form_saved(self, outcome: SessionSetUp) -> None:
        from infusion_monitor.services.sessions.setup import NOT_SAVED

        # The refusals of this set-up are put right: their banners would only take room.
        self.messages.dismiss_where(lambda message: message.text.startswith(NOT_SAVED))
        names = [status.name for status in self._statuses]
        if outcome.detail.chair in names:
            self.board.select(names.index(outcome.detail.chair))
        self.session_view.show_session(outcome.detail, self._clock.now())
        self.session_area.setCurrentWidget(self.session_view)
        self.focus_home()
        self._funnel.info(f"{outcome.detail.chair}: session saved. Start it when ready.")

    def _on_setup_form_cancelled(self) -> None:
        index = self.board.selected_index
        if index is not None and self._statuses[index].session is not None:
            self.open_chair(index)
        else:
            self._show_placeholder("Set-up cancelled; nothing was saved.")

    def _on_escape(self) -> None:
        """Esc leaves the field being typed in (a correction or a resolve reason is
        cancelled with it); with no field focused it cancels the set-up form. In a tool
        window of this one ("Why?") it closes that window."""
        active = QApplication.activeWindow()
        if active is not None and active is not self:
            active.close()
            return
        focus = QApplication.focusWidget()
        if focus is not None and is_typing_widget(focus) and self.isAncestorOf(focus):
            if self.controller is not None:
                form = self.vitals_form()
                if form is not None and form.isAncestorOf(focus):
                    form.cancel_amend()
                if self.care_view is not None and self.care_view.band.isAncestorOf(focus):
                    self.care_view.band.cancel_resolve()
            self.focus_home()
            return
        if self.controller is not None and self.session_area.currentWidget() is self.setup_form:
            self.setup_form.cancelled.emit()

    def vitals_form(self) -> VitalsForm | None:
        """The session view's vitals row, when it is built."""
        from infusion_monitor.ui.vitals_form import VitalsForm

        if self.controller is None:
            return None
        return self.session_view.vitals_slot.findChild(VitalsForm)

    def focus_home(self) -> None:
        """Give the keyboard to where the nurse works: the session shown, the set-up form, the
        sign-in panel while locked, or the board; never to a field she did not choose."""
        if self.locked and self.sign_in_panel is not None:
            self.sign_in_panel.focus_first_field()
            return
        page = self.session_area.currentWidget()
        if self.controller is not None and page in (self.session_view, self.setup_form):
            page.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.board.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """A widget that takes the focus is scrolled into view.

        When a focused widget disappears (a Start button once started, a dismissed banner, a
        tab brought forward), Qt hands the focus to the next widget in the Tab order, which
        may be the Reason field or the mute reason in the status bar. Bring it home instead."""
        clicked = self._focus_reason is Qt.FocusReason.MouseFocusReason
        if new is not None and self.isAncestorOf(new) and not clicked:
            # V, S, Tab or a refused field's focus: scrolled into view. A clicked widget is
            # where the pointer is: scrolling it would move the page under the nurse's hand.
            reveal(new)
        if old is None or (isValid(old) and old.isVisible()) or not self.isActiveWindow():
            return
        handed_over = self._focus_reason in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
        )
        if new is None or (handed_over and self.isAncestorOf(new) and not self._is_home(new)):
            self.focus_home()

    def _is_home(self, widget: QWidget) -> bool:
        if self.controller is None:
            return widget is self.board
        return widget in (self.board, self.session_view, self.setup_form)

    def _build_keys(self) -> None:
        focus_key("N", self, self._on_n_key)
        for key, slot in (
            ("Ctrl+N", self.new_session),
            ("Esc", self._on_escape),
            ("Ctrl+Return", self._on_save_key),
            ("Ctrl+Enter", self._on_save_key),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        for key in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(key), self.board)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_open_key)

    def _on_n_key(self) -> None:
        """N opens the set-up form only from a selected free chair's prompt: a stray letter
        while a session or a form is shown never takes the nurse elsewhere (Ctrl+N does)."""
        index = self.board.selected_index
        if (
            self.session_area.currentWidget() is self.placeholder
            and index is not None
            and self._statuses[index].session is None
        ):
            self.new_session()

    def _on_save_key(self) -> None:
        if self.controller is not None and self.session_area.currentWidget() is self.setup_form:
            self.setup_form.save()

    def _on_open_key(self) -> None:
        if self.board.selected_index is not None:
            self.open_chair(self.board.selected_index)

    def show_unit_board(self) -> QWidget | None:
        """Open the unit board (every chair of every workstation) in its own window.

        Not while locked: the board shows patient initials.
        """
        if self._open_unit_board is None or self.locked:
            return None
        board = self._open_unit_board()
        board.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return self._open(board)  # closed with the other windows when the screen locks

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
        return self._security is None or self._security.state.actor is None

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
        """Note keyboard and mouse activity anywhere in the app (for the inactivity lock), and
        why the focus moved last (Qt's hand-over from a hidden widget comes as a Tab)."""
        kind = event.type()  # every event of the app passes here: asked once
        if kind in _ACTIVITY_EVENTS:
            self._last_activity = self._clock.now()
        elif kind == QEvent.Type.FocusIn and isinstance(event, QFocusEvent):
            self._focus_reason = event.reason()
        return False

    def check_inactivity(self) -> None:
        """Run the once-a-second check now (tests call this after moving a fake clock)."""
        self._on_ticker_timeout()

    def open_staff_window(self) -> QWidget:
        """The administrator's staff accounts window (the service refuses other roles)."""
        from infusion_monitor.ui.admin import StaffWindow, mirror_staff

        assert self._security is not None
        staff = StaffWindow(self._security.staff, self._security.state.require_actor)
        return self._open(mirror_staff(staff, self.model, self._follow_staff))

    def open_audit_window(self) -> QWidget:
        """The read-only audit trail (the service refuses roles without the audit right)."""
        from infusion_monitor.ui.admin import AuditWindow

        assert self._security is not None
        return self._open(AuditWindow(self._security.audit, self._security.state.require_actor))

    def _open(self, window: QWidget) -> QWidget:
        self._open_windows.append(window)
        # A window deleted on close (the unit board) is forgotten, so locking or quitting
        # later never touches a deleted window.
        window.destroyed.connect(functools.partial(self._forget_window, window))
        window.show()
        return window

    def _forget_window(self, window: QWidget) -> None:
        if window in self._open_windows:
            self._open_windows.remove(window)

    def open_window(self, window: QWidget) -> QWidget:
        """Show a non-modal tool window; it closes when the screen locks or the app quits."""
        return self._open(window)

    def guard_actions(self, actions: list[tuple[QAction, Permission]]) -> None:
        """Enable ``actions`` only while someone with their permission is signed in."""
        self._guarded_actions += actions
        actor = self.actor
        for action, permission in actions:
            action.setEnabled(actor is not None and actor.can(permission))

    def _show_signed_in(self, actor: Actor | None) -> None:
        hidden = actor is None
        self.board.set_identity_hidden(hidden, self._clock.now())
        self.lock_button.setVisible(not hidden)
        if actor is None:
            self.user_label.setText("Locked: sign in at the right")
            self.session_area.lock()
            self.sign_in_panel.focus_first_field()
            self._close_open_windows()  # nothing of the previous user stays on screen
        else:
            self.user_label.setText(f"{actor.name} · {actor.role.label}")
            self.session_area.unlock()
        for action, permission in self._guarded_actions:
            action.setEnabled(actor is not None and actor.can(permission))

    def _close_open_windows(self) -> None:
        for window in self._open_windows:
            window.close()
        self._open_windows.clear()

    def _on_model_staff_changed(self, accounts: tuple[StaffMember, ...]) -> None:
        """The signed-in account as stored now. Disabled by an administrator (at any
        workstation): the screen locks and says why. Its role changed: what it may do follows
        at once, and windows opened with a right it lost close. The first-run form gives
        way to the sign-in once an administrator exists."""
        self.sign_in_panel.follow_accounts(accounts)
        actor = self.actor
        account = next((a for a in accounts if actor and a.staff_id == actor.staff_id), None)
        if actor is None or account is None:
            return
        if not account.active:
            # After the model's event: the sign-out's audit row waits on the database thread.
            QTimer.singleShot(0, functools.partial(self._sign_out_disabled, actor))
        elif account.role is not actor.role:
            now = dataclasses.replace(actor, role=account.role)
            assert self._security is not None  # an actor is signed in
            self._security.state.set_actor(now)
            if any(actor.can(p) and not now.can(p) for p in Permission):
                self._close_open_windows()
            self._show_signed_in(now)
            self._funnel.info(
                f"{actor.name} is now signed in as {account.role.label.lower()}: an "
                "administrator changed the role."
            )

    def _sign_out_disabled(self, actor: Actor) -> None:
        if self.actor != actor:  # signed out meanwhile
            return
        self.lock("account disabled")
        self._funnel.warning(
            f"Signed out: the account {actor.staff_id} ({actor.name}) was disabled by an "
            "administrator. Alarms stay on screen; sign in with an active account."
        )

    def _on_sign_in_panel_signed_in(self, actor: Actor) -> None:
        assert self._security is not None
        self._security.state.set_actor(actor)
        self._last_activity = self._clock.now()
        self._show_signed_in(actor)

    def _on_lock_button_clicked(self) -> None:
        self.lock()

    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        self._board_width_chosen = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A wide window gives the board room for three or four chairs side by side, as long
        as the session keeps ``WIDE_SESSION_PX``; until the nurse drags the divider."""
        super().resizeEvent(event)
        if self._board_width_chosen:
            return
        width = event.size().width()
        board = BOARD_WIDTH_PX
        for columns in (4, 3):
            wanted = self.board.width_for(columns) + SCROLL_BAR_PX
            if width - wanted >= WIDE_SESSION_PX:
                board = wanted
                break
        self._splitter.setSizes([board, max(1, width - board)])

    def showEvent(self, event: QShowEvent) -> None:
        """When the window appears locked, the cursor waits in the staff ID field."""
        super().showEvent(event)
        if self.locked:
            self.sign_in_panel.focus_first_field()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask first while infusions run or alerts are open (closing stops this workstation's
        alarms); then stop every timer of the window (the clock tick, the vitals prompt's reads
        of the database, alarm flashing) and hand messages back to the funnel's buffer."""
        at_risk = [] if self._quit_confirmed else self.quit_risks()
        if at_risk:
            event.ignore()
            self._ask_quit(at_risk)
            return
        for timer in self.findChildren(QTimer):
            timer.stop()
        closers, self._closers = self._closers, []
        for stop in closers:
            stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for window in self._open_windows:
            window.close()
        self._bridge.detach()
        super().closeEvent(event)

    def close_now(self) -> None:
        """Close without asking (the app is ending for another reason: the database was
        refused, a test harness is done)."""
        self._quit_confirmed = True
        self.close()

    def quit_risks(self) -> list[str]:
        """What closing would stop watching: chairs with an infusion going, with open alerts."""
        alerts = self.model.alerts
        risks = []
        for tile in self.board.tiles:
            status, session = tile.status, tile.status.session if tile.status else None
            if status is None or session is None:
                continue
            going = session.state in (
                SessionState.RUNNING,
                SessionState.PAUSED,
                SessionState.OBSERVATION,
            )
            alert = alerts.get(session.id)
            words = [f"infusion {session.state.value}"] if going else []
            if alert is not None and alert.open:
                words.append(f"{alert.priority.words} alert")
            if words:
                risks.append(f"{status.name}: {', '.join(words)}")
        return risks

    def _ask_quit(self, at_risk: list[str]) -> None:
        """Ask (without blocking the alarms) whether to quit anyway; the answer is audited."""
        if self.quit_box is not None:
            self.quit_box.raise_()
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Quit Infusion Monitor?",
            "Infusions are running or alerts are open at this workstation:\n\n"
            + "\n".join(f"• {line}" for line in at_risk)
            + "\n\nIf you quit, this workstation no longer sounds or shows their alarms."
            " Quit anyway?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        quit_button = box.addButton("Quit anyway", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        # Not modal: while the question is open every chair can still be seen and answered.
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            # Recorded after the box's own signal: storing the answer waits for the database
            # (ui.db_worker), and the box, deleted on close, must not go under its own signal.
            confirmed = box.clickedButton() is quit_button
            QTimer.singleShot(0, functools.partial(self._on_quit_answered, confirmed, at_risk))

        box.finished.connect(answered)
        self.quit_box = box
        box.show()

    def _on_quit_answered(self, confirmed: bool, at_risk: list[str]) -> None:
        self.quit_box = None
        if self._security is not None:
            try:
                self._security.auth.record_quit(self.actor, confirmed=confirmed, at_risk=at_risk)
            except UserError as exc:  # the nurse's answer stands; say the audit row is missing
                self._funnel.warning(f"Quit not recorded in the audit trail: {exc.message}")
        if confirmed:
            self._quit_confirmed = True
            self.close()
        else:
            self.focus_home()

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addAction("&Reload rule set").triggered.connect(self._on_reload_rules_triggered)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # on every platform; asks first
        quit_action.triggered.connect(self.close)

        view_menu = menu_bar.addMenu("&View")
        for index, tile in enumerate(self.board.tiles[:MAX_CHAIR_SHORTCUTS]):
            name = tile.status.name if tile.status else f"Chair {index + 1}"
            action = QAction(f"Select and open {name}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, index=index: self.board.select(index))
            view_menu.addAction(action)
        view_menu.addSeparator()
        unit_board = view_menu.addAction("&Unit board (all chairs)")
        unit_board.triggered.connect(self.show_unit_board)
        self._guarded_actions.append((unit_board, Permission.CARE))

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

    def _on_model_alerts_changed(self, _alerts: object) -> None:
        self._show_alerts(self._clock.now())

    def _show_alerts(self, now: datetime) -> None:
        """The header's alerting chairs, other workstations' alerts, and each tile's band,
        from the model's open alerts as of ``now`` (escalation and waiting times move)."""
        alerts = self.model.alerts
        here = self._alerting_chairs(alerts)
        self._show_chair_alerts(here, now)
        mine = {alert.id for _, _, alert in here}
        elsewhere = summarise(
            (a for a in alerts.values() if a.id not in mine), now, self._alert_policy
        )
        text = elsewhere.text
        self.unit_alerts.setVisible(bool(text))
        worst = elsewhere.worst
        if worst is not None:
            self.unit_alerts.setText(f"other chairs {text}")
            restyle(self.unit_alerts, _alarm_chip(worst))
            self.unit_alerts.setToolTip(
                "Open alerts of chairs on other workstations (View ▸ Unit board shows them)"
            )
        for index, tile in enumerate(self.board.tiles):
            band = self._tile_bands.get(index)
            if band is None:
                band = AlertBand(compact=True)
                layout = tile.layout()
                assert isinstance(layout, QVBoxLayout)
                layout.insertWidget(layout.indexOf(tile.alert_slot), band)
                self._tile_bands[index] = band
            session = tile.status.session if tile.status is not None else None
            alert = alerts.get(session.id) if session is not None else None
            band.show_alert(alert, now, policy=self._alert_policy)

    def _alerting_chairs(self, alerts: Mapping[int, Alert]) -> list[tuple[int, str, Alert]]:
        """(board index, chair, alert) of this board's chairs with an open alert, worst first."""
        found = []
        for index, tile in enumerate(self.board.tiles):
            session = tile.status.session if tile.status is not None else None
            alert = alerts.get(session.id) if session is not None else None
            if tile.status is not None and alert is not None and alert.open:
                found.append((index, tile.status.name, alert))
        found.sort(key=lambda item: (-item[2].priority, item[2].raised_at))
        return found

    def _show_chair_alerts(self, chairs: list[tuple[int, str, Alert]], now: datetime) -> None:
        chips = []
        for index, chair, alert in chairs:
            escalated = " · escalated" if alert.escalated(now, self._alert_policy) else ""
            waiting = "not acknowledged" if alert.state is AlertState.ACTIVE else "acknowledged"
            tip = (
                f"{chair}: {alert.priority.words} {condition_label(alert.condition)}"
                f" ({waiting}{escalated}). Click to open the chair."
            )
            chips.append((index, f"{alert.priority.marks} {chair}{escalated}", alert.priority, tip))
        # The window's tick calls this every second: the chips are rebuilt (and restyled, which
        # is slow in Qt) only when what they say changed.
        if chips == self._chips_shown:
            return
        self._chips_shown = chips
        for button in self.chair_alert_buttons:
            self._chair_alerts_layout.removeWidget(button)
            button.deleteLater()
        self.chair_alert_buttons = []
        for index, text, priority, tip in chips:
            button = QPushButton(text)
            button.setObjectName("HeaderChairAlert")
            button.setStyleSheet(_alarm_chip(priority))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(tip)
            button.clicked.connect(functools.partial(self._on_chair_alert_clicked, index))
            self._chair_alerts_layout.addWidget(button)
            self.chair_alert_buttons.append(button)
        self.chair_alerts.setVisible(bool(chips))

    def _on_chair_alert_clicked(self, index: int) -> None:
        self.board.select(index)
        self.focus_home()

    def _on_ticker_timeout(self) -> None:
        """Clocks, timers, escalation and the inactivity lock, recomputed from the model (the
        database is never read here: the model follows commits)."""
        now = self._clock.now()
        self._show_alerts(now)
        if self.care_view is not None:
            self.care_view.refresh(now)
        if self.alarm_sound is not None:
            self.alarm_sound.refresh()
        self._time.setText(now.astimezone().strftime("%a %d %b  %H:%M"))
        self.board.refresh_times(now)
        if self.controller is not None and self.session_area.currentWidget() is self.session_view:
            self.session_view.refresh_times(now)
        security = self._security
        if (
            security is not None
            and security.state.actor is not None
            and now - self._last_activity >= security.lock_after
        ):
            self.lock("inactivity")
