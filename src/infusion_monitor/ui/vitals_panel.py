"""Vitals in the session view: the Qt adapter over the vitals services, and its plug-in.

``VitalsController`` runs ``record_vitals``/``amend_vitals`` with the signed-in actor and says
what happened: the outcome (published to the unit model) after a commit, or the reason through
the funnel. The
``VitalsPanel`` puts the trend plot in the session view's ``plot_slot`` and the entry row in its
``vitals_slot``; the row clears only after the commit, and keeps every value when it failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QPushButton, QScrollArea, QWidget
from shiboken6 import isValid

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.schedule import missed_check_note
from infusion_monitor.domain.users import Actor
from infusion_monitor.domain.vitals_entry import Source, VitalsDraft
from infusion_monitor.errors import UserError
from infusion_monitor.model.outcomes import changes_of
from infusion_monitor.model.unit import Fresh, UnitModel
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.sessions.records import SessionDetail
from infusion_monitor.services.vitals.recording import (
    CheckSkipped,
    VitalsEntry,
    VitalsRecorded,
    VitalsService,
)
from infusion_monitor.services.vitals.trend import TrendData, VitalsTrendService
from infusion_monitor.ui.controller import Publish
from infusion_monitor.ui.keys import focus_key
from infusion_monitor.ui.latest_vitals import news2_does_not_apply
from infusion_monitor.ui.session_view import SessionView
from infusion_monitor.ui.trend_plot import TrendPlot
from infusion_monitor.ui.trend_view import update_plot
from infusion_monitor.ui.vitals_form import ERROR_STYLE, SAVED_STYLE, VitalsForm
from infusion_monitor.ui.vitals_prompt import status_words
from infusion_monitor.ui.vitals_record import SkipCheckRow, VitalsRecordTable, entry_text

log = logging.getLogger(__name__)
CONFIRM_BUTTON_STYLE = (
    "QPushButton { font-size: 16px; font-weight: 700; padding: 6px 12px; color: #111820;"
    " background: #FFF1C7; border: 2px solid #8A6100; border-radius: 4px; }"
    "QPushButton:focus { border: 3px solid #0B4FA8; }"
)


class VitalsController(QObject):
    """Runs the vitals use cases and publishes their outcomes."""

    def __init__(
        self,
        vitals: VitalsService,
        trend: VitalsTrendService,
        funnel: MessageFunnel,
        actor: Callable[[], Actor],
        clock: Clock,
        publish: Publish,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._vitals = vitals
        self._trend = trend
        self._funnel = funnel
        self._actor = actor
        self._clock = clock
        self._publish = publish

    def record(
        self, session_id: int, draft: VitalsDraft, confirms: int | None = None
    ) -> VitalsRecorded | str:
        """Save a new set (``confirms``: the monitor's set it confirms); the outcome, or the
        reason it was not saved."""
        return self._run(
            lambda: self._vitals.record_vitals(
                self._actor(), session_id, draft, self._clock.now(), confirms=confirms
            )
        )

    def amend(self, entry_id: int, draft: VitalsDraft, reason: str) -> VitalsRecorded | str:
        """Save a correction of a stored set; the outcome, or the reason it was not saved."""
        return self._run(
            lambda: self._vitals.amend_vitals(
                self._actor(), entry_id, draft, reason, self._clock.now()
            )
        )

    def entries(self, session_id: int, after_id: int = 0) -> tuple[VitalsEntry, ...] | None:
        """Every stored set of the session, corrections included (None: message shown); with
        ``after_id``, only those stored after that row."""
        try:
            return self._vitals.entries(session_id, after_id)
        except UserError as exc:
            self._funnel.error(exc.message)
            return None

    def skip(self, session_id: int, code: str, details: str) -> CheckSkipped | str:
        """Record that the due check was not done; the outcome, or why it was not recorded."""
        try:
            note = missed_check_note(code, details)
            outcome = self._vitals.record_missed_check(
                self._actor(), session_id, note, self._clock.now()
            )
        except UserError as exc:
            self._funnel.error(f"Skipped check not recorded: {exc.message}")
            return exc.message
        self._published(outcome, session_id)
        return outcome

    def trend(self, session_id: int, after: TrendData | None = None) -> TrendData | None:
        """The session's trend as committed (None if it could not be read: message shown);
        with ``after`` (shown now), only what was stored since is read where it can be."""
        try:
            return self._trend.trend(session_id, after)
        except UserError as exc:
            self._funnel.error(exc.message)
            return None

    def _run(self, use_case: Callable[[], VitalsRecorded]) -> VitalsRecorded | str:
        try:
            outcome = use_case()
        except UserError as exc:
            self._funnel.error(f"Vital signs not saved: {exc.message}")
            return exc.message
        self._published(outcome, outcome.entry.session_id)
        return outcome

    def _published(self, outcome: object, session_id: int) -> None:
        """The outcome to the unit model; what it changed (tile, alert, schedule, the plot and
        the stored sets through ``vitals_changed``) is re-read."""
        self._publish(changes_of(outcome, session_id), Fresh())


def saved_summary(outcome: VitalsRecorded, now: datetime) -> str:
    """One line for the row after a commit: time, NEWS2, priority, next check."""
    entry = outcome.entry
    parts = [f"Saved {entry.taken_at.astimezone().strftime('%H:%M')}"]
    assessment = outcome.assessment
    if assessment is not None and assessment.news2_not_applicable is not None:
        parts.append(news2_does_not_apply(assessment.news2_not_applicable))
    elif assessment is not None and assessment.news2_score is not None:
        incomplete = "" if assessment.news2_complete else " (incomplete set)"
        parts.append(f"NEWS2 {assessment.news2_score}{incomplete}")
    if assessment is not None and assessment.priority is not None:
        parts.append(assessment.priority.words)
    parts.append(status_words(outcome.next_due, now))
    return " · ".join(parts)


def _bring_into_view(widget: QWidget) -> None:
    """Scroll the view that holds ``widget`` (if any) so that the nurse sees it."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)


class VitalsPanel(QObject):
    """Puts the plot and the entry row into a session view and keeps them on its session."""

    def __init__(
        self, view: SessionView, controller: VitalsController, model: UnitModel, clock: Clock
    ) -> None:
        super().__init__(view)
        self._view = view
        self._controller = controller
        self._clock = clock
        self._session_id: int | None = None
        #: True while a save of the row waits for the database (and while it is busy).
        self._saving = False
        self._busy = False
        #: A reload is under way (waiting for the database), and another was asked for meanwhile.
        self._reloading = False
        self._reload_again = False
        #: The trend the plot shows (the next reload reads only what was stored since).
        self._shown: TrendData | None = None
        #: The session whose sets the record shows, and the newest row it shows.
        self._record_shows: int | None = None
        self._record_last_id = 0
        self.plot = TrendPlot()
        self.form = VitalsForm(clock)
        self.skip_row = SkipCheckRow()
        self.record = VitalsRecordTable()
        self._monitor_set: VitalsEntry | None = None
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("ConfirmMonitorSet")
        self.confirm_button.setToolTip(
            "A monitor knows no consciousness level or oxygen: confirm its set with yours "
            "(ACVPU, oxygen, temperature). Until then the check stays due."
        )
        self.confirm_button.setStyleSheet(CONFIRM_BUTTON_STYLE)
        self.confirm_button.setVisible(False)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        plot_layout = view.plot_slot.layout()
        vitals_layout = view.vitals_slot.layout()
        assert plot_layout is not None and isinstance(vitals_layout, QBoxLayout)
        plot_layout.addWidget(self.plot)
        view.latest_row.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignVCenter)
        vitals_layout.addWidget(self.form)
        vitals_layout.addWidget(self.skip_row)
        vitals_layout.addStretch(1)
        view.add_tab(self.record, "Vitals record", at=view.tabs.indexOf(view.vitals_slot) + 1)
        self.record.correct_requested.connect(self._on_record_correct_requested)
        self.skip_row.skip_requested.connect(self._on_skip_row_skip_requested)
        view.plot_slot.setVisible(True)
        self.form.draft_ready.connect(self._on_form_draft_ready)
        self.form.amend_ready.connect(self._on_form_amend_ready)
        self.form.confirm_ready.connect(self._on_form_confirm_ready)
        view.session_shown.connect(self._on_view_session_shown)
        model.vitals_changed.connect(self._on_model_vitals_changed)
        # The model outlives a closed session view: stop following it with the view's widgets.
        view.destroyed.connect(
            lambda *_args: model.vitals_changed.disconnect(self._on_model_vitals_changed)
        )
        focus_key("V", view, self.focus_entry)
        if view.detail is not None:  # built after a session was shown: follow it at once
            self.show_session(view.detail)

    def focus_entry(self) -> None:
        """Key V (no field focused): the Vitals tab with the cursor in HR."""
        self._view.tabs.setCurrentWidget(self._view.vitals_slot)
        self.form.focus_first()

    def show_session(self, detail: SessionDetail) -> None:
        """Follow the session shown: its start, its trend; the row empties on a new session."""
        if detail.id != self._session_id:
            self._session_id = detail.id
            self._shown = None
            self.form.cancel_amend()
        # The service refuses a time before the session was created; the row checks the
        # earliest lifecycle event it knows (a baseline may precede the start).
        self.form.set_session_start(None)
        self.reload()

    def reload(self) -> None:
        """Redraw the plot and the stored sets from what is committed.

        Its reads wait for the database thread in a local event loop, where another change may
        ask for a reload: that one is run after this one, never inside it (a read made inside
        would be drawn, then this one's older read drawn over it, the whole plot again).
        """
        if self._reloading:
            self._reload_again = True
            return
        self._reloading = True
        try:
            self._reload_again = True
            while self._reload_again and not self._closed():
                self._reload_again = False
                self._reload_once()
        finally:
            self._reloading = False

    def _reload_once(self) -> None:
        if self._session_id is None:
            return
        self._reload_record(self._session_id)
        if self._closed():
            return
        data = self._controller.trend(self._session_id, self._shown)
        if data is None or self._closed():
            return
        update_plot(self.plot, self._shown, data)
        self._shown = data

    def _reload_record(self, session_id: int) -> None:
        """The vitals record: the sets stored since the newest shown are added on top (a long
        session of 1 Hz monitor sets is not read whole at every arrival); all of them are read
        again for another session, or when one corrects a set or was taken before the newest."""
        if self._record_shows == session_id and self._record_last_id:
            added = self._controller.entries(session_id, self._record_last_id)
            if added is None or self._closed():
                return
            if self.record.add_entries(added):
                self._record_last_id = max((e.id for e in added), default=self._record_last_id)
                self._offer_confirm(self.record.entries)
                return
        entries = self._controller.entries(session_id)
        if entries is None or self._closed():
            return
        self._record_shows = session_id
        self._record_last_id = max((entry.id for entry in entries), default=0)
        self.record.show_entries(entries)
        self._offer_confirm(self.record.entries)

    def _closed(self) -> bool:
        """True once the window was closed while a read waited for the database thread (the
        wait runs the event loop, which may delete the window): its widgets are gone."""
        return not isValid(self.confirm_button)

    def _offer_confirm(self, entries: Sequence[VitalsEntry]) -> None:
        """Offer "Confirm set" while the newest current set is a bedside monitor's
        (``entries`` as the record shows them: newest first)."""
        latest = next((entry for entry in entries if entry.current), None)
        monitor = latest if latest is not None and latest.source is Source.MONITOR else None
        self._monitor_set = monitor
        self.confirm_button.setVisible(monitor is not None)
        if monitor is not None:
            shown = monitor.taken_at.astimezone().strftime("%H:%M")
            self.confirm_button.setText(f"Confirm the {shown}\nmonitor set…")

    def confirm_monitor_set(self) -> None:
        """Open the vitals row filled with the latest monitor set, for the nurse to confirm."""
        monitor = self._monitor_set
        if monitor is None:
            return
        self._view.tabs.setCurrentWidget(self._view.vitals_slot)
        self.form.begin_confirm(monitor.id, monitor.taken_at, entry_text(monitor))
        _bring_into_view(self.form)

    def _on_confirm_button_clicked(self) -> None:
        self.confirm_monitor_set()

    def _on_form_confirm_ready(self, entry_id: int, draft: VitalsDraft) -> None:
        if self._session_id is None:
            self.form.show_save_error("No session is shown.")
            return
        session_id = self._session_id
        self._save(lambda: self._controller.record(session_id, draft, confirms=entry_id))

    def _on_record_correct_requested(self, entry: VitalsEntry) -> None:
        self._view.tabs.setCurrentWidget(self._view.vitals_slot)
        self.form.begin_amend(entry.id, entry.taken_at, entry_text(entry))

    def _on_skip_row_skip_requested(self, code: str, details: str) -> None:
        if self._session_id is None:
            return
        outcome = self._controller.skip(self._session_id, code, details)
        if isinstance(outcome, str):
            self.skip_row.show_result(f"⛔ Not recorded: {outcome}", ERROR_STYLE)
            return
        at = outcome.at.astimezone().strftime("%H:%M")
        words = status_words(outcome.next_due, self._clock.now())
        self.skip_row.show_result(
            f"✓ Skipped check recorded {at} ({outcome.note.reason.label}) · {words}", SAVED_STYLE
        )
        self.skip_row.clear()

    def _on_view_session_shown(self, detail: SessionDetail) -> None:
        self.show_session(detail)

    def _on_model_vitals_changed(self, session_id: int) -> None:
        """Sets of the followed session were stored (here, a monitor, another workstation)."""
        if session_id == self._session_id:
            self.reload()

    def _on_form_draft_ready(self, draft: VitalsDraft) -> None:
        if self._session_id is None:
            self.form.show_save_error("No session is shown.")
            return
        session_id = self._session_id
        self._save(lambda: self._controller.record(session_id, draft))

    def _on_form_amend_ready(self, entry_id: int, draft: VitalsDraft, reason: str) -> None:
        self._save(lambda: self._controller.amend(entry_id, draft, reason))

    def show_busy(self, text: str) -> None:
        """The database is slow (``DatabaseWorker.busy_changed``): a save of the row under way
        says so in the row."""
        self._busy = bool(text)
        if self._busy and self._saving:
            self.form.show_busy()

    def _save(self, run: Callable[[], VitalsRecorded | str]) -> None:
        """Save the row once: a second Enter while the first save waits does nothing."""
        if self._saving:
            if self._busy:
                self.form.show_busy()
            return
        self._saving = True
        try:
            outcome = run()
        finally:
            self._saving = False
        self._finish(outcome)

    def _finish(self, outcome: VitalsRecorded | str) -> None:
        if isinstance(outcome, str):
            self.form.show_save_error(outcome)
            return
        # The plot and the stored sets were reloaded when the outcome was published (the
        # model's vitals_changed): not twice.
        self.form.accept_saved(saved_summary(outcome, self._clock.now()))
