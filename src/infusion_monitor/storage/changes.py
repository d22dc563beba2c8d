"""Carry each commit's change record to every workstation: NOTIFY on PostgreSQL, a log on SQLite.

Writing. A use case names what it changed with :func:`record_changes` inside its transaction
(several calls merge: the vitals row, the assessment, the alert it raised). Just before the
transaction commits, the merged :class:`~infusion_monitor.domain.changes.Changes` is written in
it, once: on PostgreSQL ``SELECT pg_notify('infusion_monitor_changes', payload)`` (delivered to
listeners at commit, dropped with a rollback); on SQLite one ``change_log`` row. A transaction
that wrote rows the screens show without recording anything is a programming error: it is
logged and the coarse record :data:`~infusion_monitor.domain.changes.EVERYTHING` is sent
instead, so no screen misses it. Audit rows alone change nothing the screens show.

Reading. A :class:`ChangeFeed` calls back, on its own thread, with the merged records of the
commits made by any connection of any process (this one's come back as an echo): PostgreSQL
``LISTEN``; SQLite polls ``PRAGMA data_version`` on a connection of its own every
:data:`POLL_S` and reads the new ``change_log`` rows. The feed's thread opens that connection
itself (the caller never waits for the database) and reports
:data:`~infusion_monitor.domain.changes.EVERYTHING` once it listens, as after a reconnection:
what was committed before is not known.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, event, insert, text
from sqlalchemy.orm import Session, SessionTransaction

from infusion_monitor.domain.changes import EVERYTHING, NOTHING, Changes
from infusion_monitor.storage.base import Base
from infusion_monitor.storage.engine import sqlite_file
from infusion_monitor.storage.models import AuditEntry, ChangeLog

log = logging.getLogger(__name__)

CHANNEL = "infusion_monitor_changes"
#: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a larger record goes coarse.
MAX_PAYLOAD_BYTES = 7999
#: How often the SQLite feed looks at ``PRAGMA data_version``.
POLL_S = 0.025
#: How long a PostgreSQL feed waits between reconnection attempts (doubling up to the maximum).
RECONNECT_S = 0.5
MAX_RECONNECT_S = 5.0
#: ``change_log`` rows older than this are pruned (no feed is that far behind).
KEEP_LOG = timedelta(hours=24)
#: Pruning runs in the writing transaction whose new row id is a multiple of this.
PRUNE_EVERY = 500
#: Tables whose rows change nothing the screens show.
_NOT_SHOWN = frozenset({AuditEntry.__tablename__, ChangeLog.__tablename__})
_INFO_KEY = "pending_changes"
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


@dataclass
class _Pending:
    """What the current transaction changed so far (forgotten when it ends)."""

    changes: Changes = NOTHING
    recorded: bool = False
    wrote: set[str] = field(default_factory=set)
    collectors: list[Collected] = field(default_factory=list)


@dataclass
class Collected:
    """The changes recorded inside one :func:`collect_changes` block."""

    changes: Changes = NOTHING


def _pending(db: Session) -> _Pending:
    found = db.info.get(_INFO_KEY)
    if found is None:
        found = db.info[_INFO_KEY] = _Pending()
    assert isinstance(found, _Pending)
    return found


def record_changes(db: Session, changes: Changes) -> Changes:
    """Record that ``db``'s transaction changed ``changes``; return everything it changed so far.

    Calls merge; the merged record is written once, when the transaction commits. Recording
    :data:`NOTHING` says the transaction changes nothing the screens show (so its writes are
    not taken for a forgotten record). A savepoint that rolls back keeps what was recorded
    inside it: a record naming too much only costs a re-read.
    """
    pending = _pending(db)
    pending.changes |= changes
    pending.recorded = True
    for collected in pending.collectors:
        collected.changes |= changes
    return pending.changes


def transaction_changes(db: Session) -> Changes:
    """Everything recorded in ``db``'s current transaction so far."""
    return _pending(db).changes


@contextmanager
def collect_changes(db: Session) -> Iterator[Collected]:
    """Collect what is recorded inside the block (one message of a batch, say)."""
    collected = Collected()
    collectors = _pending(db).collectors
    collectors.append(collected)
    try:
        yield collected
    finally:
        collectors.remove(collected)


