"""Infusion time from stored events and a fake clock: pauses excluded, restarts harmless."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.timing import TimingEventKind as Kind
from infusion_monitor.domain.timing import format_duration, infusion_time, timeline

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


def test_duplicates_and_events_before_the_start_are_ignored() -> None:
    events = [
        (Kind.RESUME, T0 - minutes(5)),
        (Kind.START, T0),
        (Kind.PAUSE, T0 + minutes(10)),
        (Kind.PAUSE, T0 + minutes(12)),
        (Kind.START, T0 + minutes(13)),
        (Kind.RESUME, T0 + minutes(15)),
    ]
    assert infusion_time(events, T0 + minutes(20)) == minutes(15)
    assert infusion_time([], T0) == timedelta(0)


def test_a_clock_that_jumped_back_never_gives_negative_or_inflated_time() -> None:
    # Paused at 30 min; the clock then jumped back 20 minutes and the resume was stamped 10:10.
    events = [
        (Kind.START, T0),
        (Kind.PAUSE, T0 + minutes(30)),
        (Kind.RESUME, T0 + minutes(10)),
    ]
    # The resume is taken to happen at the pause; the clock standing at 10:25 vouches for 25 min.
    assert infusion_time(events, T0 + minutes(25)) == minutes(25)
    assert infusion_time(events, T0 + minutes(40)) == minutes(40)
    # A start stamped after now (clock ran ahead) counts as starting now: zero, never negative.
    assert infusion_time([(Kind.START, T0 + minutes(5))], T0) == timedelta(0)


def test_timeline_finds_when_running_time_reaches_a_target() -> None:
    events = [(Kind.START, T0), (Kind.PAUSE, T0 + minutes(10)), (Kind.RESUME, T0 + minutes(15))]
    line = timeline(events, T0 + minutes(20))
    assert line.when_total_reaches(minutes(5)) == T0 + minutes(5)
    assert line.when_total_reaches(minutes(12)) == T0 + minutes(17)
    assert line.when_total_reaches(minutes(30)) == T0 + minutes(35)
    assert line.running_since(T0 + minutes(8)) == minutes(7)
    paused = timeline(events[:2], T0 + minutes(20))
    assert not paused.running
    assert paused.when_total_reaches(minutes(30)) is None


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


@given(
    kinds=st.lists(st.sampled_from(list(Kind)), max_size=12),
    offsets=st.lists(st.integers(min_value=-600, max_value=600), min_size=12, max_size=12),
    now_offset=st.integers(min_value=-600, max_value=600),
)
def test_time_is_never_negative_nor_longer_than_the_clock_allows(
    kinds: list[Kind], offsets: list[int], now_offset: int
) -> None:
    events = [(kind, T0 + minutes(offset)) for kind, offset in zip(kinds, offsets, strict=False)]
    now = T0 + minutes(now_offset)
    elapsed = infusion_time(events, now)
    assert elapsed >= timedelta(0)
    starts = [at for kind, at in events if kind is Kind.START]
    assert elapsed <= max(now - min(starts), timedelta(0)) if starts else elapsed == timedelta(0)
