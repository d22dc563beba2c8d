"""The session view: full identity, reaction banner, timers, lifecycle controls and the timeline.

Layout, top to bottom: ``header`` (identity, drug, state), the red allergy / previous-reaction
banner, the timers row, ``alert_slot`` (the alerts issue fills it), the controls row, then a
splitter with ``plot_slot`` on the left (the vitals issue puts the trend plot there) and
``tabs`` on the right (Timeline, Set-up; guidance and symptoms tabs are added with ``add_tab``),
and ``vitals_slot`` at the bottom for the vitals entry row. The view holds no truth: it shows the
last committed ``SessionDetail`` and forwards the nurse's intent to the controller.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.monitor import DEFAULT_STALE_AFTER
from infusion_monitor.domain.session import SessionState
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.services.sessions.board import chair_state
from infusion_monitor.services.sessions.lifecycle import patient_summary
from infusion_monitor.services.sessions.records import LatestVitals, SessionDetail
from infusion_monitor.ui.controller import SessionController
from infusion_monitor.ui.fitting import VerticalScroll, scrolled
from infusion_monitor.ui.flow_layout import FlowLayout
from infusion_monitor.ui.latest_vitals import LatestVitalsView
from infusion_monitor.ui.session_text import (
    STATE_WORDS,
    STEP_ON_HOLD,
    step_cue,
    treatment_cue,
    vitals_cue,
)
from infusion_monitor.ui.theme import (
    RATE_STEP_STYLE,
    REACTION_BANNER_STYLE,
    STATE_BADGES,
    STEP_HOLD_STYLE,
    VITALS_BADGES,
    restyle,
)

EVENT_WORDS = {
    "start": "Started",
    "pause": "Paused",
    "resume": "Resumed",
    "rate_change": "Rate changed",
    "complete": "Completed",
    "discontinue": "Discontinued",
    "observation_start": "Observation started",
    "close": "Closed",
    "note": "Note",
}
TIMELINE_COLUMNS = ("Time", "Min from start", "Event", "Rate", "Reason / note", "By")
#: The trend plot never gets less than this; the tabs under it keep at least their own minimum.
PLOT_MIN_PX = 280
TABS_MIN_PX = 170
#: From this width of the view on, the tabs stand beside the plot instead of under it.
SIDE_BY_SIDE_MIN_PX = 1300
REASON_FIELD_PX = 220
#: What nurses type for "no known allergies": not a red alarm banner.
NO_ALLERGIES = frozenset({"none", "none known", "nil", "nkda", "nka", "no known allergies", "no"})
#: The scrolling part under the pinned header and alert band never gets less than this.
BODY_MIN_PX = 200


class TimerBox(QFrame):
    """One timer: a caption, a big value and an optional note under it."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TimerBox")
        self.caption = QLabel(caption)
        self.caption.setObjectName("TimerCaption")
        self.caption.setWordWrap(True)
        self.value = QLabel("—")
        self.value.setObjectName("TimerValue")
        self.note = QLabel()
        self.note.setObjectName("TimerNote")
        self.note.setWordWrap(True)
        policy = self.note.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.note.setSizePolicy(policy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 6)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def show(self, value: str, note: str = "", style: str = "") -> None:  # type: ignore[override]
        """Set the value and the note (styled, e.g. in the vitals schedule colour)."""
        self.value.setText(value)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        restyle(self.note, style)
        # Two lines of room whatever the note: a pause reason or a countdown that wraps does
        # not push the tabs (and the guidance steps' buttons) down.
        self.note.ensurePolished()
        self.note.setMinimumHeight(2 * self.note.fontMetrics().lineSpacing())


