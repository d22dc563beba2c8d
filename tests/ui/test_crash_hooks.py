"""The crash hooks save a report without the error text and ask the app to quit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from infusion_monitor import crashlog
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.ui.crash import CrashHooks


def test_unhandled_exception_is_saved_and_the_app_quits(tmp_path: Path) -> None:
    statuses: list[int] = []
    hooks = CrashHooks(tmp_path, FakeClock(datetime(2026, 3, 2, tzinfo=UTC)), statuses.append)
    try:
        raise ValueError("MRN 00412821")
    except ValueError as exc:
        hooks.handle_exception(type(exc), exc, exc.__traceback__)
    assert statuses == [crashlog.CRASH_EXIT_STATUS]
    report = crashlog.latest_report(tmp_path)
    assert report is not None
    assert report.at == datetime(2026, 3, 2, tzinfo=UTC)
    text = report.path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text
    assert "test_unhandled_exception_is_saved_and_the_app_quits" in text
    assert text.count("00412821") == 1  # only the source line of the raise, never the message
    assert crashlog.unshown_report(tmp_path) == report
    crashlog.mark_shown(report)
    assert crashlog.unshown_report(tmp_path) is None
