"""The dates a filter or a command may name: those Infusion Monitor can hold records for.

Windows converts local times only from 1970 to 3000 (``localtime`` refuses the rest), and no
record in the app is older than the app, so every date filter is bounded to these years and a
date outside them is refused with a message instead of failing deep in a time conversion.
"""

from __future__ import annotations

from datetime import date

EARLIEST_RECORD_DATE = date(2000, 1, 1)
LATEST_RECORD_DATE = date(2099, 12, 31)


class RecordDateError(ValueError):
    """A date outside :data:`EARLIEST_RECORD_DATE` .. :data:`LATEST_RECORD_DATE`."""


def check_record_date(day: date) -> date:
    """Return ``day`` if records can exist on it, else raise :class:`RecordDateError`."""
    if not EARLIEST_RECORD_DATE <= day <= LATEST_RECORD_DATE:
        raise RecordDateError(
            f"{day.isoformat()} is outside the dates Infusion Monitor holds records for "
            f"({EARLIEST_RECORD_DATE.isoformat()} to {LATEST_RECORD_DATE.isoformat()}). "
            "Give a date in that range."
        )
    return day
