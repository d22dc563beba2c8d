"""Launch the whole app in a subprocess, let it paint once and quit (plain and ``--demo``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

STARTUP_TIMEOUT_S = 120


@pytest.mark.parametrize("extra", [[], ["--demo"]], ids=["embedded-sqlite", "demo"])
def test_app_starts_paints_and_quits(tmp_path: Path, extra: list[str]) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "infusion_monitor",
            "--data-dir",
            str(tmp_path / "data"),
            "--quit-after-start",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # The first paint (locked window, real chair board), then the window fully built.
    match = re.fullmatch(r"first-paint (\d+\.\d{3})\nready (\d+\.\d{3})\n", result.stdout)
    assert match, result.stdout
    assert float(match[1]) <= float(match[2])
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "data" / "crashes").glob("crash-*")) == []
