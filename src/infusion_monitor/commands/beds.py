"""``infusion-monitor beds list|add|remove``: which chair each bedside monitor's bed label means.

Listing needs no sign-in (no patient data); adding and removing act as a signed-in charge nurse
or administrator (``--as STAFF_ID``, PIN from ``--pin-file`` or the terminal), audited.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from infusion_monitor.commands.review import open_for, sign_in_as, staff_options
from infusion_monitor.paths import AppPaths


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add ``beds list``, ``beds add`` and ``beds remove``."""
    beds = subparsers.add_parser(
        "beds", parents=[common], help="map bedside monitors' bed labels (PV1-3) to chairs"
    )
    actions = beds.add_subparsers(dest="beds_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="show every bed mapping")
    listing.set_defaults(handler=_list)
    add = actions.add_parser("add", parents=[common], help="map a bed label to a chair")
    add.add_argument("label", help="the bed as the monitor sends it in PV1-3 (e.g. 'BED 03')")
    add.add_argument("chair", help="the chair it stands at (e.g. 'Chair 3')")
    add.add_argument("--point-of-care", default="", help="only for this point of care (PV1-3.1)")
    add.add_argument("--facility", default="", help="only for this facility (PV1-3.4)")
    staff_options(add, role="a charge nurse or administrator")
    add.set_defaults(handler=_add)
    remove = actions.add_parser("remove", parents=[common], help="remove a bed mapping")
    remove.add_argument("id", type=int, help="the mapping's number ('beds list')")
    staff_options(remove, role="a charge nurse or administrator")
    remove.set_defaults(handler=_remove)


def _service(args: argparse.Namespace, database: Any) -> Any:
    from infusion_monitor.config import load_config
    from infusion_monitor.services.monitor.beds import BedMappingService

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    chairs = load_config(paths.config_file).unit.chairs
    return BedMappingService(database.sessions, chairs)


def _list(args: argparse.Namespace) -> int:
    with open_for(args) as database:
        entries = _service(args, database).mappings()
    if not entries:
        print("No bed mappings: a monitor's bed label must be a chair's name.")
    for entry in entries:
        print(f"{entry.id:4d}  {entry.bed_label!r} ({entry.where}) -> {entry.chair}")
    return 0


def _add(args: argparse.Namespace) -> int:
    with open_for(args) as database:
        actor = sign_in_as(args, database)
        entry = _service(args, database).add(
            actor,
            args.label,
            args.chair,
            datetime.now(UTC),
            point_of_care=args.point_of_care,
            facility=args.facility,
        )
    print(f"Mapping {entry.id}: {entry.bed_label!r} ({entry.where}) -> {entry.chair}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_for(args) as database:
        actor = sign_in_as(args, database)
        entry = _service(args, database).remove(actor, args.id, datetime.now(UTC))
    print(f"Removed mapping {entry.id}: {entry.bed_label!r} ({entry.where}) -> {entry.chair}")
    return 0
