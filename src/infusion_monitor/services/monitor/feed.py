"""Store a bedside monitor's vital signs through the same path as typed ones, and batch them.

The monitor gateway hands every message to :meth:`MonitorFeedService.store` (one transaction)
or, under load, to :meth:`MonitorFeedService.store_batch` (group commit: one transaction, a
savepoint per message). Either way a reading goes through ``VitalsService.record_in`` like a
typed set (row, audit, assessment, alerts), and its control ID is recorded in the same
transaction, so a resent message is recognised and never stored twice. The gateway
acknowledges a message only after its transaction committed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.monitor import MonitorReading, MonitorSet
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.domain.vitals import (
    VITAL_LIMITS,
    VitalSigns,
    pressure_reason,
    reject_reason,
    round_temperature,
)
from infusion_monitor.domain.vitals_entry import Source, VitalsDraft
from infusion_monitor.errors import UserError
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.care.service import make_care_services
from infusion_monitor.services.staff.authors import author_row
from infusion_monitor.services.vitals.recording import VitalsService
from infusion_monitor.storage.changes import collect_changes
from infusion_monitor.storage.inserts import insert_rows, insert_values
from infusion_monitor.storage.models import (
    BedMapping,
    Chair,
    GatewayMessage,
    InfusionSession,
    MonitorObservation,
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
    """The reading is committed (or was already, for a resent message: ``duplicate``).

    ``vital_signs_id`` is its first set's row (a message with several measurement times stores
    ``sets`` rows); ``notes`` name what the message carried and the app did not use.
    """

    session_id: int
    vital_signs_id: int
    duplicate: bool
    sets: int = 1
    notes: tuple[str, ...] = ()
    #: What storing this message changed (the session's vitals, its care picture, maybe its
    #: alert); nothing for a resent message.
    changes: Changes = NOTHING


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
        """Store every reading in one transaction; then commit.

        What the whole batch needs is read once: which messages are already stored, the bed
        mappings, and the active session of every chair or patient named. A refused reading
        (unmapped bed, no session, impossible value) is refused before anything is written.
        The readings are first written without savepoints (two statements less each, and two
        round trips on PostgreSQL); if one fails while being written, the transaction is rolled
        back and the batch is written again with a savepoint per reading, so that the failing
        one rolls back alone. Its place in the result holds the error. If the commit itself
        fails, the error is raised and nothing is stored.
        """
        try:
            return self._store_all(readings, now, isolated=False)
        except _WriteFailed:
            return self._store_all(readings, now, isolated=True)

    def _store_all(
        self, readings: Sequence[MonitorReading], now: datetime, *, isolated: bool
    ) -> list[ReadingStored | Exception]:
        outcomes: list[ReadingStored | Exception] = []
        observations: list[dict[str, object]] = []
        with self._sessions.begin() as db:
            stored = _stored_already(db, readings)
            sessions = _ActiveSessions(db, readings)
            for reading in readings:
                key = (reading.sender, reading.control_id)
                done = stored.get(key)
                if done is None:
                    try:
                        drafts = [_draft(one) for one in reading.sets]
                        session_id = sessions.of(reading)
                    except Exception as exc:  # refused before anything is written
                        outcomes.append(exc)
                        continue
                    try:
                        with (
                            db.begin_nested() if isolated else contextlib.nullcontext(),
                            collect_changes(db) as collected,
                        ):
                            written = self._write(db, reading, session_id, drafts, now)
                    except IntegrityError as exc:
                        if not isolated:
                            raise _WriteFailed from exc
                        # Another connection stored the same message at the same moment.
                        again = _stored_already(db, [reading]).get(key)
                        outcomes.append(exc if again is None else again)
                        continue
                    except Exception as exc:
                        if not isolated:
                            raise _WriteFailed from exc
                        outcomes.append(exc)
                        continue
                    observations += written.rows
                    done = replace(written.stored, changes=collected.changes)
                stored[key] = replace(done, duplicate=True, notes=(), changes=NOTHING)
                outcomes.append(done)
            if observations:  # every stored message's values, in one statement per batch
                insert_rows(db, MonitorObservation, observations)
        return outcomes

    def _write(
        self,
        db: Session,
        reading: MonitorReading,
        session_id: int,
        drafts: Sequence[VitalsDraft],
        now: datetime,
    ) -> _Written:
        """Write one reading not stored before: one vitals set per measurement time, and the
        rows of each value sent with its code (the batch inserts them together)."""
        ids: list[int] = []
        rows: list[dict[str, object]] = []
        author_row(db, self._actor, now)  # the gateway's staff row, registered once
        for one, draft in zip(reading.sets, drafts, strict=True):
            recorded = self._vitals.record_in(
                db,
                self._actor,
                session_id,
                draft,
                now,
                audit_extra={"message": f"{reading.sender}/{reading.control_id}"},
            )
            ids.append(recorded.entry.id)
            rows += _observation_rows(recorded.entry.id, one)
        insert_values(
            db,
            GatewayMessage,
            {
                "sender": reading.sender,
                "control_id": reading.control_id,
                "received_at": now,
                "session_id": session_id,
                "vital_signs_id": ids[0],
            },
        )
        return _Written(ReadingStored(session_id, ids[0], False, len(ids), reading.notes), rows)


class _WriteFailed(Exception):
    """A reading failed while the batch was written without savepoints: write it again."""


@dataclass(frozen=True)
class _Written:
    stored: ReadingStored
    rows: list[dict[str, object]]


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


def _draft(one: MonitorSet) -> VitalsDraft:
    """One measurement time's values as a vitals draft, checked against the entry limits."""
    values = _checked_values(one)
    temp_c = values.get("temp_c")
    # A monitor knows neither consciousness nor oxygen: unknown, never "alert, on air".
    signs = VitalSigns(
        hr=_int(values.get("hr")),
        sbp=_int(values.get("sbp")),
        dbp=_int(values.get("dbp")),
        rr=_int(values.get("rr")),
        spo2=_int(values.get("spo2")),
        temp_c=None if temp_c is None else float(temp_c),
        on_oxygen=None,
        acvpu=None,
    )
    return VitalsDraft(
        signs=signs,
        o2_flow_l_min=None,
        temp_raw=one.raw_temperature,
        pain=None,
        taken_at=one.taken_at,
        source=Source.MONITOR,
        mean_bp=_int(values.get("map")),
        hr_source=one.sources.get("hr"),
    )


