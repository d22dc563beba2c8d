"""Store a bedside monitor's vital signs through the same path as typed ones, and batch them.

The monitor gateway hands every message to :meth:`MonitorFeedService.store` (one transaction)
or, under load, to :meth:`MonitorFeedService.store_batch` (group commit: one transaction, a
savepoint per message). Either way a reading goes through ``VitalsService.record_in`` like a
typed set (row, audit, assessment, alerts), and its control ID is recorded in the same
transaction, so a resent message is recognised and never stored twice. The gateway
acknowledges a message only after its transaction committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.monitor import MonitorReading
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.domain.vitals import (
    VITAL_LIMITS,
    Acvpu,
    pressure_reason,
    reject_reason,
    round_temperature,
)
from infusion_monitor.domain.vitals_entry import Source, VitalsDraft
from infusion_monitor.errors import UserError
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.authors import author_row
from infusion_monitor.services.care import make_care_services
from infusion_monitor.services.vitals import VitalsService
from infusion_monitor.storage.inserts import insert_values
from infusion_monitor.storage.models import (
    Chair,
    GatewayMessage,
    InfusionSession,
    Patient,
)

log = logging.getLogger(__name__)

#: Session states in which a monitor's values are taken (a planned or closed session is not).
ACTIVE_STATES = ("running", "paused", "observation")
#: The staff record monitor values are entered by; it has no PIN, so nobody can sign in as it.
GATEWAY_STAFF_ID = "MONITOR-GATEWAY"


def monitor_actor(workstation: str = "") -> Actor:
    """Who stores monitor values: the gateway, with the nurse's right to record vitals.

    It is a staff row without a PIN (nobody can sign in as it); audit rows name it and the
    gateway's host, and every value it stores is marked ``source = monitor``.
    """
    return Actor(GATEWAY_STAFF_ID, "Bedside monitor (gateway)", Role.NURSE, workstation)


class ReadingRefused(UserError):
    """The values cannot be stored (unknown bed or patient, impossible value); says why."""


@dataclass(frozen=True)
class ReadingStored:
    """The reading is committed (or was already, for a resent message: ``duplicate``)."""

    session_id: int
    vital_signs_id: int
    duplicate: bool


class MonitorFeedService:
    """Monitor-sourced vital signs, stored and assessed like typed ones."""

    def __init__(
        self, sessions: sessionmaker[Session], vitals: VitalsService, actor: Actor | None = None
    ) -> None:
        self._sessions = sessions
        self._vitals = vitals
        self._actor = actor or monitor_actor()

    def store(self, reading: MonitorReading, now: datetime) -> ReadingStored:
        """Store ``reading`` in its own transaction; raise a UserError saying why not."""
        (outcome,) = self.store_batch([reading], now)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def store_batch(
        self, readings: Sequence[MonitorReading], now: datetime
    ) -> list[ReadingStored | Exception]:
        """Store every reading in one transaction, each in its own savepoint; then commit.

        What the whole batch needs is read once: which messages are already stored, and the
        active session of every bed or patient named. A refused reading never opens its
        savepoint; one that fails while being stored rolls back only its own. Its place in the
        result holds the error. If the commit itself fails, the error is raised and nothing is
        stored.
        """
        outcomes: list[ReadingStored | Exception] = []
        with self._sessions.begin() as db:
            stored = _stored_already(db, readings)
            sessions = _ActiveSessions(db, readings)
            for reading in readings:
                key = (reading.sender, reading.control_id)
                try:
                    done = stored.get(key) or self._store_new(db, reading, sessions, now)
                except IntegrityError as exc:
                    # Another connection stored the same message at the same moment.
                    again = _stored_already(db, [reading]).get(key)
                    outcomes.append(exc if again is None else again)
                    continue
                except Exception as exc:
                    outcomes.append(exc)
                    continue
                stored[key] = replace(done, duplicate=True)
                outcomes.append(done)
        return outcomes

    def _store_new(
        self, db: Session, reading: MonitorReading, sessions: _ActiveSessions, now: datetime
    ) -> ReadingStored:
        """Store one reading not stored before, in its own savepoint of the caller's transaction."""
        draft = _draft(reading)
        session_id = sessions.of(reading)
        with db.begin_nested():
            author_row(db, self._actor, now)  # the gateway's staff row, registered once
            recorded = self._vitals.record_in(
                db,
                self._actor,
                session_id,
                draft,
                now,
                audit_extra={"message": f"{reading.sender}/{reading.control_id}"},
            )
            insert_values(
                db,
                GatewayMessage,
                {
                    "sender": reading.sender,
                    "control_id": reading.control_id,
                    "received_at": now,
                    "session_id": session_id,
                    "vital_signs_id": recorded.entry.id,
                },
            )
        return ReadingStored(session_id, recorded.entry.id, duplicate=False)


