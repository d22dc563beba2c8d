"""``infusion-monitor protocols check|list``: validate drug protocol files and show the library."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The protocol library loads in the handlers: building the parser stays cheap.
if TYPE_CHECKING:
    from infusion_monitor.domain.protocol import DrugProtocol


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``protocols`` command with its ``check`` and ``list`` actions."""
    parser = subparsers.add_parser(
        "protocols",
        parents=[common],
        help="check or list the drug monitoring protocols",
        description="Check drug protocol files, or list the protocols in force.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="validate protocol files; report every problem with file and line",
        description="Validate protocol files (default: the shipped ones). Exit 1 on any problem.",
    )
    check.add_argument("paths", nargs="*", type=Path, metavar="FILE|DIR")
    check.set_defaults(handler=_check)
    listing = actions.add_parser(
        "list",
        help="list the protocols in force with their key schedule facts",
        description="List the shipped protocols, overlaid by a site folder if given.",
    )
    listing.add_argument("--site", type=Path, metavar="DIR", help="site protocol folder")
    listing.set_defaults(handler=_list)


def _check(args: argparse.Namespace) -> int:
    from infusion_monitor.domain.protocol_library import (
        expand_paths,
        load_protocols,
        shipped_protocol_files,
    )

    files = expand_paths(args.paths) if args.paths else shipped_protocol_files()
    loaded = load_protocols(files)
    print(f"{len(loaded)} protocol file(s) valid.")
    return 0


def _list(args: argparse.Namespace) -> int:
    from infusion_monitor.domain.protocol_library import load_library

    for entry in load_library(args.site):
        print(f"{entry.protocol.id:20} {entry.protocol.name}")
        print(f"{'':20} {describe(entry.protocol)}")
    return 0


def describe(protocol: DrugProtocol) -> str:
    """One line of key facts: rate plan, vitals schedule, high-risk cycles, observation."""
    vitals = protocol.vitals
    early = ", ".join(str(minute) for minute in vitals.early_checks_min)
    parts = [
        f"vitals at {early} min, then every {vitals.interval_min} min "
        f"({vitals.high_risk_interval_min} in high-risk cycles), "
        f"+{vitals.after_rate_change_min} min after rate changes"
    ]
    rate = protocol.rate
    if rate is not None:
        start = f"{rate.start:g} " if rate.start is not None else ""
        step = f" +{rate.increase_by:g} every {rate.every_min} min" if rate.increase_by else ""
        parts.append(f"rate {start}{rate.unit}{step} max {rate.max:g}")
    risk = protocol.risk
    if risk.high_risk_cycles:
        parts.append("high risk cycles " + ", ".join(map(str, risk.high_risk_cycles)))
    if risk.high_risk_from_cycle is not None:
        parts.append(f"high risk from cycle {risk.high_risk_from_cycle}")
    if protocol.test_dose is not None:
        parts.append(f"test dose {protocol.test_dose.amount}, wait {protocol.test_dose.wait_min}")
    parts.append(f"observe {protocol.observation.minutes} min")
    return "; ".join(parts)
