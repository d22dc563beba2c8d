"""Inject storage faults into an open database: locked, full disk, read-only."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

from sqlalchemy import event

from infusion_monitor.storage.database import Database


@contextmanager
def pragma_fault(database: Database, pragma: str | Callable[[Any], str]) -> Iterator[None]:
    """Every new connection runs ``pragma`` until the block ends (the pool is emptied both ways).

    ``PRAGMA query_only`` refuses every write with SQLITE_READONLY, as a read-only file does.
    """

    def apply(dbapi_connection: Any, _record: object) -> None:
        text = pragma(dbapi_connection) if callable(pragma) else pragma
        dbapi_connection.execute(text)

    database.engine.dispose()
    event.listen(database.engine, "connect", apply)
    try:
        yield
    finally:
        event.remove(database.engine, "connect", apply)
        database.engine.dispose()


@contextmanager
def disk_full(database: Database) -> Iterator[None]:
    """Fill the (small, test-mounted) filesystem holding the database to the last byte.

    The WAL is checkpointed and truncated first, so the next save must grow it and gets ENOSPC
    (SQLITE_FULL), as on a real full disk. Removing the ballast file frees the space.
    """
    assert database.file is not None
    database.engine.dispose()
    with closing(sqlite3.connect(database.file, isolation_level=None)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ballast = database.file.with_name("ballast")
    try:
        with ballast.open("wb", buffering=0) as stream:
            for size in (1 << 16, 1 << 12, 1 << 9, 1):
                with contextlib.suppress(OSError):
                    while True:
                        stream.write(b"\0" * size)
        yield
    finally:
        ballast.unlink(missing_ok=True)


def read_only(database: Database) -> Iterator[None]:
    """Every write is refused as by a read-only file."""
    return pragma_fault(database, "PRAGMA query_only = ON")


@contextmanager
def locked(database: Database) -> Iterator[None]:
    """Another program holds the write lock (``BEGIN IMMEDIATE``) until the block ends."""
    assert database.file is not None
    with closing(sqlite3.connect(database.file, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
