"""Add ``encoding="utf-8"`` to every text-file call that names none (re-runnable, idempotent).

Without it Python uses the locale's code page on Windows (cp1252, say), so a file written on one
machine reads differently on another. Ruff's PLW1514 catches these only where it can tell the
receiver is a path; this catches ``.read_text()``, ``.write_text(...)``, ``open(...)`` and
``.open(...)`` with a literal text mode by their shape. Usage, from the repository root::

    uv run python tools/add_encoding.py [FOLDER ...]   # default: src tests bench tools
    uv run ruff format .

It prints each file it changed. A call with ``**kwargs``, a mode it cannot read, or a binary
mode is left alone.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DEFAULT_FOLDERS = ("src", "tests", "bench", "tools")
ENCODING = 'encoding="utf-8"'


def _text_mode(node: ast.Call, position: int) -> bool:
    """Whether the call opens in text mode (mode at ``position`` or ``mode=``; absent: "r")."""
    mode: ast.expr | None = None
    if len(node.args) > position:
        mode = node.args[position]
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return True
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and "b" not in mode.value


def needs_encoding(node: ast.Call) -> bool:
    """Whether ``node`` reads or writes text without naming an encoding."""
    keywords = {keyword.arg for keyword in node.keywords}
    if "encoding" in keywords or None in keywords:  # named, or **kwargs may name it
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "read_text":
        return not node.args  # read_text(encoding) positionally
    if isinstance(func, ast.Attribute) and func.attr == "write_text":
        return len(node.args) == 1
    if isinstance(func, ast.Name) and func.id == "open":
        return len(node.args) <= 3 and _text_mode(node, 1)
    if isinstance(func, ast.Attribute) and func.attr == "open":  # Path.open(mode): mode literal
        has_mode = bool(node.args) or "mode" in keywords
        return has_mode and len(node.args) <= 2 and _text_mode(node, 0)
    return False


def add_encoding(source: str) -> str:
    """``source`` with ``encoding="utf-8"`` added to each call :func:`needs_encoding` finds."""
    lines = source.encode("utf-8").splitlines(keepends=True)  # ast's offsets count bytes
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and needs_encoding(node)
    ]
    # From the end of the file backwards, so earlier positions stay valid.
    for call in sorted(calls, key=lambda c: (c.end_lineno, c.end_col_offset), reverse=True):
        given: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
        if given:  # right after the last argument
            last = max(given, key=lambda n: (n.end_lineno or 0, n.end_col_offset or 0))
            end_line, end_column, insert = last.end_lineno, last.end_col_offset, ", " + ENCODING
        else:  # inside the empty parentheses
            end_line, end_column, insert = call.end_lineno, (call.end_col_offset or 1) - 1, ENCODING
        assert end_line is not None and end_column is not None
        row = end_line - 1
        lines[row] = lines[row][:end_column] + insert.encode() + lines[row][end_column:]
    return b"".join(lines).decode("utf-8")


def main(folders: list[str]) -> int:
    for folder in folders or list(DEFAULT_FOLDERS):
        for path in sorted(Path(folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            changed = add_encoding(source)
            if changed != source:
                path.write_text(changed, encoding="utf-8")
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
