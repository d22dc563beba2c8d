"""The hash-chained audit log on SQLite and PostgreSQL: it verifies, and detects tampering."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from backends import Backend
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.audit import (
    AuditBreak,
    append_audit,
    check_audit_chain,
    verify_audit_chain,
)
from infusion_monitor.storage.database import Database, open_database

T0 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def database(data_dir: Path, backend: Backend) -> Iterator[Database]:
    """An open database with three chained audit rows (ids 1, 2, 3)."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as opened:
        with opened.sessions.begin() as db:
            for minute, state in enumerate(("running", "paused", "running")):
                append_audit(
                    db,
                    at=T0 + timedelta(minutes=minute),
                    actor="N001",
                    action="session.state",
                    entity="infusion_session",
                    entity_id=7,
                    before={"state": "planned"},
                    after={"state": state, "rate_ml_h": 50.5},
                )
        yield opened


def test_intact_chain_verifies(database: Database) -> None:
    with database.sessions() as db:
        assert verify_audit_chain(db) is None


def test_sql_update_of_a_row_is_detected(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'N999' WHERE id = 2"))
    with database.sessions() as db:
        assert verify_audit_chain(db) == AuditBreak(2, "the row was altered after it was written")


def test_deleted_row_is_detected(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    with database.sessions() as db:
        assert verify_audit_chain(db) == AuditBreak(3, "the row before it was removed or altered")


def test_naive_time_is_refused(database: Database) -> None:
    with database.sessions() as db, pytest.raises(ValueError, match="naive"):
        append_audit(
            db,
            at=datetime(2025, 1, 1, 8, 0),
            actor="N001",
            action="x",
            entity="y",
            entity_id=1,
            before=None,
            after=None,
        )


def test_verify_command_reports_intact_then_the_first_break(
    database: Database, backend_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from infusion_monitor.cli import main

    database.close()
    assert main(["audit", "verify", "--db", backend_url]) == 0
    assert capsys.readouterr().out == "audit chain intact: 3 entries\n"
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET after = '{}' WHERE id = 2"))
    database.close()
    assert main(["audit", "verify", "--db", backend_url]) == 1
    out = capsys.readouterr().out
    assert out.startswith("audit chain BROKEN at entry 2: the row was altered")


def test_verify_command_detects_a_deleted_row(
    database: Database, backend_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from infusion_monitor.cli import main

    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    database.close()
    assert main(["audit", "verify", "--db", backend_url]) == 1
    assert "BROKEN at entry 3: the row before it was removed" in capsys.readouterr().out


def test_role_and_workstation_are_part_of_the_hash(database: Database) -> None:
    with database.sessions.begin() as db:
        append_audit(
            db,
            at=T0,
            actor="N002",
            actor_role="nurse",
            workstation="ws-3",
            action="x",
            entity="y",
            entity_id=1,
            before=None,
            after=None,
        )
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor_role = 'charge_nurse' WHERE id = 4"))
    with database.sessions() as db:
        assert verify_audit_chain(db) == AuditBreak(4, "the row was altered after it was written")


def _append(db: Session, minute: int) -> None:
    append_audit(
        db,
        at=T0 + timedelta(minutes=minute),
        actor="N002",
        action="vitals.record",
        entity="vital_signs",
        entity_id=minute,
        before=None,
        after={"minute": minute},
    )


def test_a_second_writer_waits_for_the_first_instead_of_failing(database: Database) -> None:
    """Two workstations (or the gateway and a nurse) appending at once both succeed, in turn."""
    second_done = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with database.sessions.begin() as db:
                _append(db, 11)
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            second_done.set()

    with database.sessions.begin() as first:
        _append(first, 10)
        writer = threading.Thread(target=second_writer)
        writer.start()
        assert not second_done.wait(0.3), "the second writer must wait for the first to commit"
    writer.join(timeout=10)
    assert errors == []
    with database.sessions() as db:
        verified = check_audit_chain(db)
        assert verified.broken is None and verified.entries == 5


def test_rows_of_a_savepoint_rolled_back_leave_the_chain_whole_and_the_turn_held(
    database: Database,
) -> None:
    """A group commit rolls back one message's savepoint (its audit row, and on PostgreSQL the
    chain lock taken in it, are gone); the rows after it still chain to what stays, and another
    writer still waits its turn."""
    second_done = threading.Event()

    def second_writer() -> None:
        with database.sessions.begin() as db:
            _append(db, 11)
        second_done.set()

    with database.sessions.begin() as first:
        with pytest.raises(RuntimeError), first.begin_nested():
            _append(first, 10)
            raise RuntimeError("this message fails")
        _append(first, 12)
        writer = threading.Thread(target=second_writer)
        writer.start()
        assert not second_done.wait(0.3), "the second writer must wait for the first to commit"
        _append(first, 13)
    writer.join(timeout=10)
    with database.sessions() as db:
        verified = check_audit_chain(db)
        assert verified.broken is None and verified.entries == 6
        minutes = db.scalars(text("SELECT entity_id FROM audit_entry ORDER BY id")).all()
        assert minutes[3:] == ["12", "13", "11"]
