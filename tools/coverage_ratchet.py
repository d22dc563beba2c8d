"""The coverage ratchet: no file of the package loses test coverage unnoticed.

Run it after the whole suite (``uv run pytest`` leaves its branch coverage in ``.coverage``)::

    uv run python tools/coverage_ratchet.py            # check against coverage-ratchet.json
    uv run python tools/coverage_ratchet.py --update   # record rises and new files, then commit
    uv run python tools/coverage_ratchet.py --reset    # record this run as it is (after a merge)

Each file's figure is coverage.py's percentage of its statements and branches covered. The check
fails when a file recorded at 100 % is below 100 %, or when a file is more than ``--tolerance``
points (default 1.0) below its recorded figure; it prints the table of every file that moved,
and what the failing files miss. Files new since the baseline and files gone from the package
are listed, never failed. ``--update`` keeps each file's best figure (a ratchet turns one way):
to accept a lower figure on purpose (code moved or deleted), edit that file's line in
coverage-ratchet.json in the same commit and say why in its message. ``--reset`` records the
figures of this run exactly, falls included: for a merge that moved code between files; the
table it prints belongs in that commit's message.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from coverage import Coverage
from coverage.exceptions import NoDataError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "coverage-ratchet.json"
DATA_FILE = ROOT / ".coverage"
#: Percentage points a file may fall below its recorded figure (timing-dependent paths such as
#: a retry after a busy database are not taken on every run). Files at 100 % get none.
TOLERANCE = 1.0
UPDATE_HINT = (
    "Coverage rose: record it with `uv run python tools/coverage_ratchet.py --update` "
    "and commit coverage-ratchet.json."
)


@dataclass(frozen=True)
class FileCoverage:
    """One file's figure and, for the report, what it misses."""

    percent: float
    missing_lines: tuple[int, ...]
    missing_branches: tuple[tuple[int, int], ...]


def measure(data_file: Path) -> dict[str, FileCoverage]:
    """Each measured file of the package (path relative to the project) and its coverage."""
    coverage = Coverage(data_file=str(data_file), config_file=str(ROOT / "pyproject.toml"))
    coverage.load()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        coverage.json_report(outfile=str(report))
        files = json.loads(report.read_text(encoding="utf-8"))["files"]
    return {
        Path(name).resolve().relative_to(ROOT).as_posix(): FileCoverage(
            round(entry["summary"]["percent_covered"], 2),
            tuple(entry["missing_lines"]),
            tuple((a, b) for a, b in entry.get("missing_branches", ())),
        )
        for name, entry in files.items()
    }


def _read_baseline(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    return {name: float(value) for name, value in json.loads(path.read_text("utf-8")).items()}


def _write_baseline(path: Path, figures: dict[str, float]) -> None:
    # One file a line, sorted: a change shows as the lines of the files that moved.
    path.write_text(json.dumps(dict(sorted(figures.items())), indent=0) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Move:
    """One file whose figure differs from the recorded one."""

    name: str
    recorded: float | None
    now: float | None
    failed: bool

    @property
    def status(self) -> str:
        if self.recorded is None:
            return "new"
        if self.now is None:
            return "gone"
        if self.failed:
            return "FELL"
        return "rose" if self.now > self.recorded else "fell (within tolerance)"


def compare(recorded: dict[str, float], now: dict[str, float], tolerance: float) -> list[Move]:
    """Every file that moved, new or gone; ``failed`` where the ratchet does not allow it."""
    moves = []
    for name in sorted(recorded.keys() | now.keys()):
        before, after = recorded.get(name), now.get(name)
        if before == after:
            continue
        failed = (
            before is not None
            and after is not None
            and (after < before - tolerance or (before >= 100.0 and after < 100.0))
        )
        moves.append(Move(name, before, after, failed))
    return moves


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_table(moves: list[Move]) -> None:
    """The files that moved: recorded figure, figure now, change, verdict."""
    width = max(len(move.name) for move in moves)
    print(f"{'file':<{width}}  {'recorded':>8}  {'now':>8}  {'change':>7}  status")
    for move in moves:
        change = (
            f"{move.now - move.recorded:+.2f}"
            if move.now is not None and move.recorded is not None
            else ""
        )
        print(
            f"{move.name:<{width}}  {_figure(move.recorded):>8}  {_figure(move.now):>8}  "
            f"{change:>7}  {move.status}"
        )


def _ranges(numbers: tuple[int, ...]) -> str:
    parts: list[str] = []
    for number in numbers:
        if parts and parts[-1].split("-")[-1] == str(number - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{number}"
        else:
            parts.append(str(number))
    return ", ".join(parts)


def print_missing(name: str, file: FileCoverage) -> None:
    """What a failing file's tests no longer reach."""
    print(f"\n{name} misses:")
    if file.missing_lines:
        print(f"  lines {_ranges(file.missing_lines)}")
    if file.missing_branches:
        branches = ", ".join(f"{a}->{'exit' if b < 0 else b}" for a, b in file.missing_branches)
        print(f"  branches {branches}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="record rises and new files")
    parser.add_argument("--reset", action="store_true", help="record this run, falls included")
    parser.add_argument("--data-file", type=Path, default=DATA_FILE, help="default: .coverage")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="percentage points")
    args = parser.parse_args(argv)
    try:
        measured = measure(args.data_file)
    except NoDataError as exc:
        print(f"No coverage data ({exc}): run the whole suite first (`uv run pytest`).")
        return 2
    now = {name: file.percent for name, file in measured.items()}
    recorded = _read_baseline(args.baseline)
    moves = compare(recorded, now, args.tolerance)
    if args.reset:
        if moves:
            print_table(moves)
        _write_baseline(args.baseline, now)
        print(f"Recorded this run's figures of {len(now)} files in {args.baseline.name}.")
        return 0
    if not recorded and not args.update:
        print(f"No {args.baseline.name}: record one with `--update` after the whole suite.")
        return 2
    failed = [move for move in moves if move.failed]
    if args.update:
        if failed:
            print_table(failed)
            print("\nNot updated: these files fell. Cover them again, or lower their lines in")
            print(f"{args.baseline.name} by hand in the commit that explains why.")
            return 1
        best = {name: max(value, recorded.get(name, value)) for name, value in now.items()}
        _write_baseline(args.baseline, best)
        print(f"Recorded {len(best)} files in {args.baseline.name}.")
        return 0
    if moves:
        print_table(moves)
    for move in failed:
        print_missing(move.name, measured[move.name])
    fell = sum(1 for move in moves if move.status in ("FELL", "fell (within tolerance)"))
    print(
        f"\ncoverage ratchet: {len(now)} files, {len(moves)} moved, {len(failed)} below the "
        f"ratchet (files at 100 % stay there; others may fall {args.tolerance:.1f} points at most)"
    )
    if recorded and fell > len(recorded) // 3:
        print("Most files fell: did the whole suite run? (`uv run pytest`, no arguments)")
    if any(move.status in ("rose", "new", "gone") for move in moves) and not failed:
        print(UPDATE_HINT)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
