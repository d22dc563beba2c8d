"""``--quit-after-start``: report when the main window first painted, then quit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaintReporter(QObject):
    """Watches a window for its first paint, prints ``first-paint SECONDS`` and quits the app.

    ``elapsed_s`` tells the seconds since the process started.
    """

    def __init__(self, window: QWidget, elapsed_s: Callable[[], float]) -> None:
        super().__init__(window)
        self._window = window
        self._elapsed_s = elapsed_s
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the window's first paint event, print the figure and schedule the quit."""
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            print(f"first-paint {self._elapsed_s():.3f}", flush=True)
            QTimer.singleShot(0, QCoreApplication.quit)
        return False
