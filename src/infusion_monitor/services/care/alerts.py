"""Alert persistence: apply each stored assessment to the session's alert; acknowledge, escalate.

``AlertService.apply`` listens to the assessing service, so it runs inside the transaction of
whatever use case assessed (vitals, symptom, course action). Every state change writes an audit
row in that transaction. The decisions themselves are pure (``domain/alerts.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import (
    Alert,
    AlertChange,
    AlertPolicy,
    AlertPriority,
    AlertRefused,
    AlertState,
    acknowledge,
    decide,
)
from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.guidance import ESCALATE
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.errors import UserError
from infusion_monitor.services.assessing import AssessmentOutcome, latest_assessment
from infusion_monitor.services.audit import record as record_audit
from infusion_monitor.services.care.alert_reads import alert_by_id, unit_alerts
from infusion_monitor.services.care.views import CarePicture, UnitAlertView
from infusion_monitor.services.sessions.records import latest_vitals
from infusion_monitor.services.staff.authors import author_row
from infusion_monitor.storage import models
from infusion_monitor.storage.audit import append_audit
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.sql_rows import session_rows

log = logging.getLogger(__name__)

#: The condition of an alert a nurse raised with "Escalate anyway" (the rules never clear it).
ESCALATED_CONDITION = "escalated_by_nurse"
#: The audit actor of alerts the rules raise or change.
RULES_ACTOR = "rules"
#: ``db.info`` key where the alert changes of the transaction are collected for the outcome.
CHANGES_KEY = "alert_changes"


def _alert_changed(db: Session, session_id: int) -> Changes:
    """Record that the session's alert changed; everything the transaction changed so far."""
    return record_changes(db, Changes(alerts=frozenset({session_id})))


def alert_of(db: Session, row: models.Alert) -> Alert:
    """The domain copy of a stored alert (with who acknowledged it and any nurse escalation)."""
    return alert_by_id(session_rows(db), row.id)


#: A session's unresolved alerts, newest first (built once: every assessment runs it).
_OPEN_ALERTS = (
    select(models.Alert)
    .where(models.Alert.session_id == bindparam("session_id"), models.Alert.state != "resolved")
    .order_by(models.Alert.raised_at.desc(), models.Alert.id.desc())
    .limit(1)
)


def open_alert_row(db: Session, session_id: int) -> models.Alert | None:
    """The session's unresolved alert (the newest, should there ever be two)."""
    return db.scalars(_OPEN_ALERTS, {"session_id": session_id}).first()


def alert_snapshot(row: models.Alert) -> dict[str, object]:
    """What an alert's audit rows record of it (before and after a change)."""
    return {
        "session_id": row.session_id,
        "condition": row.condition,
        "priority": row.priority,
        "state": row.state,
        "raised_at": row.raised_at.isoformat(),
        "acknowledged_at": row.acknowledged_at.isoformat() if row.acknowledged_at else None,
        "acknowledged_by_id": row.acknowledged_by_id,
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "assessment_id": row.assessment_id,
    }


def escalation_values(session_id: int, at: datetime) -> dict[str, object]:
    """What the audit row of a nurse's escalation records."""
    return {"session_id": session_id, "escalated_at": at.isoformat()}


@dataclass(frozen=True)
class AlertAnswered:
    """An alert was acknowledged, escalated or resolved; the session's care picture after it."""

    action: str
    alert: Alert
    picture: CarePicture
    #: What the transaction changed (the session's alert, and its care picture on escalation).
    changes: Changes = NOTHING


