"""The thin Qt adapter over the care services: runs a use case, then publishes what changed.

Every stored outcome goes to the unit model as a change record with the care picture it
returned, so the session's panels, its alert band, the header and the sound follow at once; an
alert raised on another workstation reaches them through the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.reaction import Outcome
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.model.outcomes import changes_of
from infusion_monitor.model.unit import Fresh
from infusion_monitor.services.care.alerts import AlertService
from infusion_monitor.services.care.service import CareChanged, CareService
from infusion_monitor.services.care.views import CarePicture
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.ui.controller import Publish

log = logging.getLogger(__name__)
T = TypeVar("T")


class CareController(QObject):
    """Runs care use cases for the window and publishes their outcomes to the unit model."""

    #: A use case was refused or failed; the message went to the funnel.
    operation_failed = Signal(str)

    def __init__(
        self,
        care: CareService,
        alerts: AlertService,
        funnel: MessageFunnel,
        actor: Callable[[], Actor],
        publish: Publish,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._care = care
        self._alerts = alerts
        self._funnel = funnel
        self._actor = actor
        self._publish = publish

    @property
    def policy(self):  # type: ignore[no-untyped-def]
        """The unit's alert timing."""
        return self._alerts.policy

    def picture(self, session_id: int) -> CarePicture | None:
        """The session's care picture as stored now (None if it could not be read)."""
        return self._guard(lambda: self._care.picture(session_id))

    # Use cases ------------------------------------------------------------------------------

    def record_symptom(
        self, session_id: int, code: str, onset: datetime | None, note: str = ""
    ) -> CareChanged | None:
        """Record a symptom (onset None: now)."""
        return self._changed(
            lambda: self._care.record_symptom(self._actor(), session_id, code, onset, note)
        )

    def resolve_symptom(self, symptom_id: int, at: datetime | None = None) -> CareChanged | None:
        """The symptom has gone (now when ``at`` is None)."""
        return self._changed(lambda: self._care.resolve_symptom(self._actor(), symptom_id, at))

    def step_done(self, session_id: int, code: str, detail: str = "") -> CareChanged | None:
        """A guidance step was done now."""
        return self._changed(
            lambda: self._care.mark_step_done(self._actor(), session_id, code, detail)
        )

    def decline_step(self, session_id: int, code: str, reason: str) -> CareChanged | None:
        """A guidance step was not done, with the reason."""
        return self._changed(
            lambda: self._care.decline_step(self._actor(), session_id, code, reason)
        )

    def record_treatment(self, session_id: int, action: str) -> CareChanged | None:
        """Another course action was done now."""
        return self._changed(
            lambda: self._care.record_treatment(self._actor(), session_id, CourseAction(action))
        )

    def escalate(self, session_id: int) -> CareChanged | None:
        """Escalate anyway."""
        return self._changed(lambda: self._care.escalate(self._actor(), session_id))

    def record_outcome(self, session_id: int, outcome: Outcome) -> CareChanged | None:
        """Close the reaction record."""
        return self._changed(lambda: self._care.record_outcome(self._actor(), session_id, outcome))

    def acknowledge(self, alert_id: int) -> CarePicture | None:
        """Acknowledge an alert in the signed-in nurse's name."""
        answered = self._guard(lambda: self._alerts.acknowledge(self._actor(), alert_id))
        if answered is None:
            return None
        self._published(answered, answered.picture)
        return answered.picture

    def resolve(self, alert_id: int, reason: str) -> CarePicture | None:
        """Resolve an acknowledged alert by the signed-in nurse's decision, with the reason."""
        answered = self._guard(lambda: self._alerts.resolve(self._actor(), alert_id, reason))
        if answered is None:
            return None
        self._published(answered, answered.picture)
        return answered.picture

    # Machinery ------------------------------------------------------------------------------

    def _changed(self, run: Callable[[], CareChanged]) -> CareChanged | None:
        outcome = self._guard(run)
        if outcome is None:
            return None
        self._published(outcome, outcome.picture)
        return outcome

    def _published(self, outcome: object, picture: CarePicture) -> None:
        """The outcome to the unit model: the care picture and its alert as committed, at once
        (a step may also have paused the infusion: the record names the session, re-read)."""
        sid = picture.session_id
        fresh = Fresh(care={sid: picture}, alert_of={sid: picture.alert})
        self._publish(changes_of(outcome, sid), fresh)

    def _guard(self, run: Callable[[], T]) -> T | None:
        try:
            return run()
        except UserError as exc:
            self._funnel.error(exc.message)
            self.operation_failed.emit(exc.message)
            return None
