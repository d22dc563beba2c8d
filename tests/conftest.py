"""Test-wide set-up: headless Qt and a private data folder for every test."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, event

from backends import backend, backend_url
from infusion_monitor.ui.collector import MainThreadCollector
from sound_server import SOUND_SERVER_MODULES

__all__ = ["backend", "backend_url"]

os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(scope="session")
def collector(qapp: QApplication) -> Iterator[MainThreadCollector]:
    """Cyclic garbage collection on the GUI thread only, as the app runs it (``ui.collector``):
    a window collected on a database or loader thread had its deletion re-entered from an
    event filter, and full runs hung there."""
    running = MainThreadCollector()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def collected_between_tests(collector: MainThreadCollector) -> Iterator[None]:
    """Collect after a test what CPython's thresholds say is due (a test that never runs an
    event loop does not reach the collector's timer)."""
    yield
    collector.collect_due()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data folder; nothing touches the user's real one."""
    folder = tmp_path / "data"
    monkeypatch.setenv("INFUSION_MONITOR_DATA_DIR", str(folder))
    return folder


class _UnrecordedWrites(logging.Handler):
    """Collects the change-record safety net's warnings (a commit that named nothing)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.writers: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', record.stack_info or "")
        own = [
            frame
            for frame in frames
            if "infusion_monitor" in frame[0] and not frame[0].endswith("storage/changes.py")
        ] + [frame for frame in frames if "/tests/" in frame[0]]
        innermost = max(own, key=frames.index, default=None)
        if innermost is not None and "/tests/" not in innermost[0]:
            self.writers.append(f"{innermost[0]}:{innermost[1]} ({innermost[2]})")


@pytest.fixture(autouse=True)
def app_writers_record_their_changes() -> Iterator[None]:
    """Every transaction the app commits names what it changed (``storage.changes``).

    A commit that wrote rows the screens show without ``record_changes`` is sent as "re-read
    everything" and logged with its stack; this fails the test if that commit was made by the
    app's code. (Tests' own fixtures that write rows directly may trip it; they are not app
    writers.)
    """
    handler = _UnrecordedWrites()
    logger = logging.getLogger("infusion_monitor.storage.changes")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not handler.writers, f"commits that did not record their changes: {handler.writers}"


#: Queries the window ran on the GUI thread during the current test (statement, window frame).
_gui_thread_queries: list[tuple[str, str]] = []


@event.listens_for(Engine, "before_cursor_execute")
def _note_gui_thread_query(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
    """Note a query run on the main (GUI) thread from the window's code (``infusion_monitor.ui``):
    the window hands every database call to its database thread (``ui.db_worker``). Set-up and
    checks made by the test itself (no window frame on the stack) are not the window's."""
    if threading.current_thread() is not threading.main_thread():
        return
    frame = sys._getframe(1)
    while frame is not None:
        if _UI_FOLDER in frame.f_code.co_filename:
            where = f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
            _gui_thread_queries.append((statement.split("\n")[0][:120], where))
            return
        frame = frame.f_back


_UI_FOLDER = f"{os.sep}infusion_monitor{os.sep}ui{os.sep}"


@pytest.fixture(autouse=True)
def no_query_on_the_gui_thread() -> Iterator[None]:
    """Fail a test whose window ran a database query on the GUI thread (alarms never wait)."""
    _gui_thread_queries.clear()
    yield
    found, _gui_thread_queries[:] = list(_gui_thread_queries), []
    assert not found, "queries on the GUI thread:\n" + "\n".join(
        f"{statement}  ← {where}" for statement, where in found[:5]
    )


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Each test goes to whichever test process is free, but the sound server's all go to one.

    (xdist's own ``--dist=loadgroup`` does this from markers, but its group never reaches the
    scheduler under pytest 9: it renames the test, which pytest 9 no longer allows.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class SoundServerTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "sound_server" if module in SOUND_SERVER_MODULES else nodeid

    return SoundServerTogether(config, log)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Print a failure as it happens, not only in the summary: a later crash of the process
    (a segfault in Qt) would take the summary, and the failure that led to it, with it."""
    if report.failed:
        sys.stderr.write(f"\n{report.nodeid} ({report.when}) FAILED:\n{report.longreprtext}\n")
