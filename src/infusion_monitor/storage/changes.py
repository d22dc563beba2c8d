"""Notice commits made by any workstation: LISTEN/NOTIFY on PostgreSQL, data_version on SQLite.

Every ORM transaction that writes on PostgreSQL (a flush, or an audit row) sends
``NOTIFY infusion_monitor_changes`` (delivered to listeners only when it commits). A
:class:`ChangeWatcher` is polled cheaply and says whether anything changed since last time; the
:class:`ChangeFeed` polls one on its own thread and tells the app's unit model.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from infusion_monitor.domain.changes import Changes
from infusion_monitor.storage.engine import sqlite_file
from infusion_monitor.storage.transaction import transaction_memo

log = logging.getLogger(__name__)

CHANNEL = "infusion_monitor_changes"


def note_change(db: Session) -> None:
    """Queue a NOTIFY in ``db``'s transaction; PostgreSQL sends it at commit, never before.

    Once per transaction is enough (PostgreSQL delivers one per commit anyway); a savepoint
    that rolls back takes its NOTIFY with it, so the next change queues it again.
    """
    if db.get_bind().dialect.name != "postgresql":
        return
    queued = transaction_memo(db, "notify")
    if not queued:
        db.connection().exec_driver_sql(f"NOTIFY {CHANNEL}")
        queued["sent"] = True


@event.listens_for(Session, "after_flush")
def _notify_on_postgres(session: Session, _context: object) -> None:
    note_change(session)


class ChangeWatcher:
    """Say whether another connection (any process) committed since the last :meth:`changed`."""

    def __init__(self, engine: Engine) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        self._last: int | None = None
        if engine.dialect.name == "postgresql":
            import psycopg

            dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = psycopg.connect(dsn, autocommit=True)
            self._pg.execute(f"LISTEN {CHANNEL}")
        else:
            path = sqlite_file(engine.url)
            if path is not None:
                self._sqlite = sqlite3.connect(path)
                self._last = self._data_version()

    def _data_version(self) -> int:
        assert self._sqlite is not None
        return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])

    @property
    def listening(self) -> bool:
        """True on PostgreSQL: :meth:`changed` can wait for a notification."""
        return self._pg is not None

    def changed(self, wait_s: float = 0.0) -> bool:
        """True if a commit happened since the previous call (first call: False).

        PostgreSQL delivers a notification a moment after the commit; ``wait_s`` waits up to
        that long for one (0: only what has already arrived, never blocking).
        """
        if self._pg is not None:
            arrived = sum(1 for _ in self._pg.notifies(timeout=wait_s, stop_after=1)) > 0
            # Drain the rest: many commits since the last poll are one change to show.
            return sum(1 for _ in self._pg.notifies(timeout=0)) > 0 or arrived
        if self._sqlite is not None:
            version = self._data_version()
            changed, self._last = version != self._last, version
            return changed
        return False

    def close(self) -> None:
        """Close the watcher's own connection."""
        if self._pg is not None:
            self._pg.close()
            self._pg = None
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None


#: What the feed reports for a commit whose payload it cannot know yet: the board changed (the
#: unit model takes that to name every session it shows). Issue 16a's feed carries the record.
COARSE = Changes(board=True)
#: How often the feed looks for a commit.
POLL_S = 0.025


class ChangeFeed:
    """Calls ``on_changes`` on its own thread within ~``POLL_S`` of any connection's commit.

    Minimal stand-in (issue 16b) with the agreed API of issue 16a's feed, which replaces it: it
    watches as :class:`ChangeWatcher` does (SQLite ``data_version``, PostgreSQL LISTEN) and, with
    no payload to read, reports :data:`COARSE`. Its own process's commits come back too; the
    model applies them harmlessly.
    """

    def __init__(self, engine: Engine, on_changes: Callable[[Changes], None]) -> None:
        self._engine = engine
        self._on_changes = on_changes
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-feed", daemon=True)

    def start(self) -> None:
        """Start watching (a daemon thread with its own connection)."""
        self._thread.start()

    def close(self) -> None:
        """Stop watching and close the feed's connection."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2.0)

    def _run(self) -> None:
        watcher = ChangeWatcher(self._engine)
        try:
            while not self._stop.is_set():
                if watcher.changed(wait_s=POLL_S if watcher.listening else 0.0):
                    try:
                        self._on_changes(COARSE)
                    except Exception:
                        log.exception("a change-feed subscriber failed")
                if not watcher.listening:
                    self._stop.wait(POLL_S)
        finally:
            watcher.close()
