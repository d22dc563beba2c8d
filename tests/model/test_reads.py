"""What a change record makes the unit model read, and in which order: an alert first, handed
on before the chairs, the schedules and the plot's record are read (issue 16: an alarm raised
elsewhere reaches the alert band without waiting for the rest)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.loader import MAX_STOPS, Stop, UnitLoader
from infusion_monitor.model.reads import UnitReads
from infusion_monitor.model.unit import NOTHING_READ, Fresh, Wanted
from model.test_unit_model import Detail, alert, status

RUNNING = Detail(1, 3, "Chair 1")


class Queries:
    """The services behind ``UnitReads``, answering from memory and noting each query."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def statuses(self, ids: list[int]) -> dict[int, Any]:
        self.asked.append("statuses")
        return {1: status(RUNNING)}

    def snapshot(self) -> tuple[Any, ...]:
        self.asked.append("snapshot")
        return (status(RUNNING),)

    def unit_alerts(self) -> SimpleNamespace:
        self.asked.append("alerts")
        return SimpleNamespace(by_session={1: alert(1)})

    def alarms(self, session_id: int | None) -> tuple[SimpleNamespace, str | None]:
        self.asked.append(f"alarms {session_id}")
        picture = None if session_id is None else f"picture of {session_id}"
        return SimpleNamespace(by_session={1: alert(1)}), picture

    def picture(self, session_id: int) -> str:
        self.asked.append(f"care {session_id}")
        return f"picture of {session_id}"

    def facts(self, ids: object) -> dict[int, tuple[str, Any]]:
        self.asked.append("schedule")
        return {}


def reads(queries: Queries) -> UnitReads:
    q: Any = queries
    return UnitReads(q, q, q, q, lambda: (), lambda: (), lambda: ())


def test_a_monitor_set_that_raised_an_alert_is_read_alarm_first() -> None:
    queries = Queries()
    ids = frozenset({1})
    record = Changes(sessions=ids, vitals=ids, care=ids, alerts=ids)
    parts = reads(queries).read(record, Wanted(followed=1))
    first, fresh = next(parts)
    assert first == Changes(alerts=ids)
    assert fresh.alerts == {1: alert(1)} and fresh.care == {1: "picture of 1"}
    assert queries.asked == ["alarms 1"], "nothing else is read before the alarm"
    last, rest = next(parts)
    assert last == record, "the last part answers the whole record"
    assert rest.alerts is None and rest.care == {}, "what was read first is not read again"
    assert 1 in rest.statuses and queries.asked[1:] == ["statuses", "schedule"]
    assert next(parts, None) is None


def test_an_acknowledgement_or_a_board_change_is_read_in_one_part() -> None:
    ids = frozenset({1})
    for record in (Changes(alerts=ids), Changes(board=True, alerts=ids)):
        parts = list(reads(Queries()).read(record, Wanted(followed=1)))
        assert [changes for changes, _ in parts] == [record]
        assert parts[0][1].alerts == {1: alert(1)}


def test_the_loader_hands_on_each_part_as_it_is_read_and_counts_the_record_once() -> None:
    delivered: list[tuple[Changes, Fresh, int, int]] = []
    done = threading.Event()
    record = Changes(vitals=frozenset({1}), alerts=frozenset({1}))

    def read(changes: Changes, _wanted: Wanted, _stop: Stop) -> Any:
        yield Changes(alerts=changes.alerts), Fresh(alerts={})
        raise OSError("the database went away")

    def deliver(changes: Changes, fresh: Fresh, tag: int, count: int) -> None:
        delivered.append((changes, fresh, tag, count))
        if count:
            done.set()

    loader = UnitLoader(read, deliver)
    loader.start()
    loader.submit(record, Wanted(), tag=4)
    assert done.wait(5)
    loader.close()
    first, failed = delivered
    assert first[0] == Changes(alerts=frozenset({1})) and first[2:] == (4, 0)
    assert failed == (record, NOTHING_READ, 4, 1), "a failed rest still settles the record"


def test_the_rest_of_a_read_stops_when_asked_and_never_hands_on_a_last_part() -> None:
    queries = Queries()
    ids = frozenset({1})
    record = Changes(sessions=ids, vitals=ids, care=ids, alerts=ids)
    asked: list[list[str]] = []

    def stop() -> bool:
        asked.append(list(queries.asked))
        return len(asked) == 2  # after the alarm part and the chairs: an alarm waits

    parts = list(reads(queries).read(record, Wanted(followed=1), stop))
    assert [changes for changes, _ in parts] == [Changes(alerts=ids)], "the alarm part only"
    assert queries.asked == ["alarms 1", "statuses"], "nothing read after the stop"


class Reads:
    """A read that holds its first record until told, then asks ``stop`` as ``UnitReads`` does."""

    def __init__(self) -> None:
        self.records: list[Changes] = []
        self.holding = threading.Event()
        self.go_on = threading.Event()

    def __call__(self, changes: Changes, _wanted: Wanted, stop: Stop) -> Any:
        self.records.append(changes)
        if len(self.records) == 1:
            self.holding.set()
            self.go_on.wait(5)
        if stop():
            return
        yield changes, Fresh(alerts={})


def _settle(read: Reads, first: Changes, then: Changes) -> list[tuple[Changes, int]]:
    """Submit ``first``, then ``then`` while ``first`` is being read; what was delivered."""
    delivered: list[tuple[Changes, int]] = []
    done = threading.Event()

    def deliver(changes: Changes, _fresh: Fresh, _tag: int, count: int) -> None:
        delivered.append((changes, count))
        if sum(n for _, n in delivered) == 2:
            done.set()

    loader = UnitLoader(read, deliver)
    loader.start()
    loader.submit(first, Wanted())
    assert read.holding.wait(5)
    loader.submit(then, Wanted())
    read.go_on.set()
    assert done.wait(5)
    loader.close()
    return delivered


