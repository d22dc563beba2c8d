"""The second phase of building the main window: the parts the locked first screen does not show.

The composition root (``app.py``) builds what the first screen shows, hands the rest to a
``DeferredBuild`` and starts it once the window has painted. The rest comes in two kinds:

- steps (``add``): what makes the app answer a nurse (the database, the services, sign-in, the
  change feed, the alarm sound, the vitals prompt bar). They run in one go, in the order added,
  a moment after the first frame. A step may also ``hold`` ready until something it started
  arrives (the unit model's first read: until then nobody knows which vitals are due).
  ``ready`` is emitted once the steps ran and every hold was released.
- hidden parts (``add_later``): what only a signed-in nurse sees (the session view's care tabs,
  trend plot and vitals entry, the Review menu). They are built right after ``ready``;
  ``complete`` then.

``finish()`` runs the steps and the hidden parts at once (and is safe to call again), for a
sign-in that came first and for callers that need the whole window now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from infusion_monitor.errors import UserError

log = logging.getLogger(__name__)

#: Build the rest anyway after this long, should the window never paint (e.g. started hidden).
FALLBACK_MS = 2000
#: Said to a caller of ``finish`` while a step waits for the database to open.
UNDER_WAY_TEXT = (
    "Still opening the database (another program may be holding it). Try again in a moment."
)


class DeferredBuild(QObject):
    """Steps that complete the window after its first paint; ``ready`` once they all ran and
    nothing holds it, ``complete`` once the hidden parts were built too."""

    ready = Signal()
    complete = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: list[Callable[[], None]] = []
        self._later: list[Callable[[], None]] = []
        self._holds = 0
        self._running = False
        #: The steps ran.
        self.done = False
        #: ``ready`` was emitted.
        self.is_ready = False
        #: The hidden parts were built too.
        self.is_complete = False

    def add(self, step: Callable[[], None]) -> None:
        """Run ``step`` in the second phase (at once if that has already run)."""
        if self.done:
            step()
            return
        self._steps.append(step)

    def add_later(self, part: Callable[[], None]) -> None:
        """Build ``part`` right after ``ready`` (at once if the window is complete)."""
        if self.is_complete:
            part()
            return
        self._later.append(part)

    def hold(self) -> Callable[[], None]:
        """Keep ``ready`` back until the returned function is called (more calls: harmless)."""
        self._holds += 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._holds -= 1
            self._ready_if_done()

        return release

    def start(self) -> None:
        """Run the steps as soon as the event loop is free (call it from the first paint)."""
        QTimer.singleShot(0, self._run_steps)

    def start_fallback(self) -> None:
        """Run the steps after ``FALLBACK_MS`` if nothing started them by then."""
        QTimer.singleShot(FALLBACK_MS, self._run_steps)

    def finish(self) -> None:
        """Run every step and build every hidden part not built yet.

        Raises ``UserError`` when called while a step waits (the database opening): what
        called it (a sign-in) comes back in a moment rather than finding half a window.
        """
        if self._running:
            raise UserError(UNDER_WAY_TEXT)
        self._run_steps()
        self._build_later()

    def _run_steps(self) -> None:
        # A step that waits for the database runs the event loop meanwhile: a timer that asks
        # for the steps then (the fallback) finds them under way and leaves them to it.
        if self.done or self._running:
            return
        self._running = True
        try:
            while self._steps:
                self._steps.pop(0)()
        finally:
            self._running = False
        self.done = True
        self._ready_if_done()

    def _ready_if_done(self) -> None:
        if not self.done or self._holds or self.is_ready:
            return
        self.is_ready = True
        log.debug("window ready")
        self.ready.emit()
        QTimer.singleShot(0, self._build_later)

    def _build_later(self) -> None:
        if self.is_complete:
            return
        while self._later:
            self._later.pop(0)()
        self.is_complete = True
        log.debug("window fully built")
        self.complete.emit()
