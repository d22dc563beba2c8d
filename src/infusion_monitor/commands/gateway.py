"""``infusion-monitor gateway`` and ``simulate``: the bedside-monitor feed and a test monitor."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from typing import Any

from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths, workstation_name

DEFAULT_LISTEN = "127.0.0.1:2575"
#: How often the waiting main thread wakes: Windows delivers Ctrl+C and Ctrl+Break to Python
#: only between waits, and a bare ``Event.wait()`` would never return for them.
STOP_POLL_S = 0.5


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``gateway`` and ``simulate`` commands."""
    gateway = subparsers.add_parser(
        "gateway",
        parents=[common],
        help="receive bedside-monitor vital signs (HL7 v2 ORU^R01 over MLLP) into the database",
    )
    gateway.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help=f"where to listen (default: config [gateway] listen, else {DEFAULT_LISTEN}); "
        "use a non-loopback address only on the unit's monitor network",
    )
    gateway.set_defaults(handler=_gateway)
    simulate = subparsers.add_parser(
        "simulate", help="play a scenario's vital signs to a gateway, as a bedside monitor would"
    )
    from infusion_monitor.integrations.hl7.simulator import SCENARIOS

    simulate.add_argument("--scenario", choices=sorted(SCENARIOS), default="stable")
    simulate.add_argument("--to", metavar="HOST:PORT", default=DEFAULT_LISTEN)
    simulate.add_argument(
        "--speed", type=float, default=60.0, help="scenario seconds per real second (0: no wait)"
    )
    simulate.add_argument("--bed", default="Chair 1", help="chair/bed name sent in PV1-3")
    simulate.add_argument("--count", type=int, default=30, help="how many sets to send")
    simulate.add_argument("--run-id", default=None, help=argparse.SUPPRESS)
    simulate.set_defaults(handler=_simulate)


def _gateway(args: argparse.Namespace) -> int:

    from infusion_monitor.config import configured_rules_file, load_config
    from infusion_monitor.domain.alerts import AlertPolicy
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.domain.protocol_library import load_library
    from infusion_monitor.integrations.hl7.gateway import (
        listen_error,
        parse_listen,
        running_gateway,
    )
    from infusion_monitor.rules.loader import default_rules, load_rules
    from infusion_monitor.services.monitor.feed import make_monitor_feed
    from infusion_monitor.storage.database import open_database

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    config = load_config(paths.config_file)
    host, port = parse_listen(args.listen or config.gateway.listen or DEFAULT_LISTEN)
    rules_file = configured_rules_file(config, paths.config_file)
    rules = default_rules() if rules_file is None else load_rules(rules_file)
    clock = SystemClock()
    with open_database(getattr(args, "db", None) or config.database.url, paths) as database:
        feed = make_monitor_feed(
            database.sessions,
            clock,
            lambda: rules,
            load_library(),
            AlertPolicy(config.alerts.escalate_after_s),
            workstation_name(config.security.workstation),
        )
        stop = threading.Event()

        def _on_signal(_signum: int, _frame: object) -> None:
            stop.set()

        for name in ("SIGTERM", "SIGINT", "SIGBREAK"):  # SIGBREAK: Ctrl+Break, Windows only
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _on_signal)
        with contextlib.ExitStack() as stack:
            try:
                server = stack.enter_context(
                    running_gateway(
                        feed.store_batch,
                        clock.now,
                        host,
                        port,
                        heart_rate_sources=config.gateway.heart_rate_sources,
                    )
                )
            except OSError as exc:
                raise UserError(listen_error(host, port, exc)) from exc
            bound_host, bound_port = server.address
            print(f"Gateway listening on {bound_host}:{bound_port}", flush=True)
            while not stop.wait(STOP_POLL_S):
                pass
    print("Gateway stopped.", flush=True)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from infusion_monitor.integrations.hl7.gateway import parse_listen
    from infusion_monitor.integrations.hl7.simulator import play

    host, port = parse_listen(args.to)
    if args.count < 1 or args.speed < 0:
        raise UserError("--count must be at least 1 and --speed not negative.")

    def _report(index: int, control_id: str, code: str) -> None:
        print(f"{index + 1}/{args.count} {control_id} {code}", flush=True)

    accepted = play(
        args.scenario,
        host=host,
        port=port,
        bed=args.bed,
        count=args.count,
        speed=args.speed,
        on_ack=_report,
        run_id=args.run_id,
    )
    print(f"{accepted} of {args.count} acknowledged AA.", file=sys.stderr)
    return 0 if accepted == args.count else 1
