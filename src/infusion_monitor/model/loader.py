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
from infusion_monitor.model.unit import NOTHING_READ, Fresh, Wanted

log = logging.getLogger(__name__)

Read = Callable[[Changes, Wanted], Fresh]
#: Gets the record, what was read for it, the largest tag of the records merged into it and
#: how many submitted records it answers.
Deliver = Callable[[Changes, Fresh, int, int], None]


class UnitLoader:
    """A daemon thread with a queue: ``submit`` a record, ``deliver`` gets what was read."""

    def __init__(self, read: Read, deliver: Deliver) -> None:
        self._read = read
        self._deliver = deliver
        self._queue: queue.SimpleQueue[tuple[Changes, Wanted, int] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="unit-loader", daemon=True)
        self._started = False

    def start(self) -> None:
        """Start the thread (once)."""
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, changes: Changes, wanted: Wanted, tag: int = 0) -> bool:
        """Queue a record to re-read (any thread; never blocks); False when there is nothing
        to read. ``tag`` comes back with what was read: the read started after the record
        with the largest tag was queued."""
        if changes.empty and not wanted.unit_board:
            return False
        self._queue.put((changes, wanted, tag))
        return True

    @property
    def running(self) -> bool:
        """Whether the thread still runs (started, and not ended by ``close``)."""
        return self._thread.is_alive()

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
            changes, wanted, tag = item
            count = 1
            while True:  # merge what queued meanwhile
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    return
                changes, wanted, tag = changes | more[0], more[1], max(tag, more[2])
                count += 1
            try:
                fresh = self._read(changes, wanted)
            except Exception:
                # A failed read (database gone, locked too long) shows nothing new; the next
                # record reads again. Logged, never silent.
                log.exception("re-reading %s failed", changes.to_json())
                fresh = NOTHING_READ
            try:
                self._deliver(changes, fresh, tag, count)
            except RuntimeError:  # the receiving side is gone: the window closed
                log.debug("nobody to deliver %s to", changes.to_json())
                return
