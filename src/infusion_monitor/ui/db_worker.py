"""Every database call of the window runs on one database thread, never on the GUI thread.

The composition root hands widgets and controllers their services through
:meth:`DatabaseWorker.serve`: each method call is queued to the worker's single thread (one
thread, one queue: calls run in the order they were made, so a save and the reads that follow it
never overtake each other). The widget-level API stays as it was: a call returns its result,
but while it waits the GUI thread runs its events, so timers tick, alarms flash and sound
and the window repaints. The keys and clicks typed meanwhile are held (Qt's
``ExcludeUserInputEvents``) and delivered once the call returns: a second Enter cannot save the
same entry twice, nor start another action half-way through the first.

The wait looks at its call after every turn of the GUI's event loop (woken by the database
thread when the call is done, by a ``CHECK_MS`` timer, or by any other event), so neither a
wake-up lost on its way nor a stream of other events can hold the window. A call the database
thread has not started after ``STALLED_AFTER_S``, or whose thread is gone, never will be: it is
withdrawn and fails with a message, nothing saved, rather than holding the window for ever.

A call that waits longer than ``BUSY_AFTER_MS`` (a database write-locked by another program)
announces itself through :attr:`DatabaseWorker.busy_changed` (the status bar and the form
saving show "Saving — database busy"), and again with an empty text once it is done.

Reads the screens show are not made here: the unit model's loader reads on its own thread
when a change record names them (``model.loader``).
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar, cast

from PySide6.QtCore import (
    QAbstractEventDispatcher,
    QCoreApplication,
    QEventLoop,
    QObject,
    QTimer,
    Signal,
)

from infusion_monitor.errors import UserError

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S")
log = logging.getLogger(__name__)

#: A call that has waited this long is shown as busy ("Saving — database busy").
BUSY_AFTER_MS = 300
#: The wait looks at its call this often even when no report of it arrives.
CHECK_MS = 50
#: A call not started after this long (beyond any busy wait of the call before it) never will be.
STALLED_AFTER_S = 60.0
#: The message of a call the database thread never started.
STALLED_TEXT = (
    "Not done: the database did not take this up within a minute, so nothing was saved. "
    "Try again; if it happens again, restart Infusion Monitor."
)
#: The message of a call withdrawn because the window closed before it started.
CLOSING_TEXT = "Not done: Infusion Monitor is closing, so nothing was saved."
#: Shown while a call waits on a busy database.
BUSY_TEXT = (
    "Saving — database busy: another program holds it. Waiting; nothing shows as saved "
    "until it is stored."
)


class _Call:
    """One queued call and the future its caller waits on."""

    def __init__(self, run: Callable[[], Any], wake: Callable[[], None]) -> None:
        self.run = run
        self.wake = wake
        self.future: Future[Any] = Future()

    def __call__(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return  # withdrawn before it started
        try:
            result = self.run()
        except BaseException as exc:  # the caller gets every error; the thread goes on
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)
        self.wake()


class DatabaseWorker(QObject):
    """One database thread with a queue, and the GUI thread's way of waiting for it."""

    #: ``BUSY_TEXT`` while a call waits longer than ``BUSY_AFTER_MS``; "" once it is done.
    busy_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gui_thread = threading.get_ident()
        # The GUI thread's event dispatcher, woken (thread-safely) when a call is done: no Qt
        # object is made, emitted on or dropped on the database thread, so none can be deleted
        # from the wrong thread or after its window.
        dispatcher = QAbstractEventDispatcher.instance()
        assert dispatcher is not None, "made on a thread with a Qt event loop"
        self._wake = dispatcher.wakeUp
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._closed = False
        # A daemon: a window left open never keeps the process alive; what was not committed
        # when the process ends is rolled back by the database, never shown as saved.
        self._thread = threading.Thread(target=self._serve, name="database", daemon=True)
        self._thread.start()
        self._waiting = 0
        self._announced = False

    def call(self, run: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``run`` on the database thread and return its result (or raise its error).

        On the GUI thread this waits, running the GUI's events; on any other thread (the
        database thread itself, a report's reader thread) it runs at once where it is.
        """
        if threading.get_ident() != self._gui_thread:
            return run(*args, **kwargs)
        if self._closed:
            raise RuntimeError("the window's database thread is closed")
        queued = _Call(functools.partial(run, *args, **kwargs), self._wake)
        self._queue.put(queued)
        self._wait(queued.future)
        if queued.future.cancelled():  # withdrawn while the window closed
            raise UserError(CLOSING_TEXT)
        return cast(T, queued.future.result())

    def serve(self, service: S) -> S:
        """``service`` as seen from the GUI: every public method runs on the database thread."""
        return cast(S, _Served(self, service))

    def close(self, *, wait: bool = False) -> None:
        """Refuse new calls and withdraw the queued ones; the call under way finishes on its
        thread (``wait``: before this returns)."""
        self._closed = True
        self._queue.put(None)
        if wait:
            self._thread.join()

    def _serve(self) -> None:
        while (queued := self._queue.get()) is not None:
            if self._closed:
                queued.future.cancel()
            else:
                queued()
        while not self._queue.empty():  # calls queued behind the close: withdrawn
            if (late := self._queue.get()) is not None:
                late.future.cancel()

    def _wait(self, future: Future[Any]) -> None:
        """Run the GUI's events (not the user's input) until ``future`` is done.

        The future is looked at after every turn of the event loop, whatever event ended the
        turn: the database thread's wake-up, the ``CHECK_MS`` timer, or anything else. A wait
        never relies on one particular event arriving.
        """
        if future.done():
            return
        check = QTimer()  # a turn at least this often, whatever else happens
        check.start(CHECK_MS)
        busy = QTimer()
        busy.setSingleShot(True)
        busy.timeout.connect(self._announce)
        busy.start(BUSY_AFTER_MS)
        self._waiting += 1
        queued_at = time.monotonic()
        flags = (
            QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
            | QEventLoop.ProcessEventsFlag.WaitForMoreEvents
        )
        try:
            while not future.done():
                # cancel() withdraws only a call not yet started; a started one is waited for.
                stalled = time.monotonic() - queued_at > STALLED_AFTER_S
                if (stalled or not self._thread.is_alive()) and future.cancel():
                    log.error("A database call was never started; withdrawn")
                    raise UserError(STALLED_TEXT)
                QCoreApplication.processEvents(flags)
        finally:
            self._waiting -= 1
            check.stop()
            busy.stop()
            if self._waiting == 0 and self._announced:
                self._announced = False
                self.busy_changed.emit("")

    def _announce(self) -> None:
        if not self._announced:
            self._announced = True
            self.busy_changed.emit(BUSY_TEXT)


class _Served:
    """A service whose public methods run on the worker's database thread."""

    def __init__(self, worker: DatabaseWorker, service: object) -> None:
        self.worker = worker
        self.service = service

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.service, name)
        if name.startswith("_") or not callable(value):
            return value
        return functools.partial(self.worker.call, value)
