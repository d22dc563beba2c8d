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
from infusion_monitor.ui.db_worker import CLOSED_TEXT, STALLED_TEXT, DatabaseWorker


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


def test_a_call_queued_when_the_window_closes_is_withdrawn_with_a_message(
    worker: DatabaseWorker,
) -> None:
    """The window closes (its database thread with it) while a reload waits behind a call under
    way: the queued call never runs, and its caller hears a refusal it handles (as a
    ``UserError``), not an error thrown into the event loop."""
    release = threading.Event()
    worker._queue.put(db_worker._Call(release.wait))  # the call under way
    ran: list[int] = []
    QTimer.singleShot(100, lambda: (worker.close(), release.set()))
    with pytest.raises(UserError) as refused:
        worker.call(ran.append, 1)
    assert str(refused.value) == CLOSED_TEXT
    assert ran == [], "the withdrawn call never ran"
