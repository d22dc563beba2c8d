"""Locked, full and read-only databases: a clear message, nothing half-saved, retry succeeds."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.staff.accounts import StaffService
from infusion_monitor.services.staff.sign_in import AuthService
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.storage.errors import (
    DatabaseBusyError,
    DiskFullError,
    ReadOnlyDatabaseError,
    StorageError,
)
from infusion_monitor.storage.models import AuditEntry, Nurse

from .faults import disk_full, locked, read_only

FAULTS: list[tuple[Callable[[Database], contextlib.AbstractContextManager[None]], type, str]] = [
    (locked, DatabaseBusyError, "locked by another program. Wait a moment and try again"),
    (disk_full, DiskFullError, "is full, so the entry was not saved. Free disk space"),
    (read_only, ReadOnlyDatabaseError, "is read-only, so the entry was not saved. Ask IT"),
]


SMALL_FS = "size=3m,mode=0700"


@pytest.fixture
def database(data_dir: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The database on a 3 MB tmpfs of its own (root only), so the disk can really fill up.

    Without root the database lives in the data folder and the full-disk cases are skipped.
    """
    data_dir.mkdir(parents=True)
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", SMALL_FS, "tmpfs", str(data_dir)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    if not mounted and "disk_full" in request.node.name:
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root to mount")
    try:
        with open_database(None, AppPaths.resolve(data_dir), busy_timeout_ms=50) as opened:
            yield opened
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(data_dir)], check=True)


def _counts(database: Database) -> tuple[int, int]:
    with database.sessions() as db:
        staff = db.scalar(select(func.count()).select_from(Nurse)) or 0
        audit = db.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return staff, audit


@pytest.mark.parametrize(("fault", "error", "text"), FAULTS)
def test_a_save_fails_cleanly_then_the_same_values_save_on_retry(
    database: Database,
    staff: StaffService,
    admin: Actor,
    fault: Callable[[Database], contextlib.AbstractContextManager[None]],
    error: type[StorageError],
    text: str,
) -> None:
    values = (admin, "N300", "Bea Nurse", Role.NURSE, "8642")
    before = _counts(database)
    with fault(database), pytest.raises(error, match=text) as caught:
        staff.add_staff(*values)
    assert str(database.location) in caught.value.message
    assert _counts(database) == before  # nothing half-saved: no staff row, no audit row
    assert staff.add_staff(*values).staff_id == "N300"
    assert _counts(database) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(("fault", "error", "text"), FAULTS)
def test_sign_in_fails_cleanly_and_retry_signs_in(
    auth: AuthService,
    admin: Actor,
    database: Database,
    fault: Callable[[Database], contextlib.AbstractContextManager[None]],
    error: type[StorageError],
    text: str,
) -> None:
    with fault(database), pytest.raises(error, match=text):
        auth.sign_in("A1", "1234")
    assert auth.sign_in("A1", "1234") == admin
