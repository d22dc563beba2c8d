"""The loader: re-reads what change records name on its own thread, one record at a time.

Records queue up; whatever queued while a read ran is merged into one (many commits since the
last look are one change to show). A record is read in parts, the most urgent first (an alert
before the chairs and the plot): each part goes to ``deliver`` on the loader's thread as soon as
it is read, and the ui adapter hands it to the GUI thread, where the model applies it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.unit import NOTHING_READ, Fresh, Wanted

log = logging.getLogger(__name__)

#: Reads a record in parts: (the record a part answers, what was read for it); the last part
#: answers the whole record (``UnitReads.read``).
Read = Callable[[Changes, Wanted], Iterable[tuple[Changes, Fresh]]]
#: Gets the record a part answers, what was read for it, the largest tag of the records merged
#: into it and how many submitted records it answers (0 for a part before the last).
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
            if not self._read_parts(changes, wanted, tag, count):
                return

    def _read_parts(self, changes: Changes, wanted: Wanted, tag: int, count: int) -> bool:
        """Read ``changes`` and deliver each part as it is read; False once nobody receives."""
        parts: Iterator[tuple[Changes, Fresh]] | None = None
        while True:
            try:
                parts = parts or iter(self._read(changes, wanted))
                part, fresh = next(parts, (changes, NOTHING_READ))
            except Exception:
                # A failed read (database gone, locked too long) shows nothing new; the next
                # record reads again. Logged, never silent.
                log.exception("re-reading %s failed", changes.to_json())
                part, fresh = changes, NOTHING_READ
            last = part == changes
            try:
                self._deliver(part, fresh, tag, count if last else 0)
            except RuntimeError:  # the receiving side is gone: the window closed
                log.debug("nobody to deliver %s to", changes.to_json())
                return False
            if last:
                return True
