"""The loader: re-reads what change records name on its own thread, one record at a time.

Records queue up; whatever queued while a read ran is merged into one (many commits since the
last look are one change to show). A record is read in parts, the most urgent first (an alert
before the chairs and the plot): each part goes to ``deliver`` on the loader's thread as soon as
it is read, and the ui adapter hands it to the GUI thread, where the model applies it.

An alarm never waits behind a read: when a record naming an alert (and not the board) queues
while a read runs, the read stops at its next step (``Stop``) unless it is reading alarms
itself, and its record is read again merged with the newer one, alarm first. What the stopped
read had already handed on stays shown; what it had not is read again. A record (with those
merged into it) is stopped :data:`MAX_STOPS` times at most, so a stream of alarms never
starves the chairs' reads.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.unit import NOTHING_READ, Fresh, Wanted

log = logging.getLogger(__name__)

#: How many times the read of a record may be stopped for newer alarms. A nurse's answer to an
#: alert, say a resolution and the set that follows it, comes back as records that name alerts
#: too: each may stop the read before it, and the monitor's alarm behind them still stops the
#: last one.
MAX_STOPS = 3

#: Asked between the steps of a read: True when the read should stop (an alarm waits).
Stop = Callable[[], bool]
#: Reads a record in parts: (the record a part answers, what was read for it); the last part
#: answers the whole record (``UnitReads.read``). A read that ``Stop`` stopped ends early.
Read = Callable[[Changes, Wanted, Stop], Iterable[tuple[Changes, Fresh]]]
#: Gets the record a part answers, what was read for it, the largest tag of the records merged
#: into it and how many submitted records it answers (0 for a part before the last).
Deliver = Callable[[Changes, Fresh, int, int], None]


@dataclass(frozen=True)
class _Record:
    """Submitted records merged: what they name, the newest ``Wanted``, the largest tag, how
    many they are, and how many times a read of them was stopped."""

    changes: Changes
    wanted: Wanted
    tag: int
    count: int = 1
    stops: int = 0

    def __or__(self, newer: _Record) -> _Record:
        return _Record(
            self.changes | newer.changes,
            newer.wanted,
            max(self.tag, newer.tag),
            self.count + newer.count,
            max(self.stops, newer.stops),
        )


class UnitLoader:
    """A daemon thread with a queue: ``submit`` a record, ``deliver`` gets what was read."""

    def __init__(self, read: Read, deliver: Deliver) -> None:
        self._read = read
        self._deliver = deliver
        self._queue: queue.SimpleQueue[_Record | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="unit-loader", daemon=True)
        self._started = False
        #: Records taken from the queue while a read ran, to read next (loader's thread only).
        self._waiting: _Record | None = None
        #: ``close`` was asked for (its end marker was taken from the queue).
        self._closing = False

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
        self._queue.put(_Record(changes, wanted, tag))
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
        while True:  # ends at the close, or once nobody receives
            if self._waiting is None:
                self._merge(self._queue.get())
            self._take_queued()  # merge what queued meanwhile
            record, self._waiting = self._waiting, None
            if self._closing or record is None or not self._read_parts(record):
                return

    def _merge(self, item: _Record | None) -> None:
        if item is None:
            self._closing = True
        else:  # (nothing is taken from the queue after its end)
            self._waiting = item if self._waiting is None else self._waiting | item

    def _take_queued(self) -> None:
        """Merge every record queued now into the waiting one."""
        while not self._closing:
            try:
                self._merge(self._queue.get_nowait())
            except queue.Empty:
                return

    def _alarm_waits(self, record: _Record) -> bool:
        """Whether a read of ``record`` should stop: a newer record names an alert, to be read
        alarm first (not a board record: that one is read whole anyway), or the loader is
        closing; never for a record stopped ``MAX_STOPS`` times already."""
        if record.stops >= MAX_STOPS:
            return False
        self._take_queued()
        waiting = self._waiting
        alarm = waiting is not None and bool(waiting.changes.alerts) and not waiting.changes.board
        return self._closing or alarm

    def _read_parts(self, record: _Record) -> bool:
        """Read ``record`` and deliver each part as it is read; False once nobody receives."""
        changes = record.changes
        parts: Iterator[tuple[Changes, Fresh]] | None = None
        while True:
            try:
                parts = parts or iter(
                    self._read(changes, record.wanted, lambda: self._alarm_waits(record))
                )
                part, fresh = next(parts, (None, NOTHING_READ))
            except Exception:
                # A failed read (database gone, locked too long) shows nothing new; the next
                # record reads again. Logged, never silent.
                log.exception("re-reading %s failed", changes.to_json())
                part, fresh = changes, NOTHING_READ
            if self._closing:
                return False
            if part is None:  # stopped for an alarm: read again, merged with it
                if self._waiting is not None and record.stops < MAX_STOPS:
                    self._waiting = replace(record, stops=record.stops + 1) | self._waiting
                    return True
                part = changes  # (a read that ended without its last part: nothing new)
            last = part == changes
            try:
                self._deliver(part, fresh, record.tag, record.count if last else 0)
            except RuntimeError:  # the receiving side is gone: the window closed
                log.debug("nobody to deliver %s to", changes.to_json())
                return False
            if last:
                return True
