"""Fault injection at scale: kill a writer at random moments, count confirmed saves lost.

Usage: ``uv run python bench/faults.py [--trials 200] [--workers 4] [--dir FOLDER]``.
Each worker has its own data folder that accumulates entries across its trials, so later
trials also recover from earlier crashes. Run it with ``--dir`` on the disk the unit will use
to test that disk (a network share is refused: SQLite's WAL needs one host). The last line
printed is JSON: ``{"trials": N, "confirmed": C, "lost": L, ...}``; ``lost`` must be 0.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from infusion_monitor.storage.crashtrial import check_survivors, run_trial


def _worker(folder: Path, trials: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    confirmed: list[int] = []
    totals = {"trials": 0, "lost": 0, "chain_broken": 0, "damaged": 0}
    for _ in range(trials):
        _, new = run_trial(folder, rng, max_confirmations=40, jitter_s=0.02)
        confirmed += new
        result = check_survivors(folder, confirmed)
        totals["trials"] += 1
        totals["lost"] += len(result.lost)
        totals["chain_broken"] += not result.chain_intact
        totals["damaged"] += not result.quick_check_ok
        confirmed = [entry for entry in confirmed if entry not in result.lost]
    totals["confirmed"] = len(confirmed) + totals["lost"]
    return totals


def main() -> int:
    """Run the trials and print the JSON summary last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="folder to run in (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="im-faults-", dir=args.dir) as root:
        shares = [args.trials // args.workers] * args.workers
        for index in range(args.trials % args.workers):
            shares[index] += 1
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(
                pool.map(
                    lambda item: _worker(Path(root) / f"w{item[0]}", item[1], args.seed + item[0]),
                    enumerate(shares),
                )
            )
    summary = {
        key: sum(result[key] for result in results)
        for key in ("trials", "confirmed", "lost", "chain_broken", "damaged")
    }
    print(f"{summary['trials']} kills, {summary['confirmed']} confirmed saves", file=sys.stderr)
    print(json.dumps(summary))
    return 0 if summary["lost"] == summary["chain_broken"] == summary["damaged"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
