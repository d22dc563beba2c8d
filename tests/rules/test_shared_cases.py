"""Every shared clinical case passes ``rules test`` through the real command line."""

from __future__ import annotations

import pytest
from casefiles import assert_all_pass, case_files

CASES = case_files("cases")


def test_the_case_folder_is_not_empty() -> None:
    assert len(CASES) >= 12


def test_every_shared_case_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert_all_pass(CASES, capsys)
