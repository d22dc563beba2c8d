"""tools/add_encoding.py: the sweep that names the encoding of every text-file call."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "add_encoding.py"
_spec = importlib.util.spec_from_file_location("add_encoding", TOOL)
assert _spec is not None and _spec.loader is not None
add_encoding_tool = importlib.util.module_from_spec(_spec)
sys.modules["add_encoding"] = add_encoding_tool
_spec.loader.exec_module(add_encoding_tool)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("p.read_text()\n", 'p.read_text(encoding="utf-8")\n'),
        (
            '(d / "c.toml").write_text(text)\n',
            '(d / "c.toml").write_text(text, encoding="utf-8")\n',
        ),
        ('open(name, "w")\n', 'open(name, "w", encoding="utf-8")\n'),
        ('("Zoë", p.read_text())\n', '("Zoë", p.read_text(encoding="utf-8"))\n'),
        ('p.open("a")\n', 'p.open("a", encoding="utf-8")\n'),
        (
            "f(\n    p.write_text(\n        x,\n    )\n)\n",
            'f(\n    p.write_text(\n        x, encoding="utf-8",\n    )\n)\n',
        ),
    ],
)
def test_text_calls_get_their_encoding(before: str, after: str) -> None:
    assert add_encoding_tool.add_encoding(before) == after
    assert add_encoding_tool.add_encoding(after) == after  # idempotent


@pytest.mark.parametrize(
    "untouched",
    [
        'p.read_text(encoding="utf-8-sig")\n',
        'open(name, "rb")\n',
        'p.open("wb")\n',
        "dialog.open()\n",
        "p.write_text(text, **options)\n",
        "os.open(path, flags)\n",
    ],
)
def test_binary_and_other_calls_are_left_alone(untouched: str) -> None:
    assert add_encoding_tool.add_encoding(untouched) == untouched
