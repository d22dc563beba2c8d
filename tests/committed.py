"""Read back the change records committed to a database, the way another workstation sees them.

SQLite: the ``change_log`` rows written since the last look. PostgreSQL: the notifications on
the change channel, through a connection that listens from the moment the reader is made.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine

from infusion_monitor.domain.changes import Changes
from infusion_monitor.storage.changes import CHANNEL
from infusion_monitor.storage.engine import sqlite_file


class CommittedRecords:
    """Each call of :meth:`since_last` returns the records committed since the previous one."""

    def __init__(self, engine: Engine) -> None:
        self._pg: Any = None
        self._sqlite: sqlite3.Connection | None = None
        if engine.dialect.name == "postgresql":
            import psycopg

            dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = psycopg.connect(dsn, autocommit=True)
            self._pg.execute(f"LISTEN {CHANNEL}")
        else:
            path = sqlite_file(engine.url)
            assert path is not None
            self._sqlite = sqlite3.connect(path, isolation_level=None)
            newest = self._sqlite.execute("SELECT coalesce(max(id), 0) FROM change_log")
            self._last_id = int(newest.fetchone()[0])

    def since_last(self, wait_s: float = 1.0) -> list[Changes]:
        """Every record committed since the last call, one per transaction, oldest first."""
        if self._pg is not None:
            found = [n.payload for n in self._pg.notifies(timeout=wait_s, stop_after=1)] + [
                n.payload for n in self._pg.notifies(timeout=0.1)
            ]
            return [Changes.from_json(payload) for payload in found]
        assert self._sqlite is not None
        rows = self._sqlite.execute(
            "SELECT id, payload FROM change_log WHERE id > ? ORDER BY id", (self._last_id,)
        ).fetchall()
        if rows:
            self._last_id = int(rows[-1][0])
        return [Changes.from_json(payload) for _, payload in rows]

    def close(self) -> None:
        """Close the reader's connection."""
        if self._pg is not None:
            self._pg.close()
        if self._sqlite is not None:
            self._sqlite.close()
