"""When a latest value greys out, and how its age reads: the one rule every screen uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.monitor import age_text, is_stale
from infusion_monitor.domain.vitals_entry import Source

TAKEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("source", "age", "stale"),
    [
        (Source.MONITOR, timedelta(0), False),
        (Source.MONITOR, LIMIT, False),
        (Source.MONITOR, LIMIT + timedelta(seconds=1), True),
        (Source.MONITOR, timedelta(hours=3), True),
        (Source.TYPED, LIMIT + timedelta(seconds=1), False),
        (Source.TYPED, timedelta(hours=3), False),
    ],
)
def test_only_monitor_values_older_than_the_limit_are_stale(
    source: Source, age: timedelta, stale: bool
) -> None:
    assert is_stale(source, TAKEN, TAKEN + age, LIMIT) is stale


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=-30), "now"),
        (timedelta(seconds=59), "now"),
        (timedelta(minutes=4, seconds=59), "4 min"),
        (timedelta(minutes=60), "1 h 0 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
    ],
)
def test_age_reads_in_whole_minutes(age: timedelta, text: str) -> None:
    assert age_text(TAKEN, TAKEN + age) == text
