"""The second phase of building the main window: the parts the locked first screen does not show.

The composition root (``app.py``) builds what the first screen shows, hands the rest to a
``DeferredBuild`` as steps, and starts it once the window has painted. The steps run in one go,
in the order added, a moment after the first frame: long before anyone can sign in and select a
chair. ``ready`` says the window is complete. ``finish()`` runs the steps at once (and is safe
to call again), for callers that need the whole window now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

#: Build the rest anyway after this long, should the window never paint (e.g. started hidden).
FALLBACK_MS = 2000


class DeferredBuild(QObject):
    """Steps that complete the window after its first paint; ``ready`` once they all ran."""

    ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: list[Callable[[], None]] = []
        self.done = False

    def add(self, step: Callable[[], None]) -> None:
        """Run ``step`` in the second phase (at once if that has already run)."""
        if self.done:
            step()
            return
        self._steps.append(step)

    def start(self) -> None:
        """Run the steps as soon as the event loop is free (call it from the first paint)."""
        QTimer.singleShot(0, self.finish)

    def start_fallback(self) -> None:
        """Run the steps after ``FALLBACK_MS`` if nothing started them by then."""
        QTimer.singleShot(FALLBACK_MS, self.finish)

    def finish(self) -> None:
        """Run every step not run yet, then emit ``ready`` (once)."""
        if self.done:
            return
        while self._steps:
            self._steps.pop(0)()
        self.done = True
        log.debug("window fully built")
        self.ready.emit()
