"""Load a TOML data file into a pydantic schema and report every problem with file, line, reason.

Rule sets and drug protocols are data files a unit's pharmacy or nursing lead edits by hand, so a
mistake must be pointed at precisely: ``default.toml:42: pathways.anaphylaxis.priority: ...``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from infusion_monitor.errors import UserError

Model = TypeVar("Model", bound=BaseModel)
KeyPath = tuple[str | int, ...]

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_ARRAY_TABLE = re.compile(r"^\[\[\s*(.+?)\s*\]\]")
_TABLE = re.compile(r"^\[\s*(.+?)\s*\]")
_KEY = re.compile(
    r"""^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"([^"]*)"|'([^']*)'""")


@dataclass(frozen=True)
class FileProblem:
    """One problem in a data file; ``line`` is 1-based, or None when no line can be named."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.reason}"


class DataFileError(UserError):
    """A data file was refused; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems), exit_code=1)


def load_toml_model(text: str, file: str, schema: type[Model]) -> Model:
    """Parse TOML ``text`` (named ``file`` in messages) and validate it against ``schema``.

    Raises DataFileError naming the file, line and reason of every problem.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        reason = _TOML_POSITION.sub("", str(exc)).strip()
        line = int(match.group(1)) if match else None
        raise DataFileError([FileProblem(file, line, f"not valid TOML: {reason}")]) from exc
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        lines = key_lines(text)
        problems = [
            FileProblem(file, _line_of(tuple(error["loc"]), lines), _reason(error))
            for error in exc.errors()
        ]
        problems.sort(key=lambda problem: problem.line or 0)
        raise DataFileError(problems) from exc


def _reason(error: object) -> str:
    """``path.to.key: message`` from one pydantic error."""
    assert isinstance(error, dict)
    loc = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against the documentation)"
    return f"{loc}: {message}" if loc else message


def _line_of(loc: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    """The line of the longest prefix of ``loc`` that the file names."""
    for end in range(len(loc), 0, -1):
        line = lines.get(loc[:end])
        if line is not None:
            return line
    return None


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map every table header and key in a TOML document to its 1-based line number.

    Arrays of tables are indexed like the parsed data (``("pathway", 2, "priority")``). Lines
    inside multi-line strings are skipped.
    """
    lines: dict[KeyPath, int] = {}
    array_counts: dict[KeyPath, int] = {}
    table: KeyPath = ()
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if in_multiline is not None:
            if stripped.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if array_match := _ARRAY_TABLE.match(stripped):
            path = _split_key(array_match.group(1))
            index = array_counts.get(path, 0)
            array_counts[path] = index + 1
            table = (*path, index)
            lines.setdefault(path, number)
            lines[table] = number
        elif table_match := _TABLE.match(stripped):
            table = _split_key(table_match.group(1))
            lines[table] = number
        elif key_match := _KEY.match(stripped):
            lines[(*table, *_split_key(key_match.group(1)))] = number
            for quote in ('"""', "'''"):
                if stripped.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


def _split_key(dotted: str) -> tuple[str, ...]:
    """Split a possibly dotted, possibly quoted TOML key into its parts."""
    parts = []
    for match in _KEY_PART.finditer(dotted):
        double, single = match.group(1), match.group(2)
        parts.append(double if double is not None else single if single is not None else match[0])
    return tuple(parts)
