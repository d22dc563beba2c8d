"""Record, amend and skip vital-sign checks: one transaction each, assessed before the commit.

``record_vitals`` stores the set, its audit row, a late-check reason if the check was overdue,
and the rules' assessment, then commits; only then does the outcome reach the screen. If any
step fails, nothing is stored and the error (a ``UserError`` with words for the nurse) reaches
the form, which keeps every typed value. Records are append-only: ``amend_vitals`` adds a row
that amends the old one, with the reason; the original stays for review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.schedule import (
    OVERDUE_GRACE_MIN,
    MissedCheckNote,
    VitalsStatus,
)
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.domain.vitals_entry import Source, VitalsDraft
from infusion_monitor.errors import UserError
from infusion_monitor.services.assessing import AssessingService, AssessmentOutcome, vital_signs
from infusion_monitor.services.audit import record as record_audit
from infusion_monitor.services.staff.authors import staff_row, still_active
from infusion_monitor.services.vitals.schedule import (
    LATE_NOTE,
    SKIPPED_NOTE,
    schedule_facts,
)
from infusion_monitor.storage import models
from infusion_monitor.storage.changes import record_changes, transaction_changes

MAX_AMEND_REASON = 500
#: How far a monitor's clock may run ahead of ours before its measurement time is refused.
MONITOR_CLOCK_SKEW = timedelta(minutes=2)
CLOSED_STATES = ("closed",)


@dataclass(frozen=True)
class VitalsEntry:
    """One stored set as the screens show it; ``superseded_by`` names the row amending it."""

    id: int
    session_id: int
    taken_at: datetime
    entered_at: datetime
    entered_by: str
    source: Source
    signs: VitalSigns
    """The values as the rules take them; a monitor's set has no ACVPU or oxygen (None)."""
    o2_flow_l_min: float | None
    pain: int | None
    incomplete_reason: str | None
    amends_id: int | None
    amend_reason: str | None
    superseded_by: int | None = None
    #: The bedside monitor's set this nurse's set confirmed ("Confirm set"), if any.
    confirms_id: int | None = None

    @property
    def current(self) -> bool:
        """Whether no later row amends this one."""
        return self.superseded_by is None


@dataclass(frozen=True)
class VitalsStored:
    """A set stored in the caller's transaction (not yet committed) and the assessment after it."""

    entry: VitalsEntry
    assessment: AssessmentOutcome | None


@dataclass(frozen=True)
class VitalsRecorded:
    """What saving a set changed: the stored entry, the assessment, and the next check."""

    entry: VitalsEntry
    assessment: AssessmentOutcome | None
    next_due: VitalsStatus
    #: What the transaction changed: the session's vitals, its care picture, maybe its alert.
    changes: Changes = NOTHING


@dataclass(frozen=True)
class CheckSkipped:
    """A skipped or refused check was recorded; ``next_due`` is the schedule after it."""

    session_id: int
    at: datetime
    note: MissedCheckNote
    next_due: VitalsStatus
    #: What the transaction changed (the session's vitals schedule).
    changes: Changes = NOTHING


class LateReasonNeeded(UserError):
    """The check was overdue: the set is saved only with a reason from the short list."""


def sets_stored_since(db: Session, session_id: int, after_id: int) -> list[int]:
    """The ids of the session's sets stored after row ``after_id``: a range of the primary key,
    where the session's index would walk every set of a long session (SQLite picks it)."""
    return [
        found
        for found, owner in db.execute(
            select(models.VitalSigns.id, models.VitalSigns.session_id).where(
                models.VitalSigns.id > after_id
            )
        )
        if owner == session_id
    ]


def _entry(row: models.VitalSigns, author: str, superseded_by: int | None = None) -> VitalsEntry:
    return VitalsEntry(
        id=row.id,
        session_id=row.session_id,
        taken_at=row.taken_at,
        entered_at=row.entered_at,
        entered_by=author,
        source=Source(row.source),
        signs=vital_signs(row),
        o2_flow_l_min=row.o2_flow_l_min,
        pain=row.pain,
        incomplete_reason=row.incomplete_reason,
        amends_id=row.amends_id,
        amend_reason=row.amend_reason,
        superseded_by=superseded_by,
        confirms_id=row.confirms_id,
    )


