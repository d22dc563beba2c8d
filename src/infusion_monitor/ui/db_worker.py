"""Every database call of the window runs on one database thread, never on the GUI thread.

The composition root hands widgets and controllers their services through
:meth:`DatabaseWorker.serve`: each method call is queued to the worker's single thread (one
thread, one queue: calls run in the order they were made, so a save and the reads that follow it
never overtake each other). The widget-level API stays as it was: a call returns its result,
but while it waits the GUI thread runs a local event loop, so timers tick, alarms flash and sound
and the window repaints. The keys and clicks typed meanwhile are held (Qt's
``ExcludeUserInputEvents``) and delivered once the call returns: a second Enter cannot save the
same entry twice, nor start another action half-way through the first.

The wait ends when the database thread reports the call done, and the wait also looks at the call
every ``CHECK_MS`` on its own, so a report lost on its way cannot hold the window. A call the
database thread has not even started after ``STALLED_AFTER_S`` never will: it is withdrawn and
fails with a message, nothing saved, rather than holding the window for ever.

A call that waits longer than ``BUSY_AFTER_MS`` (a database write-locked by another program)
announces itself through :attr:`DatabaseWorker.busy_changed` (the status bar and the form
saving show "Saving — database busy"), and again with an empty text once it is done.

Reads the screens show are not made here: the unit model's loader reads on its own thread
when a change record names them (``model.loader``).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar, cast

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal

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
#: The message of a call withdrawn because the window closed (and its database thread with it)
#: while the call waited.
CLOSED_TEXT = "Not done: Infusion Monitor was closing, so nothing was saved."
#: Shown while a call waits on a busy database.
BUSY_TEXT = (
    "Saving — database busy: another program holds it. Waiting; nothing shows as saved "
    "until it is stored."
)


class _Relay(QObject):
    """Carries a finished call from the database thread to the GUI thread's event loop.

    Made for each call and kept alive by the call itself: the database thread never emits on
    an object a closed window may already have deleted.
    """

    done = Signal()


class DatabaseWorker(QObject):
    """One database thread with a queue, and the GUI thread's way of waiting for it."""

    #: ``BUSY_TEXT`` while a call waits longer than ``BUSY_AFTER_MS``; "" once it is done.
    busy_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gui_thread = threading.get_ident()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")
        self._waiting = 0
        self._announced = False

    def call(self, run: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``run`` on the database thread and return its result (or raise its error).

        On the GUI thread this waits in a local event loop; on any other thread (the database
        thread itself, a report's reader thread) it runs at once where it is.
        """
        if threading.get_ident() != self._gui_thread:
            return run(*args, **kwargs)
        future = self._pool.submit(run, *args, **kwargs)
        self._wait(future)
        if future.cancelled():  # the window closed while the call waited: close() withdrew it
            raise UserError(CLOSED_TEXT)
        return future.result()

    def serve(self, service: S) -> S:
        """``service`` as seen from the GUI: every public method runs on the database thread."""
        return cast(S, _Served(self, service))

    def close(self, *, wait: bool = False) -> None:
        """Refuse new calls and drop the queued ones; the call under way finishes on its thread
        (``wait``: before this returns)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _wait(self, future: Future[Any]) -> None:
        if future.done():
            return
        loop = QEventLoop()
        relay = _Relay()
        relay.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
        future.add_done_callback(lambda _future: relay.done.emit())
        check = QTimer()
        check.timeout.connect(loop.quit)
        check.start(CHECK_MS)
        busy = QTimer()
        busy.setSingleShot(True)
        busy.timeout.connect(self._announce)
        busy.start(BUSY_AFTER_MS)
        self._waiting += 1
        queued_at = time.monotonic()
        try:
            while not future.done():
                # cancel() withdraws only a call not yet started; a started one is waited for.
                if time.monotonic() - queued_at > STALLED_AFTER_S and future.cancel():
                    log.error("A database call was never started; withdrawn")
                    raise UserError(STALLED_TEXT)
                loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
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
