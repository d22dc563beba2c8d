"""``infusion-monitor audit verify``: walk the hash-chained audit trail and report a break."""

from __future__ import annotations

import argparse
from typing import Any

from infusion_monitor.commands.db import database_url
from infusion_monitor.paths import AppPaths


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``audit`` command and its ``verify`` action."""
    parser = subparsers.add_parser("audit", parents=[common], help="audit trail (verify)")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        parents=[common],
        help="check every audit row against its hash chain; exit 1 at the first broken link",
    )
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    from infusion_monitor.storage.audit import check_audit_chain
    from infusion_monitor.storage.database import open_database

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    with open_database(database_url(args, paths), paths) as database, database.sessions() as db:
        result = check_audit_chain(db)
    if result.broken is not None:
        print(
            f"audit chain BROKEN at entry {result.broken.entry_id}: {result.broken.reason} "
            f"({result.entries} entries read). Keep this database and tell IT."
        )
        return 1
    print(f"audit chain intact: {result.entries} entries")
    return 0
