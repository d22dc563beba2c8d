"""The board service reads each configured chair's state from the database as frozen snapshots."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infusion_monitor.demo import seed_demo
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.board import BoardService, ChairState, initials, mrn_tail
from infusion_monitor.storage.database import open_database

CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4", "Chair 5", "Chair 6")


def test_demo_board_from_the_database(data_dir: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    with open_database(None, AppPaths.resolve(data_dir)) as database:
        seed_demo(database.sessions, CHAIRS, clock.now(), "none")
        board = BoardService(database.sessions, CHAIRS).snapshot()
    assert [status.state for status in board] == [
        ChairState.RUNNING,
        ChairState.PAUSED,
        ChairState.RUNNING,
        ChairState.OBSERVATION,
        ChairState.FREE,
        ChairState.FREE,
    ]
    running, paused, _, observed, free, _ = board
    assert running.session is not None and paused.session is not None
    assert observed.session is not None
    assert format_duration(running.session.infusion_time(clock.now())) == "1:12:00"
    assert paused.session.pause_reason == "Patient to the bathroom"
    clock.advance(timedelta(minutes=10))
    assert format_duration(paused.session.infusion_time(clock.now())) == "42:00"
    assert observed.session.observation_time(clock.now()) == timedelta(minutes=35)
    assert free.session is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        running.session.drug = "other"  # type: ignore[misc]


def test_initials_and_mrn_tail() -> None:
    assert initials("Ellen Mary Marsh") == "E.M."
    assert initials("Cher") == "C."
    assert mrn_tail(" 00412821 ") == "2821"
