"""``infusion-monitor sessions list`` and ``infusion-monitor export SESSION``: review headless.

**Who acts.** Both read patient records, so both act as a signed-in member of staff, never as an
anonymous tool: ``--as STAFF_ID`` names the charge nurse, the PIN comes from ``--pin-file`` (for
scripts; the file holds only the PIN) or is asked for on the terminal. The sign-in goes through
the same service as the app (audited, wrong PINs count towards the lock-out), the role is
checked by the review service (review for the list, export for an export) and every export
writes an ``review.export`` audit row. The workstation recorded is ``cli@<host>``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from infusion_monitor.commands import record_date
from infusion_monitor.commands.db import database_url
from infusion_monitor.domain.alerts import AlertPriority, priority_code
from infusion_monitor.errors import UserError
from infusion_monitor.files import read_text
from infusion_monitor.paths import AppPaths, workstation_name

PIN_PROMPT = "PIN: "
MAX_LIST = 1000


def staff_options(
    parser: argparse.ArgumentParser, *, role: str = "a charge nurse", required: bool = True
) -> None:
    """``--as STAFF_ID`` and ``--pin-file FILE``: who runs the command."""
    parser.add_argument("--as", dest="acting", required=required, metavar="STAFF_ID",
                        help=f"act as this member of staff ({role})")  # fmt: skip
    parser.add_argument("--pin-file", metavar="FILE",
                        help="read the PIN from FILE (else asked on the terminal)")  # fmt: skip


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add ``sessions list`` and ``export``."""
    sessions = subparsers.add_parser("sessions", parents=[common], help="finished sessions (list)")
    actions = sessions.add_subparsers(dest="sessions_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="list finished sessions")
    staff_options(listing)
    listing.add_argument("--since", type=record_date, metavar="YYYY-MM-DD")
    listing.add_argument("--until", type=record_date, metavar="YYYY-MM-DD",
                         help="last day included")  # fmt: skip
    listing.add_argument("--drug")
    listing.add_argument("--nurse-id", type=int)
    listing.add_argument("--chair-id", type=int)
    listing.add_argument("--reaction", choices=("yes", "no"))
    listing.add_argument("--min-priority", choices=("low", "medium", "high"))
    listing.add_argument("--search", metavar="MRN_OR_NAME")
    listing.add_argument("--sort", default="date")
    listing.add_argument("--ascending", action="store_true")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    shape = listing.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="one JSON object with the rows")
    shape.add_argument("--csv", action="store_true", help="CSV with a header row")
    listing.set_defaults(handler=_list)

    export = subparsers.add_parser("export", parents=[common],
                                   help="export a finished session (pdf, csv, fhir)")  # fmt: skip
    export.add_argument("session", type=int, metavar="SESSION")
    export.add_argument("--format", required=True, choices=("pdf", "csv", "fhir"))
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    staff_options(export)
    export.set_defaults(handler=_export)


def read_pin(args: argparse.Namespace) -> str:
    """The PIN of ``--as``: from ``--pin-file``, else asked on the terminal."""
    if args.pin_file:
        try:
            return read_text(Path(args.pin_file)).strip()
        except OSError as exc:
            raise UserError(f"Cannot read the PIN file {args.pin_file}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise UserError(
                f"The PIN file {args.pin_file} is not text (UTF-8 or UTF-16). Write only the PIN "
                "in it, for example with PowerShell's Set-Content."
            ) from exc
    if not sys.stdin.isatty():
        raise UserError("No terminal to ask for the PIN: give --pin-file FILE.")
    return getpass.getpass(PIN_PROMPT)


def open_for(args: argparse.Namespace) -> Any:
    """The database of ``--db``/``--data-dir`` (a context manager)."""
    from infusion_monitor.storage.database import open_database

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    return open_database(database_url(args, paths), paths)


def sign_in_as(args: argparse.Namespace, database: Any) -> Any:
    """Sign ``--as`` in through the app's own (audited) sign-in; the workstation is the CLI."""
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.services.staff.credentials import PinChoiceNeeded
    from infusion_monitor.services.staff.sign_in import AuthService

    auth = AuthService(database.sessions, SystemClock(), workstation=f"cli@{workstation_name()}")
    try:
        return auth.sign_in(args.acting, read_pin(args))
    except PinChoiceNeeded:
        raise UserError(
            f"{args.acting.upper()} has a one-time code and no PIN yet: sign in once in the app "
            "with the code to choose a PIN, then use that PIN here."
        ) from None


