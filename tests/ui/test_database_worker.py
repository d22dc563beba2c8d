"""The database thread's wait on the GUI thread: results and errors come back, timers keep
ticking, and a call whose end is never reported, or which is never started, cannot hold the
window for ever (issue 16: a full run once hung in a wait whose wake-up never came)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from infusion_monitor.errors import UserError
from infusion_monitor.ui import db_worker
from infusion_monitor.ui.db_worker import CLOSING_TEXT, STALLED_TEXT, DatabaseWorker


@pytest.fixture
def worker(qtbot: QtBot) -> Iterator[DatabaseWorker]:
    worker = DatabaseWorker()
    yield worker
    worker.close(wait=True)


def test_a_call_runs_on_the_database_thread_and_returns_its_result(worker: DatabaseWorker) -> None:
    assert worker.call(threading.current_thread) is not threading.current_thread()
    assert worker.call(sum, [1, 2, 3]) == 6


def test_a_calls_error_reaches_the_caller(worker: DatabaseWorker) -> None:
    def refuse() -> None:
        raise UserError("Not saved: the heart rate is missing.")

    with pytest.raises(UserError, match="heart rate is missing"):
        worker.call(refuse)


def test_timers_tick_while_a_call_waits(worker: DatabaseWorker) -> None:
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    worker.call(time.sleep, 0.4)
    timer.stop()
    assert len(ticks) >= 10


class _Unreported(Future[int]):
    """A call whose end is never reported to the wait (its callbacks are lost)."""

    def add_done_callback(self, fn: object) -> None:
        pass


def test_a_call_whose_end_is_never_reported_still_returns(worker: DatabaseWorker) -> None:
    future = _Unreported()
    threading.Timer(0.2, future.set_result, [7]).start()
    started = time.monotonic()
    worker._wait(future)
    assert future.result() == 7
    assert time.monotonic() - started < 2


def test_a_call_never_started_is_withdrawn_with_a_message(
    worker: DatabaseWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_worker, "STALLED_AFTER_S", 0.3)
    future: Future[int] = Future()
    with pytest.raises(UserError) as refused:
        worker._wait(future)
    assert str(refused.value) == STALLED_TEXT
    assert "nothing was saved" in STALLED_TEXT
    assert future.cancelled(), "the call can no longer run after the nurse was told it did not"


def test_a_call_whose_database_thread_is_gone_fails_at_once(
    worker: DatabaseWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = threading.Thread(target=lambda: None)
    gone.start()
    gone.join()
    monkeypatch.setattr(worker, "_thread", gone)
    started = time.monotonic()
    with pytest.raises(UserError, match="nothing was saved"):
        worker._wait(Future())
    assert time.monotonic() - started < 1


def test_a_call_after_the_worker_closed_is_refused(worker: DatabaseWorker) -> None:
    worker.close(wait=True)
    with pytest.raises(RuntimeError, match="closed"):
        worker.call(sum, [1])


def test_a_call_made_off_the_gui_thread_runs_where_it_is(worker: DatabaseWorker) -> None:
    seen: list[threading.Thread] = []
    reader = threading.Thread(target=lambda: seen.append(worker.call(threading.current_thread)))
    reader.start()
    reader.join()
    assert seen == [reader]


def test_a_call_queued_when_the_window_closes_never_runs_and_says_so(
    worker: DatabaseWorker,
) -> None:
    ran: list[str] = []
    refused: list[str] = []

    def behind() -> None:  # a timer's call made while the first one runs: queued behind it
        try:
            worker.call(ran.append, "behind")
        except UserError as exc:
            refused.append(exc.message)

    QTimer.singleShot(50, behind)
    QTimer.singleShot(100, worker.close)  # the window closes meanwhile
    worker.call(time.sleep, 0.4)
    assert ran == []
    assert refused == [CLOSING_TEXT]


def test_a_call_withdrawn_as_stalled_never_runs_later(
    worker: DatabaseWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_worker, "STALLED_AFTER_S", 0.1)
    ran: list[str] = []
    refused: list[str] = []

    def behind() -> None:
        try:
            worker.call(ran.append, "behind")
        except UserError as exc:
            refused.append(exc.message)

    QTimer.singleShot(20, behind)
    worker.call(time.sleep, 0.5)
    worker.call(time.sleep, 0.05)  # the withdrawn call's turn has passed
    assert refused == [STALLED_TEXT]
    assert ran == []


def test_a_served_service_runs_its_methods_on_the_database_thread_only(
    worker: DatabaseWorker,
) -> None:
    class Service:
        label = "vitals"

        def where(self) -> threading.Thread:
            return threading.current_thread()

        def _private(self) -> threading.Thread:
            return threading.current_thread()

    served = worker.serve(Service())
    assert served.label == "vitals"
    assert served.where() is not threading.current_thread()
    assert served._private() is threading.current_thread()
