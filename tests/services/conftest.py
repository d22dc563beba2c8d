"""Service fixtures: an open database in the test's data folder, a fake clock and the services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import Database, open_database
from session_helpers import T0, Services, make_services


@pytest.fixture
def services(data_dir: Path) -> Iterator[Services]:
    """Services over a fresh database file, on a fake clock at 09:00 UTC."""
    with open_database(None, AppPaths.resolve(data_dir)) as database:
        yield make_services(database, FakeClock(T0))


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """The app's own database (pragmas, migrations, error classification) on a fresh file."""
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened
