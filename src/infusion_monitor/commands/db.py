"""``infusion-monitor db upgrade|check|backup|restore``: migrate, check, back up, restore."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``db`` command and its ``upgrade`` and ``check`` actions."""
    parser = subparsers.add_parser(
        "db", parents=[common], help="database maintenance (upgrade, check, backup, restore)"
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
    backup = actions.add_parser(
        "backup",
        parents=[common],
        help="take a checked copy of the SQLite database into the backups folder now",
    )
    backup.set_defaults(handler=_backup)
    restore = actions.add_parser(
        "restore",
        parents=[common],
        help="replace the SQLite database with BACKUP (checked first; the current file is kept)",
    )
    restore.add_argument("backup", metavar="BACKUP", help="the backup file to restore")
    restore.set_defaults(handler=_restore)


def database_url(args: argparse.Namespace, paths: AppPaths) -> str | None:
    """``--demo`` (the demo database the app made), else ``--db``, else the config file's
    ``[database] url``, else None (the embedded SQLite)."""
    from infusion_monitor.config import load_config

    url: str | None = getattr(args, "db", None)
    if getattr(args, "demo", False):
        if url:
            raise UserError("--demo uses its own database; leave out --db.")
        demo = paths.demo_database_file
        if not demo.exists():  # never a new, empty database by mistake
            raise UserError(
                f"There is no demo database in {demo.parent} yet: start the app once with "
                "--demo (it builds a fresh one at every start), then run this command."
            )
        return f"sqlite:///{demo}"
    return url or load_config(paths.config_file).database.url


def _upgrade(args: argparse.Namespace) -> int:
    from infusion_monitor.storage.database import open_database

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    with open_database(database_url(args, paths), paths) as database:
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


def _sqlite_target(args: argparse.Namespace, paths: AppPaths) -> Path:
    from infusion_monitor.storage.database import database_url as full_url
    from infusion_monitor.storage.engine import parse_url, sqlite_file

    path = sqlite_file(parse_url(full_url(database_url(args, paths), paths)))
    if path is None:
        raise UserError(
            "Backups here are for the SQLite file; back up a PostgreSQL server with pg_dump."
        )
    return path


def _backup(args: argparse.Namespace) -> int:
    from infusion_monitor.storage.backup import take_backup
    from infusion_monitor.storage.database import open_database

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    target = _sqlite_target(args, paths)
    with open_database(database_url(args, paths), paths):
        result = take_backup(target, paths.backup_dir, at=datetime.now(UTC))
    if not result.ok:
        print(f"The copy {result.path} failed its integrity check ({result.problem}).")
        print("The database may be damaged: keep it, and restore an earlier backup with IT.")
        return 1
    print(f"Backed up to {result.path} (integrity check passed).")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from infusion_monitor.storage.backup import restore_backup

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    target = _sqlite_target(args, paths)
    source = Path(args.backup).expanduser().resolve()
    kept = restore_backup(source, target, paths.backup_dir, at=datetime.now(UTC))
    print(f"Restored {target} from {source} (integrity check passed).")
    if kept is not None:
        print(f"The file it replaced is kept in {kept}.")
    return 0
