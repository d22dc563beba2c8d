"""Service fixtures: a migrated SQLite database in the test's data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import Database, open_database


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """The app's own database (pragmas, migrations, error classification) on a fresh file."""
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened
