"""The whole app in a process of its own, started to its first paint and quit, as a nurse's
workstation starts it (``python -m infusion_monitor ... --quit-after-start``, offscreen)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

STARTUP_TIMEOUT_S = 120
#: What ``--quit-after-start`` prints: the first paint, ready (the unit model's first read
#: arrived: chairs, alerts and prompts live) and the window fully built, in seconds.
START_TIMES = re.compile(r"first-paint (\d+\.\d{3})\nready (\d+\.\d{3})\ncomplete (\d+\.\d{3})\n")


def start_and_quit(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Start the app on ``data_dir`` (with ``extra`` arguments), let it paint and quit; what it
    printed and its exit status."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "infusion_monitor",
            *("--data-dir", str(data_dir), "--quit-after-start", *extra),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )
