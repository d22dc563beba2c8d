"""The change feed: a commit in another process arrives as the same record, within a second.

The child process is what runs beside the app in a unit: the monitor gateway storing ORU^R01
messages through the monitor feed, or another workstation saving typed vitals. Both backends:
PostgreSQL NOTIFY with the record as payload, SQLite's change log watched through
``PRAGMA data_version``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from backends import Backend
from committed import CommittedRecords
from infusion_monitor.domain.changes import EVERYTHING, NOTHING, Changes
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage import changes as change_records
from infusion_monitor.storage.changes import ChangeFeed, record_changes
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.models import Chair, ChangeLog, InfusionSession
from unitworld import add_running_session

SAVES = 6

#: Another process: the gateway's feed storing ORU^R01 messages, or a nurse's typed sets.
CHILD = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime, timedelta

    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.domain.protocol_library import load_library
    from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
    from infusion_monitor.domain.users import Actor, Role
    from infusion_monitor.domain.vitals import Acvpu, VitalSigns
    from infusion_monitor.domain.vitals_entry import VitalsDraft
    from infusion_monitor.integrations.hl7.message import parse_oru
    from infusion_monitor.integrations.hl7.simulator import oru_message
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.services.assessing import AssessingService
    from infusion_monitor.services.care.service import make_care_services
    from infusion_monitor.domain.alerts import AlertPolicy
    from infusion_monitor.services.monitor.feed import make_monitor_feed
    from infusion_monitor.services.vitals.recording import VitalsService
    from infusion_monitor.storage.database import open_database

    url, data_dir, kind, session_id, count = sys.argv[1:6]
    rules, library = default_rules(), load_library()
    with open_database(url, AppPaths.resolve(data_dir)) as database:
        feed = make_monitor_feed(database.sessions, SystemClock(), lambda: rules, library)
        assessing = AssessingService(lambda: rules, library)
        make_care_services(
            database.sessions, SystemClock(), lambda: rules, AlertPolicy(), None, assessing
        )
        vitals = VitalsService(database.sessions, assessing, library)
        nurse = Actor("N001", "Ada Nurse", Role.NURSE)
        print("ready", flush=True)
        sys.stdin.readline()
        for n in range(int(count)):
            now = datetime.now(UTC)
            taken = now.replace(microsecond=0) - timedelta(seconds=20)
            if kind == "gateway":
                sent = VitalSigns(72 + n, 122, 76, 14, 98, 36.8, on_oxygen=None, acvpu=None)
                message = oru_message(sent, bed="Chair 1", control_id=f"C{n}", taken_at=taken)
                outcome = feed.store(parse_oru(message), now)
            else:
                typed = VitalsDraft(
                    signs=VitalSigns(74 + n, 124, 78, 15, 97, 36.9, on_oxygen=False, acvpu=Acvpu.A),
                    o2_flow_l_min=None, temp_raw="36.9", pain=None, taken_at=taken,
                    reason=MissedCheckNote(MissedCheckReason.CLINICAL_EMERGENCY, None),
                )
                outcome = vitals.record_vitals(nurse, int(session_id), typed, now)
            done = time.time()
            print(json.dumps({"changes": outcome.changes.to_json(), "at": done}), flush=True)
            time.sleep(0.15)
    """
)


class Arrivals:
    """What the feed reported, with when (on the feed's thread)."""

    def __init__(self) -> None:
        self.items: list[tuple[float, Changes, str]] = []
        self._lock = threading.Condition()

    def __call__(self, changes: Changes) -> None:
        with self._lock:
            self.items.append((time.time(), changes, threading.current_thread().name))
            self._lock.notify_all()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[tuple[float, Changes, str]]:
        """The reports once ``count`` arrived (or whatever came within ``timeout_s``)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.items) >= count, timeout=timeout_s)
            return list(self.items)


def _listening(arrivals: Arrivals) -> Changes:
    """The feed's first report: once its thread listens, "re-read everything"."""
    got = arrivals.wait_for(1)
    assert got, "the feed never started listening"
    return got[0][1]


