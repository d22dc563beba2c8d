"""The loader: re-reads what change records name on its own thread, one record at a time.

Records queue up; whatever queued while a read ran is merged into one (many commits since the
last look are one change to show). The result goes to ``deliver`` on the loader's thread: the
ui adapter hands it to the GUI thread, where the model applies it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.unit import Fresh, Wanted

log = logging.getLogger(__name__)

Read = Callable[[Changes, Wanted], Fresh]
Deliver = Callable[[Changes, Fresh], None]


class UnitLoader:
    """A daemon thread with a queue: ``submit`` a record, ``deliver`` gets what was read."""

    def __init__(self, read: Read, deliver: Deliver) -> None:
        self._read = read
        self._deliver = deliver
        self._queue: queue.SimpleQueue[tuple[Changes, Wanted] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="unit-loader", daemon=True)
        self._started = False

    def start(self) -> None:
        """Start the thread (once)."""
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, changes: Changes, wanted: Wanted) -> None:
        """Queue a record to re-read (any thread; never blocks)."""
        if not changes.empty or wanted.unit_board:
            self._queue.put((changes, wanted))

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop after the read under way (a read never outlives the app for long)."""
        self._queue.put(None)
        if self._started:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            changes, wanted = item
            while True:  # merge what queued meanwhile
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    return
                changes, wanted = changes | more[0], more[1]
            try:
                self._deliver(changes, self._read(changes, wanted))
            except Exception:
                # A failed read (database gone, locked too long) shows nothing new; the next
                # record reads again. Logged, never silent.
                log.exception("re-reading %s failed", changes.to_json())
