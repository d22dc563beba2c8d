"""Rows from SQL text, whichever driver ran it, and the decoders that make their values alike.

The reads the first screen needs (the chair board, the unit's open alerts, whether an
administrator exists) are written once as SQL text with ``:named`` parameters. The services run
that text through their SQLAlchemy session (``sql_rows``: SQLite and PostgreSQL); at start-up
the app runs the same text through the standard library's ``sqlite3`` (``first_read``), so the
locked window paints before SQLAlchemy is imported. Standard library only.

Values come back as the driver hands them over, without SQLAlchemy's type processing: SQLite
keeps times as naive UTC text (as ``base.TZDateTime`` stores them), dates and JSON as text and
booleans as 0 or 1; PostgreSQL hands back aware datetimes, dates, parsed JSON and booleans. The
decoders below turn either form into the one value the ORM would have given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any, Protocol


class Rows(Protocol):
    """Runs one SQL text with ``:named`` parameters inside an open read and returns its rows."""

    def __call__(self, sql: str, params: Mapping[str, object] | None = None, /) -> Sequence[Any]:
        """Every row of the result, each a tuple of the driver's values."""
        ...


#: Opens a read (one transaction) and yields its :class:`Rows`; closed when the block ends.
Reader = Callable[[], AbstractContextManager[Rows]]


def in_list(name: str, values: Iterable[object]) -> tuple[str, dict[str, object]]:
    """``(":name0, :name1", {"name0": ..., "name1": ...})`` for an ``IN (...)`` of ``values``."""
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params), params


def utc(value: str | datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite: naive UTC text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_or_none(value: str | datetime | None) -> datetime | None:
    """:func:`utc` for a column that may be empty."""
    return None if value is None else utc(value)


def day_or_none(value: str | date | None) -> date | None:
    """A stored date (SQLite: ``YYYY-MM-DD`` text), or None."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def json_value(value: object) -> Any:
    """A stored JSON object or list (SQLite: its text; PostgreSQL: already parsed)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def flag(value: object) -> bool:
    """A stored boolean (SQLite: 0 or 1)."""
    return bool(value)
