"""Fault injection: kill a writer at a random moment; no confirmed save may be lost.

A child process (``python -m infusion_monitor.storage.crashtrial DATA_DIR``) opens the database
as the app does and saves clinical-style entries (a session note plus its audit row, in one
transaction) in a loop, printing each entry's id only after its commit returned. The parent
kills it after a random number of confirmations, reopens the database and checks that every
confirmed id is present with its audit row, that the audit chain verifies and that the file
passes ``quick_check``. Used by the test suite (20 trials) and ``bench/faults.py`` (200+);
IT can run the bench on a unit's own disk. The kill is ``Popen.kill()``: SIGKILL on POSIX,
``TerminateProcess`` on Windows, so the trial runs on the workstations themselves.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from infusion_monitor.domain.changes import Changes
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.audit import append_audit, check_audit_chain
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import (
    AuditEntry,
    Chair,
    InfusionSession,
    Nurse,
    Patient,
    SessionEvent,
)

READY = "ready"
ENTITY = "session_event"


@dataclass
class TrialResult:
    """What one kill left behind."""

    confirmed: int
    lost: list[int] = field(default_factory=list)
    chain_intact: bool = True
    quick_check_ok: bool = True


def _session_id(database_sessions: object) -> int:
    from sqlalchemy.orm import sessionmaker

    assert isinstance(database_sessions, sessionmaker)
    with database_sessions.begin() as db:
        found = db.scalar(select(InfusionSession.id).limit(1))
        if found is not None:
            return int(found)
        now = datetime.now(UTC)
        session = InfusionSession(
            patient=Patient(mrn="CRASH-1", name="Crash Trial", date_of_birth=date(1970, 1, 1)),
            chair=Chair(name="Chair 1", position=0),
            nurse=Nurse(staff_id="CRASH", name="Crash Trial", role="nurse"),
            protocol_id="trial",
            drug_name="Trial",
            protocol_version="trial",
            ruleset_name="trial",
            ruleset_version="trial",
            dose=1.0,
            dose_unit="mg",
            planned_duration_min=60,
            first_dose=False,
            prior_reaction_to_drug=False,
            state="running",
            created_at=now,
            updated_at=now,
        )
        db.add(session)
        db.flush()
        record_changes(db, Changes(sessions=frozenset({session.id}), board=True))
        return session.id


def child(data_dir: str) -> None:
    """Save entries forever, printing each id once its commit has returned."""
    database = open_database(None, AppPaths.resolve(data_dir))
    session_id = _session_id(database.sessions)
    author = 1
    print(READY, flush=True)
    counter = 0
    while True:
        counter += 1
        now = datetime.now(UTC)
        with database.sessions.begin() as db:
            event = SessionEvent(
                session_id=session_id, type="note", at=now, reason=f"n{counter}", author_id=author
            )
            db.add(event)
            db.flush()
            record_changes(db, Changes(sessions=frozenset({session_id})))
            append_audit(
                db,
                at=now,
                actor="CRASH",
                action="session.note",
                entity=ENTITY,
                entity_id=event.id,
                before=None,
                after={"reason": event.reason},
            )
            saved = event.id
        print(saved, flush=True)


def run_trial(
    data_dir: Path, rng: random.Random, *, max_confirmations: int = 40, jitter_s: float = 0.0
) -> tuple[TrialResult, list[int]]:
    """Start a child, kill it after a random number of confirmations, return what it confirmed.

    ``jitter_s`` adds a random wait before the kill (the benchmark uses it; tests do not sleep).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "infusion_monitor.storage.crashtrial", str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    confirmed: list[int] = []
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if first != READY:
            raise RuntimeError(f"the crash-trial child did not start: {first!r}")
        for _ in range(rng.randint(0, max_confirmations)):
            line = proc.stdout.readline()
            if not line:
                break
            confirmed.append(int(line))
        if jitter_s:
            time.sleep(rng.uniform(0, jitter_s))
        proc.kill()  # no clean-up runs: SIGKILL on POSIX, TerminateProcess on Windows
        # Lines already printed before the kill are confirmed saves too.
        confirmed.extend(int(line) for line in proc.stdout.read().split())
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    return TrialResult(confirmed=len(confirmed)), confirmed


def check_survivors(data_dir: Path, confirmed: list[int]) -> TrialResult:
    """Reopen after a kill: which confirmed ids are missing; does the chain and the file hold?"""
    with open_database(None, AppPaths.resolve(data_dir)) as database:
        with database.sessions() as db:
            present = set(db.scalars(select(SessionEvent.id).where(SessionEvent.type == "note")))
            audited = {
                int(value)
                for value in db.scalars(
                    select(AuditEntry.entity_id).where(AuditEntry.entity == ENTITY)
                )
            }
            chain = check_audit_chain(db)
        with database.engine.connect() as connection:
            quick = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
    lost = [entry for entry in confirmed if entry not in present or entry not in audited]
    return TrialResult(
        confirmed=len(confirmed),
        lost=lost,
        chain_intact=chain.broken is None,
        quick_check_ok=quick == ["ok"],
    )


if __name__ == "__main__":
    child(sys.argv[1])
