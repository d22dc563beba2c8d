"""Monitor values go through the same path as typed ones, and group commit keeps each ACK honest."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.monitor import MonitorReading, MonitorSet
from infusion_monitor.integrations.hl7.gateway import GroupCommitter
from infusion_monitor.rules.loader import RuleSet, default_rules
from infusion_monitor.services.monitor.feed import (
    GATEWAY_STAFF_ID,
    MonitorFeedService,
    ReadingRefused,
    ReadingStored,
    make_monitor_feed,
)
from infusion_monitor.storage.audit import verify_audit_chain
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import (
    Alert,
    Assessment,
    AuditEntry,
    GatewayMessage,
    Nurse,
    VitalSigns,
)
from session_helpers import library
from unitworld import STARTED

NORMAL = {"hr": 76, "sbp": 128, "dbp": 80, "rr": 15, "spo2": 97}
#: Hypotension, tachycardia and low SpO2 against a normal baseline: the rules alert.
REACTING = {"hr": 128, "sbp": 78, "dbp": 45, "rr": 26, "spo2": 86}


def _in_force() -> Callable[[], RuleSet]:
    """The shipped rule set, loaded once (the feed asks for it at every message)."""
    rules = default_rules()
    return lambda: rules


def _reading(
    control_id: str,
    values: dict[str, int],
    *,
    bed: str | None = "Chair 1",
    patient_id: str | None = None,
    taken_at: datetime | None = None,
) -> MonitorReading:
    when = taken_at or datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    values_sent = {name: Decimal(value) for name, value in values.items()}
    return MonitorReading(
        sender="MON^UNIT",
        control_id=control_id,
        bed=bed,
        patient_id=patient_id,
        sets=(MonitorSet(when, values_sent),),
    )


@pytest.fixture
def feed(unit_db: Database) -> MonitorFeedService:
    """The gateway's feed over the unit database (its own assessing and alert services)."""
    return make_monitor_feed(unit_db.sessions, SystemClock(), _in_force(), library())


def _count(database: Database, model: Any, *where: Any) -> int:
    with database.sessions() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_monitor_set_is_stored_audited_assessed_and_alerted_in_one_transaction(
    unit_db: Database, feed: MonitorFeedService
) -> None:
    assessments = _count(unit_db, Assessment)
    stored = feed.store(_reading("A1", REACTING), datetime.now(UTC))
    assert isinstance(stored, ReadingStored) and not stored.duplicate
    with unit_db.sessions() as db:
        row = db.get(VitalSigns, stored.vital_signs_id)
        assert row is not None
        assert (row.source, row.heart_rate, row.acvpu, row.on_oxygen) == (
            "monitor",
            128,
            None,
            None,
        )
        audit = db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "vital_signs", AuditEntry.entity_id == str(row.id)
            )
        ).one()
        assert (audit.action, audit.actor, audit.actor_role) == (
            "vitals.record",
            GATEWAY_STAFF_ID,
            "nurse",
        )
        assert audit.after is not None and audit.after["message"] == "MON^UNIT/A1"
        assert audit.after["source"] == "monitor"
        newest = db.scalars(select(Assessment).order_by(Assessment.id.desc()).limit(1)).one()
        assert newest.session_id == stored.session_id and newest.priority != "none"
        assert db.scalar(select(GatewayMessage.vital_signs_id)) == row.id
        assert db.scalars(select(Alert).where(Alert.session_id == stored.session_id)).all()
        assert verify_audit_chain(db) is None
    assert _count(unit_db, Assessment) == assessments + 1


def test_a_group_commit_refuses_only_the_bad_message_and_knows_its_own_duplicates(
    unit_db: Database, feed: MonitorFeedService
) -> None:
    batch = [
        _reading("G1", NORMAL),
        _reading("G2", NORMAL, bed="Chair 99"),
        _reading("G3", {**NORMAL, "dbp": 140}),
        _reading("G4", NORMAL),
        _reading("G1", NORMAL),
    ]
    outcomes = feed.store_batch(batch, datetime.now(UTC))
    assert [type(o) for o in outcomes] == [
        ReadingStored,
        ReadingRefused,
        ReadingRefused,
        ReadingStored,
        ReadingStored,
    ]
    first, fourth, again = outcomes[0], outcomes[3], outcomes[4]
    assert isinstance(first, ReadingStored) and isinstance(again, ReadingStored)
    assert isinstance(fourth, ReadingStored) and not fourth.duplicate
    assert again.duplicate and again.vital_signs_id == first.vital_signs_id
    assert "bed 'Chair 99' is not mapped to a chair" in str(outcomes[1])
    assert _count(unit_db, VitalSigns, VitalSigns.source == "monitor") == 2
    assert _count(unit_db, GatewayMessage) == 2
    with unit_db.sessions() as db:
        assert verify_audit_chain(db) is None
    # The assessing context survived the refused savepoints: the next set folds in cleanly.
    assert isinstance(feed.store(_reading("G5", REACTING), datetime.now(UTC)), ReadingStored)


