"""The ``backend`` fixture: each test that takes it runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``INFUSION_MONITOR_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway
cluster and exports it); every test gets a fresh database, dropped afterwards. Without the URL
the PostgreSQL runs are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url

POSTGRES_URL_ENV = "INFUSION_MONITOR_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Backend:
    """One database for one test: its kind and a URL the app can open."""

    name: str
    url: str

    @property
    def is_postgres(self) -> bool:
        """True for the PostgreSQL run."""
        return self.name == "postgresql"


def postgres_admin_url() -> str:
    """The test server's URL, or skip (fail under CI) when none is configured."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if url:
        return url
    reason = (
        f"PostgreSQL tests need {POSTGRES_URL_ENV} (a postgresql+psycopg:// URL of a throwaway "
        "server; .ci/run starts one with tools/pgcluster.py)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI run without PostgreSQL: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def fresh_postgres_database(server: str | None = None) -> Iterator[str]:
    """Create an empty database on ``server`` (default: the test server); yield its URL; drop
    it (and its clients)."""
    import psycopg

    admin = make_url(server or postgres_admin_url())
    name = f"im_test_{uuid.uuid4().hex[:16]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh, empty database: an SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield Backend("sqlite", f"sqlite:///{tmp_path / 'backend.sqlite3'}")
        return
    with fresh_postgres_database() as url:
        yield Backend("postgresql", url)


@pytest.fixture
def backend_url(backend: Backend) -> str:
    """The URL of the ``backend`` database (for child processes)."""
    return backend.url