#: Mean arterial pressure has no entry limit of its own (it is never typed): the systolic
#: limits of reference §7 bound it, as MAP lies between diastolic and systolic.
_MAP_LIMITS = VITAL_LIMITS["sbp"]


def _checked_values(one: MonitorSet) -> dict[str, Decimal]:
    """Refuse impossible values with the entry limits of reference §7 (domain/vitals.py)."""
    out: dict[str, Decimal] = {}
    for name, value in one.values.items():
        if name == "temp_c":
            value = round_temperature(value)
        if name == "map":
            if not _MAP_LIMITS.reject_below <= value <= _MAP_LIMITS.reject_above:
                raise ReadingRefused(
                    f"mean arterial pressure {value} is outside {_MAP_LIMITS.reject_below}-"
                    f"{_MAP_LIMITS.reject_above}"
                )
        else:
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


def _observation_rows(vital_signs_id: int, one: MonitorSet) -> list[dict[str, object]]:
    """Every value of the set with its code and source, marking the ones the set's row holds."""
    used = set(one.sources.items())
    return [
        {
            "vital_signs_id": vital_signs_id,
            "vital": o.vital,
            "source": o.source,
            "code": o.code[:100],
            "value": float(o.value),
            "raw": o.raw,
            "used": (o.vital, o.code) in used and one.values.get(o.vital) == o.value,
        }
        for o in one.observations
    ]


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


def same_label(text: str) -> str:
    """A bed label or chair name as compared: case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


class _ActiveSessions:
    """Where each reading of a batch goes: its bed label mapped to a chair (the unit's bed
    mappings, else a chair of that name), and the active sessions of those chairs and of the
    patients named. The mappings are read once per batch; the sessions in one query for the
    chairs and one for the patients (each a look-up by index)."""

    def __init__(self, db: Session, readings: Sequence[MonitorReading]) -> None:
        # Every chair with its mappings, in one query (a chair without any comes once, None).
        places = db.execute(
            select(
                Chair.name, BedMapping.bed_label, BedMapping.point_of_care, BedMapping.facility
            ).outerjoin(BedMapping, BedMapping.chair_id == Chair.id)
        ).all()
        self._chairs = {same_label(name): name for name, *_ in places}
        self._mappings = [
            (label, point_of_care, facility, name)
            for name, label, point_of_care, facility in places
            if label is not None
        ]
        chairs = {self.chair(reading) for reading in readings if reading.bed}
        chairs.discard(None)
        patients = {reading.patient_id for reading in readings if not reading.bed}
        query = (
            select(InfusionSession, Chair.name, Patient.mrn)
            .join(InfusionSession.chair)
            .join(InfusionSession.patient)
            .where(InfusionSession.state.in_(ACTIVE_STATES))
        )
        rows: list[tuple[InfusionSession, str, str | None]] = []
        if chairs:
            rows += db.execute(query.where(Chair.name.in_(chairs)))
        if patients:
            rows += db.execute(query.where(Patient.mrn.in_(patients)))
        # A session may be found both ways; it is one session.
        self._found = list({session.id: (session, bed, mrn) for session, bed, mrn in rows}.values())

    def chair(self, reading: MonitorReading) -> str | None:
        """The chair the reading's bed is mapped to: the most specific mapping whose label
        matches and whose point of care and facility are empty or match; else the chair of
        that name; else None."""
        assert reading.bed is not None
        label = same_label(reading.bed)
        place = (same_label(reading.point_of_care or ""), same_label(reading.facility or ""))
        best: tuple[int, str] | None = None
        for bed_label, point_of_care, facility, chair in self._mappings:
            if same_label(bed_label) != label:
                continue
            wanted = (same_label(point_of_care), same_label(facility))
            if any(w and w != got for w, got in zip(wanted, place, strict=True)):
                continue
            score = sum(1 for w in wanted if w)
            if best is None or score > best[0]:
                best = (score, chair)
        if best is not None:
            return best[1]
        return self._chairs.get(label)

    def of(self, reading: MonitorReading) -> int:
        """The id of the one active session in the reading's chair, else of its patient."""
        if reading.bed:
            chair = self.chair(reading)
            if chair is None:
                raise ReadingRefused(f"bed '{_place(reading)}' is not mapped to a chair")
            found = [row for row in self._found if row[1] == chair]
            where = f"bed/chair '{chair}'"
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


def _place(reading: MonitorReading) -> str:
    """``Bed 5`` or ``Bed 5 (ICU, XYZ HOSPITAL)``: the label as the monitor sent it."""
    where = ", ".join(part for part in (reading.point_of_care, reading.facility) if part)
    return f"{reading.bed} ({where})" if where else str(reading.bed)
