"""Benchmark the monitor gateway: acknowledged messages per second vs raw durable inserts.

For SQLite (WAL, ``synchronous=FULL``) and PostgreSQL (default ``fsync`` and
``synchronous_commit`` on), on a fresh database with one running session per monitor:

- ``*_msgs_per_s``: ``--connections`` monitors (default 8), each on its own MLLP connection on
  127.0.0.1 and its own chair, each sending ORU^R01 messages one at a time and waiting for the
  ACK. Every message is stored like a typed set (vitals row, audit row, assessment, alerts) plus
  its control-ID row; the gateway's single writer group-commits whatever is waiting (a savepoint
  per message) and sends AA only after that commit.
- ``*_raw_per_s``: one-row INSERTs into ``vital_signs``, one commit per insert, through the same
  engine (same durability settings): from one thread on SQLite (it has one writer at a time;
  more threads only wait on its lock), from as many threads as monitors on PostgreSQL.

The two are measured in alternating rounds (``--rounds``, default 5), each figure the total of
its rounds, so that both see the same disk: on a shared machine the time an fsync takes swings
tenfold within seconds, and measured one after the other the ratio mostly told which phase had
the slow disk.

PostgreSQL: ``--postgres URL`` (a database the bench may fill), else a throwaway cluster on
127.0.0.1 is started for the run and removed (tools/pgcluster.py). Bounded: at most
``--count`` messages (inserts) and ``--max-seconds`` per measurement, spread over the rounds.
Last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

import pgcluster  # noqa: E402
from infusion_monitor.domain.clock import SystemClock  # noqa: E402
from infusion_monitor.domain.protocol_library import load_library  # noqa: E402
from infusion_monitor.integrations.hl7.gateway import running_gateway  # noqa: E402
from infusion_monitor.integrations.hl7.simulator import (  # noqa: E402
    MllpClient,
    Vitals,
    ack_code,
    oru_message,
)
from infusion_monitor.paths import AppPaths  # noqa: E402
from infusion_monitor.rules.loader import RuleSet, default_rules  # noqa: E402
from infusion_monitor.services.monitor_feed import make_monitor_feed  # noqa: E402
from infusion_monitor.storage.database import Database, open_database  # noqa: E402
from infusion_monitor.storage.models import InfusionSession, Nurse, VitalSigns  # noqa: E402
from unitworld import add_running_session  # noqa: E402

VITALS = Vitals(hr=72, sbp=122, dbp=76, rr=14, spo2=98, temp_c=36.8)


def _in_force() -> Callable[[], RuleSet]:
    """The shipped rule set, loaded once (the feed asks for it at every message)."""
    rules = default_rules()
    return lambda: rules


@dataclass
class _Tally:
    """Operations done and seconds taken, summed over rounds."""

    done: int = 0
    seconds: float = 0.0

    def add(self, run: tuple[int, float]) -> None:
        """Count one round's ``(done, seconds)``."""
        self.done += run[0]
        self.seconds += run[1]

    @property
    def per_second(self) -> float:
        """Operations per second over every round."""
        return self.done / self.seconds


def _concurrent_run(
    workers: int, count: int, max_seconds: float, step: Callable[[int, int], None]
) -> tuple[int, float]:
    """Run ``step(worker, index)`` on ``workers`` threads until ``count`` in all or time is up;
    return how many were done and how long it took."""
    started = time.perf_counter()
    done = [0] * workers
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            while sum(done) < count and time.perf_counter() - started < max_seconds and not errors:
                step(worker, done[worker])
                done[worker] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sum(done), time.perf_counter() - started


