"""Compare a case's ``expect`` block with an assessment's output (rules-spec §2)."""

from __future__ import annotations

import json
from typing import Any

_MISSING = object()


def _lookup(output: dict[str, Any], dotted: str) -> object:
    """The output value at a dotted key, or _MISSING."""
    value: object = output
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def matches(expected: object, actual: object) -> bool:
    """Lists must contain every expected item; objects match key by key; scalars are equal."""
    if isinstance(expected, list):
        return isinstance(actual, list) and all(
            any(matches(item, candidate) for candidate in actual) for item in expected
        )
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and matches(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def _show(value: object) -> str:
    if value is _MISSING:
        return "nothing"
    return value if isinstance(value, str) else json.dumps(value)


def mismatches(expect: dict[str, Any], output: dict[str, Any]) -> list[str]:
    """One ``key expected X, got Y`` line per expectation the output does not meet."""
    problems = []
    for key, expected in expect.items():
        actual = _lookup(output, key)
        if actual is _MISSING or not matches(expected, actual):
            problems.append(f"{key} expected {_show(expected)}, got {_show(actual)}")
    return problems