@contextmanager
def listening_feed(engine: Engine) -> Iterator[Arrivals]:
    """A started feed once it listens (its first report, EVERYTHING, is the first arrival);
    closed after the block."""
    arrivals = Arrivals()
    feed = ChangeFeed(engine, arrivals)
    feed.start()
    try:
        assert _listening(arrivals) == EVERYTHING
        yield arrivals
    finally:
        feed.close()


@pytest.fixture
def unit(backend: Backend, data_dir: Path) -> Iterator[Database]:
    """A database with a running session in Chair 1."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        add_running_session(database.sessions, "Chair 1", "MRN-1")
        yield database


@pytest.mark.parametrize("kind", ["gateway", "typed"])
def test_a_commit_in_another_process_reaches_the_feed_as_the_same_record(
    unit: Database, backend: Backend, backend_url: str, tmp_path: Path, kind: str
) -> None:
    with unit.sessions() as db:
        session_id = int(db.scalar(select(InfusionSession.id)) or 0)
    with listening_feed(unit.engine) as arrivals:
        command = [sys.executable, "-c", CHILD, backend_url, str(tmp_path / "child"), kind]
        command += [str(session_id), str(SAVES)]
        with subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as child:
            assert child.stdin is not None and child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            child.stdin.write("go\n")
            child.stdin.flush()
            sent = [json.loads(line) for line in child.stdout]
            assert child.wait(timeout=60) == 0
        got = arrivals.wait_for(len(sent) + 1)[1:]
    assert len(sent) == SAVES
    records = [Changes.from_json(one["changes"]) for one in sent]
    for record in records:  # each set: the session's vitals and its assessed care picture
        assert {session_id} <= record.vitals and {session_id} <= record.care
    assert [changes for _, changes, _ in got] == records  # each commit alone, the same record
    assert {thread for _, _, thread in got} == {"change-feed"}
    latencies = [(at - one["at"]) * 1000 for (at, _, _), one in zip(got, sent, strict=True)]
    assert max(latencies) < 1000
    print(
        f"{backend.name} {kind}: commit -> feed callback median "
        f"{statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )


def test_one_record_per_transaction_merged_and_none_after_a_rollback(unit: Database) -> None:
    records = CommittedRecords(unit.engine)
    try:
        with unit.sessions.begin() as db:
            record_changes(db, Changes(vitals=frozenset({1})))
            with db.begin_nested():
                record_changes(db, Changes(alerts=frozenset({2})))
            nested = db.begin_nested()
            record_changes(db, Changes(board=True))  # kept: naming too much costs a re-read
            nested.rollback()
        assert records.since_last() == [
            Changes(vitals=frozenset({1}), alerts=frozenset({2}), board=True)
        ]
        with pytest.raises(RuntimeError), unit.sessions.begin() as db:
            record_changes(db, Changes(staff=True))
            raise RuntimeError("the use case failed")
        with unit.sessions.begin() as db:
            record_changes(db, Changes(settings=True))
        assert records.since_last() == [Changes(settings=True)]
    finally:
        records.close()


def test_a_write_nobody_recorded_is_logged_and_sent_as_everything(
    unit: Database, caplog: pytest.LogCaptureFixture
) -> None:
    records = CommittedRecords(unit.engine)
    try:
        with unit.sessions.begin() as db:
            db.add(Chair(name="Chair 9", position=9))
        assert records.since_last() == [EVERYTHING]
    finally:
        records.close()
    assert "chair without recording" in caplog.text


def test_a_record_too_large_for_notify_goes_coarse(unit: Database, backend: Backend) -> None:
    records = CommittedRecords(unit.engine)
    many = frozenset(range(100_000, 102_000))
    try:
        with unit.sessions.begin() as db:
            record_changes(db, Changes(vitals=many, staff=True))
        (got,) = records.since_last()
    finally:
        records.close()
    if backend.is_postgres:  # over 8000 bytes: "re-read everything", the flags kept
        assert got == Changes(staff=True, everything=True)
    else:  # the change log has no such limit
        assert got == Changes(vitals=many, staff=True)


def test_the_change_log_is_pruned_of_day_old_rows(
    unit: Database, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend.is_postgres:
        pytest.skip("PostgreSQL carries records as NOTIFY payloads; its change log stays empty")
    day_old = datetime.now(UTC) - timedelta(hours=25)
    with unit.sessions.begin() as db:
        db.execute(insert(ChangeLog), {"committed_at": day_old, "payload": '{"board":true}'})
        record_changes(db, NOTHING)  # a test's own row, not a change to show
    monkeypatch.setattr(change_records, "PRUNE_EVERY", 1)
    with unit.sessions.begin() as db:
        record_changes(db, Changes(staff=True))
    with unit.sessions() as db:
        left = list(db.scalars(select(ChangeLog.payload)))
    assert left[-1] == '{"staff":true}'
    assert '{"board":true}' not in left


def test_a_lost_postgres_connection_is_reopened_and_reported_as_everything(
    unit: Database, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    if not backend.is_postgres:
        pytest.skip("SQLite has no connection to lose: the feed reads the file")
    caplog.set_level(logging.WARNING)
    with listening_feed(unit.engine) as arrivals:
        with unit.engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
                )
            )
        assert arrivals.wait_for(2)[1][1] == EVERYTHING
        with unit.sessions.begin() as db:
            record_changes(db, Changes(settings=True))
        assert arrivals.wait_for(3)[2][1] == Changes(settings=True)
    assert "lost the database" in caplog.text


def test_start_returns_at_once_and_the_feed_connects_on_its_own_thread(
    unit: Database, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At start-up the caller is the GUI thread: it never waits for the database. A commit made
    before the feed listens is not lost either: the feed's first report re-reads everything."""
    connecting: list[str] = []
    slow = threading.Event()
    if backend.is_postgres:
        real_listening = change_records._listening

        def listening(engine: object) -> object:
            connecting.append(threading.current_thread().name)
            slow.wait(5)  # a server slow to answer
            return real_listening(engine)  # type: ignore[arg-type]

        monkeypatch.setattr(change_records, "_listening", listening)
    else:
        real_connect = sqlite3.connect

        def connect(*args: Any, **kwargs: Any) -> object:
            if threading.current_thread().name == "change-feed":
                connecting.append("change-feed")
                slow.wait(5)
            return real_connect(*args, **kwargs)

        monkeypatch.setattr(sqlite3, "connect", connect)
    arrivals = Arrivals()
    feed = ChangeFeed(unit.engine, arrivals)
    began = time.monotonic()
    feed.start()
    try:
        assert time.monotonic() - began < 0.5, "start() did not wait for the connection"
        with unit.sessions.begin() as db:  # committed before the feed listens
            record_changes(db, Changes(settings=True))
        slow.set()
        assert _listening(arrivals) == EVERYTHING
    finally:
        feed.close()
    assert connecting == ["change-feed"], "the feed's connection is opened on its thread only"


def test_a_feed_that_cannot_connect_at_first_keeps_trying(
    unit: Database,
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(change_records, "RECONNECT_S", 0.05)
    failures = [2]
    if backend.is_postgres:
        real_listening = change_records._listening

        def listening(engine: object) -> object:
            if failures[0]:
                failures[0] -= 1
                raise OSError("the server is not up yet")
            return real_listening(engine)  # type: ignore[arg-type]

        monkeypatch.setattr(change_records, "_listening", listening)
        warning = "cannot reach the database"
    else:
        real_connect = sqlite3.connect

        def connect(*args: Any, **kwargs: Any) -> object:
            if threading.current_thread().name == "change-feed" and failures[0]:
                failures[0] -= 1
                raise sqlite3.OperationalError("unable to open database file")
            return real_connect(*args, **kwargs)

        monkeypatch.setattr(sqlite3, "connect", connect)
        warning = "cannot read the database"
    with listening_feed(unit.engine) as arrivals:
        with unit.sessions.begin() as db:
            record_changes(db, Changes(staff=True))
        assert arrivals.wait_for(2)[1][1] == Changes(staff=True)
    assert failures == [0]
    assert caplog.text.count(warning) == 2