@contextlib.contextmanager
def monitors(database: Database, chairs: list[str]) -> Iterator[Callable[[str, int, int], None]]:
    """A gateway on ``database`` and one monitor (MLLP connection) per chair.

    Yields ``send(tag, worker, index)``: monitor ``worker`` sends one ORU^R01 (control ID made
    of the three) and waits for its ACK; anything but AA stops the bench.
    """
    feed = make_monitor_feed(database.sessions, SystemClock(), _in_force(), load_library())
    taken = datetime.now(UTC) - timedelta(seconds=1)
    with running_gateway(feed.store_batch, lambda: datetime.now(UTC), "127.0.0.1", 0) as server:
        clients = [MllpClient(*server.address) for _ in chairs]
        try:

            def send(tag: str, worker: int, index: int) -> None:
                message = oru_message(
                    VITALS, bed=chairs[worker], control_id=f"{tag}{worker}-{index}", taken_at=taken
                )
                code, text = ack_code(clients[worker].exchange(message))
                if code != "AA":
                    raise SystemExit(f"gateway answered {code}: {text}")

            yield send
        finally:
            for client in clients:
                client.close()


def raw_insert(database: Database) -> Callable[[int, int], None]:
    """One-row INSERT into vital_signs and its commit, as a step for ``_concurrent_run``."""
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

    def step(_worker: int, _index: int) -> None:
        with database.engine.begin() as connection:
            connection.execute(insert(VitalSigns), row)

    return step


def measure(
    url: str, data_dir: Path, connections: int, count: int, max_seconds: float, rounds: int
) -> tuple[float, float]:
    """(gateway msgs/s, raw inserts/s) on the database at ``url``, in alternating rounds.

    Messages: one monitor per chair sending at once. Raw inserts: from one thread on SQLite (it
    has one writer at a time), from as many threads as monitors on PostgreSQL.
    """
    chairs = [f"Chair {n + 1}" for n in range(connections)]
    gateway, raw = _Tally(), _Tally()
    with open_database(url, AppPaths.resolve(data_dir)) as database:
        for chair in chairs:
            add_running_session(database.sessions, chair, f"MRN-{chair[-1]}-{time.time_ns()}")
        writers = 1 if database.engine.dialect.name == "sqlite" else connections
        insert_one = raw_insert(database)
        with monitors(database, chairs) as send:
            for turn in range(rounds):
                round_send = functools.partial(send, f"B{time.time_ns()}-{turn}-")
                gateway.add(
                    _concurrent_run(connections, count // rounds, max_seconds / rounds, round_send)
                )
                raw.add(_concurrent_run(writers, count // rounds, max_seconds / rounds, insert_one))
    return gateway.per_second, raw.per_second


def main() -> int:
    """Run both backends and print the figures, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="messages (inserts) in all")
    parser.add_argument("--connections", type=int, default=8, help="monitors sending at once")
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=5, help="alternations of the two")
    parser.add_argument("--postgres", metavar="URL", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="im-bench-") as folder:
        os.chmod(folder, 0o755)  # noqa: PTH101 - the postgres user must reach its cluster folder
        base = Path(folder)

        def run(url: str) -> tuple[float, float]:
            return measure(
                url, base / "data", args.connections, args.count, args.max_seconds, args.rounds
            )

        sqlite_msgs, sqlite_raw = run(f"sqlite:///{base / 'bench.sqlite3'}")
        print(f"SQLite:     {sqlite_msgs:8.1f} msgs/s   {sqlite_raw:8.1f} raw inserts/s")
        if args.postgres:
            pg = run(args.postgres)
        else:
            with pgcluster.running(base / "pg") as url:
                pg = run(url)
        print(f"PostgreSQL: {pg[0]:8.1f} msgs/s   {pg[1]:8.1f} raw inserts/s")
    figures = {
        "sqlite_msgs_per_s": round(sqlite_msgs, 1),
        "sqlite_raw_per_s": round(sqlite_raw, 1),
        "postgres_msgs_per_s": round(pg[0], 1),
        "postgres_raw_per_s": round(pg[1], 1),
        "connections": args.connections,
        "rounds": args.rounds,
        "sqlite_ratio": round(sqlite_msgs / sqlite_raw, 2),
        "postgres_ratio": round(pg[0] / pg[1], 2),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