def test_a_message_that_fails_while_stored_rolls_back_alone_and_the_batch_goes_on(
    unit_db: Database, feed: MonitorFeedService
) -> None:
    """The first message of the gateway's first batch registers its staff row, then fails (a
    time before the session began): its savepoint takes the staff row and both audit rows with
    it, and the rest of the batch is stored, chained and assessed as if it had never come."""
    early = _reading("E1", NORMAL, taken_at=STARTED - timedelta(hours=1))
    batch = [early, _reading("E2", NORMAL), _reading("E3", REACTING)]
    outcomes = feed.store_batch(batch, datetime.now(UTC))
    assert "before the session began" in str(outcomes[0])
    assert all(isinstance(o, ReadingStored) for o in outcomes[1:]), outcomes
    assert _count(unit_db, Nurse, Nurse.staff_id == GATEWAY_STAFF_ID) == 1
    assert _count(unit_db, GatewayMessage) == 2
    with unit_db.sessions() as db:
        assert verify_audit_chain(db) is None
        actions = db.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == GATEWAY_STAFF_ID)
        ).all()
        assert actions == ["staff.register_actor", "vitals.record", "vitals.record"]
        assert db.scalars(select(Alert)).one().priority == "high"


def test_one_group_commit_finds_a_session_by_bed_and_by_patient_alike(
    unit_db: Database, feed: MonitorFeedService
) -> None:
    """Monitors that name the chair and monitors that name the patient reach the same session,
    also within one batch; a chair and patient that do not belong together are refused."""
    batch = [
        _reading("P1", NORMAL),
        _reading("P2", NORMAL, bed=None, patient_id="MRN-1"),
        _reading("P3", NORMAL, patient_id="MRN-1"),
        _reading("P4", NORMAL, patient_id="MRN-2"),
        _reading("P5", NORMAL, bed=None, patient_id="MRN-2"),
    ]
    outcomes = feed.store_batch(batch, datetime.now(UTC))
    stored = [o for o in outcomes[:3] if isinstance(o, ReadingStored)]
    assert len(stored) == 3 and len({o.session_id for o in stored}) == 1
    assert "does not match the patient" in str(outcomes[3])
    assert "no active infusion session for this patient identifier" in str(outcomes[4])


def test_a_batch_whose_commit_fails_is_forgotten_by_the_rules_too(
    unit_db: Database, feed: MonitorFeedService
) -> None:
    """Nothing of a batch whose commit fails is stored, and the next message is assessed on what
    the database holds, never on the lost values (SQLite hands their row ids out again)."""
    feed.store(_reading("L0", NORMAL), datetime.now(UTC))

    def disk_gone(db: Session) -> None:
        if not db.in_nested_transaction():
            raise OSError("disk gone")

    event.listen(unit_db.sessions, "before_commit", disk_gone)
    try:
        with pytest.raises(OSError, match="disk gone"):
            feed.store_batch([_reading("L1", REACTING)], datetime.now(UTC))
    finally:
        event.remove(unit_db.sessions, "before_commit", disk_gone)
    stored = feed.store(_reading("L2", NORMAL), datetime.now(UTC))
    assert _count(unit_db, GatewayMessage, GatewayMessage.control_id == "L1") == 0
    with unit_db.sessions() as db:
        newest = db.scalars(select(Assessment).order_by(Assessment.id.desc()).limit(1)).one()
        assert (newest.session_id, newest.priority) == (stored.session_id, "none")
        assert not db.scalars(select(Alert)).all()


def test_the_writer_takes_every_waiting_message_in_one_commit_and_answers_after_it() -> None:
    entered, release = threading.Event(), threading.Event()
    batches: list[list[str]] = []

    def store_batch(readings: Sequence[MonitorReading], _now: datetime) -> list[Any]:
        if not batches:
            entered.set()
            release.wait(timeout=10)
        batches.append([r.control_id for r in readings])
        return [ReadingRefused("bad") if r.control_id == "W3" else r.control_id for r in readings]

    committer = GroupCommitter(store_batch)
    results: dict[str, object] = {}

    def send(control_id: str) -> None:
        try:
            results[control_id] = committer.store(_reading(control_id, NORMAL), datetime.now(UTC))
        except ReadingRefused as exc:
            results[control_id] = exc

    first = threading.Thread(target=send, args=("W1",))
    first.start()
    assert entered.wait(timeout=10)  # the writer is committing W1 alone
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    others = [threading.Thread(target=send, args=(f"W{n}",)) for n in (2, 3, 4)]
    for thread in others:
        thread.start()
    while committer._queue.qsize() < 3 and datetime.now(UTC) < deadline:
        pass
    assert not results  # nobody is answered before the commit
    release.set()
    for thread in (first, *others):
        thread.join(timeout=10)
    committer.close()
    assert batches[0] == ["W1"]
    assert sorted(batches[1]) == ["W2", "W3", "W4"]
    assert results["W1"] == "W1" and results["W4"] == "W4"
    assert isinstance(results["W3"], ReadingRefused)


def test_a_failed_commit_fails_every_message_of_the_batch() -> None:
    def store_batch(readings: Sequence[MonitorReading], _now: datetime) -> list[Any]:
        raise OSError("disk gone")

    committer = GroupCommitter(store_batch)
    try:
        with pytest.raises(OSError, match="disk gone"):
            committer.store(_reading("F1", NORMAL), datetime.now(UTC))
    finally:
        committer.close()
