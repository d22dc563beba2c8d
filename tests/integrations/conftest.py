"""Integration fixtures: the service fixtures (database, clock, signed-in actors) for the
export tests, and a unit database on each backend with a running session for the gateway."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backends import Backend
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.integrations.hl7.gateway import GatewayServer, running_gateway
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import RuleSet, default_rules
from infusion_monitor.services.monitor.feed import make_monitor_feed
from infusion_monitor.storage.database import Database, open_database
from services.conftest import admin, auth, charge, clock, database, hasher, nurse, staff
from session_helpers import library
from unitworld import add_running_session

__all__ = ["admin", "auth", "charge", "clock", "database", "hasher", "nurse", "staff"]


def _in_force() -> Callable[[], RuleSet]:
    """The shipped rule set, loaded once (the feed asks for it at every message)."""
    rules = default_rules()
    return lambda: rules


@pytest.fixture
def unit_db(backend: Backend, data_dir: Path) -> Iterator[Database]:
    """An open database with a running session in "Chair 1" for patient MRN-1."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        add_running_session(database.sessions, "Chair 1", "MRN-1")
        yield database


@pytest.fixture
def gateway_server(unit_db: Database) -> Iterator[GatewayServer]:
    """The gateway serving ``unit_db`` on a free loopback port, in this process."""
    feed = make_monitor_feed(unit_db.sessions, SystemClock(), _in_force(), library())
    with running_gateway(feed.store_batch, lambda: datetime.now(UTC), "127.0.0.1", 0) as server:
        yield server
