"""Build case dictionaries for rules tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BASELINE: dict[str, Any] = {
    "hr": 80,
    "sbp": 120,
    "dbp": 70,
    "rr": 16,
    "spo2": 98,
    "on_oxygen": False,
    "temp_c": 36.8,
    "acvpu": "A",
}


def obs(minute: int, **changes: Any) -> dict[str, Any]:
    """An observation at ``minute``: the baseline values with ``changes``."""
    return {"minute": minute, **BASELINE, **changes}


def symptom(code: str, onset: int, resolved: int | None = None) -> dict[str, Any]:
    """A symptom entry."""
    return {"code": code, "onset_minute": onset, "resolved_minute": resolved}


def act(minute: int, action: str) -> dict[str, Any]:
    """A course entry."""
    return {"minute": minute, "action": action}


def case(**fields: Any) -> dict[str, Any]:
    """A case with the default baseline and no entries, overridden by ``fields``."""
    base: dict[str, Any] = {
        "id": "T",
        "baseline": dict(BASELINE),
        "observations": [],
        "symptoms": [],
        "course": [],
    }
    return {**base, **fields}


#: The ``run`` fixture: assess a case dictionary, return the JSON output.
Run = Callable[..., dict[str, Any]]