class AlertService:
    """Raises, updates and resolves alerts from assessments; nurses acknowledge and escalate."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        policy: AlertPolicy,
        picture: Callable[[Session, int], CarePicture],
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.policy = policy
        self._picture = picture

    # Inside other use cases' transactions ---------------------------------------------------

    def apply(self, db: Session, assessment: AssessmentOutcome) -> AlertChange:
        """Apply a stored assessment to the session's open alert (listener of the assessor)."""
        row = open_alert_row(db, assessment.session_id)
        current = alert_of(db, row) if row is not None else None
        condition = assessment.pathways[0] if assessment.pathways else ""
        decision = decide(
            current,
            assessment.session_id,
            assessment.priority,
            condition,
            assessment.at,
            nurse_set=assessment.nurse_set,
        )
        change = decision.change
        nurse_raised = current is not None and current.condition == ESCALATED_CONDITION
        if nurse_raised and change is not AlertChange.RAISED:
            change = AlertChange.NONE  # the nurse's escalation stands until she resolves it
        elif row is not None and decision.close is not None:
            self._store(db, row, decision.close, "alert.resolve", assessment.at, RULES_ACTOR)
        elif row is not None and decision.open is not None and change is not AlertChange.NONE:
            row.assessment_id = assessment.id
            self._store(db, row, decision.open, f"alert.{change.value}", assessment.at, RULES_ACTOR)
        if change is AlertChange.RAISED and decision.open is not None:
            new = models.Alert(
                session_id=assessment.session_id,
                assessment_id=assessment.id,
                condition=decision.open.condition,
                priority=decision.open.priority.code,
                state=AlertState.ACTIVE.value,
                raised_at=decision.open.raised_at,
            )
            db.add(new)
            db.flush()
            _alert_changed(db, new.session_id)
            append_audit(
                db,
                at=assessment.at,
                actor=RULES_ACTOR,
                action="alert.raise",
                entity="alert",
                entity_id=new.id,
                before=None,
                after=alert_snapshot(new),
            )
            log.info("session %d: %s alert raised", assessment.session_id, new.priority)
        db.info.setdefault(CHANGES_KEY, []).append((assessment.session_id, change))
        return change

    @staticmethod
    def _store(
        db: Session, row: models.Alert, alert: Alert, action: str, at: datetime, actor: str
    ) -> None:
        before = alert_snapshot(row)
        row.condition = alert.condition
        row.priority = alert.priority.code
        row.state = alert.state.value
        row.resolved_at = alert.resolved_at
        db.flush()
        _alert_changed(db, row.session_id)
        append_audit(
            db,
            at=at,
            actor=actor,
            action=action,
            entity="alert",
            entity_id=row.id,
            before=before,
            after=alert_snapshot(row),
        )

    # Use cases ------------------------------------------------------------------------------

    def acknowledge(self, actor: Actor, alert_id: int) -> AlertAnswered:
        """Acknowledge an active alert in the actor's name, now."""
        actor.require(Permission.CARE)
        now = self._clock.now()
        with self._sessions.begin() as db:
            row = self._row(db, alert_id)
            latest = latest_assessment(db, row.session_id)
            priority = latest.priority if latest else None
            newest = latest_vitals(session_rows(db), [row.session_id]).get(row.session_id)
            if newest is not None and newest.source is Source.MONITOR:
                # On a monitor's set alone the alert is not resolved: that needs a nurse's set
                # (or the nurse resolving it with a reason).
                priority = AlertPriority.from_code(row.priority)
            try:
                done = acknowledge(alert_of(db, row), actor.name, now, priority)
            except AlertRefused as exc:
                raise UserError(f"Nothing was changed: {exc}.") from exc
            nurse = author_row(db, actor, now)
            before = alert_snapshot(row)
            row.state = done.state.value
            row.acknowledged_at = now
            row.acknowledged_by_id = nurse.id
            row.resolved_at = done.resolved_at
            db.flush()
            record_audit(
                db,
                actor,
                at=now,
                action="alert.acknowledge",
                entity="alert",
                entity_id=row.id,
                before=before,
                after=alert_snapshot(row),
            )
            return AlertAnswered(
                "acknowledge",
                alert_of(db, row),
                self._picture(db, row.session_id),
                _alert_changed(db, row.session_id),
            )

    def resolve(self, actor: Actor, alert_id: int, reason: str) -> AlertAnswered:
        """Resolve an acknowledged alert by the nurse's decision (a reason is required)."""
        actor.require(Permission.CARE)
        if not reason.strip():
            raise UserError("Say why the alert is resolved; the reason is recorded.")
        now = self._clock.now()
        with self._sessions.begin() as db:
            row = self._row(db, alert_id)
            if row.state != AlertState.ACKNOWLEDGED.value:
                raise UserError("Acknowledge the alert first; only then can it be resolved.")
            author_row(db, actor, now)
            before = alert_snapshot(row)
            row.state = AlertState.RESOLVED.value
            row.resolved_at = now
            db.flush()
            record_audit(
                db,
                actor,
                at=now,
                action="alert.resolve",
                entity="alert",
                entity_id=row.id,
                before=before,
                after={**alert_snapshot(row), "reason": reason.strip()},
            )
            return AlertAnswered(
                "resolve",
                alert_of(db, row),
                self._picture(db, row.session_id),
                _alert_changed(db, row.session_id),
            )

    def escalate_in(self, db: Session, actor: Actor, session_id: int, now: datetime) -> Alert:
        """Escalate the session to the unit inside ``db``'s transaction ("Escalate anyway").

        Marks the open alert escalated; with none open, raises a high alert in the nurse's name,
        already acknowledged by her, so the unit sees it and her own chair does not re-sound.
        """
        actor.require(Permission.CARE)
        nurse = author_row(db, actor, now)
        row = open_alert_row(db, session_id)
        if row is None:
            row = models.Alert(
                session_id=session_id,
                condition=ESCALATED_CONDITION,
                priority=AlertPriority.HIGH.code,
                state=AlertState.ACKNOWLEDGED.value,
                raised_at=now,
                acknowledged_at=now,
                acknowledged_by_id=nurse.id,
            )
            db.add(row)
            db.flush()
            record_audit(
                db,
                actor,
                at=now,
                action="alert.raise",
                entity="alert",
                entity_id=row.id,
                before=None,
                after=alert_snapshot(row),
            )
        db.add(
            models.Intervention(
                session_id=session_id, alert_id=row.id, action=ESCALATE, at=now, by_id=nurse.id
            )
        )
        db.flush()
        record_changes(db, Changes(alerts=frozenset({session_id}), care=frozenset({session_id})))
        record_audit(
            db,
            actor,
            at=now,
            action="alert.escalate",
            entity="alert",
            entity_id=row.id,
            before=None,
            after=escalation_values(session_id, now),
        )
        return alert_of(db, row)

    # Reading --------------------------------------------------------------------------------

    def unit_alerts(self) -> UnitAlertView:
        """Every open alert of an active session in the database: the header and board read this."""
        with self._sessions() as db:
            return self.unit_alerts_in(db)

    def unit_alerts_in(self, db: Session) -> UnitAlertView:
        """:meth:`unit_alerts` read inside ``db``'s transaction."""
        return unit_alerts(session_rows(db), self._clock.now(), self.policy)

    @staticmethod
    def _row(db: Session, alert_id: int) -> models.Alert:
        row = db.get(models.Alert, alert_id)
        if row is None:
            raise UserError("This alert no longer exists; the screen has been reloaded.")
        return row
