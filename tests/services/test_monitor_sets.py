"""A bedside monitor's set in the services (issue 13): stored with ACVPU and oxygen unknown,
assessed with carried values, never a completed check, and confirmed by a nurse's set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.schedule import VitalsState
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.errors import UserError
from infusion_monitor.services.care.alerts import open_alert_row
from infusion_monitor.services.care.service import make_care_services
from infusion_monitor.services.vitals.schedule import schedule_facts
from infusion_monitor.services.vitals.trend import VitalsTrendService
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database

from .vitals_world import LIBRARY, NURSE, RULES, World, at, draft, make_world


@pytest.fixture
def world(database: Database) -> World:
    world = make_world(database.sessions)
    world.record(-10)
    world.add_event("start", 0)
    return world


def monitor(world: World, minute: float, **changes: object):  # type: ignore[no-untyped-def]
    """A monitor's set taken at ``minute`` (stored through the same service as the gateway)."""
    return world.record(minute, source=Source.MONITOR, temp_c=None, temp_raw=None, **changes)


def test_a_monitor_set_is_stored_with_acvpu_and_oxygen_unknown(world: World) -> None:
    world.record(5, acvpu=Acvpu.C, on_oxygen=True)
    stored = monitor(world, 8, acvpu=Acvpu.A, on_oxygen=False)  # what a feed might default to
    assert (stored.entry.signs.acvpu, stored.entry.signs.on_oxygen) == (None, None)
    with world.sessions() as db:
        row = db.get(models.VitalSigns, stored.entry.id)
        assert row is not None and (row.acvpu, row.on_oxygen) == (None, None)
    assert stored.assessment is not None
    news2 = stored.assessment.result["news2"]
    assert news2["carried"] == ["air_or_oxygen", "acvpu", "temp"]
    assert news2["parameters"]["acvpu"] == 3 and news2["parameters"]["air_or_oxygen"] == 2


def test_a_monitor_set_is_no_completed_check(world: World) -> None:
    world.record(15)
    monitor(world, 40)
    status = world.schedule.status(world.session_id, at(46))
    assert status.check is not None
    assert status.state in (VitalsState.DUE, VitalsState.OVERDUE)
    with world.sessions() as db:
        assert schedule_facts(db, world.session_id, LIBRARY).last_check_at == at(15)


def test_the_trend_scores_a_monitor_set_with_carried_values(world: World) -> None:
    world.record(5, acvpu=Acvpu.C, on_oxygen=True)
    monitor(world, 8)
    trend = VitalsTrendService(world.sessions, lambda: RULES).trend(world.session_id)
    nurse, machine = trend.sets[-2:]
    assert machine.news2 == nurse.news2 == 5  # C scores 3 and oxygen 2, carried


@pytest.mark.parametrize(
    ("which", "message"),
    [("typed", "only a monitor's set is confirmed"), ("missing", "not in this session")],
)
def test_only_a_monitor_set_of_the_session_is_confirmed(
    world: World, which: str, message: str
) -> None:
    typed = world.record(5)
    target = typed.entry.id if which == "typed" else 9999
    with pytest.raises(UserError, match=message):
        world.vitals.record_vitals(
            NURSE, world.session_id, draft(), world.clock.now(), confirms=target
        )


def test_a_monitor_set_cannot_confirm_another(world: World) -> None:
    first = monitor(world, 5)
    with pytest.raises(UserError, match="Only a set the nurse assessed"):
        world.vitals.record_vitals(
            NURSE,
            world.session_id,
            draft(source=Source.MONITOR),
            world.clock.now(),
            confirms=first.entry.id,
        )
    with world.sessions() as db:
        confirming = db.scalars(
            select(models.VitalSigns).where(models.VitalSigns.confirms_id.is_not(None))
        ).all()
    assert confirming == []


def test_acknowledging_on_a_monitor_set_alone_resolves_nothing(world: World) -> None:
    care = make_care_services(
        world.sessions, world.clock, lambda: RULES, AlertPolicy(), None, world.assessing
    )
    world.record(10, sbp=80, dbp=50)  # hypotension: a high alert
    calm = monitor(world, 12)
    assert calm.assessment is not None and calm.assessment.priority is None
    with world.sessions() as db:
        row = open_alert_row(db, world.session_id)
        assert row is not None and row.state == "active"  # latched until seen
        alert_id = row.id
    answered = care.alerts.acknowledge(NURSE, alert_id)
    assert answered.alert.state.value == "acknowledged"
    world.record(14)  # the nurse's own set: now the rules resolve it
    with world.sessions() as db:
        assert open_alert_row(db, world.session_id) is None
