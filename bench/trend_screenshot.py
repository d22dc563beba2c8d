"""Render the trend plot standalone with the two-hour demo reaction and save a PNG.

Usage: ``uv run python bench/trend_screenshot.py OUT.png``
"""

from __future__ import annotations

import gc
import os
import sys
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from infusion_monitor.demo_vitals import (
    BASELINE,
    DEMO_ACTIONS,
    DEMO_EVENTS,
    DEMO_SETS,
    DEMO_SYMPTOMS,
    MISSED_CHECKS_MIN,
)
from infusion_monitor.domain.markers import MarkerKind
from infusion_monitor.rules import news2
from infusion_monitor.rules.inputs import Patient
from infusion_monitor.ui.trend_plot import TrendMarker, TrendPlot, TrendPoint


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    plot = TrendPlot()
    plot.resize(1100, 760)
    plot.set_start(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    base = BASELINE
    values = (base.hr, base.sbp, base.dbp, base.rr, base.spo2, base.temp_c)
    score = news2.news2(base, base, Patient(), 5).score
    plot.set_baseline(TrendPoint(0, *values, score))
    points = [TrendPoint(-10, *values, score)]
    for s in DEMO_SETS:
        v = s.signs
        points.append(
            TrendPoint(
                s.minute,
                v.hr,
                v.sbp,
                v.dbp,
                v.rr,
                v.spo2,
                v.temp_c,
                news2.news2(v, base, Patient(), 5).score,
            )
        )
        if s.minute + 15 in MISSED_CHECKS_MIN:
            points.append(TrendPoint(s.minute + 15))
    plot.set_points(sorted(points, key=lambda p: p.t_min))
    kinds = {
        "start": MarkerKind.START,
        "rate_change": MarkerKind.RATE_CHANGE,
        "pause": MarkerKind.PAUSE,
        "resume": MarkerKind.RESUME,
    }
    markers = [TrendMarker(m, kinds[k], k.replace("_", " ")) for m, k, _ in DEMO_EVENTS]
    markers += [TrendMarker(m, MarkerKind.SYMPTOM, code) for m, code in DEMO_SYMPTOMS[:1]]
    markers += [TrendMarker(45, MarkerKind.ALERT, "!!! HIGH anaphylaxis")]
    markers += [TrendMarker(m, MarkerKind.INTERVENTION, a) for m, a in DEMO_ACTIONS[:1]]
    plot.set_markers(markers)
    plot.show()
    app.processEvents()
    plot.readout.setText(plot.readout_at(50))
    app.processEvents()
    plot.grab().save(sys.argv[1])
    # Delete the plot before the interpreter finalizes: PySide6 6.12 can crash ("bool_dealloc")
    # when pyqtgraph items are left for the final garbage collection.
    plot.close()
    plot.deleteLater()
    del plot
    gc.collect()
    app.processEvents()


if __name__ == "__main__":
    main()
