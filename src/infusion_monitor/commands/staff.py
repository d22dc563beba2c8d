"""``infusion-monitor staff add | list | disable | import``: staff accounts for IT and scripts.

An administrator acts (``--as STAFF_ID``, PIN from ``--pin-file`` or the terminal, signed in
through the app's audited sign-in). New accounts get no PIN: each gets a one-time code, printed
once, that its owner types at the first sign-in before choosing a PIN. On a database without an
administrator (a new or generated one), ``staff add ID --name NAME --role administrator`` without
``--as`` creates the first one (its own audit row says so), with the PIN of ``--pin-file`` when
given (the person at the terminal is that administrator), else with a one-time code.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from infusion_monitor.commands.review import open_for, read_pin, sign_in_as, staff_options
from infusion_monitor.errors import UserError
from infusion_monitor.paths import workstation_name

ROLES = ("nurse", "charge_nurse", "administrator")
IMPORT_COLUMNS = ("staff_id", "name", "role")


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add ``staff add``, ``staff list``, ``staff disable`` and ``staff import``."""
    staff = subparsers.add_parser("staff", parents=[common], help="staff accounts (administrators)")
    actions = staff.add_subparsers(dest="staff_action", metavar="ACTION", required=True)
    admin = "an administrator"
    add = actions.add_parser("add", parents=[common], help="add an account with a one-time code")
    add.add_argument("staff_id", metavar="STAFF_ID")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    staff_options(add, role=f"{admin}; leave out for the first administrator", required=False)
    add.set_defaults(handler=_add)
    listing = actions.add_parser("list", parents=[common], help="list the accounts")
    staff_options(listing, role=admin)
    listing.set_defaults(handler=_list)
    disable = actions.add_parser("disable", parents=[common], help="stop an account signing in")
    disable.add_argument("staff_id", metavar="STAFF_ID")
    staff_options(disable, role=admin)
    disable.set_defaults(handler=_disable)
    bulk = actions.add_parser(
        "import", parents=[common], help="add the accounts of a CSV file (staff_id,name,role)"
    )
    bulk.add_argument("file", type=Path, metavar="FILE.csv")
    staff_options(bulk, role=admin)
    bulk.set_defaults(handler=_import)


def _services(database: Any) -> Any:
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.services.staff.accounts import StaffService

    return StaffService(database.sessions, SystemClock())


def _print_codes(made: Any) -> None:
    print("STAFF ID\tNAME\tROLE\tONE-TIME CODE\tVALID UNTIL")
    for item in made:
        until = item.valid_until.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{item.member.staff_id}\t{item.member.name}\t{item.member.role.value}\t"
              f"{item.code}\t{until}")  # fmt: skip
    print("Hand each code to its owner: they sign in with it once (in the PIN field) and "
          "choose their own PIN.")  # fmt: skip


def _add(args: argparse.Namespace) -> int:
    from infusion_monitor.domain.users import Actor, Role
    from infusion_monitor.services.staff.accounts import NewStaff
    from infusion_monitor.services.staff.credentials import administrator_exists
    from infusion_monitor.storage.sql_rows import session_rows

    account = NewStaff(args.staff_id, args.name, Role(args.role))
    with open_for(args) as database:
        if args.acting is None:
            with database.sessions() as db:
                exists = administrator_exists(session_rows(db))
            if exists or account.role is not Role.ADMINISTRATOR:
                raise UserError(
                    "Give --as STAFF_ID (an administrator). Only the first administrator of a "
                    "database without one is added without --as."
                )
            actor = Actor(
                account.staff_id.strip().upper(),
                account.name,
                Role.ADMINISTRATOR,
                workstation=f"cli@{workstation_name()}",
            )
            if args.pin_file:  # IT is the first administrator: their own PIN, no code
                staff = _services(database)
                member = staff.add_staff(
                    actor, account.staff_id, account.name, account.role, read_pin(args)
                )
                print(f"{member.staff_id} ({member.name}) added as the first administrator "
                      f"with the PIN in {args.pin_file}.")  # fmt: skip
                return 0
        else:
            actor = sign_in_as(args, database)
        _print_codes(_services(database).provision(actor, [account]))
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_for(args) as database:
        actor = sign_in_as(args, database)
        members = _services(database).list_staff(actor)
    print("STAFF ID\tNAME\tROLE\tSTATE")
    for member in members:
        state = (
            "disabled"
            if not member.active
            else "active"
            if member.has_pin
            else "awaiting first sign-in (one-time code)"
        )
        print(f"{member.staff_id}\t{member.name}\t{member.role.value}\t{state}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    with open_for(args) as database:
        actor = sign_in_as(args, database)
        member = _services(database).disable(actor, args.staff_id)
    print(f"{member.staff_id} ({member.name}) is disabled: it can no longer sign in.")
    return 0


def _read_rows(path: Path) -> list[Any]:
    from infusion_monitor.domain.users import Role
    from infusion_monitor.services.staff.accounts import NewStaff

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise UserError(
                    f"{path}: the first line must name the columns {','.join(IMPORT_COLUMNS)}"
                    f" (missing {', '.join(missing)})."
                )
            rows = []
            for line, row in enumerate(reader, start=2):
                role = (row.get("role") or "").strip()
                if role not in ROLES:
                    raise UserError(
                        f"{path}, line {line}: role '{role}' is not one of {', '.join(ROLES)};"
                        " nothing was added."
                    )
                rows.append(NewStaff(row["staff_id"] or "", row["name"] or "", Role(role)))
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror}.") from exc
    if not rows:
        raise UserError(f"{path} has no accounts under its header line; nothing was added.")
    return rows


def _import(args: argparse.Namespace) -> int:
    rows = _read_rows(args.file)
    with open_for(args) as database:
        actor = sign_in_as(args, database)
        _print_codes(_services(database).provision(actor, rows))
    return 0
