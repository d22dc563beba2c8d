"""The ``infusion-monitor`` command: the GUI by default, sub-commands for headless work."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from infusion_monitor import __version__
from infusion_monitor.errors import UserError

#: A sub-command module's ``register(subparsers, common)``: adds its parser, sets ``handler``.
Registrar = Callable[[Any, argparse.ArgumentParser], None]


def _add_common_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """Options valid before or after a sub-command (``--db URL``, ``--data-dir DIR``)."""
    unset = None if defaults else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        metavar="URL",
        default=unset,
        help="database URL (default: the embedded SQLite file in the data folder)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=unset,
        help="folder for the database, backups, logs and config.toml",
    )


def _add_demo_option(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    parser.add_argument(
        "--demo",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="the app: start on a fresh demo database with example sessions, rebuilt at every"
        " start; a sub-command: work on that demo database (start the app with --demo first)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="infusion-monitor",
        description="Chair-side monitoring of IV infusions. Without a sub-command, starts the app.",
    )
    parser.add_argument("--version", action="version", version=f"infusion-monitor {__version__}")
    _add_common_options(parser, defaults=True)
    _add_demo_option(parser, defaults=True)
    parser.add_argument(
        "--quit-after-start",
        action="store_true",
        help="start, paint the main window once, print the startup time (first-paint SECONDS),"
        " then the time the window was fully built (ready SECONDS), and quit"
        " — for smoke tests and benchmarks",
    )
    common = argparse.ArgumentParser(add_help=False)
    _add_common_options(common, defaults=False)
    _add_demo_option(common, defaults=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _command_registrars():
        register(subparsers, common)
    return parser


def _command_registrars() -> list[Registrar]:
    """The ``register`` function of every sub-command module, in help order."""
    from infusion_monitor.commands import (
        audit,
        beds,
        db,
        gateway,
        protocols,
        review,
        rules,
        staff,
        synthetic,
    )

    return [
        rules.register,
        protocols.register,
        db.register,
        audit.register,
        review.register,
        staff.register,
        synthetic.register,
        gateway.register,
        beds.register,
    ]


def _never_fail_on_unprintable_text() -> None:
    """A Windows console prints only its code page (850, 1252...): a patient or staff name
    outside it (Łukasz, 李) shows as ``?`` instead of stopping the command with an error."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    _never_fail_on_unprintable_text()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        handler = getattr(args, "handler", None)
        if handler is None:
            from infusion_monitor.app import run_gui

            return run_gui(args)
        return int(handler(args))
    except UserError as exc:
        print(f"infusion-monitor: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # the reader went away (``| head``): end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def gui_main() -> int:
    """The windowed entry point (``[project.gui-scripts]``): no console window on Windows.

    With no console to print to (``pythonw`` has no standard streams), what the command line
    would print on failure (a refused database, a bad config file, a wrong option) is shown in
    a message box instead.
    """
    printed = _Tail()
    with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(_Tail()):
        try:
            code = main()
        except SystemExit as exit_:  # argparse: a wrong option
            code = exit_.code if isinstance(exit_.code, int) else 2
    message = printed.getvalue().strip()
    if code != 0 and message:
        _show_start_error(message.removeprefix("infusion-monitor: "))
    return code


class _Tail(io.StringIO):
    """What was printed, keeping only its end: the windowed app may run for days."""

    KEEP = 16_384

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.tell() > 4 * self.KEEP:
            tail = self.getvalue()[-self.KEEP :]
            self.seek(0)
            self.truncate()
            super().write(tail)
        return written


def _show_start_error(message: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication([sys.argv[0]])
    QMessageBox.critical(None, "Infusion Monitor cannot start", message)
    del app


if __name__ == "__main__":
    sys.exit(main())
