"""Another program holding a SQLite file's write lock (a backup, a second workstation's burst)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

#: Holds the write lock of the file argv[1] for argv[2] seconds.
LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@contextlib.contextmanager
def write_locked(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the file's write lock for ``seconds`` from now."""
    with subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    ) as locker:
        try:
            assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
            yield locker
        finally:
            locker.kill()