def note_write(db: Session, model: type[Base]) -> None:
    """Note that ``db``'s transaction wrote ``model`` rows past the ORM (a Core INSERT)."""
    _pending(db).wrote.add(model.__tablename__)


@event.listens_for(Session, "after_flush")
def _note_flush(db: Session, _context: object) -> None:
    wrote = _pending(db).wrote
    for instance in (*db.new, *db.dirty, *db.deleted):
        table = getattr(instance, "__tablename__", None)
        if table is not None:
            wrote.add(table)


@event.listens_for(Session, "before_commit")
def _write_record(db: Session) -> None:
    if db.in_nested_transaction():  # a savepoint released: the record waits for the real commit
        return
    db.flush()  # the last changes, so the check below sees every table written
    pending = _pending(db)
    shown = pending.wrote - _NOT_SHOWN
    changes = pending.changes
    if shown and not pending.recorded:
        log.warning(
            "A transaction wrote %s without recording what it changed; every screen re-reads.",
            ", ".join(sorted(shown)),
            stack_info=True,  # names the writer that forgot
        )
        changes = EVERYTHING
    if changes.empty:
        return
    if db.get_bind().dialect.name == "postgresql":
        payload = changes.to_json()
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            payload = coarse(changes).to_json()
        db.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})
        return
    connection = db.connection()
    now = datetime.now(UTC)
    key = connection.execute(
        insert(ChangeLog), {"committed_at": now, "payload": changes.to_json()}
    ).inserted_primary_key
    if key is not None and int(key[0]) % PRUNE_EVERY == 0:
        connection.execute(delete(ChangeLog).where(ChangeLog.committed_at < now - KEEP_LOG))


