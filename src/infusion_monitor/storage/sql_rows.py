"""Run SQL text (``rows.Rows``) through a SQLAlchemy session: SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.storage.rows import Reader, Rows


def session_rows(db: Session) -> Rows:
    """The rows of SQL text run inside ``db``'s transaction (pending changes flushed first)."""

    def run(sql: str, params: Mapping[str, object] | None = None, /) -> Sequence[Any]:
        return db.execute(text(sql), dict(params or {})).all()

    return run


def reading(sessions: sessionmaker[Session]) -> Reader:
    """A :data:`~infusion_monitor.storage.rows.Reader` that reads in a new session each time."""

    @contextmanager
    def read() -> Iterator[Rows]:
        with sessions() as db:
            yield session_rows(db)

    return read
