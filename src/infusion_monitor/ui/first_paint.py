"""The main window's first paint: a signal for what waits on it, and ``--quit-after-start``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QWidget


class FirstPaintWatcher(QObject):
    """Emits ``painted`` once a window has painted for the first time.

    A window's frame may not paint itself (a plain ``QMainWindow`` leaves it to its children), so
    the watcher looks at paint events of any widget in the window, application-wide, and stops
    watching after the first. ``painted`` is emitted when control is back in the event loop,
    i.e. after the whole first frame has been painted.
    """

    painted = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("FirstPaintWatcher needs a QApplication")
        self._app: QCoreApplication = app
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the first paint inside the window, schedule ``painted``."""
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, self.painted.emit)
        return False


class FirstPaintReporter(QObject):
    """Prints ``first-paint SECONDS`` once a window has painted for the first time, then quits.

    ``elapsed_s`` tells seconds since process start. With ``ready`` (a signal emitted once the
    window is fully built), it also prints ``ready SECONDS`` when that came, and quits after both
    lines. ``watcher`` shares a :class:`FirstPaintWatcher` (the reporter connects first, so its
    line is printed before anything else waiting on the first paint runs).
    """

    def __init__(
        self,
        window: QWidget,
        elapsed_s: Callable[[], float],
        *,
        ready: SignalInstance | None = None,
        watcher: FirstPaintWatcher | None = None,
    ) -> None:
        super().__init__(window)
        self._elapsed_s = elapsed_s
        self._wait_for_ready = ready is not None
        self._painted = False
        self._ready_s: float | None = None
        (watcher or FirstPaintWatcher(window)).painted.connect(self._on_painted)
        if ready is not None:
            ready.connect(self._on_ready)

    def _on_painted(self) -> None:
        print(f"first-paint {self._elapsed_s():.3f}", flush=True)
        self._painted = True
        self._finish()

    def _on_ready(self) -> None:
        if self._ready_s is None:
            self._ready_s = self._elapsed_s()
        self._finish()

    def _finish(self) -> None:
        if not self._painted:
            return
        if self._wait_for_ready:
            if self._ready_s is None:
                return
            print(f"ready {self._ready_s:.3f}", flush=True)
        QCoreApplication.exit(0)  # not quit(): no window is asked (running infusions would)