def test_an_alarm_queued_during_a_read_stops_it_and_both_are_read_together() -> None:
    """The gateway's alarm arrives while an older record is read: that read stops, and the two
    are read again as one (alarm first), answering both records."""
    read = Reads()
    board = Changes(sessions=frozenset({2}), vitals=frozenset({2}))
    alarm = Changes(vitals=frozenset({1}), alerts=frozenset({1}))
    assert _settle(read, board, alarm) == [(board | alarm, 2)]
    assert read.records == [board, board | alarm]


def test_a_record_without_an_alert_waits_for_the_read_under_way() -> None:
    read = Reads()
    first = Changes(sessions=frozenset({2}))
    then = Changes(vitals=frozenset({1}))
    assert _settle(read, first, then) == [(first, 1), (then, 1)]
    assert read.records == [first, then]


def test_a_stream_of_alarms_stops_a_read_a_few_times_only() -> None:
    delivered: list[tuple[Changes, int]] = []
    submitted: list[Changes] = []
    done = threading.Event()

    def read(changes: Changes, _wanted: Wanted, stop: Stop) -> Any:
        if len(submitted) < MAX_STOPS + 3:  # another alarm arrives during every read
            submitted.append(Changes(alerts=frozenset({len(submitted) + 1})))
            loader.submit(submitted[-1], Wanted())
        if stop():
            return
        yield changes, Fresh(alerts={})

    def deliver(changes: Changes, _fresh: Fresh, _tag: int, count: int) -> None:
        delivered.append((changes, count))
        if sum(n for _, n in delivered) == len(submitted) + 1:
            done.set()

    loader = UnitLoader(read, deliver)
    loader.start()
    loader.submit(Changes(sessions=frozenset({9})), Wanted())
    assert done.wait(5)
    loader.close()
    first, *rest = delivered
    assert first[1] == MAX_STOPS + 1, "stopped MAX_STOPS times, then read to its end"
    assert first[0].alerts == frozenset(range(1, MAX_STOPS + 1))
    assert sum(n for _, n in rest) == len(submitted) - MAX_STOPS


def test_a_board_record_waits_for_the_read_under_way() -> None:
    """A board record (a feed that just listened, a session started elsewhere) names every
    shown session's alert, but is read whole, not alarm first: it does not stop a read."""
    read = Reads()
    first = Changes(sessions=frozenset({2}))
    board = Changes(board=True, alerts=frozenset({1, 2}))
    assert _settle(read, first, board) == [(first, 1), (board, 1)]


def test_a_read_ended_early_without_a_newer_record_settles_its_record_with_nothing_new() -> None:
    """A read that handed on no last part (it stopped for a close that then did not come, say)
    still answers its record, so the model's count of unsettled records comes back to zero."""
    delivered: list[tuple[Changes, Fresh, int, int]] = []
    done = threading.Event()

    def read(_changes: Changes, _wanted: Wanted, _stop: Stop) -> Any:
        return iter(())

    def deliver(changes: Changes, fresh: Fresh, tag: int, count: int) -> None:
        delivered.append((changes, fresh, tag, count))
        done.set()

    loader = UnitLoader(read, deliver)
    loader.start()
    loader.start()  # once only
    record = Changes(sessions=frozenset({3}))
    loader.submit(record, Wanted(), tag=7)
    assert done.wait(5)
    loader.close()
    assert delivered == [(record, NOTHING_READ, 7, 1)]


def test_a_close_during_a_read_hands_on_nothing_more_and_ends_the_thread() -> None:
    read = Reads()
    delivered: list[Changes] = []
    loader = UnitLoader(read, lambda changes, *_: delivered.append(changes))
    loader.start()
    loader.submit(Changes(sessions=frozenset({2})), Wanted())
    assert read.holding.wait(5)
    loader.submit(Changes(sessions=frozenset({4})), Wanted())
    closing = threading.Thread(target=loader.close, args=(5.0,))
    closing.start()
    while loader._queue.qsize() < 2:  # the close has queued its end behind the second record
        threading.Event().wait(0.001)
    read.go_on.set()
    closing.join(5)
    assert not loader.running
    assert delivered == [], "the read under way stopped at its next step; the rest never ran"


def test_the_loader_ends_when_nobody_receives_what_it_read() -> None:
    """The window closed: handing on raises (Qt's deleted relay), and the loader stops there."""
    reads_made: list[Changes] = []

    def read(changes: Changes, _wanted: Wanted, _stop: Stop) -> Any:
        reads_made.append(changes)
        yield changes, Fresh(alerts={})

    def deliver(*_args: object) -> None:
        raise RuntimeError("Internal C++ object already deleted.")

    loader = UnitLoader(read, deliver)
    loader.submit(Changes(sessions=frozenset({1})), Wanted())
    loader.submit(Changes(alerts=frozenset({1})), Wanted())
    loader.start()
    loader._thread.join(5)
    assert not loader.running
    assert reads_made == [Changes(sessions=frozenset({1}), alerts=frozenset({1}))]
    loader.close()  # after the end: harmless


def test_a_loader_never_started_closes_at_once() -> None:
    loader = UnitLoader(lambda *_: iter(()), lambda *_: None)
    loader.close()
    assert not loader.running