@event.listens_for(Session, "after_transaction_end")
def _forget(db: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint
        db.info.pop(_INFO_KEY, None)


def coarse(changes: Changes) -> Changes:
    """``changes`` without its session ids, as "re-read everything" (a record too large to send)."""
    return Changes(
        board=changes.board, staff=changes.staff, settings=changes.settings, everything=True
    )


def decode(payload: str) -> Changes:
    """The record a NOTIFY or a ``change_log`` row carries; anything unreadable (an older
    workstation's bare NOTIFY) says "re-read everything"."""
    try:
        return Changes.from_json(payload)
    except (ValueError, TypeError, AttributeError):
        return EVERYTHING


def _listening(engine: Engine) -> Any:
    """A psycopg connection of its own (autocommit) listening on the change channel."""
    import psycopg

    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(dsn, autocommit=True)
    connection.execute(f"LISTEN {CHANNEL}")
    return connection


def _data_version(connection: sqlite3.Connection) -> int:
    """SQLite's count of commits by other connections, as seen by ``connection``."""
    return int(connection.execute("PRAGMA data_version").fetchone()[0])


class ChangeFeed:
    """Call ``on_changes`` on the feed's own thread with what commits (any process) changed.

    ``start()`` starts the thread and returns at once: the thread opens the feed's own
    connection (never the caller's thread, at start-up the GUI's), then reports
    :data:`EVERYTHING` once, since what was committed before it listened is not known, and
    from then on what each commit changed; the records that arrive together are merged into
    one call. A connection that cannot be opened is tried again (waiting longer each time); a
    lost PostgreSQL connection is reopened, and reported as :data:`EVERYTHING` again (what was
    sent meanwhile is lost). ``close()`` stops the thread, which closes its connection. An
    exception raised by ``on_changes`` is logged and the feed goes on.
    """

    def __init__(self, engine: Engine, on_changes: Callable[[Changes], None]) -> None:
        self._engine = engine
        self._on_changes = on_changes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_id = 0
        self._version: int | None = None
        #: The feed's own connections, opened and closed on its thread only.
        self._pg: Any = None
        self._sqlite: sqlite3.Connection | None = None

    def start(self) -> None:
        """Start the daemon thread that connects and reports what arrives (at once: nothing
        here waits for the database)."""
        if self._thread is not None:
            return
        if self._engine.dialect.name == "postgresql":
            run = self._run_postgres
        else:
            path = sqlite_file(self._engine.url)
            if path is None:  # an in-memory database: no other connection can commit to it
                return
            run = functools.partial(self._run_sqlite, path)
        self._thread = threading.Thread(target=run, name="change-feed", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread (it closes the feed's connection as it ends)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _report(self, changes: Changes) -> None:
        if changes.empty or self._stop.is_set():
            return
        try:
            self._on_changes(changes)
        except Exception:
            log.exception("The change feed's receiver failed; the feed goes on.")

    def _retry_wait(self, wait: float) -> float:
        """How long to wait before the next attempt to connect, after one that took ``wait``."""
        return min(max(wait * 2, RECONNECT_S), MAX_RECONNECT_S)

    # PostgreSQL ---------------------------------------------------------------------------

    def _pg_connect_quietly(self) -> bool:
        try:
            self._pg = _listening(self._engine)
        except Exception as exc:
            log.warning("The change feed cannot reach the database (%s); retrying.", exc)
            self._pg = None
            return False
        return True

    def _run_postgres(self) -> None:
        wait = 0.0  # the first attempt at once
        try:
            while not self._stop.is_set():
                if self._pg is None:
                    if self._stop.wait(wait):
                        return
                    if not self._pg_connect_quietly():
                        wait = self._retry_wait(wait)
                        continue
                    wait = RECONNECT_S
                    self._report(EVERYTHING)  # what was committed while not listening is lost
                try:
                    self._report(self._pg_arrived())
                except Exception as exc:
                    if self._stop.is_set():
                        return
                    log.warning("The change feed lost the database (%s); reconnecting.", exc)
                    self._drop_pg()
        finally:
            if self._pg is not None:
                self._drop_pg()

    def _pg_arrived(self) -> Changes:
        """What arrived within a quarter of a second, merged with whatever is already waiting."""
        merged = NOTHING
        for timeout, stop_after in ((0.25, 1), (0.0, None)):
            for notice in self._pg.notifies(timeout=timeout, stop_after=stop_after):
                merged |= decode(notice.payload)
        return merged

    def _drop_pg(self) -> None:
        try:
            self._pg.close()
        except Exception:
            log.debug("closing a broken connection failed", exc_info=True)
        self._pg = None

    # SQLite -------------------------------------------------------------------------------

    def _sqlite_open(self, path: Path) -> bool:
        """Open the feed's connection and note where the log is now; False once stopped."""
        wait = 0.0
        while not self._stop.wait(wait):
            try:
                connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                try:
                    connection.execute("PRAGMA busy_timeout = 1000")
                    self._version = _data_version(connection)
                    self._last_id = int(
                        connection.execute(
                            "SELECT coalesce(max(id), 0) FROM change_log"
                        ).fetchone()[0]
                    )
                except sqlite3.Error:
                    connection.close()
                    raise
            except sqlite3.Error as exc:
                log.warning("The change feed cannot read the database (%s); retrying.", exc)
                wait = self._retry_wait(wait)
                continue
            self._sqlite = connection
            return True
        return False

    def _run_sqlite(self, path: Path) -> None:
        if not self._sqlite_open(path):
            return
        assert self._sqlite is not None
        try:
            self._report(EVERYTHING)  # what was committed before it looked is not known
            while not self._stop.wait(POLL_S):
                try:
                    version = _data_version(self._sqlite)
                    if version == self._version:
                        continue
                    self._version = version
                    self._report(self._sqlite_arrived())
                except sqlite3.Error as exc:  # busy or briefly unreadable: the next poll again
                    self._version = None
                    log.debug("change feed poll failed: %s", exc)
        finally:
            self._sqlite.close()
            self._sqlite = None

    def _sqlite_arrived(self) -> Changes:
        assert self._sqlite is not None
        rows = self._sqlite.execute(
            "SELECT id, payload FROM change_log WHERE id > ? ORDER BY id", (self._last_id,)
        ).fetchall()
        merged = NOTHING
        for row_id, payload in rows:
            merged |= decode(payload)
            self._last_id = int(row_id)
        return merged