def vitals_audit_values(row: models.VitalSigns, temp_raw: str | None = None) -> dict[str, Any]:
    """What a stored set's audit rows record of it; ``temp_raw`` is the temperature as typed."""
    values: dict[str, Any] = {
        "session_id": row.session_id,
        "taken_at": row.taken_at.isoformat(),
        "source": row.source,
        "heart_rate": row.heart_rate,
        "systolic_bp": row.systolic_bp,
        "diastolic_bp": row.diastolic_bp,
        "respiratory_rate": row.respiratory_rate,
        "spo2": row.spo2,
        "on_oxygen": row.on_oxygen,
        "o2_flow_l_min": row.o2_flow_l_min,
        "temperature_c": row.temperature_c,
        "acvpu": row.acvpu,
        "pain": row.pain,
        "incomplete_reason": row.incomplete_reason,
        "amends_id": row.amends_id,
        "amend_reason": row.amend_reason,
        "confirms_id": row.confirms_id,
    }
    if row.mean_arterial_pressure is not None or row.heart_rate_source is not None:
        values["mean_arterial_pressure"] = row.mean_arterial_pressure
        values["heart_rate_source"] = row.heart_rate_source
    if temp_raw is not None:
        values["temperature_entered"] = temp_raw
    return values


def _note_text(note: MissedCheckNote) -> str:
    return note.reason.label if note.text is None else f"{note.reason.label}: {note.text}"


def note_event(
    kind: str, note: MissedCheckNote, due_at: datetime | None
) -> tuple[str, dict[str, Any]]:
    """The stored text and payload of the note event of a late (``LATE_NOTE``) or skipped
    (``SKIPPED_NOTE``) check."""
    payload = {
        "note": kind,
        "reason": note.reason.value,
        "due_at": None if due_at is None else due_at.isoformat(),
    }
    return _note_text(note), payload


def note_audit_values(
    session_id: int, note: MissedCheckNote, payload: dict[str, Any]
) -> dict[str, Any]:
    """What the audit row of a late or skipped check's note records."""
    return {**payload, "session_id": session_id, "text": note.text}


