"""Reads never wait for the write lock; writes take it first and take turns (SQLite file).

A query (the unit model's loader, a review page) runs in a deferred transaction: with another
program holding the write lock it reads the last commit at once instead of waiting up to the
busy timeout. A use case's write still begins ``IMMEDIATE``: it waits for the lock, then
commits; two writers never fail half-way for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.engine import ReadOnlyTransactionError
from sqlite_lock import write_locked
from storage.conftest import _add_session

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LOCK_S = 4.0


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """The app's database on a real SQLite file, with one running session stored."""
    with open_database(None, AppPaths.resolve(data_dir), busy_timeout_ms=10_000) as opened:
        with opened.sessions.begin() as db:
            _add_session_named(db, "1")
        yield opened


def _count(database: Database) -> int:
    with database.sessions() as db:
        return db.scalar(select(func.count()).select_from(models.InfusionSession)) or 0


def test_a_read_completes_while_another_program_holds_the_write_lock(
    database: Database,
) -> None:
    assert database.file is not None
    with write_locked(database.file, LOCK_S) as locker:
        started = time.monotonic()
        assert _count(database) == 1
        with database.sessions() as db:  # what the loader reads: alerts, sessions
            assert db.scalars(select(models.Alert)).all() == []
            assert db.scalars(select(models.InfusionSession.state)).all() == ["running"]
        took = time.monotonic() - started
        assert locker.poll() is None, "the lock is still held"
    assert took < 1.0, f"the reads waited {took:.1f} s for the write lock"


def test_a_write_waits_for_the_lock_then_commits(database: Database) -> None:
    assert database.file is not None
    with write_locked(database.file, 1.0):
        started = time.monotonic()
        with database.sessions.begin() as db:
            _add_session_named(db, "2")
        waited = time.monotonic() - started
    assert waited >= 0.5, "the write took the lock first, so it waited for the other program"
    assert _count(database) == 2


def _add_session_named(db: Session, key: str) -> None:
    """A running session with a nurse, patient and chair of its own (named after ``key``)."""
    infusion = _add_session(db, T0, flush=False)
    infusion.patient.mrn = f"MRN-{key}"
    infusion.nurse.staff_id = f"N-{key}"
    infusion.chair.name = f"Test chair {key}"
    infusion.chair.position = 100 + int(key)
    db.flush()


def test_writers_take_turns_and_never_fail_for_the_lock(database: Database) -> None:
    """Each writer reads a counter and writes it back plus one: a writer that began deferred
    and read before the other committed could not take the lock (SQLITE_BUSY) or would lose an
    increment; beginning IMMEDIATE, every increment is kept."""
    with database.sessions.begin() as db:
        db.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        db.execute(text("INSERT INTO counter (n) VALUES (0)"))
    rounds = 40
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(rounds):
                with database.sessions.begin() as db:
                    n = db.scalar(text("SELECT n FROM counter"))
                    time.sleep(0.001)  # the other writer tries meanwhile
                    db.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.sessions() as db:
        assert db.scalar(text("SELECT n FROM counter")) == 2 * rounds


def test_a_read_sees_one_commit_whole_while_a_writer_commits_beside_it(
    database: Database,
) -> None:
    with database.sessions() as reading:
        assert reading.scalar(select(func.count()).select_from(models.Patient)) == 1
        with database.sessions.begin() as db:  # not blocked by the open read
            _add_session_named(db, "2")
        assert reading.scalar(select(func.count()).select_from(models.Patient)) == 1
    assert _count(database) == 2


def test_a_write_in_a_read_only_transaction_is_refused(database: Database) -> None:
    with database.sessions() as db, pytest.raises(ReadOnlyTransactionError, match="write"):
        db.execute(text("UPDATE infusion_session SET rate = 1"))
    with database.sessions() as db:
        assert db.scalar(select(models.InfusionSession.rate)) == 50.0
