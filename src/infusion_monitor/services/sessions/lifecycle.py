"""Infusion session use cases: set up, start, pause, resume, rate change, complete, observe, close.

Each use case is one transaction: check the actor, load the session, check the version the nurse
saw (optimistic lock), let the domain's state machine decide (``domain/session.py``), store the
event and an audit row, bump the version, assess the session when the change is one the rules
see (start, pause, resume, rate change, end of infusion: the shared ``AssessingService``, whose
listeners update the alert in the same transaction), commit, and return a frozen outcome. A
refusal stores nothing; its message comes from the domain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.schedule import baseline_is_current
from infusion_monitor.domain.session import (
    EventKind,
    Session,
    SessionEvent,
    SessionState,
    reaction_onset,
)
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import (
    AssessingService,
    AssessmentOutcome,
    latest_assessment,
)
from infusion_monitor.services.audit import record as record_audit

# Finishing a session, or amending a finished one, rewrites its quality summary in the same
# transaction: importing the module registers its commit hook, whichever use case commits.
from infusion_monitor.services.review import quality_summary  # noqa: F401
from infusion_monitor.services.sessions import setup as session_setup
from infusion_monitor.services.sessions.records import (
    REACTION_PATHWAYS,
    PatientInfo,
    SessionDetail,
    active_session_ids,
    lifecycle,
    load_details,
    observation_hold_text,
)
from infusion_monitor.services.sessions.setup import (
    BaselineDraft,
    PremedicationDraft,
    ProtocolChoice,
    ReturningPatient,
    SessionDraft,
    SetupRefused,
)
from infusion_monitor.services.staff.authors import author_row
from infusion_monitor.storage.changes import record_changes, transaction_changes
from infusion_monitor.storage.models import (
    Assessment,
    Chair,
    InfusionSession,
    Nurse,
    VitalSigns,
)
from infusion_monitor.storage.models import SessionEvent as EventRow
from infusion_monitor.storage.sql_rows import session_rows

__all__ = [
    "BaselineDraft",
    "PremedicationDraft",
    "ProtocolChoice",
    "ReturningPatient",
    "SessionChanged",
    "SessionDraft",
    "SessionRef",
    "SessionService",
    "SessionSetUp",
    "SetupRefused",
    "StaleSessionError",
]

log = logging.getLogger(__name__)

#: Lifecycle actions that change what the rules see (course actions, infusion start and end,
#: rate): each is assessed in its own transaction. Observation and close change nothing there.
ASSESSED_ACTIONS = frozenset(
    {
        EventKind.START,
        EventKind.PAUSE,
        EventKind.RESUME,
        EventKind.RATE_CHANGE,
        EventKind.COMPLETE,
        EventKind.DISCONTINUE,
    }
)


class StaleSessionError(UserError):
    """The session changed on another workstation since the nurse last saw it."""


@dataclass(frozen=True)
class SessionRef:
    """Which session, and the version the nurse saw when she chose the action."""

    id: int
    version: int


@dataclass(frozen=True)
class SessionSetUp:
    """A session was set up (planned) with its baseline; ``baseline_warning``: NEWS2 flagged it."""

    detail: SessionDetail
    baseline_warning: bool
    #: Said to the nurse when the rules must assume the age (no date of birth on record).
    age_note: str | None = None
    #: What the transaction changed: the session, its baseline vitals (and the board, when set up).
    changes: Changes = NOTHING


@dataclass(frozen=True)
class SessionChanged:
    """A lifecycle action was stored: what was done (``action``) and the session after it.

    ``assessment`` is the assessment stored in the same transaction (None when the action does
    not change what the rules see, or before there is a baseline).
    """

    action: EventKind
    detail: SessionDetail
    assessment: AssessmentOutcome | None = None
    #: What the transaction changed: the session (the board on close), its care picture and alert
    #: when assessed.
    changes: Changes = NOTHING


def lifecycle_audit(row: InfusionSession, events: Sequence[SessionEvent]) -> dict[str, Any]:
    """What the audit row of a lifecycle action records after it: the session's state, rate and
    version, the events stored and the reason given."""
    return {
        "state": row.state,
        "rate": row.rate,
        "version": row.version,
        "events": [event.kind.value for event in events],
        "reason": next((e.reason for e in events if e.reason), None),
    }


class SessionService:
    """Set-up and lifecycle of infusion sessions (Qt-free; one transaction per call)."""

    def __init__(
        self,
        sessions: sessionmaker[DbSession],
        library: ProtocolLibrary,
        rules: Callable[[], RuleSet],
        clock: Clock,
        chair_names: Sequence[str],
        *,
        assessing: AssessingService,
    ) -> None:
        self._sessions = sessions
        self._library = library
        self._rules = rules
        self._clock = clock
        self._chair_names = tuple(chair_names)
        self._assessing = assessing

    # Reading -----------------------------------------------------------------------------

    def protocols(self) -> tuple[ProtocolChoice, ...]:
        """The drug list of the set-up form: every protocol in the library, generic last."""
        return session_setup.protocol_choices(self._library)

    def find_patient(self, mrn: str) -> ReturningPatient | None:
        """A returning patient by MRN, with every previous reaction on record; None if new."""
        with self._sessions() as db:
            return session_setup.returning_patient(db, mrn)

    def nurses(self) -> tuple[tuple[str, str], ...]:
        """Staff who can look after a chair, as (staff id, name)."""
        with self._sessions() as db:
            rows = db.execute(
                select(Nurse.staff_id, Nurse.name)
                .where(Nurse.role.in_(("nurse", "charge_nurse")))
                .order_by(Nurse.name)
            )
            return tuple((staff_id, name) for staff_id, name in rows)

    def detail(self, session_id: int) -> SessionDetail:
        """The session as it is stored now."""
        with self._sessions() as db:
            return self._detail(db, session_id)

    def active_in(self, chair: str) -> SessionDetail | None:
        """The open session in ``chair``, or None."""
        with self._sessions() as db:
            found = active_session_ids(session_rows(db), [chair]).get(chair)
            return None if found is None else self._detail(db, found)

    # Set-up ------------------------------------------------------------------------------

    def set_up(self, draft: SessionDraft, actor: Actor) -> SessionSetUp:
        """Store a planned session with its patient, premedications and baseline vitals.

        Raises SetupRefused listing every problem (nothing is stored), or a StorageError.
        """
        actor.require(Permission.CARE)
        now = self._clock.now()
        rules = self._rules()
        loaded = session_setup.find_protocol(self._library, draft.protocol_id)
        session_setup.check_draft(draft, loaded.protocol if loaded else None, now)
        assert loaded is not None  # check_draft refuses a draft without a protocol
        with self._sessions.begin() as db:
            author = author_row(db, actor, now)
            nurse = self._nurse(db, draft.nurse_staff_id, author)
            chair = self._chair(db, draft.chair)
            patient = session_setup.patient_for(db, draft, actor, now)
            session_setup.check_free(db, chair, patient, draft)
            row = InfusionSession(
                patient=patient,
                chair=chair,
                nurse=nurse,
                protocol_id=loaded.protocol.id,
                protocol_version=loaded.version,
                ruleset_name=rules.name,
                ruleset_version=rules.version,
                drug_name=draft.drug_name.strip(),
                dose=draft.dose,
                dose_unit=draft.dose_unit.strip(),
                rate=draft.rate,
                rate_unit=(loaded.protocol.rate.unit if loaded.protocol.rate else draft.rate_unit),
                planned_duration_min=draft.planned_duration_min,
                cycle=draft.cycle,
                first_dose=draft.first_dose,
                prior_reaction_to_drug=draft.prior_reaction_to_drug,
                spo2_scale=draft.spo2_scale,
                pregnant=draft.pregnant,
                premedications=[
                    {
                        "name": item.name.strip(),
                        "given_at": item.given_at.isoformat() if item.given_at else None,
                        "code": item.code,
                        "skipped": (item.skipped_reason or "").strip() or None,
                    }
                    for item in draft.premedications
                ],
                state=SessionState.PLANNED.value,
                created_at=now,
                updated_at=now,
            )
            db.add(row)
            db.flush()
            baseline = session_setup.baseline_row(row.id, draft.baseline, author.id, now)
            db.add(baseline)
            db.flush()
            record_audit(
                db,
                actor,
                at=now,
                action="session.set_up",
                entity="infusion_session",
                entity_id=row.id,
                before=None,
                after=session_setup.audit_summary(row, baseline.id),
            )
            warning = session_setup.baseline_warning(rules, row, patient, draft.baseline, now)
            detail = self._detail(db, row.id)
            note = session_setup.age_note(patient)
            changes = record_changes(db, _set_up(row.id, board=True))
        log.info("session %d set up", detail.id)
        return SessionSetUp(detail, warning, note, changes)

    def record_baseline(
        self, ref: SessionRef, baseline: BaselineDraft, actor: Actor
    ) -> SessionSetUp:
        """Record a fresh baseline for a planned session (the first one went stale)."""
        actor.require(Permission.CARE)
        now = self._clock.now()
        with self._sessions.begin() as db:
            author = author_row(db, actor, now)
            row = self._locked(db, ref)
            if row.state != SessionState.PLANNED.value:
                raise UserError("A baseline is recorded only before the infusion starts.")
            problems = session_setup.baseline_problems(baseline, now)
            if problems:
                raise SetupRefused(tuple(problems))
            vitals = session_setup.baseline_row(row.id, baseline, author.id, now)
            db.add(vitals)
            self._bump(db, row, now)
            record_audit(
                db,
                actor,
                at=now,
                action="session.baseline",
                entity="vital_signs",
                entity_id=vitals.id,
                before=None,
                after={"session": row.id, "taken_at": baseline.taken_at.isoformat()},
            )
            warning = session_setup.baseline_warning(self._rules(), row, row.patient, baseline, now)
            detail = self._detail(db, row.id)
            changes = record_changes(db, _set_up(row.id, board=False))
        return SessionSetUp(detail, warning, changes=changes)

    # Lifecycle ---------------------------------------------------------------------------

    def start(
        self, ref: SessionRef, actor: Actor, acknowledgement: str | None = None
    ) -> SessionChanged:
        """Start the infusion. Needs a current baseline; a NEWS2 baseline warning needs a reason."""

        def decide(
            db: DbSession, row: InfusionSession, session: Session, now: datetime
        ) -> list[SessionEvent]:
            baseline = self._baseline(db, row.id)
            current = baseline is not None and baseline_is_current(
                session.protocol, baseline.taken_at, now
            )
            warning = (
                current
                and baseline is not None
                and session_setup.stored_baseline_warning(self._rules(), row, baseline, now)
            )
            reason = (
                acknowledgement.strip() if acknowledgement and acknowledgement.strip() else None
            )
            return [
                session.start(
                    now,
                    has_baseline=current,
                    baseline_warning=warning,
                    acknowledgement=reason if warning else None,
                    rate=row.rate,
                )
            ]

        return self._act(ref, actor, EventKind.START, decide)

    def pause(self, ref: SessionRef, actor: Actor, reason: str) -> SessionChanged:
        """Pause the running infusion; ``reason`` is required."""
        return self._act(
            ref, actor, EventKind.PAUSE, lambda _db, _r, s, now: [s.pause(now, reason)]
        )

    def resume(
        self,
        ref: SessionRef,
        actor: Actor,
        rate: float | None = None,
        override: str | None = None,
    ) -> SessionChanged:
        """Resume a paused infusion, optionally at a new rate (an increase needs recent vitals).

        After a reaction, where the protocol's label limits the restart (rituximab, daratumumab),
        a rate above the limit is refused unless ``override`` gives the reason (stored on the
        event and in the audit row).
        """
        cleaned = override.strip() if override and override.strip() else None
        return self._act(ref, actor, EventKind.RESUME, self._resume_decision(rate, cleaned))

    def _resume_decision(
        self, rate: float | None, override: str | None = None
    ) -> Callable[[DbSession, InfusionSession, Session, datetime], list[SessionEvent]]:
        def decide(
            db: DbSession, row: InfusionSession, session: Session, now: datetime
        ) -> list[SessionEvent]:
            latest = self._latest_vitals(db, row.id)
            return [
                session.resume(
                    now,
                    rate=rate,
                    latest_vitals_at=latest,
                    reaction_active=_reaction_active(db, row.id),
                    reaction_began_at=_reaction_began_at(db, row.id),
                    override=override,
                )
            ]

        return decide

    def change_rate(self, ref: SessionRef, actor: Actor, rate: float) -> SessionChanged:
        """Change the rate (a protocol step or the nurse's change); an increase needs vitals.

        A vitals set from the last ``STEP_VITALS_MAX_AGE_MIN`` minutes must exist for any
        increase; without it nothing is stored and the message says so.
        """

        def decide(
            db: DbSession, row: InfusionSession, session: Session, now: datetime
        ) -> list[SessionEvent]:
            latest = self._latest_vitals(db, row.id)
            return [
                session.change_rate(
                    now, rate, latest_vitals_at=latest, reaction_active=_reaction_active(db, row.id)
                )
            ]

        return self._act(ref, actor, EventKind.RATE_CHANGE, decide)

    def complete(self, ref: SessionRef, actor: Actor, *, observe: bool = True) -> SessionChanged:
        """The infusion ran to its end; the observation starts with it unless ``observe=False``."""
        return self._act(
            ref, actor, EventKind.COMPLETE, self._ending(lambda s, now: s.complete(now), observe)
        )

    def discontinue(
        self, ref: SessionRef, actor: Actor, reason: str, *, observe: bool = True
    ) -> SessionChanged:
        """Stop the infusion for good (``reason`` required); observation follows as on complete."""
        return self._act(
            ref,
            actor,
            EventKind.DISCONTINUE,
            self._ending(lambda s, now: s.discontinue(now, reason), observe),
        )

    def start_observation(self, ref: SessionRef, actor: Actor) -> SessionChanged:
        """Begin the post-infusion observation (when it was deferred at the end)."""
        return self._act(
            ref,
            actor,
            EventKind.OBSERVATION_START,
            lambda _db, _r, s, now: [s.start_observation(now)],
        )

    def close(self, ref: SessionRef, actor: Actor, reason: str | None = None) -> SessionChanged:
        """Close the session and free the chair; skipping or cutting observation needs a reason."""
        cleaned = reason.strip() if reason and reason.strip() else None

        def decide(
            db: DbSession, row: InfusionSession, session: Session, now: datetime
        ) -> list[SessionEvent]:
            found = load_details(session_rows(db), [row.id], self._library).get(row.id)
            hold = None if found is None else found.observation_hold
            if cleaned is None and hold is not None and hold.holds(now):
                raise UserError(observation_hold_text(hold) + " Give a reason to close earlier.")
            return [session.close(now, cleaned)]

        return self._act(ref, actor, EventKind.CLOSE, decide)

    # Machinery ---------------------------------------------------------------------------

    @staticmethod
    def _ending(
        end: Callable[[Session, datetime], SessionEvent], observe: bool
    ) -> Callable[[DbSession, InfusionSession, Session, datetime], list[SessionEvent]]:
        def decide(
            _db: DbSession, _row: InfusionSession, session: Session, now: datetime
        ) -> list[SessionEvent]:
            event = end(session, now)
            events = [event]
            if observe and session.protocol.observation.minutes > 0:
                events.append(session.apply(event).start_observation(now))
            return events

        return decide

    def _act(
        self,
        ref: SessionRef,
        actor: Actor,
        action: EventKind,
        decide: Callable[[DbSession, InfusionSession, Session, datetime], list[SessionEvent]],
    ) -> SessionChanged:
        """Load, check the version, decide, store events + audit, assess, commit."""
        actor.require(Permission.CARE)
        now = self._clock.now()
        try:
            with self._sessions.begin() as db:
                row = self._locked(db, ref)
                self._store_change(db, actor, row, action, decide, now)
                assessment = (
                    self._assessing.assess(db, row.id, now) if action in ASSESSED_ACTIONS else None
                )
                detail = self._detail(db, row.id)
                changes = transaction_changes(db)
        except StaleDataError as exc:
            raise self._stale() from exc
        log.info("session %d: %s", detail.id, action)
        return SessionChanged(action, detail, assessment, changes)

    def course_action_in(
        self, db: DbSession, actor: Actor, session_id: int, course: CourseAction, reason: str
    ) -> EventKind | None:
        """Pause, restart or discontinue inside the caller's transaction, when the state allows.

        For the care use cases (a guidance step, a treatment), which store their own record and
        assess in the same transaction: the event, its audit row and the version bump are added
        to ``db`` and commit (or roll back) with the caller's work. Returns the lifecycle action
        stored, or None when the state makes it a no-op (stopping an infusion that is not
        running). Does not assess: the caller does, once, before it commits.
        """
        actor.require(Permission.CARE)
        row = db.get(InfusionSession, session_id)
        if row is None:
            raise UserError("This session no longer exists. The board has been reloaded.")
        state = SessionState(row.state)
        action: EventKind
        decide: Callable[[DbSession, InfusionSession, Session, datetime], list[SessionEvent]]
        if course is CourseAction.PAUSE_INFUSION and state is SessionState.RUNNING:
            action, decide = EventKind.PAUSE, lambda _db, _r, s, now: [s.pause(now, reason)]
        elif course is CourseAction.RESTART_INFUSION and state is SessionState.PAUSED:
            action, decide = EventKind.RESUME, self._resume_decision(None)
        elif course is CourseAction.DISCONTINUE_INFUSION and state in (
            SessionState.RUNNING,
            SessionState.PAUSED,
        ):
            action = EventKind.DISCONTINUE
            decide = self._ending(lambda s, now: s.discontinue(now, reason), True)
        else:
            return None
        try:
            self._store_change(db, actor, row, action, decide, self._clock.now())
        except StaleDataError as exc:
            raise self._stale() from exc
        log.info("session %d: %s (in a care transaction)", session_id, action)
        return action

    def _store_change(
        self,
        db: DbSession,
        actor: Actor,
        row: InfusionSession,
        action: EventKind,
        decide: Callable[[DbSession, InfusionSession, Session, datetime], list[SessionEvent]],
        now: datetime,
    ) -> None:
        """Decide, store the events and the audit row, bump the version (caller's transaction)."""
        author = author_row(db, actor, now)
        stored = self._events(db, row.id)
        session = lifecycle(row, stored, self._library)
        events = decide(db, row, session, now)
        before = {"state": row.state, "rate": row.rate, "version": row.version}
        for event in events:
            session = session.apply(event)
            payload = {} if event.rate is None else {"rate": event.rate}
            db.add(
                EventRow(
                    session_id=row.id,
                    type=event.kind.value,
                    at=event.at,
                    reason=event.reason,
                    payload=payload,
                    author_id=author.id,
                )
            )
        row.state = session.state.value
        row.rate = session.rate
        self._bump(db, row, now)
        # Closing frees the chair: the board changes too.
        record_changes(db, Changes(sessions=frozenset({row.id}), board=action == "close"))
        record_audit(
            db,
            actor,
            at=now,
            action=f"session.{action}",
            entity="infusion_session",
            entity_id=row.id,
            before=before,
            after=lifecycle_audit(row, events),
        )

    @staticmethod
    def _stale() -> StaleSessionError:
        return StaleSessionError(
            "This session was changed on another workstation, so nothing was saved. "
            "It has been reloaded: check it, then try again."
        )

    def _locked(self, db: DbSession, ref: SessionRef) -> InfusionSession:
        row = db.get(InfusionSession, ref.id)
        if row is None:
            raise UserError("This session no longer exists. The board has been reloaded.")
        if row.version != ref.version:
            raise self._stale()
        return row

    @staticmethod
    def _bump(db: DbSession, row: InfusionSession, now: datetime) -> None:
        """Save the row: the mapper's version column turns a concurrent write into an error."""
        row.updated_at = now
        db.flush()

    @staticmethod
    def _events(db: DbSession, session_id: int) -> list[EventRow]:
        return list(
            db.scalars(
                select(EventRow)
                .where(EventRow.session_id == session_id)
                .order_by(EventRow.at, EventRow.id)
            )
        )

    @staticmethod
    def _latest_vitals(db: DbSession, session_id: int) -> datetime | None:
        """When the newest nurse's set was taken: a monitor's set (no ACVPU, no oxygen) never
        satisfies the recent-vitals check before a rate increase."""
        return db.scalar(
            select(VitalSigns.taken_at)
            .where(VitalSigns.session_id == session_id, VitalSigns.source != "monitor")
            .order_by(VitalSigns.taken_at.desc())
            .limit(1)
        )

    def _detail(self, db: DbSession, session_id: int) -> SessionDetail:
        found = load_details(session_rows(db), [session_id], self._library).get(session_id)
        if found is None:
            raise UserError("This session no longer exists. The board has been reloaded.")
        if found.state is not SessionState.PLANNED:
            return found
        row = db.get(InfusionSession, session_id)
        baseline = self._baseline(db, session_id)
        if row is None or baseline is None:
            return found
        now = self._clock.now()
        warning = session_setup.stored_baseline_warning(self._rules(), row, baseline, now)
        return replace(found, baseline_warning=warning)

    @staticmethod
    def _baseline(db: DbSession, session_id: int) -> VitalSigns | None:
        return db.scalars(
            select(VitalSigns)
            .where(VitalSigns.session_id == session_id)
            .order_by(VitalSigns.taken_at.desc(), VitalSigns.id.desc())
            .limit(1)
        ).first()

    @staticmethod
    def _nurse(db: DbSession, staff_id: str | None, author: Nurse) -> Nurse:
        if not staff_id or staff_id == author.staff_id:
            return author
        nurse = db.scalars(select(Nurse).where(Nurse.staff_id == staff_id)).first()
        if nurse is None:
            raise SetupRefused((("nurse", f"No member of staff has the id {staff_id!r}."),))
        return nurse

    def _chair(self, db: DbSession, name: str) -> Chair:
        if name not in self._chair_names:
            raise SetupRefused((("chair", f"{name!r} is not a chair of this workstation."),))
        chair = db.scalars(select(Chair).where(Chair.name == name)).first()
        if chair is None:
            chair = Chair(name=name, position=self._chair_names.index(name))
            db.add(chair)
            db.flush()
        return chair


def _set_up(session_id: int, *, board: bool) -> Changes:
    """A session set up or given a new baseline: its record and its (baseline) vitals."""
    ids = frozenset({session_id})
    return Changes(sessions=ids, vitals=ids, board=board)


def patient_summary(patient: PatientInfo) -> str:
    """Full identity for the session header: name, MRN and date of birth."""
    parts = [patient.name]
    if patient.mrn:
        parts.append(f"MRN {patient.mrn}")
    if patient.date_of_birth:
        parts.append(f"born {patient.date_of_birth:%d %b %Y}")
    return " · ".join(parts)


def _reaction_active(db: DbSession, session_id: int) -> bool:
    """Whether the session's latest assessment sees a reaction feature (a reaction pathway)."""
    latest = latest_assessment(db, session_id)
    return latest is not None and bool(REACTION_PATHWAYS & set(latest.pathways))


def _reaction_began_at(db: DbSession, session_id: int) -> datetime | None:
    """When the session's latest reaction began: the first of the newest run of assessments with
    a reaction pathway."""
    rows = db.execute(
        select(Assessment.at, Assessment.result)
        .where(Assessment.session_id == session_id)
        .order_by(Assessment.at, Assessment.id)
    )
    return reaction_onset(
        [(at, bool(REACTION_PATHWAYS & set(result.get("pathways", ())))) for at, result in rows]
    )
