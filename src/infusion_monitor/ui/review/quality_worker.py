"""Run a long read (a year of quality measures) on the thread pool, reporting progress.

The job is a plain function of a progress callback; it runs on ``QThreadPool`` and its result,
progress and failure come back to the GUI thread as queued signals. The service opens its own
database session for the job (services never share one across threads), so the window keeps
painting, and alarms keep sounding, while a whole year is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from infusion_monitor.errors import UserError

log = logging.getLogger(__name__)

FAILED = "The measures could not be read (see the log); try again or narrow the period."
#: A job: given a progress callback (share 0..1, what is being done), returns its result.
Job = Callable[[Callable[[float, str], None]], Any]


class JobSignals(QObject):
    """What a running job tells the window; ``ticket`` says which request it answers."""

    progressed = Signal(int, float, str)
    finished = Signal(int, object)
    failed = Signal(int, str)


def _run(job: Job, ticket: int, signals: JobSignals) -> None:
    """Run ``job`` on a pool thread; its outcome reaches the GUI thread as a queued signal."""
    try:
        result = job(lambda share, what: signals.progressed.emit(ticket, share, what))
    except UserError as exc:
        signals.failed.emit(ticket, exc.message)
    except Exception:  # a failed read must not die silently on a worker: log it, say so
        log.exception("background read failed")
        signals.failed.emit(ticket, FAILED)
    else:
        signals.finished.emit(ticket, result)


class BackgroundReader:
    """Starts jobs on the global thread pool; only the newest request's answer counts."""

    def __init__(self) -> None:
        self.signals = JobSignals()
        self.ticket = 0

    def start(self, job: Job) -> int:
        """Run ``job`` in the background; return its ticket (older tickets become stale)."""
        self.ticket += 1
        ticket, signals = self.ticket, self.signals
        # A plain callable: Qt owns the task it wraps it in (a Python QRunnable deleted by the
        # pool while Python still holds its wrapper crashes the collector later).
        QThreadPool.globalInstance().start(lambda: _run(job, ticket, signals))
        return ticket

    def current(self, ticket: int) -> bool:
        """Whether ``ticket`` answers the newest request."""
        return ticket == self.ticket
