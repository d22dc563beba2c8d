"""Reaction care at the chair: symptoms, guidance steps, treatment, escalation and the outcome.

Each use case is one transaction: check the actor, validate, store the record and its audit row,
assess the session through the assessing service (which updates the alert in the same
transaction), commit, and return the session's care picture as stored. A refusal stores nothing
and says why; the panel keeps what was typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import AlertChange, AlertPolicy
from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.course import COURSE_ACTION_LABELS, CourseAction
from infusion_monitor.domain.guidance import (
    STANDING_ORDER_STEP,
    course_action_for,
)
from infusion_monitor.domain.reaction import Outcome, course_for_disposition, outcome_problems
from infusion_monitor.domain.session import EventKind
from infusion_monitor.domain.symptoms import SYMPTOMS
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.audit import record as record_audit
from infusion_monitor.services.care.alerts import CHANGES_KEY, AlertService, open_alert_row
from infusion_monitor.services.care.picture import OTHER_CODE, read_picture
from infusion_monitor.services.care.views import CarePicture, UnitAlertView
from infusion_monitor.services.sessions.lifecycle import SessionService
from infusion_monitor.services.staff.authors import author_row
from infusion_monitor.storage import models
from infusion_monitor.storage.changes import record_changes, transaction_changes

log = logging.getLogger(__name__)

#: Course actions that change the session's lifecycle: they go through the sessions service.
LIFECYCLE_ACTIONS = frozenset(
    {
        CourseAction.PAUSE_INFUSION,
        CourseAction.RESTART_INFUSION,
        CourseAction.DISCONTINUE_INFUSION,
    }
)


_LIFECYCLE_WORDS = {
    CourseAction.PAUSE_INFUSION: "paused",
    CourseAction.RESTART_INFUSION: "restarted",
    CourseAction.DISCONTINUE_INFUSION: "discontinued",
}


@dataclass(frozen=True)
class CareChanged:
    """A care use case was stored: what was done, the picture after it, and the alert change."""

    action: str
    picture: CarePicture
    alert_change: AlertChange = AlertChange.NONE
    #: What the transaction changed: the care picture, the alert, the session when a step
    #: paused, restarted or stopped the infusion.
    changes: Changes = NOTHING

    @property
    def alert_raised(self) -> bool:
        """Whether this change raised a new alert (the UI sounds it)."""
        return self.alert_change is AlertChange.RAISED


#: Pauses, restarts or ends the session through the sessions service inside the care use case's
#: transaction: ``(db, actor, session_id, action, reason)``. Returns the lifecycle action stored,
#: or None when the session's state makes it a no-op; raises UserError when refused.
Lifecycle = Callable[[Session, Actor, int, CourseAction, str], EventKind | None]


class CareService:
    """The reaction-care use cases of one workstation (Qt-free; one transaction per call)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        assessing: AssessingService,
        alerts: AlertService,
        action_text: Callable[[], dict[str, str]],
        lifecycle: Lifecycle | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._assessing = assessing
        self._alerts = alerts
        self._action_text = action_text
        self._lifecycle = lifecycle

    # Reading --------------------------------------------------------------------------------

    def picture(self, session_id: int) -> CarePicture:
        """The session's care picture as stored now."""
        with self._sessions() as db:
            return self.picture_in(db, session_id)

    def alarms(self, session_id: int | None) -> tuple[UnitAlertView, CarePicture | None]:
        """The unit's open alerts and ``session_id``'s care picture (its alert band), in one
        transaction: what a new alarm shows first."""
        with self._sessions() as db:
            picture = None if session_id is None else self.picture_in(db, session_id)
            return self._alerts.unit_alerts_in(db), picture

    def picture_in(self, db: Session, session_id: int) -> CarePicture:
        """The care picture read inside ``db``'s transaction."""
        row = db.get(models.InfusionSession, session_id)
        protocol = None if row is None else self._assessing.protocol(row.protocol_id)
        return read_picture(db, session_id, self._action_text(), self._alerts.policy, protocol)

    # Symptoms -------------------------------------------------------------------------------

    def record_symptom(
        self,
        actor: Actor,
        session_id: int,
        code: str,
        onset_at: datetime | None = None,
        note: str = "",
    ) -> CareChanged:
        """Record a symptom with its onset (now when None), assess, commit."""
        actor.require(Permission.CARE)
        note = note.strip()
        if code == OTHER_CODE and not note:
            raise UserError("Describe the other symptom in a few words.")
        if code != OTHER_CODE and code not in SYMPTOMS:
            raise UserError(f"'{code}' is not a symptom of the catalogue.")

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            now = self._clock.now()
            onset = self._within_session(session, onset_at or now, now, "onset")
            active = db.scalars(
                select(models.SymptomRecord).where(
                    models.SymptomRecord.session_id == session_id,
                    models.SymptomRecord.code == code,
                )
            ).all()
            superseded = {row.amends_id for row in active}
            if code != OTHER_CODE and any(
                row.resolved_at is None and row.id not in superseded for row in active
            ):
                raise UserError(f"{SYMPTOMS[code].label} is already recorded as active.")
            row = models.SymptomRecord(
                session_id=session_id,
                code=code,
                onset_at=onset,
                note=note or None,
                recorded_at=now,
                recorded_by_id=nurse.id,
            )
            db.add(row)
            db.flush()
            self._audit(
                db, actor, now, "symptom.record", "symptom_record", row.id, symptom_values(row)
            )
            return "symptom.record"

        return self._run(actor, session_id, work)

    def resolve_symptom(
        self, actor: Actor, symptom_id: int, resolved_at: datetime | None = None
    ) -> CareChanged:
        """Record that a symptom has gone (now when None): a new row amending it."""
        return self.amend_symptom(actor, symptom_id, resolved_at=resolved_at, reason="resolved")

    def amend_symptom(
        self,
        actor: Actor,
        symptom_id: int,
        *,
        onset_at: datetime | None = None,
        resolved_at: datetime | None = None,
        reason: str,
    ) -> CareChanged:
        """Correct a symptom (onset, resolution) with a reason; the original stays visible.

        ``reason="resolved"`` with no time resolves it now. "Entered in error" is an amendment
        that resolves the symptom at its onset, which the rules ignore.
        """
        actor.require(Permission.CARE)
        if not reason.strip():
            raise UserError("Say why the symptom record is corrected; the reason is recorded.")
        with self._sessions() as db:
            found = db.get(models.SymptomRecord, symptom_id)
            if found is None:
                raise UserError("This symptom record no longer exists; the screen was reloaded.")
            session_id = found.session_id

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            now = self._clock.now()
            old = db.get(models.SymptomRecord, symptom_id)
            assert old is not None
            newer = db.scalar(
                select(models.SymptomRecord.id).where(models.SymptomRecord.amends_id == old.id)
            )
            if newer is not None:
                raise UserError("This symptom was changed meanwhile; check it and try again.")
            onset = self._within_session(session, onset_at or old.onset_at, now, "onset")
            resolved = old.resolved_at
            if reason == "resolved":
                resolved = resolved_at or now
            elif resolved_at is not None:
                resolved = resolved_at
            if reason.strip().lower() == "entered in error":
                resolved = onset
            if resolved is not None:
                resolved = self._within_session(session, resolved, now, "resolution")
                if resolved < onset:
                    raise UserError("A symptom cannot resolve before its onset.")
            row = models.SymptomRecord(
                session_id=old.session_id,
                code=old.code,
                onset_at=onset,
                resolved_at=resolved,
                note=old.note,
                recorded_at=now,
                recorded_by_id=nurse.id,
                amends_id=old.id,
                amend_reason=reason.strip(),
            )
            db.add(row)
            db.flush()
            action = "symptom.resolve" if reason == "resolved" else "symptom.amend"
            self._audit(
                db,
                actor,
                now,
                action,
                "symptom_record",
                row.id,
                symptom_values(row),
                symptom_values(old),
            )
            return action

        return self._run(actor, session_id, work)

    # Guidance and treatment -----------------------------------------------------------------

    def mark_step_done(
        self, actor: Actor, session_id: int, code: str, detail: str = ""
    ) -> CareChanged:
        """Record a guidance step as done now; a course action also enters the course.

        ``stop_infusion`` also pauses the session through the sessions service (when it is
        running), in the same transaction as the step, its audit rows and the assessment;
        ``detail`` names the drug for the standing-order step.
        """
        choice = CourseAction(detail) if code == STANDING_ORDER_STEP and detail else None
        try:
            course = course_action_for(code, choice)
        except ValueError as exc:
            raise UserError(f"Nothing was recorded: {exc}.") from exc

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            if course is not None and course in LIFECYCLE_ACTIONS:
                reason = f"Reaction: {COURSE_ACTION_LABELS[course].lower()} (guidance step)"
                self._change_lifecycle(db, actor, session_id, course, reason)
            now = self._clock.now()
            stored = code if course is None or course in LIFECYCLE_ACTIONS else course.value
            self._intervention(db, actor, nurse, session_id, stored, now, detail=code)
            return "step.done"

        return self._run(actor, session_id, work)

    def decline_step(self, actor: Actor, session_id: int, code: str, reason: str) -> CareChanged:
        """Record that a suggested step was not done, with the nurse's reason (required)."""
        actor.require(Permission.CARE)
        if not reason.strip():
            raise UserError("Say why the step was not done; the reason is recorded.")

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            now = self._clock.now()
            self._intervention(db, actor, nurse, session_id, code, now, declined=reason.strip())
            return "step.decline"

        return self._run(actor, session_id, work)

    def record_treatment(self, actor: Actor, session_id: int, action: CourseAction) -> CareChanged:
        """Record a course action done now outside the listed steps.

        Pausing, restarting or discontinuing is a lifecycle change of the session, stored with
        its audit row in this transaction. One the session's state does not allow (pausing a
        paused infusion, restarting a running one) is refused: nothing would be stored, so the
        nurse must not see it as recorded.
        """

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            if action in LIFECYCLE_ACTIONS:
                state = session.state
                if self._change_lifecycle(db, actor, session_id, action, "Reaction treatment"):
                    return "treatment"
                raise UserError(
                    f"Nothing was recorded: the session is {state}, so the infusion cannot be "
                    f"{_LIFECYCLE_WORDS[action]} now. Check the session controls."
                )
            now = self._clock.now()
            self._intervention(db, actor, nurse, session_id, action.value, now)
            return "treatment"

        return self._run(actor, session_id, work)

    def escalate(self, actor: Actor, session_id: int) -> CareChanged:
        """ "Escalate anyway": the unit sees this chair escalated now, whatever the rules say."""

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            self._alerts.escalate_in(db, actor, session_id, self._clock.now())
            return "escalate"

        return self._run(actor, session_id, work)

    # Outcome --------------------------------------------------------------------------------

    def record_outcome(self, actor: Actor, session_id: int, outcome: Outcome) -> CareChanged:
        """Close the reaction record with the nurse's outcome (a later one amends it)."""

        def work(db: Session, session: models.InfusionSession, nurse: models.Nurse) -> str:
            now = self._clock.now()
            picture = self.picture_in(db, session_id)
            clock = picture.reaction.clock
            if clock is None:
                raise UserError("No symptom is recorded in this session, so there is no reaction.")
            problems = outcome_problems(outcome, clock.onset_at, now)
            if problems:
                raise UserError(" ".join(problems))
            previous = db.scalars(
                select(models.ReactionRecord)
                .where(models.ReactionRecord.session_id == session_id)
                .order_by(models.ReactionRecord.id.desc())
                .limit(1)
            ).first()
            row = models.ReactionRecord(
                session_id=session_id,
                patient_id=session.patient_id,
                drug_name=session.drug_name,
                onset_at=clock.onset_at,
                disposition=outcome.disposition.value,
                resolved_at=outcome.resolved_at,
                restarted_at=outcome.restarted_at,
                restart_rate=outcome.restart_rate,
                ctcae_term=outcome.ctcae_term,
                ctcae_grade=outcome.ctcae_grade,
                suggested_term=outcome.suggested_term,
                suggested_grade=outcome.suggested_grade,
                flag_next_session=outcome.flag_next_session,
                note=outcome.note,
                recorded_at=now,
                recorded_by_id=nurse.id,
                amends_id=previous.id if previous is not None else None,
                amend_reason="outcome corrected" if previous is not None else None,
            )
            db.add(row)
            db.flush()
            follow = course_for_disposition(outcome.disposition)
            if follow is CourseAction.ADMIT:
                self._intervention(db, actor, nurse, session_id, follow.value, now)
            self._audit(
                db, actor, now, "reaction.outcome", "reaction_record", row.id, outcome_values(row)
            )
            return "reaction.outcome"

        return self._run(actor, session_id, work)

    # Machinery ------------------------------------------------------------------------------

    def _run(
        self,
        actor: Actor,
        session_id: int,
        work: Callable[[Session, models.InfusionSession, models.Nurse], str],
    ) -> CareChanged:
        """One transaction: store, assess (alerts follow), read the picture, commit."""
        actor.require(Permission.CARE)
        with self._sessions.begin() as db:
            session = db.get(models.InfusionSession, session_id)
            if session is None:
                raise UserError("This session no longer exists; the board has been reloaded.")
            nurse = author_row(db, actor, self._clock.now())
            action = work(db, session, nurse)
            record_changes(db, Changes(care=frozenset({session_id})))
            self._assessing.assess(db, session_id, self._clock.now())
            alert_changes = [c for sid, c in db.info.pop(CHANGES_KEY, []) if sid == session_id]
            picture = self.picture_in(db, session_id)
            changes = transaction_changes(db)
        change = alert_changes[-1] if alert_changes else AlertChange.NONE
        if AlertChange.RAISED in alert_changes:
            change = AlertChange.RAISED
        log.info("session %d: %s", session_id, action)
        return CareChanged(action, picture, change, changes)

    def _change_lifecycle(
        self, db: Session, actor: Actor, session_id: int, action: CourseAction, reason: str
    ) -> EventKind | None:
        """Pause, restart or discontinue in ``db``'s transaction, when the state allows it."""
        if self._lifecycle is None:
            raise UserError("Pausing from here is not available; use the session controls.")
        return self._lifecycle(db, actor, session_id, action, reason)

    def _intervention(
        self,
        db: Session,
        actor: Actor,
        nurse: models.Nurse,
        session_id: int,
        action: str,
        now: datetime,
        *,
        detail: str | None = None,
        declined: str | None = None,
    ) -> models.Intervention:
        alert = open_alert_row(db, session_id)
        row = models.Intervention(
            session_id=session_id,
            alert_id=alert.id if alert is not None else None,
            action=action,
            at=now,
            by_id=nurse.id,
            declined_reason=declined,
            detail=detail if detail and detail != action else None,
        )
        db.add(row)
        db.flush()
        after = intervention_values(row)
        self._audit(db, actor, now, "intervention.record", "intervention", row.id, after)
        return row

    @staticmethod
    def _audit(
        db: Session,
        actor: Actor,
        now: datetime,
        action: str,
        entity: str,
        entity_id: int,
        after: dict[str, object],
        before: dict[str, object] | None = None,
    ) -> None:
        record_audit(
            db,
            actor,
            at=now,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )

    @staticmethod
    def _within_session(
        session: models.InfusionSession, at: datetime, now: datetime, what: str
    ) -> datetime:
        if at > now:
            raise UserError(f"The {what} time is in the future; give the time it happened.")
        if at < session.created_at:
            shown = session.created_at.astimezone().strftime("%H:%M")
            raise UserError(f"The {what} time is before this session was set up ({shown}).")
        return at


