"""Rows inserted with one Core INSERT each, past the ORM's unit of work.

For the paths that write many rows in one transaction (the monitor gateway's group commit),
where flushing each new object costs more than its INSERT, and nobody needs the row as an object
of the session afterwards (it is not in the session's identity map). A row inserted here is
noted as written, like a flush (:func:`.changes.note_write`): the transaction must record what
it changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from infusion_monitor.storage.base import Base
from infusion_monitor.storage.changes import note_write


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_values(db: Session, model: type[Base], values: dict[str, Any]) -> int:
    """Insert one row of ``model`` in ``db``'s transaction; return its ``id``."""
    key = db.connection().execute(insert(_table(model)), values).inserted_primary_key
    assert key is not None  # a one-row INSERT always reports its key
    note_write(db, model)
    return int(key[0])


def insert_rows(db: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows of ``model`` in ``db``'s transaction, in one executemany."""
    db.connection().execute(insert(_table(model)), rows)
    note_write(db, model)
