"""Infusion time from stored events and a fake clock: pauses excluded, restarts harmless."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.timing import TimingEventKind as Kind
from infusion_monitor.domain.timing import format_duration, infusion_time

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_started_37_minutes_ago_reads_37_00() -> None:
    clock = FakeClock(T0)
    clock.advance(minutes(37))
    elapsed = infusion_time([(Kind.START, T0)], clock.now())
    assert format_duration(elapsed) == "37:00"


def test_a_five_minute_pause_is_not_counted() -> None:
    clock = FakeClock(T0 + minutes(37))
    events = [(Kind.START, T0), (Kind.PAUSE, T0 + minutes(10)), (Kind.RESUME, T0 + minutes(15))]
    assert format_duration(infusion_time(events, clock.now())) == "32:00"


def test_the_clock_stands_still_while_paused() -> None:
    clock = FakeClock(T0 + minutes(20))
    events = [(Kind.START, T0), (Kind.PAUSE, T0 + minutes(10))]
    before = infusion_time(events, clock.now())
    clock.advance(minutes(30))
    assert infusion_time(events, clock.now()) == before == minutes(10)


def test_stop_ends_the_count() -> None:
    events = [(Kind.START, T0), (Kind.STOP, T0 + minutes(90))]
    assert infusion_time(events, T0 + minutes(200)) == minutes(90)


def test_events_are_taken_in_time_order_and_duplicates_ignored() -> None:
    events = [
        (Kind.RESUME, T0 + minutes(15)),
        (Kind.START, T0),
        (Kind.PAUSE, T0 + minutes(10)),
        (Kind.PAUSE, T0 + minutes(12)),
        (Kind.START, T0 + minutes(13)),
    ]
    assert infusion_time(events, T0 + minutes(20)) == minutes(15)


def test_nothing_before_the_start_and_nothing_after_now_counts() -> None:
    events = [(Kind.RESUME, T0 - minutes(5)), (Kind.START, T0), (Kind.PAUSE, T0 + minutes(60))]
    assert infusion_time(events, T0 + minutes(30)) == minutes(30)
    assert infusion_time([], T0) == timedelta(0)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(0), "00:00"),
        (timedelta(seconds=59), "00:59"),
        (minutes(59) + timedelta(seconds=59), "59:59"),
        (minutes(72), "1:12:00"),
        (timedelta(seconds=-3), "00:00"),
    ],
)
def test_format_duration(span: timedelta, text: str) -> None:
    assert format_duration(span) == text


def test_fake_clock_needs_an_aware_start_and_only_moves_forward() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 1, 1))
    clock = FakeClock(T0)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
