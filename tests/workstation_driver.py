"""One workstation's GUI in its own process, driven through its widgets by commands on stdin.

    python tests/workstation_driver.py --db URL --data-dir DIR

Runs the app exactly as ``infusion-monitor --db URL --data-dir DIR`` does (the command line's
``main``: composition root, crash hooks, deferred build, event loop), offscreen, and once the
main window is up (its services attached) reads one JSON command per line from stdin and
answers each with one JSON line on stdout (``{"reply": CMD, "ok": true, ...}`` or
``{"reply": CMD, "ok": false, "error": ...}``). Every action goes through the real widgets,
as a nurse would click and type:

- ``{"cmd": "sign_in", "staff_id": ..., "pin": ...}``: the sign-in panel.
- ``{"cmd": "switch_user"}``: Staff ▸ Switch user (locks; says whether a unit board is still
  open: it should have closed with the lock).
- ``{"cmd": "start_session", "chair": ..., "name": ..., "mrn": ...}``: click the chair's tile,
  "Set up a session", fill the set-up form, save, then Start in the session view. The reply
  carries ``committed_at``: ``time.monotonic()`` as the start's transaction committed (an
  ``after_commit`` listener on every ORM session; ``clicked_at``: just before the click on Start).
- ``{"cmd": "open_unit_board"}``: View ▸ Unit board.
- ``{"cmd": "watch", "chair": ..., "patient": ..., "state": ...}``: from now on, look at the
  unit board's table every ``WATCH_MS``; the first time a row shows that chair in that state with
  the patient column starting with ``patient``, print ``{"event": "board_shows", "chair": ...,
  "at": MONOTONIC}``.
- ``{"cmd": "board"}``: the unit board's rows as shown now.
- End of stdin (the test is done, or went away): close the window and exit.

``time.monotonic()`` is the system-wide monotonic clock, so the test compares the times of the
two processes directly. The first line printed is ``{"event": "ready"}``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from infusion_monitor import cli
from infusion_monitor.domain.session import SessionState
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.unit_board import UnitBoardWindow

#: How often an active watch looks at the unit board's table (adds at most this to a latency).
WATCH_MS = 10
#: The set-up the driver types for every session: an infliximab infusion, normal baseline.
PROTOCOL = "infliximab"
DOSE, RATE, DURATION_MIN = 350.0, 125.0, 120
BASELINE = ("78", "132", "84", "16", "97", "36.8")

Command = dict[str, Any]


def emit(message: dict[str, Any]) -> None:
    """One JSON line on stdout."""
    print(json.dumps(message), flush=True)


class StdinReader(QObject):
    """Reads stdin on a thread; hands each line to the GUI thread (queued signal)."""

    line = Signal(str)
    closed = Signal()

    def start(self) -> None:
        """Start reading."""
        threading.Thread(target=self._read, name="stdin", daemon=True).start()

    def _read(self) -> None:
        for text in sys.stdin:
            if text.strip():
                self.line.emit(text)
        self.closed.emit()


class Driver(QObject):
    """Finds the app's main window, then runs the commands against its widgets."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._window: MainWindow | None = None
        self._watches: list[Command] = []
        self._commits: list[float] = []
        event.listen(OrmSession, "after_commit", self._on_orm_commit)
        self._reader = StdinReader(self)
        self._reader.line.connect(self._on_reader_line)
        self._reader.closed.connect(self._on_reader_closed)
        self._finder = QTimer(self)
        self._finder.setInterval(50)
        self._finder.timeout.connect(self._on_finder_timeout)
        self._finder.start()
        self._watcher = QTimer(self)
        self._watcher.setInterval(WATCH_MS)
        self._watcher.timeout.connect(self._on_watcher_timeout)
        self._commands: dict[str, Callable[[Command], dict[str, Any]]] = {
            "sign_in": self._sign_in,
            "switch_user": self._switch_user,
            "start_session": self._start_session,
            "open_unit_board": self._open_unit_board,
            "watch": self._watch,
            "board": lambda _command: {"rows": self._board_rows()},
        }

    @property
    def window(self) -> MainWindow:
        """The app's main window."""
        assert self._window is not None
        return self._window

    def _on_finder_timeout(self) -> None:
        found = [w for w in self._app.topLevelWidgets() if isinstance(w, MainWindow)]
        # Commands come as events, not typed keys: they wait, as a nurse's keys are held while
        # the database opens, until the services are attached.
        if found and found[0].isVisible() and found[0].controller is not None:
            self._finder.stop()
            self._window = found[0]
            emit({"event": "ready"})
            self._reader.start()

    def _on_reader_line(self, text: str) -> None:
        command: Command = {}
        try:
            command = json.loads(text)
            answer = self._commands[command["cmd"]](command)
        except Exception as exc:  # reported to the test, which fails with it
            detail = "".join(traceback.format_exception(exc)).strip()
            emit({"reply": command.get("cmd"), "ok": False, "error": detail})
            return
        emit({"reply": command["cmd"], "ok": True, **answer})

    def _on_orm_commit(self, _session: OrmSession) -> None:
        self._commits.append(time.monotonic())

    def _on_reader_closed(self) -> None:
        self.window.close_now()
        QTimer.singleShot(0, self._app.quit)

    # Commands --------------------------------------------------------------------------------

    def _sign_in(self, command: Command) -> dict[str, Any]:
        panel = self.window.sign_in_panel
        assert panel is not None and self.window.locked, "not locked: nobody to sign in"
        QTest.keyClicks(panel.staff_id, command["staff_id"])
        QTest.keyClicks(panel.pin, command["pin"])
        QTest.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
        if self.window.locked:
            raise RuntimeError(f"sign-in refused: {panel.error.text()}")
        return {"user": self.window.user_label.text()}

    def _switch_user(self, _command: Command) -> dict[str, Any]:
        self._action("&Switch user").trigger()
        assert self.window.locked
        return {"unit_board_open": self._open_boards() != []}

    def _start_session(self, command: Command) -> dict[str, Any]:
        window = self.window
        names = [tile.status.name if tile.status else "" for tile in window.board.tiles]
        tile = window.board.tiles[names.index(command["chair"])]
        QTest.mouseClick(tile, Qt.MouseButton.LeftButton)
        QTest.mouseClick(window.new_session_button, Qt.MouseButton.LeftButton)
        form = window.setup_form
        if window.session_area.currentWidget() is not form:
            raise RuntimeError(f"no set-up form for {command['chair']}: {self._last_message()}")
        QTest.keyClicks(form.mrn, command["mrn"])
        QTest.keyClicks(form.name, command["name"])
        form.drug.setCurrentIndex(form.drug.findData(PROTOCOL))
        form.dose.setValue(DOSE)
        form.rate.setValue(RATE)
        form.duration.setValue(DURATION_MIN)
        for edit, value in zip(form.baseline.values(), BASELINE, strict=True):
            QTest.keyClicks(edit, value)
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        view = window.session_view
        if window.session_area.currentWidget() is not view:
            raise RuntimeError(f"set-up not saved: {self._last_message()}")
        self._commits.clear()
        clicked_at = time.monotonic()
        QTest.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
        detail = view.detail
        if not self._commits or detail is None or detail.state is not SessionState.RUNNING:
            raise RuntimeError(f"session not started: {self._last_message()}")
        # The click runs the use case synchronously: its transaction is the first commit after.
        return {"session": detail.id, "clicked_at": clicked_at, "committed_at": self._commits[0]}

    def _open_unit_board(self, _command: Command) -> dict[str, Any]:
        self._action("&Unit board (all chairs)").trigger()
        return {"rows": self._board_rows()}

    def _watch(self, command: Command) -> dict[str, Any]:
        self._board()  # a watch without an open board could never be met
        self._watches.append(command)
        self._watcher.start()
        return {}

    # Machinery -------------------------------------------------------------------------------

    def _on_watcher_timeout(self) -> None:
        rows = self._board_rows()
        for watch in list(self._watches):
            for chair, state, patient, *_rest in rows:
                if (chair, state) == (watch["chair"], watch["state"]) and patient.startswith(
                    watch["patient"]
                ):
                    emit({"event": "board_shows", "chair": chair, "at": time.monotonic()})
                    self._watches.remove(watch)
                    break
        if not self._watches:
            self._watcher.stop()

    def _open_boards(self) -> list[UnitBoardWindow]:
        return [
            w
            for w in self._app.topLevelWidgets()
            if isinstance(w, UnitBoardWindow) and w.isVisible()
        ]

    def _board(self) -> UnitBoardWindow:
        boards = self._open_boards()
        if not boards:
            raise RuntimeError("no unit board is open")
        return boards[0]

    def _board_rows(self) -> list[list[str]]:
        table = self._board().table
        columns = table.columnCount()
        return [
            [cell.text() if (cell := table.item(row, column)) else "" for column in range(columns)]
            for row in range(table.rowCount())
        ]

    def _action(self, text: str) -> QAction:
        """The menu item called ``text`` (refused when disabled, as a click on it would be)."""
        for action in self.window.menuBar().findChildren(QAction):
            if action.text() == text:
                if not action.isEnabled():
                    raise RuntimeError(f"{text!r} is disabled ({self.window.user_label.text()})")
                return action
        raise RuntimeError(f"no menu item {text!r}")

    def _last_message(self) -> str:
        banners = self.window.messages.banners
        return banners[-1].message.text if banners else "no message shown"


def main(argv: list[str]) -> int:
    """Start the app as the command line does, with the driver attached to its window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication([sys.argv[0]])  # the app's composition root uses this one
    Driver(app)
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