class VitalsService:
    """The vitals use cases. Every method is one transaction and returns a typed outcome."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        assessing: AssessingService,
        protocols: ProtocolLibrary,
    ) -> None:
        self._sessions = sessions
        self._assessing = assessing
        self._protocols = protocols

    def record_vitals(
        self,
        actor: Actor,
        session_id: int,
        draft: VitalsDraft,
        now: datetime,
        *,
        confirms: int | None = None,
    ) -> VitalsRecorded:
        """Store a set, assess the session, commit; a UserError says why nothing was stored.

        ``confirms``: the id of the bedside monitor's set this nurse's set confirms (with the
        ACVPU and oxygen the monitor cannot know); the monitor's set stays as it was.
        """
        actor.require(Permission.CARE)
        with self._sessions.begin() as db:
            stored = self.record_in(db, actor, session_id, draft, now, confirms=confirms)
            return self._recorded(db, stored, now)

    def record_in(
        self,
        db: Session,
        actor: Actor,
        session_id: int,
        draft: VitalsDraft,
        now: datetime,
        *,
        audit_extra: Mapping[str, Any] | None = None,
        confirms: int | None = None,
    ) -> VitalsStored:
        """Store a set and its assessment in the caller's transaction (the caller commits).

        The one path for every set, typed or from a monitor (``draft.source``): the row, its
        audit row (with ``audit_extra``, e.g. the HL7 message it came in), a late-check note,
        the assessment and, through the assessing listeners, the alerts. A monitor set may be
        partial without a reason, and its time may run up to ``MONITOR_CLOCK_SKEW`` ahead.
        """
        actor.require(Permission.CARE)
        session, nurse = self._open(db, actor, session_id)
        taken_at = self._taken_at(draft.taken_at, session, now, draft.source)
        if confirms is not None:
            self._check_confirms(db, session_id, confirms, draft)
        late, due = False, None
        if draft.source is Source.TYPED:  # a late-check reason is asked of a nurse, never a monitor
            self._check_partial(draft)
            facts = schedule_facts(db, session_id, self._protocols)
            due = facts.next_check(now)
            late = (
                facts.last_check_at is not None
                and due is not None
                and taken_at >= due.at + timedelta(minutes=OVERDUE_GRACE_MIN)
            )
        if late and draft.reason is None:
            assert due is not None
            shown = due.at.astimezone().strftime("%H:%M")
            raise LateReasonNeeded(
                f"This check was due at {shown} and is overdue: choose a reason for the "
                "late set, then save again."
            )
        row = self._add_row(db, session_id, nurse, draft, taken_at, now, confirms=confirms)
        record_audit(
            db,
            actor,
            at=now,
            action="vitals.record",
            entity="vital_signs",
            entity_id=row.id,
            before=None,
            after={**vitals_audit_values(row, draft.temp_raw), **(audit_extra or {})},
        )
        if late and draft.reason is not None and due is not None:
            self._note(db, actor, nurse, session_id, now, LATE_NOTE, draft.reason, due.at)
        return self._stored(db, actor, session_id, row, now)

    def amend_vitals(
        self, actor: Actor, entry_id: int, draft: VitalsDraft, reason: str, now: datetime
    ) -> VitalsRecorded:
        """Correct a stored set: a new row amends it with ``reason``; the original stays."""
        actor.require(Permission.CARE)
        cleaned = reason.strip()
        if not cleaned:
            raise UserError("A correction needs a reason. Say why the values are corrected.")
        if len(cleaned) > MAX_AMEND_REASON:
            raise UserError(f"The reason is longer than {MAX_AMEND_REASON} characters. Shorten it.")
        with self._sessions.begin() as db:
            original = db.get(models.VitalSigns, entry_id)
            if original is None:
                raise UserError(f"There is no vitals entry {entry_id} to correct.")
            newer = db.scalar(
                select(models.VitalSigns.id).where(models.VitalSigns.amends_id == entry_id)
            )
            if newer is not None:
                raise UserError(
                    "This entry was already corrected. Correct its latest version instead."
                )
            session, nurse = self._open(db, actor, original.session_id)
            taken_at = self._taken_at(draft.taken_at or original.taken_at, session, now)
            self._check_partial(draft)
            row = self._add_row(
                db, session.id, nurse, draft, taken_at, now, amends=(entry_id, cleaned)
            )
            record_audit(
                db,
                actor,
                at=now,
                action="vitals.amend",
                entity="vital_signs",
                entity_id=row.id,
                before=vitals_audit_values(original),
                after=vitals_audit_values(row, draft.temp_raw),
            )
            return self._recorded(db, self._stored(db, actor, session.id, row, now), now)

    def record_missed_check(
        self, actor: Actor, session_id: int, note: MissedCheckNote, now: datetime
    ) -> CheckSkipped:
        """Record that the due check was skipped or refused, with its reason."""
        actor.require(Permission.CARE)
        with self._sessions.begin() as db:
            _, nurse = self._open(db, actor, session_id)
            due = schedule_facts(db, session_id, self._protocols).next_check(now)
            self._note(
                db, actor, nurse, session_id, now, SKIPPED_NOTE, note, due.at if due else None
            )
            status = schedule_facts(db, session_id, self._protocols).status(now)
            changes = transaction_changes(db)
        return CheckSkipped(session_id, now, note, status, changes)

    def entries(self, session_id: int, after_id: int = 0) -> tuple[VitalsEntry, ...]:
        """Every stored set of a session in time order, amended ones included; with
        ``after_id``, only the sets stored after that row (the record's newest)."""
        with self._sessions() as db:
            query = (
                select(models.VitalSigns, models.Nurse.name)
                .join(models.Nurse, models.Nurse.id == models.VitalSigns.entered_by_id)
                .order_by(models.VitalSigns.taken_at, models.VitalSigns.id)
            )
            if after_id:
                query = query.where(
                    models.VitalSigns.id.in_(sets_stored_since(db, session_id, after_id))
                )
            else:
                query = query.where(models.VitalSigns.session_id == session_id)
            rows = db.execute(query).all()
            amended_by = {row.amends_id: row.id for row, _ in rows if row.amends_id is not None}
            return tuple(_entry(row, name, amended_by.get(row.id)) for row, name in rows)

    # Steps shared by the use cases (all inside the caller's transaction).

    @staticmethod
    def _open(
        db: Session, actor: Actor, session_id: int
    ) -> tuple[models.InfusionSession, models.Nurse]:
        session = db.get(models.InfusionSession, session_id)
        if session is None:
            raise UserError(f"There is no infusion session {session_id}.")
        if session.state in CLOSED_STATES:
            raise UserError("This session is closed; its vital signs can no longer change.")
        nurse = staff_row(db, actor.staff_id)
        if nurse is None:
            raise UserError(f"Staff member {actor.staff_id} is not on record. Sign in again.")
        return session, still_active(nurse, actor)

    @staticmethod
    def _taken_at(
        taken_at: datetime | None,
        session: models.InfusionSession,
        now: datetime,
        source: Source = Source.TYPED,
    ) -> datetime:
        when = taken_at or now
        if when > now + (MONITOR_CLOCK_SKEW if source is Source.MONITOR else timedelta(0)):
            raise UserError("The time taken is in the future. Check the time.")
        if when < session.created_at:
            raise UserError("The time taken is before the session began. Check the time.")
        return when

    @staticmethod
    def _check_partial(draft: VitalsDraft) -> None:
        if not draft.complete and draft.reason is None:
            raise UserError(
                f"Partial set (no {', '.join(draft.missing)}): enter them, or choose a reason."
            )

    @staticmethod
    def _check_confirms(db: Session, session_id: int, confirms: int, draft: VitalsDraft) -> None:
        """A confirmation is a nurse's set of the same session naming a monitor's set."""
        if draft.source is not Source.TYPED:
            raise UserError("Only a set the nurse assessed can confirm a monitor's set.")
        confirmed = db.get(models.VitalSigns, confirms)
        if confirmed is None or confirmed.session_id != session_id:
            raise UserError("The monitor's set to confirm is not in this session. Reload it.")
        if confirmed.source != Source.MONITOR.value:
            raise UserError("That set was typed by a nurse; only a monitor's set is confirmed.")

    @staticmethod
    def _add_row(
        db: Session,
        session_id: int,
        nurse: models.Nurse,
        draft: VitalsDraft,
        taken_at: datetime,
        now: datetime,
        amends: tuple[int, str] | None = None,
        confirms: int | None = None,
    ) -> models.VitalSigns:
        typed = draft.source is Source.TYPED
        signs = draft.signs
        row = models.VitalSigns(
            session_id=session_id,
            taken_at=taken_at,
            entered_at=now,
            entered_by_id=nurse.id,
            source=draft.source.value,
            heart_rate=signs.hr,
            systolic_bp=signs.sbp,
            diastolic_bp=signs.dbp,
            respiratory_rate=signs.rr,
            spo2=signs.spo2,
            o2_flow_l_min=draft.o2_flow_l_min,
            temperature_c=signs.temp_c,
            # A monitor measures neither consciousness nor whether oxygen is given: not stored.
            on_oxygen=signs.on_oxygen if typed else None,
            acvpu=signs.acvpu.value if typed and signs.acvpu is not None else None,
            pain=draft.pain,
            incomplete_reason=(
                None if draft.complete or draft.reason is None else _note_text(draft.reason)
            ),
            amends_id=None if amends is None else amends[0],
            amend_reason=None if amends is None else amends[1],
            mean_arterial_pressure=draft.mean_bp,
            heart_rate_source=draft.hr_source,
            confirms_id=confirms,
        )
        db.add(row)
        db.flush()
        record_changes(db, Changes(vitals=frozenset({session_id})))
        return row

    @staticmethod
    def _note(
        db: Session,
        actor: Actor,
        nurse: models.Nurse,
        session_id: int,
        now: datetime,
        kind: str,
        note: MissedCheckNote,
        due_at: datetime | None,
    ) -> None:
        text, payload = note_event(kind, note, due_at)
        event = models.SessionEvent(
            session_id=session_id,
            type="note",
            at=now,
            reason=text,
            payload=payload,
            author_id=nurse.id,
        )
        db.add(event)
        db.flush()
        # A late or skipped check moves the session's vitals schedule.
        record_changes(db, Changes(vitals=frozenset({session_id})))
        record_audit(
            db,
            actor,
            at=now,
            action=f"session.{kind}",
            entity="session_event",
            entity_id=event.id,
            before=None,
            after=note_audit_values(session_id, note, payload),
        )

    def _stored(
        self, db: Session, actor: Actor, session_id: int, row: models.VitalSigns, now: datetime
    ) -> VitalsStored:
        return VitalsStored(_entry(row, actor.name), self._assessing.assess(db, session_id, now))

    def _recorded(self, db: Session, stored: VitalsStored, now: datetime) -> VitalsRecorded:
        """The stored set and the vitals schedule after it, as the screens show them."""
        status = schedule_facts(db, stored.entry.session_id, self._protocols).status(now)
        return VitalsRecorded(stored.entry, stored.assessment, status, transaction_changes(db))