def make_monitor_feed(
    sessions: sessionmaker[Session],
    clock: Clock,
    rules: Callable[[], RuleSet],
    library: ProtocolLibrary,
    policy: AlertPolicy | None = None,
    workstation: str = "",
) -> MonitorFeedService:
    """The feed with its own assessing service, the alert service listening to it.

    The gateway runs in its own thread (or process), so it keeps its own per-session rules
    contexts; each one catches up from the database like any workstation's.
    """
    assessing = AssessingService(rules, library)
    make_care_services(sessions, clock, rules, policy or AlertPolicy(), None, assessing)
    vitals = VitalsService(sessions, assessing, library)
    return MonitorFeedService(sessions, vitals, monitor_actor(workstation))


def _draft(reading: MonitorReading) -> VitalsDraft:
    """The reading as a vitals draft, checked against the entry limits (reference §7)."""
    values = _checked_values(reading)
    temp = values.get("temp_c")
    return VitalsDraft(
        hr=_int(values.get("hr")),
        sbp=_int(values.get("sbp")),
        dbp=_int(values.get("dbp")),
        rr=_int(values.get("rr")),
        spo2=_int(values.get("spo2")),
        on_oxygen=False,
        o2_flow_l_min=None,
        temp_c=temp,
        temp_raw=reading.raw_temperature,
        acvpu=Acvpu.A,  # not stored for a monitor set (VitalsService)
        pain=None,
        taken_at=reading.taken_at,
        source=Source.MONITOR,
    )


def _checked_values(reading: MonitorReading) -> dict[str, Decimal]:
    """Refuse impossible values with the entry limits of reference §7 (domain/vitals.py)."""
    out: dict[str, Decimal] = {}
    for name, value in reading.values.items():
        if name == "temp_c":
            value = round_temperature(value)
        reason = reject_reason(name, value)
        if reason is not None:
            raise ReadingRefused(f"{VITAL_LIMITS[name].label} {reason}")
        out[name] = value
    reason = pressure_reason(_int(out.get("sbp")), _int(out.get("dbp")))
    if reason is not None:
        raise ReadingRefused(f"diastolic BP {reason}")
    return out


def _int(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def _stored_already(
    db: Session, readings: Sequence[MonitorReading]
) -> dict[tuple[str, str], ReadingStored]:
    """The readings whose message is already stored, by (sender, control ID), in one query.

    It asks for every sender with every control ID and keeps the pairs asked about: each
    combination is one look-up in the (sender, control ID) index (SQLite scans the whole index
    for a list of pairs).
    """
    keys = {(reading.sender, reading.control_id) for reading in readings}
    seen = db.execute(
        select(
            GatewayMessage.sender,
            GatewayMessage.control_id,
            GatewayMessage.session_id,
            GatewayMessage.vital_signs_id,
        ).where(
            GatewayMessage.sender.in_({sender for sender, _ in keys}),
            GatewayMessage.control_id.in_({control_id for _, control_id in keys}),
        )
    )
    return {
        (sender, control_id): ReadingStored(session_id, vital_signs_id, duplicate=True)
        for sender, control_id, session_id, vital_signs_id in seen
        if (sender, control_id) in keys
    }


class _ActiveSessions:
    """The active sessions of every bed (PV1-3) and patient (PID-3) a batch names: one query
    for the beds, one for the patients (each a look-up by index), loaded into the transaction
    so that storing the values does not read them again."""

    def __init__(self, db: Session, readings: Sequence[MonitorReading]) -> None:
        beds = {reading.bed for reading in readings if reading.bed}
        patients = {reading.patient_id for reading in readings if not reading.bed}
        query = (
            select(InfusionSession, Chair.name, Patient.mrn)
            .join(InfusionSession.chair)
            .join(InfusionSession.patient)
            .where(InfusionSession.state.in_(ACTIVE_STATES))
        )
        rows: list[tuple[InfusionSession, str, str | None]] = []
        if beds:
            rows += db.execute(query.where(Chair.name.in_(beds)))
        if patients:
            rows += db.execute(query.where(Patient.mrn.in_(patients)))
        # A session may be found both ways; it is one session.
        self._found = list({session.id: (session, bed, mrn) for session, bed, mrn in rows}.values())

    def of(self, reading: MonitorReading) -> int:
        """The id of the one active session in the reading's chair, else of its patient."""
        if reading.bed:
            found = [row for row in self._found if row[1] == reading.bed]
            where = f"bed/chair '{reading.bed}'"
        else:
            found = [row for row in self._found if row[2] == reading.patient_id]
            where = "this patient identifier"
        if not found:
            raise ReadingRefused(f"no active infusion session for {where}")
        if len(found) > 1:
            raise ReadingRefused(f"more than one active session for {where}; values not stored")
        (session, _chair, mrn) = found[0]
        if reading.bed and reading.patient_id and mrn != reading.patient_id:
            raise ReadingRefused("the patient identifier does not match the patient in that chair")
        return session.id
