"""The thin Qt adapter of the unit model: change records in, the model applied on the GUI thread.

Records come from two places and take one path. A local use case's outcome is applied at once
with what the outcome carries (:meth:`ModelBridge.publish`), then what it names is re-read off
the GUI thread; a commit from elsewhere arrives from the change feed's thread
(:meth:`ModelBridge.submit`) and is only re-read. The loader's results cross to the GUI thread
through a queued signal, so the model (and every widget mirroring it) is touched on one thread.

A read that started before a local outcome was applied may predate that outcome's commit: it is
read again rather than applied, so a screen never steps back to what was there before.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.loader import Read, UnitLoader
from infusion_monitor.model.unit import NOTHING_READ, Fresh, UnitModel


class _Relay(QObject):
    """Carries what the feed's and the loader's threads deliver to the bridge.

    Owned by Python (no parent), never by a window: a thread that finishes after the window,
    and the bridge with it, was deleted still emits on a live object, and Qt drops the call to
    the deleted bridge (an emit on the deleted bridge itself would crash the app). Deleted by
    :meth:`ModelBridge.close` on the GUI thread once the loader's thread has ended.
    """

    #: The feed queued a record for the loader (counted on the GUI thread: ``settled``).
    arrived = Signal()
    #: The loader read (part of) what records name (``Changes``, ``Fresh``, the read's tag,
    #: how many records it answers: 0 for a first part, e.g. an alert read before the rest).
    loaded = Signal(object, object, int, int)


class ModelBridge(QObject):
    """Feeds the unit model: applies outcomes at once, re-reads records on the loader."""

    def __init__(self, model: UnitModel, read: Read, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        relay = self._relay = _Relay()
        relay.arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)
        relay.loaded.connect(self._on_loaded, Qt.ConnectionType.QueuedConnection)

        def deliver(changes: Changes, fresh: Fresh, tag: int, count: int) -> None:
            relay.loaded.emit(changes, fresh, tag, count)

        self._loader = UnitLoader(read, deliver)
        #: How many local outcomes were applied (a read tagged with fewer may predate one).
        self._applied = 0
        #: Records queued for the loader and not yet applied.
        self._pending = 0
        self._loader.start()

    def submit(self, changes: Changes) -> None:
        """A commit made anywhere (called on any thread, e.g. the change feed's): queued for
        the loader at once. What the model is asked here (``expand``, ``wanted``) reads
        attributes the GUI thread only ever replaces whole, so any thread may ask."""
        if self._queue(changes):
            self._relay.arrived.emit()

    def publish(self, changes: Changes, fresh: Fresh = NOTHING_READ) -> None:
        """A local outcome (GUI thread): apply what it carries now, re-read the rest."""
        self._applied += 1
        self.model.apply(changes, fresh)
        self.reread(changes)

    def reread(self, changes: Changes) -> None:
        """Queue a re-read of what ``changes`` names (GUI thread)."""
        if self._queue(changes):
            self._pending += 1

    def _queue(self, changes: Changes) -> bool:
        return self._loader.submit(self.model.expand(changes), self.model.wanted, self._applied)

    @property
    def settled(self) -> bool:
        """Whether every record queued so far was read and applied."""
        return self._pending == 0

    def close(self) -> None:
        """Stop the loader; then delete the relay here, on the GUI thread, once its thread has
        ended. Left to Python, the relay (a QObject without a parent) would be deleted wherever
        its last reference went, maybe on another thread's garbage collection, and Qt objects
        must be deleted on their own thread."""
        self._loader.close()
        if not self._loader.running and shiboken6.isValid(self._relay):
            shiboken6.delete(self._relay)

    def _on_arrived(self) -> None:
        # Posted as the record is queued, a read earlier than its answer; should the answer
        # still come first, the count dips below zero for a moment: "not settled", as it is.
        self._pending += 1

    def _on_loaded(self, changes: Changes, fresh: Fresh, tag: int, count: int) -> None:
        self._pending -= count
        if fresh is NOTHING_READ:  # the read failed (logged): nothing to show
            return
        if tag < self._applied:  # may predate a local outcome shown since: read again
            if count:  # (a first part is read again with the rest of its record)
                self.reread(changes)
            return
        self.model.apply(changes, fresh)
