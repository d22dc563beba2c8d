"""Run folders of clinical case files through ``rules test`` on the real command line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from infusion_monitor.cli import main

CLINICAL = Path(__file__).parents[1] / "clinical"


def case_files(folder: str) -> list[Path]:
    """The case files of ``tests/clinical/<folder>``, in name order."""
    return sorted((CLINICAL / folder).glob("*.json"))


def assert_all_pass(paths: Sequence[Path], capsys: pytest.CaptureFixture[str]) -> None:
    """``rules test`` passes every file and closes with ``N passed, 0 failed``."""
    exit_code = main(["rules", "test", *map(str, paths)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{len(paths)} passed, 0 failed"
    assert exit_code == 0