def intervention_values(row: models.Intervention) -> dict[str, object]:
    """What an intervention's audit row records of it."""
    return {
        "session_id": row.session_id,
        "action": row.action,
        "detail": row.detail,
        "declined_reason": row.declined_reason,
        "alert_id": row.alert_id,
        "at": row.at.isoformat(),
    }


def symptom_values(row: models.SymptomRecord) -> dict[str, object]:
    """What a symptom record's audit rows record of it."""
    return {
        "session_id": row.session_id,
        "code": row.code,
        "onset_at": row.onset_at.isoformat(),
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "note": row.note,
        "amends_id": row.amends_id,
        "amend_reason": row.amend_reason,
    }


def outcome_values(row: models.ReactionRecord) -> dict[str, object]:
    """What the audit row of a reaction's outcome record records of it."""
    return {
        "session_id": row.session_id,
        "onset_at": row.onset_at.isoformat(),
        "disposition": row.disposition,
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "restarted_at": row.restarted_at.isoformat() if row.restarted_at else None,
        "restart_rate": row.restart_rate,
        "ctcae_term": row.ctcae_term,
        "ctcae_grade": row.ctcae_grade,
        "suggested_term": row.suggested_term,
        "suggested_grade": row.suggested_grade,
        "flag_next_session": row.flag_next_session,
        "note": row.note,
        "amends_id": row.amends_id,
    }


def sessions_lifecycle(sessions: SessionService) -> Lifecycle:
    """Pause, restart or discontinue through the sessions service inside the care transaction.

    A step that asks to stop an infusion that is not running changes nothing in the lifecycle
    (it is already stopped); the step itself is still recorded.
    """
    return sessions.course_action_in


@dataclass(frozen=True)
class CareServices:
    """The assessing, alert and care services wired together (one per workstation)."""

    assessing: AssessingService
    alerts: AlertService
    care: CareService


def make_care_services(
    sessions: sessionmaker[Session],
    clock: Clock,
    rules: Callable[[], RuleSet],
    policy: AlertPolicy,
    lifecycle: Lifecycle | None,
    assessing: AssessingService | None = None,
) -> CareServices:
    """Build the care services; the alert service listens to every stored assessment."""
    assessing = assessing or AssessingService(rules)
    holder: list[CareService] = []

    def picture(db: Session, session_id: int) -> CarePicture:
        return holder[0].picture_in(db, session_id)

    alerts = AlertService(sessions, clock, policy, picture)
    assessing.add_listener(alerts.apply)

    def action_text() -> dict[str, str]:
        return dict(rules().definition.action_text)

    care = CareService(sessions, clock, assessing, alerts, action_text, lifecycle)
    holder.append(care)
    return CareServices(assessing, alerts, care)
