"""Headless sub-commands of ``infusion-monitor``; each module adds its parser with ``register``."""

from __future__ import annotations

import argparse
from datetime import date

from infusion_monitor.domain.record_dates import RecordDateError, check_record_date


def record_date(text: str) -> date:
    """An argparse ``type``: a ``YYYY-MM-DD`` date records can exist on, else a clear refusal."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it YYYY-MM-DD.") from None
    try:
        return check_record_date(day)
    except RecordDateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
