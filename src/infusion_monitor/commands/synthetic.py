"""``infusion-monitor demo generate``: fill an empty database with a realistic synthetic year.

An administrative tool (IT, trainers, benchmarks): it reads no patient record and writes only
fictional ones, so it asks for no sign-in; it refuses a database that already holds sessions,
and each month of data is audited by one ``synthetic.generate`` row.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from infusion_monitor.commands import record_date
from infusion_monitor.commands.db import database_url
from infusion_monitor.domain.record_dates import EARLIEST_RECORD_DATE
from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add ``demo generate``."""
    demo = subparsers.add_parser("demo", parents=[common], help="synthetic data (generate)")
    actions = demo.add_subparsers(dest="demo_action", metavar="ACTION", required=True)
    generate = actions.add_parser(
        "generate", parents=[common], help="write a synthetic unit's finished sessions"
    )
    generate.add_argument("--chairs", type=int, default=20)
    generate.add_argument("--days", type=int, default=365)
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--end", type=record_date, metavar="YYYY-MM-DD",
                          help="last day (default: yesterday)")  # fmt: skip
    generate.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.storage.database import open_database
    from infusion_monitor.synthetic import GenerateSpec, generate

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    paths.ensure()
    end = args.end or (datetime.now(UTC).date() - timedelta(days=1))
    if args.days < 1 or end - timedelta(days=args.days) < EARLIEST_RECORD_DATE:
        raise UserError(
            f"--days must be at least 1, and {args.days} days before {end.isoformat()} must not "
            f"reach back before {EARLIEST_RECORD_DATE.isoformat()}."
        )
    started = time.perf_counter()
    with open_database(database_url(args, paths), paths) as database:
        report = generate(
            database.sessions,
            GenerateSpec(args.chairs, args.days, end, args.seed),
            default_rules(),
            progress=lambda line: print(line, flush=True),
        )
    print(
        f"{report.sessions} sessions, {report.reactions} reactions, {report.vitals} vitals sets,"
        f" {report.alerts} alerts in {time.perf_counter() - started:.0f} s"
    )
    return 0
