"""Startup benchmark: seconds from process start to the first painted main window, and to ready.

The app paints its locked first screen (header, chair board with the chairs' states and alert
bands from the database, sign-in panel, status bar) first and builds the rest right after.
Three figures per run of ``infusion-monitor --quit-after-start``, all seconds since the process
started: ``first-paint`` (the first frame of the window); ``ready`` (the app answers a nurse:
the database open, the services wired, sign-in, the change feed running, the alarm sound and
the vitals prompt bar built, and the unit model's first read applied, so the chairs, the
alerts and the vitals prompts are live); ``complete`` (also built what only a signed-in nurse
sees: the trend plot, vitals entry, Review menu, unit settings).

The timed runs start on a realistic unit (``realistic_unit.py``: a month of finished sessions
with their audit trail, today's sessions in all six chairs with reactions, open alerts, typed
vitals and a monitor set a minute), closed cleanly: the usual start of a workstation. Each is
compared with a bare PySide6 + pyqtgraph window (``bare_window.py``), alternating the two; the
medians are reported. Targets: first paint <= 1.3x the bare window, ready <= 1.5 s.

The last line of output is one JSON object: ``{"app_s": first paint, "bare_s": ..., "ratio":
app_s / bare_s, "ready_s": ..., "complete_s": ...}`` (medians). The machine is shared: run it
when it is quiet, and more than once.

Each program is run once first, untimed, with bytecode caching allowed, so the timed runs measure
a normal start rather than Python compiling every module (the app's first run on a new, empty
data folder, which also creates the database, is printed separately).

Run: ``QT_QPA_PLATFORM=offscreen uv run python bench/startup.py [--runs 7]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from infusion_monitor.config import DEFAULT_CHAIRS
from realistic_unit import build_unit

BARE_SCRIPT = Path(__file__).with_name("bare_window.py")
RUN_TIMEOUT_S = 120


def first_paint_s(command: list[str], later: dict[str, list[float]] | None = None) -> float:
    """Run ``command`` and return the seconds from its ``first-paint SECONDS`` line.

    With ``later`` (``{"ready": [...], "complete": [...]}``), the seconds of those lines are
    appended to their lists.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S, check=False
    )
    lines = result.stdout.splitlines()
    for name, runs in (later or {}).items():
        runs += [float(line.split()[1]) for line in lines if line.startswith(f"{name} ")]
    for line in lines:
        if line.startswith("first-paint "):
            return float(line.split()[1])
    raise RuntimeError(f"{command[0]} printed no first-paint line: {result.stderr[-2000:]}")


def main() -> int:
    """Measure both programs and print the figures, the JSON summary last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    options = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="im-bench-") as folder,
        tempfile.TemporaryDirectory(prefix="im-bench-new-") as new_folder,
    ):
        new = [sys.executable, "-m", "infusion_monitor", "--data-dir", new_folder]
        created_s = first_paint_s([*new, "--quit-after-start"])
        print(f"app, first run on a new data folder: {created_s:.3f} s")
        print("unit:", build_unit(Path(folder), DEFAULT_CHAIRS))
        app = [sys.executable, "-m", "infusion_monitor", "--data-dir", folder, "--quit-after-start"]
        bare = [sys.executable, str(BARE_SCRIPT)]
        first_paint_s(app)
        first_paint_s(bare)
        app_runs: list[float] = []
        bare_runs: list[float] = []
        later: dict[str, list[float]] = {"ready": [], "complete": []}
        for _ in range(options.runs):
            app_runs.append(first_paint_s(app, later))
            bare_runs.append(first_paint_s(bare))
    print("app  runs:", " ".join(f"{value:.3f}" for value in app_runs))
    print("bare runs:", " ".join(f"{value:.3f}" for value in bare_runs))
    for name, runs in later.items():
        print(f"app {name} runs:", " ".join(f"{value:.3f}" for value in runs))
    ready_s = statistics.median(later["ready"])
    complete_s = statistics.median(later["complete"])
    app_s = statistics.median(app_runs)
    bare_s = statistics.median(bare_runs)
    print(
        json.dumps(
            {
                "app_s": round(app_s, 3),
                "bare_s": round(bare_s, 3),
                "ratio": round(app_s / bare_s, 3),
                "ready_s": round(ready_s, 3),
                "complete_s": round(complete_s, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