def _list(args: argparse.Namespace) -> int:
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.integrations.csv_export import sessions_csv
    from infusion_monitor.services.review.gate import ReviewService
    from infusion_monitor.services.review.query import SessionFilter, SortKey

    try:
        sort = SortKey(args.sort)
    except ValueError:
        keys = ", ".join(key.value for key in SortKey)
        raise UserError(f"Unknown sort '{args.sort}'; use one of {keys}.") from None

    def start_of(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), UTC)

    wanted = SessionFilter(
        since=start_of(args.since),
        until=start_of(args.until + timedelta(days=1) if args.until else None),
        drug=args.drug,
        nurse_id=args.nurse_id,
        chair_id=args.chair_id,
        reaction=None if args.reaction is None else args.reaction == "yes",
        min_priority=AlertPriority.from_code(args.min_priority or "none"),
        search=args.search,
    )
    if args.limit > MAX_LIST:
        print(
            f"infusion-monitor: --limit {args.limit} is more than the {MAX_LIST} sessions one "
            f"listing returns; showing at most {MAX_LIST} (use --offset for the next ones).",
            file=sys.stderr,
        )
    with open_for(args) as database:
        actor = sign_in_as(args, database)
        page = ReviewService(database.sessions, SystemClock()).list_sessions(
            actor,
            wanted,
            sort=sort,
            descending=not args.ascending,
            offset=args.offset,
            limit=min(args.limit, MAX_LIST),
        )
    if args.csv:
        sys.stdout.write(sessions_csv(page.rows))
    elif args.json:
        rows = [
            {
                **{
                    k: (v.isoformat() if isinstance(v, datetime) else v)
                    for k, v in row.__dict__.items()
                },
                "duration_min": row.duration_min,
                "vitals_on_time_pct": row.on_time_pct,
            }
            for row in page.rows
        ]
        json.dump({"total": page.total, "offset": page.offset, "rows": rows}, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(
            f"{'SESSION':>7}  {'DATE':<16}  {'CHAIR':<9} {'PATIENT':<22} {'DRUG':<22} "
            f"{'CYCLE':<4} {'HIGHEST':<6} {'GRADE':<3} {'VITALS ON TIME'}"
        )
        for row in page.rows:
            grade = f"G{row.reaction_grade}" if row.reaction_grade else "-"
            on_time = "-" if row.on_time_pct is None else f"{row.on_time_pct:.0f}%"
            print(
                f"{row.id:>7}  {row.created_at.astimezone():%Y-%m-%d %H:%M}  {row.chair:<9} "
                f"{row.patient_name:<22} {row.drug:<22} C{row.cycle or 1:<3} "
                f"{priority_code(row.highest_priority):<6} {grade:<3} {on_time:>4}"
            )
        print(f"{len(page.rows)} of {page.total} sessions")
    return 0


def _export(args: argparse.Namespace) -> int:
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.services.review.gate import ReviewService

    with open_for(args) as database:
        actor = sign_in_as(args, database)
        _record, review = ReviewService(database.sessions, SystemClock()).export_session(
            actor, args.session, args.format
        )
    output: Path = args.output
    if args.format == "csv":
        from infusion_monitor.integrations.csv_export import vitals_csv
        from infusion_monitor.integrations.export_file import write_text_export

        write_text_export(output, vitals_csv(review), excel=True)
    elif args.format == "fhir":
        from infusion_monitor.integrations.export_file import write_text_export
        from infusion_monitor.integrations.fhir import session_bundle

        write_text_export(output, json.dumps(session_bundle(review), indent=2))
    else:
        _write_pdf(review, output, actor.name)
    print(f"session {args.session} exported as {args.format} to {output}")
    return 0


def _write_pdf(review: Any, output: Path, printed_by: str) -> None:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from infusion_monitor.integrations.reports import write_session_pdf

    app = QApplication.instance() or QApplication([sys.argv[0]])
    write_session_pdf(review, output, printed_by, datetime.now(UTC))
    del app
