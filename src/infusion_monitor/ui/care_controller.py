"""The thin Qt adapter over the care services: runs a use case, then says what changed.

Signals carry frozen pictures, never ORM objects. ``poll`` (every tick) reads the unit's open
alerts from the database, so an alert raised on another workstation shows (and sounds, through
``ui/alarm_sound``) here too.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.reaction import Outcome
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.services.alerts import AlertService
from infusion_monitor.services.care import CareChanged, CareService
from infusion_monitor.services.care_views import CarePicture, UnitAlertView
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.ui.db_worker import read_soon

log = logging.getLogger(__name__)
T = TypeVar("T")


class CareController(QObject):
    """Runs care use cases for the window and publishes their outcomes."""

    #: A session's care picture as committed (``CarePicture``).
    care_changed = Signal(object)
    #: A new alert was raised (``Alert``); the band and tile show it.
    alert_raised = Signal(object)
    #: The unit's open alerts (``UnitAlertView``), read from the database.
    unit_alerts_changed = Signal(object)
    #: A use case was refused or failed; the message went to the funnel.
    operation_failed = Signal(str)

    def __init__(
        self,
        care: CareService,
        alerts: AlertService,
        funnel: MessageFunnel,
        actor: Callable[[], Actor],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._care = care
        self._alerts = alerts
        self._funnel = funnel
        self._actor = actor
        self.unit = alerts.unit_alerts()
        #: How many reads of the unit's alerts were asked for: only the newest is published.
        self._unit_asked = 0

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
        self._published(answered.picture)
        return answered.picture

    def resolve(self, alert_id: int, reason: str) -> CarePicture | None:
        """Resolve an acknowledged alert by the signed-in nurse's decision, with the reason."""
        answered = self._guard(lambda: self._alerts.resolve(self._actor(), alert_id, reason))
        if answered is None:
            return None
        self._published(answered.picture)
        return answered.picture

    def poll(self) -> UnitAlertView:
        """Read the unit's open alerts and publish them."""
        self._asked()  # a tick's read still under way is older: it is not published
        try:
            unit = self._alerts.unit_alerts()
        except UserError as exc:
            log.warning("unit alerts could not be read: %s", exc.message)
            return self.unit
        self._publish_unit(unit)
        return unit

    def poll_soon(self) -> None:
        """The tick's poll: the unit's open alerts are read off the GUI thread and published
        when read, without waiting (no second read while one waits on a busy database)."""
        read_soon(self._alerts, "unit_alerts", functools.partial(self._unit_read, self._asked()))

    def _asked(self) -> int:
        self._unit_asked += 1
        return self._unit_asked

    def _unit_read(self, asked: int, unit: UnitAlertView) -> None:
        """Publish a tick's read unless a newer one was asked for meanwhile (never the older)."""
        if asked == self._unit_asked:
            self._publish_unit(unit)

    def _publish_unit(self, unit: UnitAlertView) -> None:
        self.unit = unit
        self.unit_alerts_changed.emit(unit)

    # Machinery ------------------------------------------------------------------------------

    def _changed(self, run: Callable[[], CareChanged]) -> CareChanged | None:
        outcome = self._guard(run)
        if outcome is None:
            return None
        if outcome.alert_raised and outcome.picture.alert is not None:
            self.alert_raised.emit(outcome.picture.alert)
        self._published(outcome.picture)
        return outcome

    def _published(self, picture: CarePicture) -> None:
        self.care_changed.emit(picture)
        self.poll()

    def _guard(self, run: Callable[[], T]) -> T | None:
        try:
            return run()
        except UserError as exc:
            self._funnel.error(exc.message)
            self.operation_failed.emit(exc.message)
            return None
