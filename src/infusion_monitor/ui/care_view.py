"""Puts reaction care into the session view: the alert band, Guidance, Symptoms and Reaction tabs.

It follows the session the view shows (reading its picture once when it is shown), then mirrors
the unit model's ``care_changed`` for it, forwards the panels' intents to the care controller,
and opens "Why?" in a non-modal window.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.reaction import Outcome
from infusion_monitor.model.unit import UnitModel
from infusion_monitor.services.care.views import CarePicture
from infusion_monitor.services.sessions.records import SessionDetail
from infusion_monitor.ui.alert_band import AlertBand
from infusion_monitor.ui.care_controller import CareController
from infusion_monitor.ui.fitting import reveal
from infusion_monitor.ui.guidance_panel import FindingsWindow, GuidancePanel
from infusion_monitor.ui.keys import ACKNOWLEDGE_KEY, focus_key
from infusion_monitor.ui.reaction_panel import ReactionPanel
from infusion_monitor.ui.session_view import SessionView
from infusion_monitor.ui.symptom_panel import SymptomPanel

GUIDANCE_TAB = "Guidance (G)"


class CareView(QObject):
    """The care panels of the session view, kept in step with the stored picture."""

    def __init__(
        self, view: SessionView, controller: CareController, model: UnitModel, clock: Clock
    ) -> None:
        super().__init__(view)
        self._view = view
        self._controller = controller
        self._model = model
        self._clock = clock
        self._session_id: int | None = None
        self.picture: CarePicture | None = None

        self.band = AlertBand()
        slot_layout = view.alert_slot.layout()
        assert slot_layout is not None
        slot_layout.addWidget(self.band)
        self.guidance = GuidancePanel()
        self.symptoms = SymptomPanel()
        self.reaction = ReactionPanel()
        view.add_tab(self.guidance, GUIDANCE_TAB)
        view.add_tab(self.symptoms, "Symptoms (S)")
        view.add_tab(self.reaction, "Reaction record", scroll=True)
        self.findings = FindingsWindow(view)

        self.band.acknowledge_requested.connect(self._on_band_acknowledge_requested)
        self.band.resolve_requested.connect(self._on_band_resolve_requested)
        self.band.why_requested.connect(self.show_why)
        self.band.escalate_requested.connect(self._on_escalate_requested)
        self.guidance.why_requested.connect(self.show_why)
        self.guidance.escalate_requested.connect(self._on_escalate_requested)
        self.guidance.step_done.connect(self._on_guidance_step_done)
        self.guidance.step_declined.connect(self._on_guidance_step_declined)
        self.guidance.treatment_given.connect(self._on_guidance_treatment_given)
        self.symptoms.symptom_recorded.connect(self._on_symptoms_symptom_recorded)
        self.symptoms.symptom_resolved.connect(self._on_symptoms_symptom_resolved)
        self.reaction.outcome_submitted.connect(self._on_reaction_outcome_submitted)
        model.care_changed.connect(self._on_model_care_changed)
        # The model outlives a closed session view: stop following it with the view's widgets.
        view.destroyed.connect(
            lambda *_args: model.care_changed.disconnect(self._on_model_care_changed)
        )
        view.session_shown.connect(self._on_view_session_shown)

        focus_key("S", view, self.show_symptoms)
        focus_key("G", view, self.show_guidance)
        acknowledge = QShortcut(QKeySequence(ACKNOWLEDGE_KEY), view)
        acknowledge.setContext(Qt.ShortcutContext.WindowShortcut)
        acknowledge.activated.connect(self.acknowledge)

    @property
    def session_id(self) -> int | None:
        """The session whose care is shown."""
        return self._session_id

    def _on_view_session_shown(self, detail: SessionDetail) -> None:
        self.follow(detail.id)

    def follow(self, session_id: int | None) -> None:
        """Show the care of ``session_id`` (None: nothing)."""
        self._session_id = session_id
        picture = self._controller.picture(session_id) if session_id is not None else None
        self._model.follow(session_id, picture)
        if picture is not None:
            self.show_picture(picture)
        else:
            self.picture = None
            self.band.show_alert(None, self._clock.now())

    def show_picture(self, picture: CarePicture) -> None:
        """Show a stored picture of the followed session.

        An open alert brings Guidance forward, unless the nurse is working in a tab (the focus is
        in it): recording a second symptom must find the cursor where it was. The band above
        the tabs and the Guidance tab's title say the alert either way.
        """
        if picture.session_id != self._session_id:
            return
        self._draw(picture, None)
        focus = QApplication.focusWidget()
        working = focus is not None and self._view.tabs.isAncestorOf(focus)
        if picture.alert is not None and picture.alert.open and not working:
            self._view.tabs.setCurrentWidget(self.guidance)

    def _on_model_care_changed(self, fresh: CarePicture) -> None:
        """The followed session's care changed (here, a monitor's set, another workstation):
        redraw only the panels whose content changed.

        A monitor's blood pressure can add a step (IV fluid bolus) to the open alert's guidance
        without changing the alert; the tab stays where the nurse put it and what she is typing
        in an unchanged panel stays. A changed alert is shown as :meth:`show_picture` shows it
        (an open one brings Guidance forward).
        """
        if fresh.session_id != self._session_id:
            return
        if self.picture is None or fresh.alert != self.picture.alert:
            self.show_picture(fresh)
        else:
            self._draw(fresh, self.picture)

    def _draw(self, picture: CarePicture, shown: CarePicture | None) -> None:
        """Show ``picture``; with the ``shown`` one, only the panels that differ are redrawn."""
        self.picture = picture
        now = self._clock.now()
        first = picture.guidance.first_open_step
        self.band.show_alert(
            picture.alert, now, first_step=first.text if first else "", policy=picture.policy
        )
        alert = picture.alert if picture.alert is not None and picture.alert.open else None
        self._view.tabs.setTabText(
            self._view.tabs.indexOf(self.guidance),
            GUIDANCE_TAB if alert is None else f"{GUIDANCE_TAB} · {alert.priority.words}",
        )
        guidance = shown is None or shown.guidance != picture.guidance
        if guidance:
            self.guidance.show_guidance(picture.guidance)
            self.guidance.refresh(now)
            if self.findings.isVisible():
                self.findings.show_findings(picture.guidance, picture.session_start)
        if shown is None or shown.symptoms != picture.symptoms:
            self.symptoms.show_symptoms(picture.symptoms, picture.session_start, now)
        if guidance or shown is None or shown.reaction != picture.reaction:
            self.reaction.show_reaction(picture.reaction, picture.guidance, now)

    def refresh(self, now: datetime) -> None:
        """Recompute the shown times (the window's tick)."""
        self.band.refresh(now)
        self.guidance.refresh(now)
        self.reaction.refresh(now)
        self.symptoms.set_now(now)

    # Keys -----------------------------------------------------------------------------------

    def show_symptoms(self) -> None:
        """Key S (no field focused): the Symptoms tab with the search field focused."""
        if self._session_id is None:
            return
        self._view.tabs.setCurrentWidget(self.symptoms)
        self.symptoms.focus_search()

    def show_guidance(self) -> None:
        """Key G (no field focused): the Guidance tab; focus on the panel, never on a button."""
        if self._session_id is not None:
            self._view.tabs.setCurrentWidget(self.guidance)
            self.guidance.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def acknowledge(self) -> None:
        """Ctrl+Shift+A: acknowledge the shown alert (a key no typed word can contain)."""
        alert = self.band.alert
        if alert is not None and alert.state.value == "active":
            self._controller.acknowledge(alert.id)

    def show_why(self) -> FindingsWindow:
        """Open the findings behind the guidance, without blocking anything."""
        if self.picture is not None:
            self.findings.show_findings(self.picture.guidance, self.picture.session_start)
        self.findings.show()
        self.findings.raise_()
        return self.findings

    # Slots ----------------------------------------------------------------------------------

    def _on_band_acknowledge_requested(self, alert_id: int) -> None:
        self._controller.acknowledge(alert_id)

    def _on_band_resolve_requested(self, alert_id: int, reason: str) -> None:
        self._controller.resolve(alert_id, reason)

    def _on_escalate_requested(self) -> None:
        if self._session_id is not None:
            self._controller.escalate(self._session_id)

    def _on_guidance_step_done(self, code: str, detail: str) -> None:
        if (
            self._session_id is not None
            and self._controller.step_done(self._session_id, code, detail) is None
        ):
            self.guidance.show_problem("Not recorded; see the message above.")

    def _on_guidance_step_declined(self, code: str, reason: str) -> None:
        if self._session_id is not None:
            self._controller.decline_step(self._session_id, code, reason)

    def _on_guidance_treatment_given(self, action: str) -> None:
        if self._session_id is not None:
            self._controller.record_treatment(self._session_id, action)

    def _on_symptoms_symptom_recorded(self, code: str, onset: object, note: str) -> None:
        if self._session_id is None:
            return
        at = onset if isinstance(onset, datetime) else None
        done = self._controller.record_symptom(self._session_id, code, at, note)
        if done is None:
            self.symptoms.show_problem("Not recorded; see the message above.")
        elif code == "other":
            self.symptoms.clear_other()

    def _on_symptoms_symptom_resolved(self, symptom_id: int, at: object) -> None:
        self._controller.resolve_symptom(symptom_id, at if isinstance(at, datetime) else None)

    def _on_reaction_outcome_submitted(self, outcome: Outcome) -> None:
        if self._session_id is None:
            return
        if self._controller.record_outcome(self._session_id, outcome) is None:
            self.reaction.show_problem("Not stored; see the message above. Your entries are kept.")
            reveal(self.reaction.problem)
        else:
            reveal(self.reaction.recorded)  # the confirmation, in view under the Save button
