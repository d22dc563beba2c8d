"""Benchmark the monitor gateway as a unit uses it: ACK latency at a unit's load, and its ceiling.

For SQLite (WAL, ``synchronous=FULL``) and PostgreSQL (default ``fsync`` and
``synchronous_commit`` on), on a fresh database with one running session per monitor:

- ``*_p99_ack_ms``: ``--monitors`` bedside monitors (default 40), each on its own MLLP
  connection on 127.0.0.1 and its own chair, each sending one IHE PCD-01 ORU^R01 set per second
  (ECG heart rate, oximeter pulse rate and SpO2, cuff pressures with MAP, respiration,
  temperature; the containment-tree OBXs as a GE or Mindray monitor sends them) for
  ``--seconds`` (default 60). The time from sending a message to reading its ACK, which comes
  only after the values are committed, stored and assessed like a typed set. The monitors'
  seconds are spread evenly, as real monitors' clocks are.
- ``*_max_msgs_per_s``: the same monitors sending back to back, each waiting only for its ACK,
  for ``--burst-seconds`` (default 15): the highest rate the gateway sustains (acknowledged
  messages per second over the whole run).

PostgreSQL: ``--postgres URL`` (a database the bench may fill), else a throwaway cluster on
127.0.0.1 is started for the run and removed (tools/pgcluster.py). Last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

import pgcluster  # noqa: E402
from infusion_monitor.integrations.hl7.simulator import MllpClient, ack_code  # noqa: E402
from infusion_monitor.paths import AppPaths  # noqa: E402
from infusion_monitor.storage.database import open_database  # noqa: E402
from unitworld import add_running_session  # noqa: E402

#: The OBXs of one set: (code, value, unit), after a PCD-01 monitor's containment tree.
SET = (
    ("69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC", "1.0.0.0", "", ""),
    ("147842^MDC_ECG_HEART_RATE^MDC", "1.5.1.1", "72", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    ("148066^MDC_ECG_V_P_C_RATE^MDC", "1.5.1.2", "0", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "1.3.1.1", "98", "262688^MDC_DIM_PERCENT^MDC"),
    ("149530^MDC_PULS_OXIM_PULS_RATE^MDC", "1.3.1.2", "73", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    ("150301^MDC_PRESS_CUFF_SYS^MDC", "1.1.9.1", "122", "266016^MDC_DIM_MMHG^MDC"),
    ("150302^MDC_PRESS_CUFF_DIA^MDC", "1.1.9.2", "76", "266016^MDC_DIM_MMHG^MDC"),
    ("150303^MDC_PRESS_CUFF_MEAN^MDC", "1.1.9.3", "91", "266016^MDC_DIM_MMHG^MDC"),
    ("149546^MDC_PULS_RATE_NON_INV^MDC", "1.1.9.4", "71", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    ("151562^MDC_RESP_RATE^MDC", "1.6.1.1", "14", "264928^MDC_DIM_RESP_PER_MIN^MDC"),
    ("150344^MDC_TEMP^MDC", "1.26.1.1", "36.8", "268192^MDC_DIM_DEGC^MDC"),
)


def pcd01_message(monitor: int, chair: str, control_id: str, taken: datetime) -> bytes:
    """One set from monitor ``monitor`` (its own EUI-64) at ``chair``, measured at ``taken``."""
    stamp = taken.strftime("%Y%m%d%H%M%S+0000")
    eui = f"00A037{monitor:010X}"
    lines = [
        f"MSH|^~\\&|MONITOR^{eui}^EUI-64|UNIT|||{stamp}||ORU^R01^ORU_R01|{control_id}|P|2.6"
        "|||AL|NE||UNICODE UTF-8|||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO",
        "PID|||^^^^PI",
        f"PV1||O|INFUSION^^{chair}",
        f"OBR|1|{control_id}^MONITOR^{eui}^EUI-64||182777000^monitoring of patient^SCT|||{stamp}",
    ]
    for n, (code, sub_id, value, unit) in enumerate(SET, start=1):
        status = "R" if value else "X"
        lines.append(f"OBX|{n}|{'NM' if value else ''}|{code}|{sub_id}|{value}|{unit}|||||{status}")
    return ("\r".join(lines) + "\r").encode()


@contextlib.contextmanager
def gateway_on(url: str, data_dir: Path) -> Iterator[tuple[str, int]]:
    """``infusion-monitor gateway`` serving ``url`` on a free loopback port, in its own process
    as a unit runs it (the monitors' threads here do not share its interpreter lock)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "infusion_monitor", "gateway", "--listen",
               f"127.0.0.1:{port}", "--db", url, "--data-dir", str(data_dir)]  # fmt: skip
    gateway = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert gateway.stdout is not None
        line = gateway.stdout.readline()
        if "listening" not in line:
            raise SystemExit(f"the gateway did not start: {line.strip()}")
        yield "127.0.0.1", port
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=60)


