"""The quality page: vitals on time, reaction rates, response times and alert issues, with charts.

Aggregation is Qt-free (``services/quality.py``); this window only asks for a period's report,
draws it with pyqtgraph and tables, and writes it as CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.export_file import write_text_export
from infusion_monitor.services.quality import QualityReport, QualityService
from infusion_monitor.ui.date_filter import date_filter_edit, start_of_day

DEFAULT_DAYS = 91
CYCLE_COLOURS = ("#1F5FAD", "#5A8FD6", "#8DB3E8", "#B9D0F0", "#C9A227", "#E07B00", "#B00000")
NURSE_COLOURS = ("#1F5FAD", "#8E2C48", "#2F7D4A", "#9A5B00", "#5A3E8C", "#0E6F7C", "#222222")


def _table(headers: list[str], rows: list[tuple[str, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    return table


def _plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setTitle(title, color="#222222", size="12pt")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.showGrid(x=False, y=True, alpha=0.3)
    plot.addLegend(offset=(10, 10))
    return plot


class QualityWindow(QWidget):
    """Quality measures of the unit for a period (charge nurses only; the service checks)."""

    def __init__(self, quality: QualityService, actor: Callable[[], Actor]) -> None:
        super().__init__()
        self.setWindowTitle("Quality measures — Infusion Monitor")
        self.resize(1500, 900)
        self._quality = quality
        self._actor = actor
        self.report: QualityReport | None = None
        today = QDate.currentDate()
        self.since = date_filter_edit(today.addDays(-DEFAULT_DAYS))
        self.until = date_filter_edit(today)
        show = QPushButton("Show")
        show.clicked.connect(self.refresh)
        export = QPushButton("Export as CSV…")
        export.clicked.connect(self._on_export_clicked)
        bar = QHBoxLayout()
        for label, widget in (("From", self.since), ("To", self.until)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(show)
        bar.addWidget(export)
        bar.addStretch(1)
        self.message = QLabel()
        bar.addWidget(self.message)
        self.tabs = QTabWidget()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    def refresh(self) -> None:
        """Read the period's report and redraw every tab."""
        try:
            report = self._quality.report(
                self._actor(),
                start_of_day(self.since.date()),
                start_of_day(self.until.date()) + timedelta(days=1),
            )
        except UserError as exc:
            self.tabs.clear()
            self.message.setText(exc.message)
            return
        self.report = report
        self.message.setText(f"{report.sessions} finished sessions in the period.")
        self.tabs.clear()
        self.tabs.addTab(self._on_time_tab(report), "Vitals on time")
        self.tabs.addTab(self._reactions_tab(report), "Reactions per 100 sessions")
        self.tabs.addTab(self._response_tab(report), "Reaction response times")
        self.tabs.addTab(self._issues_tab(report), f"Alert issues ({len(report.issues)})")

    def _split(self, chart: QWidget, table: QWidget) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(chart)
        splitter.addWidget(table)
        splitter.setSizes([560, 300])
        return splitter

    def _on_time_tab(self, report: QualityReport) -> QWidget:
        plot = _plot("Vitals on time by nurse and week", "on time (%)", "week")
        weeks = sorted({cell.week for cell in report.on_time})
        index = {week: i for i, week in enumerate(weeks)}
        nurses = sorted({cell.nurse for cell in report.on_time})
        for n, nurse in enumerate(nurses):
            cells = [c for c in report.on_time if c.nurse == nurse]
            plot.plot(
                [index[c.week] for c in cells],
                [c.pct for c in cells],
                pen=pg.mkPen(NURSE_COLOURS[n % len(NURSE_COLOURS)], width=2),
                symbol="o",
                symbolSize=5,
                symbolBrush=NURSE_COLOURS[n % len(NURSE_COLOURS)],
                name=nurse,
            )
        step = max(1, len(weeks) // 12)
        plot.getAxis("bottom").setTicks(
            [[(i, f"{w:%d %b}") for i, w in enumerate(weeks) if i % step == 0]]
        )
        lowest = min((c.pct for c in report.on_time), default=100.0)
        # Room under the lines for the legend, which sits at the bottom left.
        plot.setYRange(max(0.0, lowest - 25), 101)
        plot.plotItem.legend.setOffset((10, -40))
        rows = [
            (c.nurse, f"{c.week:%d %b %Y}", str(c.checks), f"{c.pct:.0f}%") for c in report.on_time
        ]
        return self._split(plot, _table(["Nurse", "Week of", "Checks", "On time"], rows))

    def _reactions_tab(self, report: QualityReport) -> QWidget:
        plot = _plot("Reactions per 100 sessions by drug and cycle", "reactions / 100", "drug")
        drugs = sorted({r.drug for r in report.reaction_rates})
        bands = ["1", "2", "3", "4", "5", "6", "7+"]
        width = 0.8 / len(bands)
        for b, band in enumerate(bands):
            rates = [r for r in report.reaction_rates if r.cycle == band]
            if not rates:
                continue
            xs = [drugs.index(r.drug) - 0.4 + width * (b + 0.5) for r in rates]
            plot.addItem(
                pg.BarGraphItem(
                    x=xs,
                    height=[r.per_100 for r in rates],
                    width=width * 0.9,
                    brush=CYCLE_COLOURS[b],
                    name=f"cycle {band}",
                )
            )
        plot.getAxis("bottom").setTicks([[(i, d) for i, d in enumerate(drugs)]])
        rows = [
            (r.drug, r.cycle, str(r.sessions), str(r.reactions), f"{r.per_100:.1f}")
            for r in report.reaction_rates
        ]
        table = _table(["Drug", "Cycle", "Sessions", "Reactions", "Per 100"], rows)
        return self._split(plot, table)

    def _response_tab(self, report: QualityReport) -> QWidget:
        plot = _plot(
            "Minutes from first symptom (median and 90th percentile)", "minutes", "response"
        )
        times = report.response_times
        for offset, attribute, colour, name in (
            (-0.2, "median_min", "#1F5FAD", "median"),
            (0.2, "p90_min", "#C9A227", "90th percentile"),
        ):
            plot.addItem(
                pg.BarGraphItem(
                    x=[i + offset for i in range(len(times))],
                    height=[getattr(t, attribute) or 0 for t in times],
                    width=0.35,
                    brush=colour,
                    name=name,
                )
            )
        plot.getAxis("bottom").setTicks([[(i, t.measure) for i, t in enumerate(times)]])

        def shown(value: float | None) -> str:
            return "—" if value is None else f"{value:.0f}"

        rows = [(t.measure, str(t.n), shown(t.median_min), shown(t.p90_min)) for t in times]
        table = _table(["Response", "Reactions", "Median (min)", "90th pct (min)"], rows)
        return self._split(plot, table)

    def _issues_tab(self, report: QualityReport) -> QWidget:
        rows = [
            (
                f"{i.at.astimezone():%d %b %Y %H:%M}",
                i.kind,
                i.what,
                i.nurse,
                str(i.session_id),
                i.reason,
            )
            for i in report.issues
        ]
        return _table(["When", "Kind", "What", "Nurse", "Session", "Reason"], rows)

    def export_csv(self, path: Path) -> Path:
        """Write the shown report as CSV."""
        from infusion_monitor.integrations.csv_export import quality_csv

        if self.report is None:
            raise UserError("There is no report to export.")
        return write_text_export(path, quality_csv(self.report), excel=True)

    def _on_export_clicked(self) -> None:
        dialog = QFileDialog(self, "Export quality measures", "quality.csv", "CSV (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.fileSelected.connect(self._on_export_file_selected)
        dialog.open()

    def _on_export_file_selected(self, name: str) -> None:
        try:
            self.export_csv(Path(name))
        except UserError as exc:  # nothing written: the message says why and what to do
            self.message.setText(exc.message)
            return
        self.message.setText(f"Written to {name}.")
