"""Crash hooks (Python exceptions, fatal Qt messages) and the viewer for a saved crash report.

In the spirit of qutebrowser's ``misc/crashsignal.py``: an unhandled exception is saved as a
report, the app quits (a half-broken board could show a chair wrongly), and the next start tells
the nurse what happened with a non-modal notice.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from infusion_monitor import crashlog
from infusion_monitor.domain.clock import Clock

qt_log = logging.getLogger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class CrashHooks:
    """Installs the exception hook and the Qt message handler; restores the old ones on exit.

    Exceptions raised in slots while the event loop runs arrive here (PySide6 hands them to
    ``sys.excepthook``). ``quit_app`` is called with the exit status after the report is saved;
    the composition root passes ``QCoreApplication.exit``.
    """

    def __init__(self, crash_dir: Path, clock: Clock, quit_app: Callable[[int], None]) -> None:
        self._crash_dir = crash_dir
        self._clock = clock
        self._quit_app = quit_app
        self._old_excepthook: ExceptHook | None = None

    def __enter__(self) -> CrashHooks:
        self._old_excepthook = sys.excepthook
        sys.excepthook = self.handle_exception
        qInstallMessageHandler(self.handle_qt_message)
        return self

    def __exit__(self, *exc_info: object) -> None:
        qInstallMessageHandler(None)
        if self._old_excepthook is not None:
            sys.excepthook = self._old_excepthook

    def handle_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Save a report of an unhandled exception, say where it is, and quit."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._quit_app(130)
            return
        crashlog.save_exception_report(self._crash_dir, exc_type, exc, tb, self._clock.now())
        self._quit_app(crashlog.CRASH_EXIT_STATUS)

    def handle_qt_message(self, kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
        """Log Qt's messages; for critical and fatal ones also save a report and tell stderr."""
        qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", text)
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            where = f"{context.file}:{context.line} in {context.function}" if context.file else ""
            details = [f"Qt {kind.name}: {text}", where]
            report = crashlog.write_report(self._crash_dir, "Qt error", details, self._clock.now())
            print(f"infusion-monitor: Qt: {text}\n(report saved at {report.path})", file=sys.stderr)


class CrashReportViewer(QDialog):
    """A non-modal window showing a saved crash report as plain text."""

    def __init__(self, report: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Crash report — {report.name}")
        self.setModal(False)
        self.resize(900, 600)
        text = QPlainTextEdit(self)
        text.setReadOnly(True)
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        try:
            text.setPlainText(report.read_text(encoding="utf-8"))
        except OSError as exc:
            text.setPlainText(f"The report {report} cannot be read ({exc.strerror}).")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
