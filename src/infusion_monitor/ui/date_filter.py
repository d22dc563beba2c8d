"""The From and To fields of the review, quality and audit windows: one bounded date editor.

Bounded to the dates records can exist on (``domain.record_dates``): a date before 1970 would
reach a local-time conversion that Windows refuses, so it cannot be typed or picked at all, and
the tooltip says which dates can.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit

from infusion_monitor.domain.record_dates import EARLIEST_RECORD_DATE, LATEST_RECORD_DATE

DISPLAY_FORMAT = "dd MMM yyyy"


def date_filter_edit(initial: QDate) -> QDateEdit:
    """A date field with a calendar, limited to the dates records can exist on."""
    edit = QDateEdit(initial)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DISPLAY_FORMAT)
    first, last = EARLIEST_RECORD_DATE, LATEST_RECORD_DATE
    edit.setDateRange(
        QDate(first.year, first.month, first.day), QDate(last.year, last.month, last.day)
    )
    edit.setToolTip(
        f"A date from {EARLIEST_RECORD_DATE:%d %b %Y} to {LATEST_RECORD_DATE:%d %b %Y}: "
        "Infusion Monitor holds no records outside these dates."
    )
    return edit


def start_of_day(day: QDate) -> datetime:
    """Local midnight at the start of ``day``, as an aware UTC time."""
    local = datetime.combine(day.toPython(), time()).astimezone()  # type: ignore[arg-type]
    return local.astimezone(UTC)


def period_edits(days: int) -> tuple[QDateEdit, QDateEdit]:
    """From and To date fields over the last ``days`` days up to today."""
    today = QDate.currentDate()
    return date_filter_edit(today.addDays(-days)), date_filter_edit(today)


def period_of(since: QDateEdit, until: QDateEdit) -> tuple[datetime, datetime]:
    """The chosen local days as UTC instants: the start of From to the end of To."""
    return start_of_day(since.date()), start_of_day(until.date()) + timedelta(days=1)