class SessionView(QWidget):
    """One chair's session: see it, act on it, read its history."""

    #: A committed snapshot was shown (the vitals plot and row follow the session shown).
    session_shown = Signal(object)

    def __init__(
        self,
        controller: SessionController,
        parent: QWidget | None = None,
        *,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SessionView")
        self._controller = controller
        self._detail: SessionDetail | None = None
        #: The rules ask to hold the rate escalation (set by the window from the board).
        self.step_hold = False

        self.name = QLabel()
        self.name.setObjectName("SessionName")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name.setWordWrap(True)
        self.state_badge = QLabel()
        self.state_badge.setObjectName("TileBadge")
        self.drug = QLabel()
        self.drug.setObjectName("SessionDrug")
        self.drug.setWordWrap(True)
        self.header = QWidget()
        header_layout = QVBoxLayout(self.header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        header_layout.setSpacing(2)
        header_layout.addWidget(self.name)
        second = QHBoxLayout()
        second.addWidget(self.state_badge, 0, Qt.AlignmentFlag.AlignTop)
        second.addWidget(self.drug, 1)
        header_layout.addLayout(second)

        self.reaction_banner = QLabel()
        self.reaction_banner.setObjectName("ReactionBanner")
        self.reaction_banner.setStyleSheet(REACTION_BANNER_STYLE)
        self.reaction_banner.setWordWrap(True)

        self.infusion_timer = TimerBox("INFUSION")
        self.infusion_timer.setToolTip("Infusion time, pauses excluded")
        self.rate_timer = TimerBox("THIS RATE")
        self.rate_timer.setToolTip("Time at the current rate")
        self.vitals_timer = TimerBox("NEXT VITALS")
        self.observation_timer = TimerBox("OBSERVATION")
        self.observation_timer.setToolTip("Post-infusion observation time left")
        timers = QHBoxLayout()
        timers.setSpacing(6)
        for box in (
            self.infusion_timer,
            self.rate_timer,
            self.vitals_timer,
            self.observation_timer,
        ):
            timers.addWidget(box, 1)
        #: The latest set under the timers: typed or monitor, when measured, grey once stale.
        self.latest = LatestVitalsView(stale_after)
        self.latest_caption = QLabel("LATEST VITALS")
        self.latest_caption.setObjectName("TimerCaption")
        #: The latest-values row; plug-ins add their actions on the latest set to it.
        self.latest_row = latest_row = QHBoxLayout()
        latest_row.setSpacing(8)
        latest_row.addWidget(self.latest_caption, 0, Qt.AlignmentFlag.AlignVCenter)
        latest_row.addWidget(self.latest, 1)
        #: The treatment the rules name: the epinephrine repeat timer, observation after
        #: anaphylaxis (as on the tile).
        self.treatment = QLabel()
        self.treatment.setObjectName("TileTreatment")
        self.treatment.setWordWrap(True)
        self.treatment.setVisible(False)
        self.step_cue = QLabel()
        self.step_cue.setObjectName("StepCue")
        self.step_cue.setStyleSheet(RATE_STEP_STYLE)

        #: The alerts issue shows the session's alert band here (words, icon, colour).
        self.alert_slot = QWidget()
        QVBoxLayout(self.alert_slot).setContentsMargins(0, 0, 0, 0)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            "Reason (pause, discontinue, close early, baseline NEWS2, restart above the limit)"
        )
        self.reason.setClearButtonEnabled(True)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0, 10_000)
        self.rate.setDecimals(1)
        self.rate.setMinimumWidth(130)
        self.start_button = self._button(
            "Start", "Start the infusion (Ctrl+Shift+S)", "Ctrl+Shift+S"
        )
        self.pause_button = self._button(
            "Pause", "Pause with the reason typed (Ctrl+Shift+P)", "Ctrl+Shift+P"
        )
        self.resume_button = self._button(
            "Resume",
            "Resume at the rate in the box (Ctrl+Shift+R); after a reaction, a restart above the "
            "label's limit needs the reason typed",
            "Ctrl+Shift+R",
        )
        self.rate_button = self._button(
            "Set rate", "Change to the rate in the box (Ctrl+Shift+T)", "Ctrl+Shift+T"
        )
        self.complete_button = self._button(
            "Complete",
            "The infusion ran to its end; observation starts (Ctrl+Shift+C)",
            "Ctrl+Shift+C",
        )
        self.discontinue_button = self._button(
            "Discontinue…", "Stop for good, with the reason typed (Ctrl+Shift+D)", "Ctrl+Shift+D"
        )
        self.observe_button = self._button(
            "Start observation", "Begin the post-infusion observation"
        )
        self.close_button = self._button(
            "Close session", "Close and free the chair (Ctrl+Shift+X)", "Ctrl+Shift+X"
        )
        self.start_button.clicked.connect(self._on_start_clicked)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.rate_button.clicked.connect(self._on_rate_clicked)
        self.complete_button.clicked.connect(self._on_complete_clicked)
        self.discontinue_button.clicked.connect(self._on_discontinue_clicked)
        self.observe_button.clicked.connect(self._on_observe_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        self.discontinue_button.setStyleSheet("color: #7A1712;")
        self.hint = QLabel()
        self.hint.setObjectName("TimerCaption")
        self.hint.setWordWrap(True)

        self.reason.setToolTip("Reason for pause, discontinue, closing early or a raised baseline")
        self.rate.setToolTip("The current rate: type the new one, then Set rate")
        self.rate_label = QLabel("Rate")
        self.rate_label.setObjectName("TimerCaption")
        # The controls wrap onto a second line in a narrow view: buttons, reason, then the rate.
        self.reason.setMinimumWidth(REASON_FIELD_PX)
        rate_group = QWidget()
        rate_layout = QHBoxLayout(rate_group)
        rate_layout.setContentsMargins(0, 0, 0, 0)
        for part in (self.rate_label, self.rate, self.rate_button):
            rate_layout.addWidget(part)
        self._rate_group = rate_group
        controls = FlowLayout(spacing=6)
        for widget in (
            self.start_button,
            self.pause_button,
            self.resume_button,
            self.complete_button,
            self.observe_button,
            self.close_button,
            self.discontinue_button,
            self.reason,
            rate_group,
            self.step_cue,
        ):
            controls.addWidget(widget)

        self.timeline = QTableWidget(0, len(TIMELINE_COLUMNS))
        self.timeline.setHorizontalHeaderLabels(list(TIMELINE_COLUMNS))
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.setup_info = QLabel()
        self.setup_info.setWordWrap(True)
        self.setup_info.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setup_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setup_info.setMargin(10)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        #: The vitals issue puts the entry row first in the tabs: "Vitals (V)".
        self.vitals_slot = QWidget()
        QVBoxLayout(self.vitals_slot).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.vitals_slot, "Vitals (V)")
        self.tabs.addTab(self.timeline, "Timeline")
        self.tabs.addTab(scrolled(self.setup_info), "Set-up")

        #: The vitals issue puts the trend plot here (hidden while empty).
        self.plot_slot = QWidget()
        QVBoxLayout(self.plot_slot).setContentsMargins(0, 0, 0, 0)
        self.plot_slot.setVisible(False)
        self.plot_slot.setMinimumHeight(PLOT_MIN_PX)
        #: The plot above the tabs; side by side when the view is wide enough for both.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.plot_slot)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.tabs.setMinimumHeight(TABS_MIN_PX)

        # The identity and the alert band stay pinned at the top; everything under them scrolls
        # (on a short screen), so the alert is in sight whichever tab the nurse works in.
        self.header_box = QWidget()
        top_layout = QVBoxLayout(self.header_box)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(6)
        top_layout.addWidget(self.reaction_banner)
        top_layout.addLayout(timers)
        top_layout.addLayout(latest_row)
        top_layout.addWidget(self.treatment)
        top_layout.addLayout(controls)
        top_layout.addWidget(self.hint)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(6)
        body_layout.addWidget(self.header_box)
        body_layout.addWidget(self.splitter, 1)
        #: Everything under the pinned identity and alert band.
        self.body = VerticalScroll(body)
        self.body.setObjectName("SessionBody")
        self.body.setMinimumHeight(BODY_MIN_PX)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.alert_slot)
        layout.addWidget(self.body, 1)
        # The session's own place for the keyboard: focus returns here, never to a field.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Plot beside the tabs when the view is wide, the tabs under the plot otherwise."""
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_MIN_PX
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)

    @property
    def detail(self) -> SessionDetail | None:
        """The session shown (as last committed)."""
        return self._detail

    def add_tab(
        self, widget: QWidget, title: str, *, scroll: bool = False, at: int | None = None
    ) -> None:
        """Add a tab (guidance, symptoms, ...) at the end or at index ``at``; scrolled if tall."""
        page = scrolled(widget) if scroll else widget
        if at is None:
            self.tabs.addTab(page, title)
        else:
            self.tabs.insertTab(at, page, title)

    def show_session(self, detail: SessionDetail, now: datetime) -> None:
        """Show a committed snapshot of the session."""
        changed = self._detail is None or (self._detail.id, self._detail.version) != (
            detail.id,
            detail.version,
        )
        self._detail = detail
        patient = detail.patient
        self.name.setText(f"{detail.chair} · {patient_summary(patient)}")
        symbol, ink, fill, edge = STATE_BADGES[chair_state(detail)]
        self.state_badge.setText(f"{symbol} {STATE_WORDS[detail.state]}")
        restyle(self.state_badge, f"color: {ink}; background: {fill}; border: 2px solid {edge};")
        first = " · FIRST DOSE" if detail.first_dose else ""
        risk = " · HIGH-RISK CYCLE" if detail.high_risk_cycle else ""
        self.drug.setText(
            f"{detail.drug_name} {detail.dose_text()} · C{detail.cycle}{first}{risk} · "
            f"{detail.rate_text()}" + (" · SpO2 scale 2" if detail.spo2_scale == 2 else "")
        )
        self.drug.setToolTip(f"Protocol: {detail.protocol_name}")
        self._show_banner(detail)
        self._show_timeline(detail)
        self._show_setup(detail)
        self._enable_controls(detail, now)
        if changed:
            self.reason.clear()
        if detail.rate is not None:
            self.rate.setValue(detail.rate)
        self.rate.setSuffix(f" {detail.rate_unit}" if detail.rate_unit else "")
        self._show_latest(detail.latest_vitals, now)
        self.refresh_times(now)
        self.session_shown.emit(detail)

    def follow(self, detail: SessionDetail, now: datetime) -> None:
        """The shown session as just read again (a monitor set, another workstation's change).

        A new version (its lifecycle changed elsewhere) is shown in full; the same version only
        takes what changes without one (latest values, vitals schedule), so nothing the nurse
        is typing (reason, rate) is touched. Another session's snapshot is ignored.
        """
        if self._detail is None or detail.id != self._detail.id:
            return
        if detail.version != self._detail.version:
            self.show_session(detail, now)
            return
        self._detail = detail
        self._show_latest(detail.latest_vitals, now)
        self.refresh_times(now)

    def _show_latest(self, latest: LatestVitals | None, now: datetime) -> None:
        self.latest.show_latest(latest, now)
        self.latest_caption.setVisible(latest is not None)

    def refresh_times(self, now: datetime) -> None:
        """Recompute the timers from the stored events and ``now`` (the window's tick)."""
        detail = self._detail
        if detail is None:
            return
        state = detail.state
        if state is SessionState.PLANNED:
            self.infusion_timer.show("—", "not started")
        elif state is SessionState.PAUSED:
            self.infusion_timer.show(format_duration(detail.infusion_time(now)), "clock stopped")
            self.infusion_timer.setToolTip(f"Paused: {detail.pause_reason}")
        else:
            self.infusion_timer.show(format_duration(detail.infusion_time(now)))
            self.infusion_timer.setToolTip("Infusion time, pauses excluded")
        step = step_cue(detail, now, hold=self.step_hold)
        held = step is not None and step[1] == STEP_ON_HOLD
        if state in (SessionState.RUNNING, SessionState.PAUSED):
            self.rate_timer.show(
                format_duration(detail.time_at_rate(now)),
                ""
                if step is None
                else "❚❚ on hold"
                if held
                else "▲ Step DUE"
                if step[0]
                else step[1],
            )
        else:
            self.rate_timer.show("—")
        kind, words = vitals_cue(detail, now)
        status = detail.vitals_status(now)
        symbol, ink, fill, edge = VITALS_BADGES[kind]
        value = format_duration(status.due_in) if status.due_in is not None else "—"
        self.vitals_timer.show(
            value,
            f"{symbol} {words.removeprefix('Vitals ').removeprefix('Vitals: ')}",
            f"color: {ink}; background: {fill}; border: 2px solid {edge};",
        )
        self.latest.refresh(now)
        treatment = treatment_cue(detail, now)
        # During a reaction the line keeps its room while empty: the epinephrine timer that
        # appears with the first dose moves neither the tabs nor the guidance steps' buttons.
        self.treatment.setText(treatment or " ")
        policy = self.treatment.sizePolicy()
        policy.setRetainSizeWhenHidden(detail.reaction_active)
        self.treatment.setSizePolicy(policy)
        self.treatment.setVisible(bool(treatment))
        left = detail.observation_left(now)
        self.observation_timer.show(
            "—" if left is None else format_duration(left),
            "" if left is None else f"of {detail.protocol.observation.minutes} min",
        )
        self.step_cue.setVisible(step is not None and step[0])
        self.step_cue.setText(step[1] if step else "")
        restyle(self.step_cue, STEP_HOLD_STYLE if held else RATE_STEP_STYLE)
        self.step_cue.setToolTip(
            "Before the next rate: take a vitals set (within 15 min), confirm no symptoms, "
            "then Set rate."
        )

    # Display helpers

    def _show_banner(self, detail: SessionDetail) -> None:
        parts = []
        allergies = detail.patient.allergies.strip()
        if allergies and allergies.casefold().strip(" .") not in NO_ALLERGIES:
            parts.append(f"ALLERGIES: {allergies}")
        if detail.prior_reaction_to_drug:
            parts.append(f"PREVIOUS REACTION TO {detail.drug_name.upper()}")
        if detail.patient.reaction_history.strip():
            history = "; ".join(detail.patient.reaction_history.split("\n"))
            parts.append(f"Reaction history: {history}")
        self.reaction_banner.setText("⚠ " + "  ·  ".join(parts) if parts else "")
        self.reaction_banner.setVisible(bool(parts))

    def _show_timeline(self, detail: SessionDetail) -> None:
        started = next((e.at for e in detail.timeline if e.kind == "start"), None)
        self.timeline.setRowCount(len(detail.timeline))
        for row, entry in enumerate(detail.timeline):
            minutes = (
                ""
                if started is None or entry.at < started
                else str(int((entry.at - started).total_seconds() // 60))
            )
            cells = (
                entry.at.astimezone().strftime("%H:%M:%S"),
                minutes,
                EVENT_WORDS.get(entry.kind, entry.kind),
                "" if entry.rate is None else detail.rate_text(entry.rate),
                entry.reason or "",
                entry.author,
            )
            for column, text in enumerate(cells):
                self.timeline.setItem(row, column, QTableWidgetItem(text))
        self.timeline.resizeColumnsToContents()
        self.timeline.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

    def _show_setup(self, detail: SessionDetail) -> None:
        protocol = detail.protocol
        premeds = (
            "<br>".join(
                f"{p.name}"
                + (
                    f" at {p.given_at.astimezone():%H:%M}"
                    if p.given_at
                    else f" NOT GIVEN: {p.skipped}"
                    if p.skipped
                    else " (time not recorded)"
                )
                for p in detail.premedications
            )
            or "none recorded"
        )
        notes = "".join(f"<li>{note}</li>" for note in protocol.risk.notes)
        self.setup_info.setText(
            f"<b>Nurse:</b> {detail.nurse}<br>"
            f"<b>Planned duration:</b> {detail.planned_duration_min} min<br>"
            f"<b>Premedications:</b><br>{premeds}<br><br>"
            f"<b>Protocol:</b> {protocol.name} ({protocol.applies_to})<br>"
            f"<b>Risk:</b> {protocol.risk.profile}<ul>{notes}</ul>"
            f"<small>Protocol {detail.protocol_version[:19]}… · rule set "
            f"{detail.ruleset_version[:19]}…</small>"
        )

    def _enable_controls(self, detail: SessionDetail, now: datetime) -> None:
        """Show only the actions the session's state allows (the service checks them again)."""
        state = detail.state
        observes = detail.protocol.observation.minutes > 0
        running = state is SessionState.RUNNING
        ended = state in (SessionState.COMPLETED, SessionState.DISCONTINUED)
        self.start_button.setVisible(state is SessionState.PLANNED)
        self.pause_button.setVisible(running)
        self.resume_button.setVisible(state is SessionState.PAUSED)
        paused = state is SessionState.PAUSED
        self.complete_button.setVisible(running)
        self.rate_button.setVisible(running)
        # Paused, the rate box stays for the restart rate (a restart after a reaction is limited);
        # what only a running infusion offers keeps its room: the controls do not reflow, and
        # nothing under them (the guidance steps' buttons when Stop was a step) moves.
        self.rate_label.setVisible(running or paused)
        self.rate.setVisible(running or paused)
        self._rate_group.setVisible(running or paused)
        for widget in (self.complete_button, self.rate_button, self.step_cue):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(paused)
            widget.setSizePolicy(policy)
        self.discontinue_button.setVisible(running or state is SessionState.PAUSED)
        self.observe_button.setVisible(observes and ended)
        self.close_button.setVisible(ended or state is SessionState.OBSERVATION)
        if state is SessionState.PLANNED and detail.baseline_warning:
            self.hint.setText(
                "⚠ The baseline NEWS2 is raised (rules engine: news2.baseline_warning). "
                "Review the patient; to start anyway type the reason, then Start."
            )
        elif state is SessionState.PLANNED:
            self.hint.setText("Check the premedications and the pump, then Start.")
        elif state is SessionState.OBSERVATION:
            self.hint.setText(
                "To close before the observation ends, type the reason (e.g. patient left)."
            )
        else:
            self.hint.setText("")
        self.hint.setVisible(bool(self.hint.text()))

    def _button(self, text: str, tip: str, key: str | None = None) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        if key is not None:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.animateClick)
        return button

    def _reason(self) -> str:
        return self.reason.text().strip()

    # Intents: forward to the controller; the view changes only when the outcome is committed.

    def _on_start_clicked(self) -> None:
        if self._detail is not None:
            self._controller.start(self._detail, self._reason() or None)

    def _on_pause_clicked(self) -> None:
        if self._detail is not None:
            self._controller.pause(self._detail, self._reason())

    def _on_resume_clicked(self) -> None:
        if self._detail is not None:
            rate = None if self._detail.rate is None else self.rate.value()
            self._controller.resume(self._detail, rate, self._reason() or None)

    def _on_rate_clicked(self) -> None:
        if self._detail is not None:
            self._controller.change_rate(self._detail, self.rate.value())

    def _on_complete_clicked(self) -> None:
        if self._detail is not None:
            self._controller.complete(self._detail)

    def _on_discontinue_clicked(self) -> None:
        if self._detail is not None:
            self._controller.discontinue(self._detail, self._reason())

    def _on_observe_clicked(self) -> None:
        if self._detail is not None:
            self._controller.start_observation(self._detail)

    def _on_close_clicked(self) -> None:
        if self._detail is not None:
            self._controller.close(self._detail, self._reason() or None)
