"""``assess`` and ``rules check|test``: run the rules engine on case files from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infusion_monitor.errors import UserError
from infusion_monitor.paths import AppPaths

# The rules engine and the configuration load in the handlers: building the parser stays cheap.
if TYPE_CHECKING:
    from infusion_monitor.rules.case import Case
    from infusion_monitor.rules.loader import RuleSet


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``assess`` and ``rules`` sub-commands."""
    parser = subparsers.add_parser(
        "assess", parents=[common], help="assess one case file and print the result as JSON"
    )
    parser.add_argument("case", metavar="CASE", help="case file (JSON), or - for standard input")
    _add_rules_option(parser)
    parser.set_defaults(handler=run_assess)

    rules = subparsers.add_parser("rules", parents=[common], help="check or test a rule set")
    actions = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", parents=[common], help="validate a rule-set file")
    check.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        type=Path,
        help="rule-set file (default: the one in force)",
    )
    check.set_defaults(handler=run_check)
    test = actions.add_parser(
        "test", parents=[common], help="run case files and compare with their expect block"
    )
    test.add_argument("cases", metavar="CASES", nargs="+", type=Path, help="case files (JSON)")
    _add_rules_option(test)
    test.set_defaults(handler=run_test)


def _add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules", metavar="FILE", type=Path, help="rule-set file (default: the one in force)"
    )


def _file_in_force(args: argparse.Namespace) -> Path | None:
    """The rule-set file named in the configuration, or None for the shipped default."""
    from infusion_monitor.config import configured_rules_file, load_config

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    return configured_rules_file(load_config(paths.config_file), paths.config_file)


def _rules(path: Path | None, args: argparse.Namespace) -> RuleSet:
    """The rule set at ``path``, else the one in force."""
    from infusion_monitor.rules.loader import default_rules, load_rules

    chosen = path if path is not None else _file_in_force(args)
    return default_rules() if chosen is None else load_rules(chosen)


def _read_case(name: str) -> Case:
    """Parse a case file, or standard input for ``-``."""
    from infusion_monitor.rules.case import parse_case

    if name == "-":
        return parse_case(sys.stdin.read())
    try:
        text = Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"The case file {name} cannot be read ({exc}).") from exc
    return parse_case(text)


def _output(case: Case, rules: RuleSet) -> dict[str, Any]:
    from infusion_monitor.rules.case import case_context
    from infusion_monitor.rules.engine import assess

    return assess(case_context(case, rules), case.at).to_json(case.id)


def run_assess(args: argparse.Namespace) -> int:
    """Print the assessment of one case as JSON."""
    rules = _rules(args.rules, args)
    case = _read_case(args.case)
    for warning in case.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(json.dumps(_output(case, rules), indent=2))
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Validate a rule-set file: OK with its version, or every problem with file and line."""
    from infusion_monitor.datafile import DataFileError

    try:
        rules = _rules(args.file, args)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"OK {rules.file}: rule set {rules.name!r}, version {rules.version}")
    return 0


def _test_one(path: Path, rules: RuleSet) -> tuple[str, str | None]:
    """The case's name (its ``id``, else the file name) and None if it passes, else why not."""
    from infusion_monitor.rules.expect import mismatches

    try:
        case = _read_case(str(path))
    except UserError as exc:
        return path.stem, exc.message.replace("\n", "; ")
    name = case.id or path.stem
    if case.expect is None:
        return name, "the case has no expect block"
    problems = mismatches(case.expect, _output(case, rules))
    return name, "; ".join(problems) if problems else None


def run_test(args: argparse.Namespace) -> int:
    """Run case files against their expect block; exit 1 if any failed."""
    rules = _rules(args.rules, args)
    passed = failed = 0
    for path in args.cases:
        name, problem = _test_one(path, rules)
        if problem is None:
            passed += 1
            print(f"PASS {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {problem}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
