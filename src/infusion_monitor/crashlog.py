"""Crash reports on disk: written when the app dies, offered to the user at the next start.

A report holds the version, the time, the error type and the stack (file, line, function and
source line). The error *message* is left out on purpose: exception texts can carry data values
such as SQL parameters, and a crash report must never hold a patient identifier.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from infusion_monitor import __version__

log = logging.getLogger(__name__)

#: Exit status after an internal error (BSD ``EX_SOFTWARE``).
CRASH_EXIT_STATUS = 70
REPORT_GLOB = "crash-*.txt"
_STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
_SEEN_MARKER = "last-shown"


@dataclass(frozen=True)
class CrashReport:
    """One saved report: where it is and when the crash happened (aware, UTC)."""

    path: Path
    at: datetime


def write_report(crash_dir: Path, kind: str, details: list[str], now: datetime) -> CrashReport:
    """Save a report of a crash of ``kind`` with free-form ``details`` lines; return it."""
    crash_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(UTC).strftime(_STAMP_FORMAT)
    path = crash_dir / f"crash-{stamp}.txt"
    lines = [
        "Infusion Monitor crash report",
        f"Version: {__version__}",
        f"Time (UTC): {now.astimezone(UTC).isoformat(timespec='seconds')}",
        f"Python: {platform.python_version()} on {platform.platform()}",
        f"Kind: {kind}",
        "",
        *details,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CrashReport(path, now.astimezone(UTC))


def save_exception_report(
    crash_dir: Path,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    now: datetime,
) -> CrashReport:
    """Save a report of an unhandled exception, log it and say on stderr where it is."""
    details = exception_details(exc_type, exc, tb)
    report = write_report(crash_dir, "unhandled exception", details, now)
    log.critical("unhandled %s; crash report %s", exc_type.__qualname__, report.path)
    print(f"infusion-monitor: internal error; report saved at {report.path}", file=sys.stderr)
    return report


def exception_details(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> list[str]:
    """Describe an exception by type and stack only (see the module docstring for why)."""
    lines = [f"Error type: {exc_type.__module__}.{exc_type.__qualname__}"]
    lines.append("(The error message is not recorded: it may contain patient data.)")
    lines.append("Traceback (most recent call last):")
    lines.extend(line.rstrip("\n") for line in traceback.format_tb(tb))
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        lines.append("")
        lines.append("While handling an earlier error:")
        lines.extend(exception_details(type(cause), cause, cause.__traceback__))
    return lines


def latest_report(crash_dir: Path) -> CrashReport | None:
    """Return the newest saved report, or None."""
    reports = []
    for path in crash_dir.glob(REPORT_GLOB):
        try:
            at = datetime.strptime(path.stem.removeprefix("crash-"), _STAMP_FORMAT)
        except ValueError:
            continue
        reports.append(CrashReport(path, at.replace(tzinfo=UTC)))
    return max(reports, key=lambda report: report.at, default=None)


def unshown_report(crash_dir: Path) -> CrashReport | None:
    """Return the newest report if the user has not been told about it yet."""
    report = latest_report(crash_dir)
    if report is None:
        return None
    try:
        shown = (crash_dir / _SEEN_MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        shown = ""
    return None if shown == report.path.name else report


def mark_shown(report: CrashReport) -> None:
    """Remember that the user has been told about ``report``."""
    (report.path.parent / _SEEN_MARKER).write_text(report.path.name, encoding="utf-8")
