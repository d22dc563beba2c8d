"""The board service reads each configured chair's state from the database as frozen snapshots."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from infusion_monitor.demo import seed_demo
from infusion_monitor.domain.schedule import VitalsState
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.services.sessions.board import ChairState, initials, mrn_tail
from session_helpers import CHAIRS, Services, library


def test_demo_board_from_the_database(services: Services) -> None:
    clock = services.clock
    seed_demo(services.database.sessions, CHAIRS, clock.now(), library=library())
    board = services.board.snapshot()
    assert [status.state for status in board] == [
        ChairState.RUNNING,
        ChairState.PAUSED,
        ChairState.RUNNING,
        ChairState.OBSERVATION,
        ChairState.FREE,
        ChairState.FREE,
    ]
    running, paused, started, observed, free, _ = board
    assert running.session is not None and paused.session is not None
    assert started.session is not None and observed.session is not None
    now = clock.now()
    # Chair 1 ran 125 min with a 34-min pause for the reaction (demo_vitals).
    assert format_duration(running.session.infusion_time(now)) == "1:31:00"
    step = running.session.next_rate_step(now)
    assert step is not None and step.due and step.rate == 100  # restarted at 50 after the reaction
    assert running.session.drug_name == "Rituximab"
    assert paused.session.pause_reason == "Patient to the bathroom"
    # Chair 3 is in the demo's reaction: vitals just taken, now every 5 minutes.
    assert started.session.reaction_interval_min == 5
    assert started.session.vitals_status(now).state is VitalsState.NOT_YET_DUE
    clock.advance(timedelta(minutes=10))
    assert format_duration(paused.session.infusion_time(clock.now())) == "42:00"
    assert observed.session.observation_time(clock.now()) == timedelta(minutes=35)
    assert free.session is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        running.session.drug_name = "other"  # type: ignore[misc]


def test_initials_and_mrn_tail() -> None:
    assert initials("Ellen Mary Marsh") == "E.M."
    assert initials("Cher") == "C."
    assert mrn_tail(" 00412821 ") == "2821"
