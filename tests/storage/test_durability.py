"""A confirmed commit survives the process being killed (SIGKILL) straight after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import Nurse

_CHILD = """
import sys
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import Nurse

database = open_database(None, AppPaths.resolve(sys.argv[1]))
with database.sessions.begin() as db:
    db.add(Nurse(staff_id="N042", name="Grace Confirmed", role="nurse"))
print("confirmed", flush=True)
sys.stdin.read()
"""


def test_confirmed_row_survives_sigkill(data_dir: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "confirmed\n"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
    finally:
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    with open_database(None, AppPaths.resolve(data_dir)) as database, database.sessions() as db:
        count = db.scalar(select(func.count()).where(Nurse.staff_id == "N042"))
    assert count == 1