def _monitor(
    address: tuple[str, int],
    monitor: int,
    chair: str,
    tag: str,
    until: float,
    period_s: float,
    phase_s: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    """Send sets until ``until``: every ``period_s`` from ``phase_s`` (0: back to back)."""
    with MllpClient(*address) as client:
        index = 0
        next_at = time.perf_counter() + phase_s
        while not errors:
            if period_s:
                pause = next_at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                next_at += period_s
            if time.perf_counter() >= until:
                return
            taken = datetime.now(UTC) - timedelta(seconds=1)
            message = pcd01_message(monitor, chair, f"{tag}{monitor}-{index}", taken)
            sent = time.perf_counter()
            code, text = ack_code(client.exchange(message))
            latencies.append(time.perf_counter() - sent)
            if code != "AA":
                errors.append(f"monitor {monitor}: {code} {text}")
            index += 1


def run_monitors(
    address: tuple[str, int], chairs: list[str], seconds: float, period_s: float, tag: str
) -> tuple[list[float], float]:
    """Every monitor at once for ``seconds``; (each ACK's latency in s, seconds it took)."""
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    threads = [
        threading.Thread(
            target=_monitor,
            args=(address, n, chair, tag, until, period_s, period_s * n / len(chairs)),
            kwargs={"latencies": latencies, "errors": errors},
        )
        for n, chair in enumerate(chairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"gateway refused a set: {errors[0]}")
    return latencies, time.perf_counter() - started


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def measure(url: str, data_dir: Path, args: argparse.Namespace) -> tuple[float, float]:
    """(p99 ACK latency in ms at one set per monitor per second, highest msgs/s)."""
    chairs = [f"Chair {n + 1}" for n in range(args.monitors)]
    with open_database(url, AppPaths.resolve(data_dir)) as database:
        for chair in chairs:
            add_running_session(database.sessions, chair, f"MRN-{chair[6:]}-{time.time_ns()}")
        with gateway_on(url, data_dir) as address:
            latencies, took = run_monitors(address, chairs, args.seconds, 1.0, "L")
            p99 = _p99(latencies) * 1000
            print(
                f"  {len(latencies)} sets in {took:.0f} s ({len(latencies) / took:.1f}/s): ACK "
                f"median {statistics.median(latencies) * 1000:.1f} ms, p99 {p99:.1f} ms, "
                f"max {max(latencies) * 1000:.1f} ms",
                flush=True,
            )
            burst, took = run_monitors(address, chairs, args.burst_seconds, 0.0, "B")
            rate = len(burst) / took
            print(
                f"  back to back: {len(burst)} sets in {took:.1f} s = {rate:.0f} msgs/s "
                f"(ACK p99 {_p99(burst) * 1000:.0f} ms)",
                flush=True,
            )
    return p99, rate


def main() -> int:
    """Run both backends and print the figures, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=40, help="monitors sending at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="the one-per-second phase")
    parser.add_argument("--burst-seconds", type=float, default=15.0, help="the back-to-back phase")
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--only", choices=("sqlite", "postgres"), default=None)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="im-bench-") as folder:
        os.chmod(folder, 0o755)  # noqa: PTH101 - the postgres user must reach its cluster folder
        base = Path(folder)
        if args.only != "postgres":
            print("SQLite:", flush=True)
            p99, rate = measure(f"sqlite:///{base / 'bench.sqlite3'}", base / "data", args)
            figures |= {"sqlite_p99_ack_ms": round(p99, 1), "sqlite_max_msgs_per_s": round(rate)}
        if args.only != "sqlite":
            print("PostgreSQL:", flush=True)
            with contextlib.ExitStack() as stack:
                url = args.postgres or stack.enter_context(pgcluster.running(base / "pg"))
                p99, rate = measure(url, base / "data-pg", args)
            figures |= {
                "postgres_p99_ack_ms": round(p99, 1),
                "postgres_max_msgs_per_s": round(rate),
            }
    keys = ("sqlite_p99_ack_ms", "postgres_p99_ack_ms", "sqlite_max_msgs_per_s",
            "postgres_max_msgs_per_s")  # fmt: skip
    print(json.dumps({key: figures[key] for key in keys if key in figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
