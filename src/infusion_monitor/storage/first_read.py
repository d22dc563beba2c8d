"""Read an embedded SQLite database before SQLAlchemy is imported: the app's first screen.

SQLAlchemy and the ORM models take about a quarter of a second to import, so the app paints its
locked first screen from the standard library's ``sqlite3`` when it can, and opens the database
the regular way (``database.open_database``) right after. It can when the database is an SQLite
file that the usual checks accept (``preflight``, nothing changed), that is already at this
app's schema and that was closed cleanly. Anything else (a server, a new or empty file, a file to
migrate or to ``quick_check``) is opened the regular way before the window, as always.

The reads are the services' own SQL text (``rows``), run inside one read-only transaction.
Standard library only.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from infusion_monitor.files import absolute
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.errors import classify_dbapi_error
from infusion_monitor.storage.location import refuse_network_share
from infusion_monitor.storage.preflight import UsageMarker, check_existing_file, read_only_uri
from infusion_monitor.storage.revisions import HEAD_REVISION
from infusion_monitor.storage.rows import Rows

#: A plain SQLite file URL: ``sqlite:///`` and a path, no driver, query or escapes.
_PLAIN_SQLITE_URL = re.compile(r"sqlite:///(?P<path>[^?#%]+)")
#: How long the first read waits for a writer's lock (seconds), as the engine does.
BUSY_TIMEOUT_S = 5.0


def database_url(url: str | None, paths: AppPaths) -> str:
    """The URL to open: the one given, else the embedded SQLite file in the data folder."""
    return url or f"sqlite:///{paths.database_file}"


def plain_sqlite_file(url: str) -> Path | None:
    """The file of ``url`` if it is a plain SQLite file URL, else None (the regular path parses
    it). A test keeps this equal to ``engine.sqlite_file(engine.parse_url(url))`` where it
    gives a file.
    """
    match = _PLAIN_SQLITE_URL.fullmatch(url)
    if match is None or match["path"] == ":memory:":
        return None
    return absolute(match["path"])


def readable_at_once(url: str | None, paths: AppPaths) -> Path | None:
    """The SQLite file behind ``url`` if the first screen can be read from it now, else None.

    Raises the same ``StorageError`` as ``open_database`` for a file that is not ours, too new or
    unreadable (the check is the same, and changes nothing).
    """
    path = plain_sqlite_file(database_url(url, paths))
    if path is None:
        return None
    refuse_network_share(path, str(path))
    if not path.is_file() or not UsageMarker(path).closed_cleanly():
        return None
    revision = check_existing_file(path, str(path), quick_check=False)
    return path if revision == HEAD_REVISION else None


def checked_while_opening(url: str | None, paths: AppPaths) -> Path | None:
    """The SQLite file behind ``url`` if it is ours at this app's schema but was not closed
    cleanly (the app stopped unexpectedly: a crash, a kill, a power cut; or another app has it
    open), else None.

    Opening it checks it first (``quick_check``), which may take a while on a large file, so
    the first screen is not read from it before it is open. Raises the same ``StorageError``
    as ``open_database`` for a file that is not ours, too new or unreadable (examined read-only,
    without the slow check): that start still fails before any window.
    """
    path = plain_sqlite_file(database_url(url, paths))
    if path is None or not path.is_file() or UsageMarker(path).closed_cleanly():
        return None
    refuse_network_share(path, str(path))
    revision = check_existing_file(path, str(path), quick_check=False)
    return path if revision == HEAD_REVISION else None


@contextmanager
def read_only_rows(path: Path) -> Iterator[Rows]:
    """:class:`~infusion_monitor.storage.rows.Rows` of one read-only transaction on ``path``.

    A fault of the environment (locked, unreadable) becomes the ``StorageError`` that says so.
    """
    location = str(path)
    try:
        with closing(
            sqlite3.connect(
                read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
        ) as connection:
            connection.execute("BEGIN")  # one snapshot for every query of the read

            def run(sql: str, params: Mapping[str, object] | None = None, /) -> Sequence[Any]:
                return connection.execute(sql, dict(params or {})).fetchall()

            yield run
    except sqlite3.Error as exc:
        fault = classify_dbapi_error(exc, location)
        if fault is None:
            raise
        raise fault from exc
