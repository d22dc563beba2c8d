"""What a change record makes the unit model read, and in which order: an alert first, handed
on before the chairs, the schedules and the plot's record are read (issue 16: an alarm raised
elsewhere reaches the alert band without waiting for the rest)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.loader import UnitLoader
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
    assert queries.asked == ["care 1", "alerts"], "nothing else is read before the alarm"
    last, rest = next(parts)
    assert last == record, "the last part answers the whole record"
    assert rest.alerts is None and rest.care == {}, "what was read first is not read again"
    assert 1 in rest.statuses and queries.asked[2:] == ["statuses", "schedule"]
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

    def read(changes: Changes, _wanted: Wanted) -> Any:
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
