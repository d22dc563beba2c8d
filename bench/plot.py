"""Trend-plot benchmark: add one monitor reading and repaint, with 12 h of 1 Hz data on screen.

Fills the plot with 43,200 monitor points in each of its six vital series (HR, SBP, DBP, RR,
SpO2, temperature; NEWS2 as well), plus typed sets every 15 min and a dozen markers, shows it at
1600x900 offscreen, then times ``add_point`` followed by a synchronous ``repaint`` of the whole
plot. The view is the whole session (the worst case: every point in view, peak downsampled).
The last line is JSON: ``{"add_repaint_ms": median, "p95_ms": ..., "points_per_series": ...}``.

Run: ``uv run python bench/plot.py [--adds 200]``
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from infusion_monitor.ui.trend_plot import MarkerKind, TrendMarker, TrendPlot, TrendPoint

SECONDS = 12 * 3600
TARGET_MS = 16.0


def monitor_point(second: int) -> TrendPoint:
    """A plausible, wavy 1 Hz monitor reading."""
    wave = math.sin(second / 600)
    return TrendPoint(
        t_min=second / 60,
        hr=80 + 10 * wave + (second % 7),
        sbp=125 + 8 * wave,
        dbp=80 + 5 * wave,
        rr=16 + 2 * wave,
        spo2=97 - (second % 3),
        temp_c=36.8 + 0.2 * wave,
        news2=1 + (second % 600 == 0),
        monitor=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--adds", type=int, default=200)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    plot = TrendPlot()
    plot.resize(1600, 900)
    plot.set_start(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    points = [monitor_point(second) for second in range(SECONDS)]
    typed = [TrendPoint(m, 82, 126, 80, 16, 97, 36.8, 0) for m in range(0, SECONDS // 60, 15)]
    plot.set_points(sorted(points + typed, key=lambda p: p.t_min))
    plot.set_baseline(TrendPoint(0, 78, 130, 82, 16, 97, 36.8, 0))
    plot.set_markers([TrendMarker(m, MarkerKind.RATE_CHANGE, "rate") for m in range(0, 720, 60)])
    plot.show()
    app.processEvents()
    plot.repaint()
    timings = []
    for index in range(args.adds):
        point = monitor_point(SECONDS + index)
        started = time.perf_counter()
        plot.add_point(point)
        plot.repaint()
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
    print(
        f"series of {len(points)} points; {args.adds} adds; "
        f"median {median:.2f} ms, p95 {p95:.2f} ms"
    )
    print(f"target < {TARGET_MS} ms: {'met' if median < TARGET_MS else 'NOT met'}")
    print(
        json.dumps(
            {
                "add_repaint_ms": round(median, 2),
                "p95_ms": round(p95, 2),
                "points_per_series": len(points) + args.adds,
            }
        )
    )
    plot.close()
    plot.deleteLater()
    del plot
    gc.collect()
    app.processEvents()


if __name__ == "__main__":
    main()
