"""Benchmark the monitor gateway: acknowledged messages per second vs raw durable inserts.

For SQLite (WAL, ``synchronous=FULL``) and PostgreSQL (default ``fsync`` and
``synchronous_commit`` on), on a fresh database with one running session:

- ``*_msgs_per_s``: ORU^R01 messages sent one at a time over MLLP on 127.0.0.1, each
  acknowledged AA after its commit (dedupe row, vitals row, audit row in one transaction);
- ``*_raw_per_s``: one-row INSERTs into ``vital_signs``, each committed, through the same engine.

PostgreSQL: ``--postgres URL`` (a database the bench may fill), else a throwaway cluster on
127.0.0.1 is started for the run and removed (tools/pgcluster.py). Bounded: at most
``--count`` messages and ``--max-seconds`` per measurement. Last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

import pgcluster  # noqa: E402
from infusion_monitor.integrations.hl7.gateway import Gateway, GatewayServer  # noqa: E402
from infusion_monitor.integrations.hl7.simulator import (  # noqa: E402
    MllpClient,
    Vitals,
    ack_code,
    oru_message,
)
from infusion_monitor.paths import AppPaths  # noqa: E402
from infusion_monitor.services.monitor_feed import MonitorFeedService  # noqa: E402
from infusion_monitor.storage.database import Database, open_database  # noqa: E402
from infusion_monitor.storage.models import InfusionSession, Nurse, VitalSigns  # noqa: E402
from unitworld import add_running_session  # noqa: E402

VITALS = Vitals(hr=72, sbp=122, dbp=76, rr=14, spo2=98, temp_c=36.8)


def _rate(count: int, max_seconds: float, step: Callable[[int], None]) -> float:
    started = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - started < max_seconds:
        step(done)
        done += 1
    return done / (time.perf_counter() - started)


def gateway_rate(database: Database, count: int, max_seconds: float, tag: str) -> float:
    """Messages per second acknowledged AA by an in-process gateway over loopback MLLP."""
    feed = MonitorFeedService(database.sessions)
    server = GatewayServer(Gateway(feed.store, lambda: datetime.now(UTC)), "127.0.0.1", 0)
    taken = datetime.now(UTC) - timedelta(seconds=1)
    with server, MllpClient(*server.address) as client:

        def step(index: int) -> None:
            message = oru_message(VITALS, bed="Chair 1", control_id=f"{tag}{index}", taken_at=taken)
            code, text = ack_code(client.exchange(message))
            if code != "AA":
                raise SystemExit(f"gateway answered {code}: {text}")

        return _rate(count, max_seconds, step)


def raw_rate(database: Database, count: int, max_seconds: float) -> float:
    """One-row inserts per second into vital_signs, each in its own committed transaction."""
    with database.sessions() as db:
        session_id = db.scalars(select(InfusionSession.id)).first()
        nurse_id = db.scalars(select(Nurse.id)).first()
    now = datetime.now(UTC)
    row = {
        "session_id": session_id,
        "taken_at": now,
        "entered_at": now,
        "entered_by_id": nurse_id,
        "source": "monitor",
        "heart_rate": 72,
        "spo2": 98,
    }

    def step(_index: int) -> None:
        with database.engine.begin() as connection:
            connection.execute(insert(VitalSigns), row)

    return _rate(count, max_seconds, step)


def measure(url: str, data_dir: Path, count: int, max_seconds: float) -> tuple[float, float]:
    """(gateway msgs/s, raw inserts/s) on the database at ``url``."""
    with open_database(url, AppPaths.resolve(data_dir)) as database:
        add_running_session(database.sessions, "Chair 1", f"MRN-{os.getpid()}-{time.time_ns()}")
        messages = gateway_rate(database, count, max_seconds, f"B{time.time_ns()}-")
        raw = raw_rate(database, count, max_seconds)
    return messages, raw


def main() -> int:
    """Run both backends and print the figures, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--postgres", metavar="URL", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="im-bench-") as folder:
        os.chmod(folder, 0o755)  # noqa: PTH101 - the postgres user must reach its cluster folder
        base = Path(folder)
        sqlite_msgs, sqlite_raw = measure(
            f"sqlite:///{base / 'bench.sqlite3'}", base / "data", args.count, args.max_seconds
        )
        print(f"SQLite:     {sqlite_msgs:8.1f} msgs/s   {sqlite_raw:8.1f} raw inserts/s")
        if args.postgres:
            pg = measure(args.postgres, base / "data", args.count, args.max_seconds)
        else:
            with pgcluster.running(base / "pg") as url:
                pg = measure(url, base / "data", args.count, args.max_seconds)
        print(f"PostgreSQL: {pg[0]:8.1f} msgs/s   {pg[1]:8.1f} raw inserts/s")
    figures = {
        "sqlite_msgs_per_s": round(sqlite_msgs, 1),
        "sqlite_raw_per_s": round(sqlite_raw, 1),
        "postgres_msgs_per_s": round(pg[0], 1),
        "postgres_raw_per_s": round(pg[1], 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
