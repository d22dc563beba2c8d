"""Python's cyclic garbage collection runs on the GUI thread only.

The database worker, the model's loader and the change feed run Python on their own threads, and
CPython runs a cyclic collection on whichever thread happens to allocate past the threshold. A
window or dialog no longer referenced (closed, in a reference cycle with its slots) would then be
found there; PySide defers the deletion of its Qt object to the GUI thread, where it runs inside
whatever Python code the GUI thread runs next, even an event filter, and the widget's own
destruction events re-enter the same deferred deletion: full runs of the test suite hung at
100 % CPU there (``Shiboken::BindingManager::runDeletionInMainThread`` under
``QWidget::~QWidget`` under an application event filter).

So automatic collection is switched off and a GUI-thread timer collects, generation by
generation, when CPython's own thresholds say it would have: the same amount of collecting, at a
known place. (pyqtgraph documents the same remedy as its ``GarbageCollector``.)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts.
COLLECT_EVERY_MS = 500


class MainThreadCollector(QObject):
    """Owns the collection from its making; automatic collection is back only by ``stop``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(COLLECT_EVERY_MS)

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; what was freed."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        due = [gen for gen in (2, 1, 0) if counts[gen] > thresholds[gen]]
        return gc.collect(due[0]) if due else 0

    def stop(self) -> None:
        """Hand collection back to CPython (automatic again)."""
        self._timer.stop()
        gc.enable()
