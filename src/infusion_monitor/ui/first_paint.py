"""``--quit-after-start``: report when the main window first painted, then quit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaintReporter(QObject):
    """Prints ``first-paint SECONDS`` once a window has painted for the first time, then quits.

    A window's frame may not paint itself (a plain ``QMainWindow`` leaves it to its children), so
    the reporter watches paint events of any widget in the window, application-wide, and stops
    watching after the first. The line is printed when control is back in the event loop, i.e.
    after the whole first frame has been painted. ``elapsed_s`` tells seconds since process start.
    """

    def __init__(self, window: QWidget, elapsed_s: Callable[[], float]) -> None:
        super().__init__(window)
        self._window = window
        self._elapsed_s = elapsed_s
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("FirstPaintReporter needs a QApplication")
        self._app: QCoreApplication = app
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the first paint inside the window, schedule the report."""
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"first-paint {self._elapsed_s():.3f}", flush=True)
        QCoreApplication.quit()
