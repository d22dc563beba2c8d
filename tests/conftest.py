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
