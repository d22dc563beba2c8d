"""The quality page's charts: readable for a year and twelve nurses, legend beside the data.

Each series has its own marker shape and line style as well as its colour (never colour alone),
the legend sits in its own column to the right of the plot so it never covers a point, and a
figure resting on too few to compare is drawn hollow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QSizePolicy

from infusion_monitor.services.review.quality_measures import (
    SMALL_MARK,
    SMALL_N,
    MeasureTable,
    QualityReport,
)

#: Twelve series that stay apart in shape, line and colour (dark enough on white).
MARKERS = ("o", "s", "t", "d", "star", "p", "h", "t1", "+", "x", "t2", "t3")
COLOURS = (
    "#1F5FAD", "#B00020", "#2F7D4A", "#6A3D9A", "#9A5B00", "#0E6F7C",
    "#C2185B", "#333333", "#7A7A00", "#D35400", "#00838F", "#5D4037",
)  # fmt: skip
LINES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)
PATTERNS = (Qt.BrushStyle.SolidPattern, Qt.BrushStyle.BDiagPattern, Qt.BrushStyle.CrossPattern)
TEXT = "#222222"
#: Priorities in their IEC colour families (red, amber, cyan; dark enough to read on white),
#: each with its own marker: the style index of each.
PRIORITY_STYLES = {"!!! HIGH": 1, "!! MEDIUM": 4, "! LOW": 10}
TARGET_COLOUR = "#B00020"
MARKER_SIZE = 9


class Chart(pg.GraphicsLayoutWidget):
    """A plot with its legend in a column of its own, to the right of the data."""

    def __init__(self, title: str, left: str, bottom: str) -> None:
        super().__init__()
        self.setBackground("w")
        self.setMinimumHeight(260)
        self.plot: pg.PlotItem = self.addPlot(row=0, col=0)
        self.plot.setTitle(title, color=TEXT, size="12pt")
        self.plot.setLabel("left", left, color=TEXT)
        self.plot.setLabel("bottom", bottom, color=TEXT)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setTextPen(TEXT)
            axis.setPen(TEXT)
        self.legend = pg.LegendItem(labelTextColor=TEXT, labelTextSize="10pt")
        self.legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.addItem(self.legend, row=0, col=1)
        self.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.ci.layout.setColumnStretchFactor(0, 5)
        self.ci.layout.setColumnStretchFactor(1, 1)
        self.setToolTip("Click a marker in the legend to hide or show its series.")
        self.series: list[str] = []

    def release(self) -> None:
        """Take every item out of the legend, the plot and the layout before the widget goes,
        so Qt deletes nothing that Python still holds (pyqtgraph's items point at each other)."""
        self.legend.clear()
        self.plot.clear()
        self.clear()
        self.series.clear()

    def add(self, item: pg.GraphicsObject, name: str) -> None:
        """Put ``item`` on the plot and in the legend."""
        self.plot.addItem(item)
        self.legend.addItem(item, name)
        self.series.append(name)


def style(index: int) -> dict[str, object]:
    """Marker, colour and line of series ``index`` (repeats only after twelve)."""
    colour = COLOURS[index % len(COLOURS)]
    return {
        "pen": pg.mkPen(colour, width=2, style=LINES[(index // len(MARKERS)) % len(LINES)]),
        "symbol": MARKERS[index % len(MARKERS)],
        "symbolSize": MARKER_SIZE,
        "symbolPen": pg.mkPen(colour, width=1.5),
        "symbolBrush": colour,
    }


def _month_ticks(months: Sequence[str]) -> list[tuple[int, str]]:
    step = max(1, len(months) // 12)
    return [
        (i, f"{date.fromisoformat(m + '-01'):%b %y}") for i, m in enumerate(months) if i % step == 0
    ]


def _series(table: MeasureTable, column: str) -> dict[str, list[tuple[str, float | None, bool]]]:
    """``{first label: [(second label, value, small), ...]}`` of a two-level table."""
    found: dict[str, list[tuple[str, float | None, bool]]] = {}
    at = table.columns.index(column)
    for row in table.rows:
        figure = row.figures[at]
        found.setdefault(row.labels[0], []).append((row.labels[1], figure.value, figure.small))
    return found


def on_time_chart(report: QualityReport) -> Chart:
    """Vitals on time per nurse by month, the unit in bold black, and the target line."""
    chart = Chart(
        f"Vitals on time by nurse and month (hollow {SMALL_MARK}: under {SMALL_N} checks)",
        "on time (%)",
        "month",
    )
    months = [row.labels[0] for row in report.table("on_time_month").rows]
    index = {m: i for i, m in enumerate(months)}
    lowest = report.target_pct
    nurses = _series(report.table("on_time_nurse_month"), "On time")
    for n, (nurse, points) in enumerate(nurses.items()):
        kept = [(index[m], v, small) for m, v, small in points if v is not None]
        lowest = min([lowest, *(v for _, v, small in kept if not small)])
        look = style(n)
        chart.add(pg.PlotDataItem([x for x, _, _ in kept], [v for _, v, _ in kept], **look), nurse)
        hollow = [(x, v) for x, v, small in kept if small]
        if hollow:  # drawn over in white: too few checks to compare
            chart.plot.addItem(
                pg.ScatterPlotItem(
                    x=[x for x, _ in hollow],
                    y=[v for _, v in hollow],
                    symbol=look["symbol"],
                    size=MARKER_SIZE,
                    pen=look["symbolPen"],
                    brush=pg.mkBrush("w"),
                )
            )
    unit = report.table("on_time_month")
    at = unit.columns.index("On time")
    values = [(index[r.labels[0]], r.figures[at].value) for r in unit.rows]
    kept_unit = [(x, v) for x, v in values if v is not None]
    chart.add(
        pg.PlotDataItem(
            [x for x, _ in kept_unit],
            [v for _, v in kept_unit],
            pen=pg.mkPen("#000000", width=4),
            symbol="s",
            symbolSize=11,
            symbolBrush="#000000",
        ),
        "Unit",
    )
    target = pg.InfiniteLine(
        pos=report.target_pct,
        angle=0,
        pen=pg.mkPen(TARGET_COLOUR, width=2, style=Qt.PenStyle.DashLine),
    )
    chart.plot.addItem(target)
    chart.legend.addItem(pg.PlotDataItem(pen=target.pen), f"Target {report.target_pct:g}%")
    chart.series.append(f"Target {report.target_pct:g}%")
    chart.plot.getAxis("bottom").setTicks([_month_ticks(months)])
    chart.plot.setYRange(max(0.0, lowest - 3), 100.5, padding=0)
    chart.plot.setXRange(-0.5, max(len(months) - 0.5, 0.5), padding=0)
    return chart


def alarm_chart(report: QualityReport) -> Chart:
    """Median time to acknowledge by month, one line per priority."""
    chart = Chart("Median time to acknowledge an alert, by month", "seconds", "month")
    table = report.table("alarm_month")
    months = sorted({row.labels[0] for row in table.rows})
    index = {m: i for i, m in enumerate(months)}
    at = table.columns.index("Median to ack")
    for priority, n in PRIORITY_STYLES.items():
        rows = [r for r in table.rows if r.labels[1] == priority]
        rows = [r for r in rows if r.figures[at].value is not None]
        if not rows:
            continue
        chart.add(
            pg.PlotDataItem(
                [index[r.labels[0]] for r in rows],
                [r.figures[at].value for r in rows],
                **style(n),
            ),
            priority,
        )
    chart.plot.getAxis("bottom").setTicks([_month_ticks(months)])
    chart.plot.setXRange(-0.5, max(len(months) - 0.5, 0.5), padding=0)
    return chart


def response_chart(report: QualityReport) -> Chart:
    """Median minutes to each response by severity (bars), 90th percentile as a whisker."""
    chart = Chart(
        "Minutes from the first symptom: median (bar) and 90th percentile (whisker)",
        "minutes",
        "severity",
    )
    table = report.table("response_times")
    severities = list(dict.fromkeys(row.labels[0] for row in table.rows))
    median_at = table.columns.index("Median")
    p90_at = table.columns.index("90th pct")
    names = ("Infusion stopped", "Provider notified", "First drug (epinephrine in anaphylaxis)")
    width = 0.26
    for n, name in enumerate(names):
        rows = [table.rows[i] for i in range(n, len(table.rows), 3)]
        xs = [severities.index(r.labels[0]) + (n - 1) * width for r in rows]
        medians = [r.figures[median_at].value or 0.0 for r in rows]
        p90s = [r.figures[p90_at].value or 0.0 for r in rows]
        colour = COLOURS[n]
        brush = QBrush(QColor(colour), PATTERNS[n])
        chart.add(
            pg.BarGraphItem(x=xs, height=medians, width=width * 0.9, brush=brush, pen=colour),
            name,
        )
        chart.plot.addItem(
            pg.ErrorBarItem(
                x=np.array(xs),
                y=np.array(medians),
                top=np.array([max(p - m, 0.0) for p, m in zip(p90s, medians, strict=True)]),
                beam=width * 0.5,
                pen=pg.mkPen(TEXT, width=1.5),
            )
        )
    reactions_at = table.columns.index("Reactions")
    counts = {row.labels[0]: row.figures[reactions_at].n for row in table.rows}
    chart.plot.getAxis("bottom").setTicks(
        [
            [
                (i, f"{s} · n={counts[s]}{' ' + SMALL_MARK if counts[s] < SMALL_N else ''}")
                for i, s in enumerate(severities)
            ]
        ]
    )
    chart.plot.setXRange(-0.6, max(len(severities) - 0.4, 0.6), padding=0)
    return chart


def reactions_chart(report: QualityReport) -> Chart:
    """Reactions per 100 sessions: one row per drug, one marker per cycle; hollow when few."""
    chart = Chart(
        "Reactions other than anaphylaxis per 100 sessions, by drug and cycle "
        f"(hollow {SMALL_MARK}: under {SMALL_N} sessions)",
        "drug",
        "reactions per 100 sessions",
    )
    table = report.table("reactions_drug_cycle")
    drugs = sorted({row.labels[0] for row in table.rows}, reverse=True)
    at = table.columns.index("Per 100")
    bands = sorted({row.labels[1] for row in table.rows}, key=lambda b: int(b.rstrip("+")))
    for n, band in enumerate(bands):
        rows = [r for r in table.rows if r.labels[1] == band and r.figures[at].value is not None]
        offset = (n - (len(bands) - 1) / 2) * 0.1
        look = style(n)
        brushes = [None if r.figures[at].small else look["symbolBrush"] for r in rows]
        chart.add(
            pg.ScatterPlotItem(
                x=[r.figures[at].value for r in rows],
                y=[drugs.index(r.labels[0]) + offset for r in rows],
                symbol=look["symbol"],
                size=MARKER_SIZE + 1,
                pen=look["symbolPen"],
                brush=[pg.mkBrush(b) if b else pg.mkBrush(None) for b in brushes],
            ),
            f"cycle {band}",
        )
    chart.plot.getAxis("left").setTicks([list(enumerate(drugs))])
    chart.plot.setYRange(-0.6, max(len(drugs) - 0.4, 0.6), padding=0)
    chart.plot.showGrid(x=True, y=True, alpha=0.25)
    return chart
