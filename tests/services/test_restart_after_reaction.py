"""The restart after a reaction through the sessions service, on SQLite and PostgreSQL (issue 13):
at most half the rate at which the reaction began where the label says so (rituximab,
daratumumab), a higher restart only with the nurse's reason, stored and audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backends import Backend
from care_world import Chair, case, running_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.session import SessionState
from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from session_helpers import NURSE, T0


@pytest.fixture
def database(backend: Backend, data_dir: Path) -> Iterator[Database]:
    """A fresh, migrated database on each backend."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as opened:
        yield opened


def _ref(chair: Chair) -> SessionRef:
    detail = chair.sessions.detail(chair.session_id)
    return SessionRef(detail.id, detail.version)


def _reaction_at_100_then_paused(database: Database) -> Chair:
    """Rituximab stepped up from 50 to 100 mg/h; flushing at 100; paused; the flushing resolved."""
    chair = running_chair(database, FakeClock(T0), case("V03"))
    chair.clock.advance(timedelta(minutes=30))
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(case("V03")["baseline"]), chair.clock.now()
    )
    chair.sessions.change_rate(_ref(chair), NURSE, 100)
    chair.clock.advance(timedelta(minutes=10))
    chair.care.care.record_symptom(NURSE, chair.session_id, "flushing")
    chair.clock.advance(timedelta(minutes=1))
    chair.sessions.pause(_ref(chair), NURSE, "flushing")
    chair.clock.advance(timedelta(minutes=15))
    symptom = chair.care.care.picture(chair.session_id).symptoms[0]
    chair.care.care.resolve_symptom(NURSE, symptom.id)
    chair.clock.advance(timedelta(minutes=5))
    return chair


def test_a_restart_above_half_the_reaction_rate_is_refused_then_overridden_with_a_reason(
    database: Database,
) -> None:
    chair = _reaction_at_100_then_paused(database)
    with pytest.raises(UserError) as same_rate:
        chair.sessions.resume(_ref(chair), NURSE)
    message = same_rate.value.message
    assert "The reaction began at 100 mg/h" in message
    assert "restart at no more than 50 mg/h (Rituxan label" in message
    assert "type the reason to restart higher" in message
    with pytest.raises(UserError, match="75 mg/h is above the restart limit"):
        chair.sessions.resume(_ref(chair), NURSE, 75)
    with pytest.raises(UserError, match="no more than 50 mg/h"):
        chair.sessions.resume(_ref(chair), NURSE, 75, "   ")
    assert chair.sessions.detail(chair.session_id).state is SessionState.PAUSED

    resumed = chair.sessions.resume(_ref(chair), NURSE, 75, "Dr Lee ordered 75 mg/h")
    assert resumed.detail.state is SessionState.RUNNING
    assert resumed.detail.rate == 75
    with database.sessions() as db:
        event = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "resume")
        ).one()
        audit = db.scalars(
            select(models.AuditEntry).where(models.AuditEntry.action == "session.resume")
        ).one()
    assert event.reason == "Dr Lee ordered 75 mg/h"
    assert audit.after is not None and audit.after["reason"] == "Dr Lee ordered 75 mg/h"
    assert audit.after["rate"] == 75


def test_half_the_rate_restarts_without_a_reason_and_titration_follows_the_steps(
    database: Database,
) -> None:
    chair = _reaction_at_100_then_paused(database)
    resumed = chair.sessions.resume(_ref(chair), NURSE, 50)
    assert (resumed.detail.state, resumed.detail.rate) == (SessionState.RUNNING, 50)
    with database.sessions() as db:
        event = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "resume")
        ).one()
    assert event.reason is None
    # Later steps follow the protocol, not the restart limit; a later pause without a new
    # reaction resumes at the rate it had.
    chair.clock.advance(timedelta(minutes=30))
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(case("V03")["baseline"]), chair.clock.now()
    )
    chair.sessions.change_rate(_ref(chair), NURSE, 100)
    chair.clock.advance(timedelta(minutes=5))
    chair.sessions.pause(_ref(chair), NURSE, "patient to the bathroom")
    chair.clock.advance(timedelta(minutes=5))
    again = chair.sessions.resume(_ref(chair), NURSE)
    assert (again.detail.state, again.detail.rate) == (SessionState.RUNNING, 100)


def test_a_pause_without_a_reaction_resumes_at_the_same_rate(database: Database) -> None:
    chair = running_chair(database, FakeClock(T0), case("V03"))
    chair.clock.advance(timedelta(minutes=10))
    chair.sessions.pause(_ref(chair), NURSE, "line occluded")
    chair.clock.advance(timedelta(minutes=5))
    resumed = chair.sessions.resume(_ref(chair), NURSE)
    assert (resumed.detail.state, resumed.detail.rate) == (SessionState.RUNNING, 50)
