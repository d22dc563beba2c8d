"""Two workstations edit one session: the second, stale writer is refused, nothing overwritten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.storage.engine import create_database_engine
from infusion_monitor.storage.locking import (
    SESSION_CONFLICT_MESSAGE,
    SessionConflictError,
    conflicts_refused,
    session_for_update,
)
from infusion_monitor.storage.models import InfusionSession

T0 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def _change_state(
    sessions: sessionmaker[Session], session_id: int, seen_version: int, state: str
) -> int:
    """What a session use case does: check the version the screen showed, change, commit."""
    with conflicts_refused(session_id), sessions.begin() as db:
        row = session_for_update(db, session_id, seen_version)
        row.state = state
        db.flush()
        return row.version


def test_second_workstation_gets_a_conflict_and_reloads(
    schema_engine: Engine, add_session: Callable[[Session, datetime], InfusionSession]
) -> None:
    with Session(schema_engine) as db, db.begin():
        session_id = add_session(db, T0).id
    # A second workstation: its own engine (its own connections) on the same database.
    other_engine = create_database_engine(schema_engine.url)
    try:
        here, there = sessionmaker(schema_engine), sessionmaker(other_engine)
        with here() as db:
            shown_here = db.get_one(InfusionSession, session_id).version
        with there() as db:
            shown_there = db.get_one(InfusionSession, session_id).version
        assert _change_state(here, session_id, shown_here, "paused") == shown_here + 1
        with pytest.raises(SessionConflictError) as caught:
            _change_state(there, session_id, shown_there, "completed")
        assert caught.value.message == SESSION_CONFLICT_MESSAGE
        assert caught.value.session_id == session_id
        with there() as db:
            reloaded = db.get_one(InfusionSession, session_id)
            assert (reloaded.state, reloaded.version) == ("paused", shown_here + 1)
            shown_there = reloaded.version
        assert _change_state(there, session_id, shown_there, "running") == shown_there + 1
    finally:
        other_engine.dispose()


def test_a_lost_race_at_flush_is_the_same_conflict(
    schema_engine: Engine, add_session: Callable[[Session, datetime], InfusionSession]
) -> None:
    with Session(schema_engine) as db, db.begin():
        session_id = add_session(db, T0).id
    other_engine = create_database_engine(schema_engine.url)
    try:
        with Session(other_engine, expire_on_commit=False) as stale:
            with stale.begin():
                row = stale.get_one(InfusionSession, session_id)
            _change_state(sessionmaker(schema_engine), session_id, row.version, "paused")
            with pytest.raises(SessionConflictError), conflicts_refused(session_id), stale.begin():
                row.state = "completed"
        with Session(schema_engine) as db:
            assert db.scalars(select(InfusionSession.state)).one() == "paused"
    finally:
        other_engine.dispose()
