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
    app answers a nurse), it also prints ``ready SECONDS`` when that came; with ``complete`` (the
    hidden parts built too), ``complete SECONDS``; it quits after the last line. ``watcher``
    shares a :class:`FirstPaintWatcher` (the reporter connects first, so its line is printed
    before anything else waiting on the first paint runs).
    """

    def __init__(
        self,
        window: QWidget,
        elapsed_s: Callable[[], float],
        *,
        ready: SignalInstance | None = None,
        complete: SignalInstance | None = None,
        watcher: FirstPaintWatcher | None = None,
    ) -> None:
        super().__init__(window)
        self._elapsed_s = elapsed_s
        #: The lines still awaited after the first paint, and their seconds once they came.
        awaited = (("ready", ready), ("complete", complete))
        self._awaited = [name for name, signal in awaited if signal is not None]
        self._came: dict[str, float] = {}
        self._painted = False
        (watcher or FirstPaintWatcher(window)).painted.connect(self._on_painted)
        if ready is not None:
            ready.connect(lambda: self._on_came("ready"))
        if complete is not None:
            complete.connect(lambda: self._on_came("complete"))

    def _on_painted(self) -> None:
        print(f"first-paint {self._elapsed_s():.3f}", flush=True)
        self._painted = True
        self._finish()

    def _on_came(self, name: str) -> None:
        self._came.setdefault(name, self._elapsed_s())
        self._finish()

    def _finish(self) -> None:
        if not self._painted or any(name not in self._came for name in self._awaited):
            return
        for name in self._awaited:
            print(f"{name} {self._came[name]:.3f}", flush=True)
        QCoreApplication.exit(0)  # not quit(): no window is asked (running infusions would)
