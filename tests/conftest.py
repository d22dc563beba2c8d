"""Test-wide set-up: headless Qt and a private data folder for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backends import backend, backend_url

__all__ = ["backend", "backend_url"]

os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data folder; nothing touches the user's real one."""
    folder = tmp_path / "data"
    monkeypatch.setenv("INFUSION_MONITOR_DATA_DIR", str(folder))
    return folder


def pytest_configure(config: pytest.Config) -> None:
    """Enforce 100% branch coverage of ``rules/`` when the whole suite runs (plain ``pytest``).

    A run of chosen files or tests (``pytest tests/rules/test_news2.py``) still reports coverage
    but does not fail on it; ``--no-cov`` turns coverage off altogether.
    """
    whole_suite = config.args_source is pytest.Config.ArgsSource.TESTPATHS
    coverage = config.pluginmanager.get_plugin("_cov")
    if whole_suite and coverage is not None:
        coverage.options.cov_fail_under = 100
