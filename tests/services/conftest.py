"""Service fixtures: an open database, a fake clock, fast PIN hashing and signed-in actors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.staff.accounts import StaffService
from infusion_monitor.services.staff.sign_in import AuthService, PinHasher
from infusion_monitor.storage.database import Database, open_database
from session_helpers import T0, Services, make_services

WORKSTATION = "ws-test"


@pytest.fixture
def clock() -> FakeClock:
    """A clock that stands still at 09:00 UTC on 2 March 2026 until advanced."""
    return FakeClock(T0)


@pytest.fixture(scope="session")
def hasher() -> PinHasher:
    """Argon2id with the smallest costs: the same code path, milliseconds per hash."""
    return PinHasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A fresh, migrated database in the test's data folder (50 ms busy timeout)."""
    with open_database(None, AppPaths.resolve(data_dir), busy_timeout_ms=50) as opened:
        yield opened


@pytest.fixture
def auth(database: Database, clock: FakeClock, hasher: PinHasher) -> AuthService:
    """The sign-in service at workstation ``ws-test``."""
    return AuthService(database.sessions, clock, workstation=WORKSTATION, hasher=hasher)


@pytest.fixture
def staff(database: Database, clock: FakeClock, hasher: PinHasher) -> StaffService:
    """The staff administration service."""
    return StaffService(database.sessions, clock, hasher=hasher)


@pytest.fixture
def admin(auth: AuthService) -> Actor:
    """The first administrator (A1, PIN 1234), signed in."""
    return auth.create_first_administrator("A1", "Al Admin", "1234")


@pytest.fixture
def nurse(staff: StaffService, admin: Actor, auth: AuthService) -> Actor:
    """A nurse (N100, PIN 2468), signed in."""
    staff.add_staff(admin, "N100", "Ada Nurse", Role.NURSE, "2468")
    return auth.sign_in("N100", "2468")


@pytest.fixture
def charge(staff: StaffService, admin: Actor, auth: AuthService) -> Actor:
    """A charge nurse (C200, PIN 1357), signed in."""
    staff.add_staff(admin, "C200", "Cy Charge", Role.CHARGE_NURSE, "1357")
    return auth.sign_in("C200", "1357")


@pytest.fixture
def services(database: Database, clock: FakeClock) -> Services:
    """The session and board services over the test database, on the fake clock."""
    return make_services(database, clock)
