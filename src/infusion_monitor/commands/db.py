"""``infusion-monitor db upgrade|check``: migrate the database; check models vs migrations."""

from __future__ import annotations

import argparse
from typing import Any

from infusion_monitor.config import load_config
from infusion_monitor.paths import AppPaths


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``db`` command and its ``upgrade`` and ``check`` actions."""
    parser = subparsers.add_parser(
        "db", parents=[common], help="database maintenance (upgrade, check)"
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        parents=[common],
        help="create or upgrade the database to this version's schema (backs up SQLite first)",
    )
    upgrade.set_defaults(handler=_upgrade)
    check = actions.add_parser(
        "check",
        parents=[common],
        help="check that the migrations build exactly the schema the models describe"
        " (with --db postgresql+psycopg://...: in a scratch schema on that server)",
    )
    check.set_defaults(handler=_check)


def _database_url(args: argparse.Namespace, paths: AppPaths) -> str | None:
    """``--db``, else the config file's ``[database] url``, else None (the embedded SQLite)."""
    url: str | None = getattr(args, "db", None)
    return url or load_config(paths.config_file).database.url


def _upgrade(args: argparse.Namespace) -> int:
    from infusion_monitor.storage.database import open_database

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    with open_database(_database_url(args, paths), paths) as database:
        report = database.migration
        if report is None:
            print(f"The database {database.location} is up to date.")
        else:
            print(f"Upgraded the database {database.location} to {report.to_revision}.")
            if report.backup is not None:
                print(f"A copy from before the upgrade is in {report.backup}.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from infusion_monitor.storage.migrate import schema_drift

    # Only a PostgreSQL --db is used (in a scratch schema); SQLite is checked in a temp file.
    differences = schema_drift(url=getattr(args, "db", None))
    if not differences:
        print("The migrations match the models.")
        return 0
    print("The migrations do not match the models:")
    for difference in differences:
        print(f"  {difference}")
    return 1
