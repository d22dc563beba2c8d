"""The vitals panel's reload reads only the sets stored since what it shows (a 12-hour session of
1 Hz monitor sets would otherwise be read, scored and listed whole at every arrival), and shows
exactly what a whole read shows; anything that changes what came before reads it all again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.services.vitals.trend import TrendData, VitalsTrendService
from infusion_monitor.storage.database import Database
from infusion_monitor.ui.vitals_record import VitalsRecordTable

from .vitals_world import NURSE, RULES, World, at, draft, make_world


@pytest.fixture
def world(database: Database) -> World:
    world = make_world(database.sessions)
    world.record(-10)
    world.add_event("start", 0)
    world.record(5, acvpu=Acvpu.C, on_oxygen=True)
    return world


def monitor(world: World, minute: float) -> None:
    world.record(minute, source=Source.MONITOR, temp_c=None, temp_raw=None)


def shown(data: TrendData) -> tuple[object, ...]:
    """What the plot draws from a trend."""
    return (data.start, data.baseline, data.sets, data.events, data.missed_min)


def test_a_reload_adds_the_new_sets_scored_as_a_whole_read_scores_them(world: World) -> None:
    trend = VitalsTrendService(world.sessions, lambda: RULES)
    before = trend.trend(world.session_id)
    monitor(world, 8)
    monitor(world, 9)
    world.add_symptom("urticaria", 9)
    after = trend.trend(world.session_id, before)
    assert after.kept == len(before.sets)
    assert shown(after) == shown(trend.trend(world.session_id))
    assert [item.news2 for item in after.sets[-2:]] == [5, 5]  # C and oxygen carried
    assert len(after.events) == len(before.events) + 1  # the symptom's marker
    again = trend.trend(world.session_id, after)
    assert again.kept == len(after.sets) and shown(again) == shown(after)


def test_a_correction_or_a_set_taken_before_the_newest_reads_it_all_again(world: World) -> None:
    trend = VitalsTrendService(world.sessions, lambda: RULES)
    monitor(world, 8)
    before = trend.trend(world.session_id)
    stored = world.record(9)
    world.vitals.amend_vitals(
        NURSE, stored.entry.id, draft(hr=130), "typed in the wrong row", world.clock.now()
    )
    corrected = trend.trend(world.session_id, before)
    assert corrected.kept is None
    assert shown(corrected) == shown(trend.trend(world.session_id))
    world.clock.advance(timedelta(minutes=5))
    back_dated = draft(taken_at=at(7))
    world.vitals.record_vitals(NURSE, world.session_id, back_dated, world.clock.now())
    late = trend.trend(world.session_id, corrected)
    assert late.kept is None
    assert [item.t_min for item in late.sets] == sorted(item.t_min for item in late.sets)
    assert shown(late) == shown(trend.trend(world.session_id))


def test_the_record_adds_the_sets_stored_since_and_rereads_after_a_correction(
    world: World, qtbot: QtBot
) -> None:
    record = VitalsRecordTable()
    qtbot.addWidget(record)
    shown = world.vitals.entries(world.session_id)
    record.show_entries(shown)
    record.select_entry(shown[-1].id)
    monitor(world, 8)
    monitor(world, 9)
    added = world.vitals.entries(world.session_id, max(entry.id for entry in shown))
    assert [entry.taken_at for entry in added] == [at(8), at(9)]
    assert record.add_entries(added)
    whole = world.vitals.entries(world.session_id)
    assert [entry.id for entry in record.entries] == [entry.id for entry in reversed(whole)]
    assert record.table.rowCount() == len(whole)
    assert record.selected() == shown[-1]  # the nurse's selection stays on its set
    world.vitals.amend_vitals(
        NURSE, added[-1].id, draft(hr=130), "typed in the wrong row", world.clock.now()
    )
    correction = world.vitals.entries(world.session_id, added[-1].id)
    assert not record.add_entries(correction)  # the corrected row changes: read it all again
    assert record.table.rowCount() == len(whole)
