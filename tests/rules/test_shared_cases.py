"""Every shared clinical case passes ``rules test`` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from infusion_monitor.cli import main

CASES = sorted((Path(__file__).parents[1] / "clinical" / "cases").glob("*.json"))


def test_the_case_folder_is_not_empty() -> None:
    assert len(CASES) >= 12


def test_every_shared_case_passes(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["rules", "test", *map(str, CASES)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{len(CASES)} passed, 0 failed"
    assert exit_code == 0
