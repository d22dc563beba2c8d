"""Quality measures: the pure aggregations on small hand-made records, and the reader."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, PermissionDenied
from infusion_monitor.services.quality import (
    CheckRecord,
    Exposure,
    QualityService,
    ResponseRecord,
    cycle_band,
    nearest_rank,
    on_time_by_nurse_week,
    reaction_rates,
    response_times,
    week_of,
)
from infusion_monitor.storage.database import Database
from review_world import SPEC, small_unit


def test_on_time_adds_up_by_nurse_and_iso_week() -> None:
    cells = on_time_by_nurse_week(
        [
            CheckRecord("Ann", date(2026, 3, 2), sets=8, late=1, skipped=0),  # Monday
            CheckRecord("Ann", date(2026, 3, 8), sets=4, late=0, skipped=1),  # Sunday, same week
            CheckRecord("Ann", date(2026, 3, 9), sets=5, late=0, skipped=0),
            CheckRecord("Bob", date(2026, 3, 3), sets=2, late=3, skipped=0),
        ]
    )
    assert [(c.nurse, c.week, c.checks, c.on_time) for c in cells] == [
        ("Ann", date(2026, 3, 2), 13, 11),
        ("Ann", date(2026, 3, 9), 5, 5),
        ("Bob", date(2026, 3, 2), 2, 0),
    ]
    assert cells[0].pct == pytest.approx(100 * 11 / 13)
    assert on_time_by_nurse_week([CheckRecord("Cy", date(2026, 3, 2), 0, 0, 0)])[0].pct == 100
    assert week_of(date(2026, 3, 8)) == date(2026, 3, 2)


def test_reaction_rates_by_drug_and_cycle_pool_cycle_seven_and_later() -> None:
    rates = reaction_rates(
        [Exposure("Rituximab", 1, True), Exposure("Rituximab", 1, False)]
        + [Exposure("Carboplatin", cycle, cycle == 9) for cycle in (7, 8, 9, 10)]
        + [Exposure("Carboplatin", 2, False)]
    )
    assert [(r.drug, r.cycle, r.sessions, r.reactions) for r in rates] == [
        ("Carboplatin", "2", 1, 0),
        ("Carboplatin", "7+", 4, 1),
        ("Rituximab", "1", 2, 1),
    ]
    assert [r.per_100 for r in rates] == [0, 25, 50]
    assert cycle_band(6) == "6" and cycle_band(0) == "1"


def test_response_times_give_median_and_nearest_rank_90th_percentile() -> None:
    times = response_times(
        [ResponseRecord(float(m), None if m > 3 else 2.0, 1.0) for m in range(1, 11)]
    )
    stopped, notified, drug = times
    assert (stopped.n, stopped.median_min, stopped.p90_min) == (10, 5.5, 9.0)
    assert (notified.n, notified.median_min, notified.p90_min) == (3, 2.0, 2.0)
    assert drug.p90_min == 1.0
    assert nearest_rank([], 0.9) is None
    empty = response_times([])
    assert all(t.n == 0 and t.median_min is None for t in empty)


def test_the_report_reads_a_period_for_charge_nurses_only(
    database: Database, clock: FakeClock, charge: Actor, nurse: Actor
) -> None:
    small_unit(database)
    service = QualityService(database.sessions)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    until = datetime.combine(SPEC.end, datetime.min.time(), UTC).replace(day=28)
    with pytest.raises(PermissionDenied):
        service.report(nurse, since, until)
    report = service.report(charge, since, until)
    assert report.sessions > 50
    assert sum(r.sessions for r in report.reaction_rates) == report.sessions
    assert any(r.reactions for r in report.reaction_rates)
    assert report.on_time and all(0 <= c.pct <= 100 for c in report.on_time)
    stopped = report.response_times[0]
    assert stopped.n > 0 and stopped.median_min is not None
