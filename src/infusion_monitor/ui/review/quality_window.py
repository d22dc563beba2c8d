"""The quality page: alarm response, reaction response, reactions and vitals on time.

The measures are computed by the Qt-free services on a worker thread (a whole year reads in the
background, with progress); this window only asks, then draws each section as a chart with its
tables. Every number opens the list of the sessions behind it, and each of those opens in the
review detail. The page prints to PDF and exports as CSV, with the period and filters in both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.export_file import write_text_export
from infusion_monitor.services.review.gate import ReviewService
from infusion_monitor.services.review.quality import QualityService
from infusion_monitor.services.review.quality_measures import (
    SMALL_MARK,
    SMALL_N,
    Figure,
    MeasureTable,
    QualityReport,
    QualitySection,
)
from infusion_monitor.services.review.query import FilterChoices, SessionFilter
from infusion_monitor.ui.date_filter import period_edits, period_of
from infusion_monitor.ui.review.quality_charts import (
    Chart,
    alarm_chart,
    on_time_chart,
    reactions_chart,
    response_chart,
)
from infusion_monitor.ui.review.quality_tables import MeasureTableView
from infusion_monitor.ui.review.quality_worker import BackgroundReader
from infusion_monitor.ui.review.session_list import ReviewWindow

DEFAULT_DAYS = 91
CHARTS: dict[str, Callable[[QualityReport], Chart]] = {
    "alarms": alarm_chart,
    "response": response_chart,
    "reactions": reactions_chart,
    "on_time": on_time_chart,
}
PRINT_CHART_SIZE = (1400, 560)


def render_chart(chart: Chart, width: int, height: int) -> QImage:
    """``chart`` drawn off screen into an image (for the PDF)."""
    chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    chart.resize(width, height)
    chart.show()
    QApplication.processEvents()
    image = chart.grab().toImage()
    chart.release()
    chart.close()
    chart.deleteLater()
    return image


class QualityWindow(QWidget):
    """Quality measures of the unit for a period (charge nurses only; the service checks)."""

    report_shown = Signal(object)
    """The report has been drawn (or refused: then ``report`` stays None)."""
    sessions_opened = Signal(object)
    """A list of the sessions behind a number was opened (the :class:`ReviewWindow`)."""

    def __init__(
        self,
        quality: QualityService,
        review: ReviewService,
        actor: Callable[[], Actor],
        clock: Clock,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Quality measures — Infusion Monitor")
        self.resize(1500, 940)
        self._quality = quality
        self._review = review
        self._actor = actor
        self._clock = clock
        self.report: QualityReport | None = None
        self.lists: list[ReviewWindow] = []
        self.charts: dict[str, Chart] = {}
        self.tables: dict[str, MeasureTableView] = {}
        self.since, self.until = period_edits(DEFAULT_DAYS)
        self.drug = QComboBox()
        self.nurse = QComboBox()
        self.chair = QComboBox()
        for box, word in ((self.drug, "drug"), (self.nurse, "nurse"), (self.chair, "chair")):
            box.addItem(f"Any {word}", None)
            box.setMinimumContentsLength(12)
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("Print to PDF…")
        self.print_button.clicked.connect(self._on_print_clicked)
        self.export_button = QPushButton("Export as CSV…")
        self.export_button.clicked.connect(self._on_export_clicked)
        bar = QHBoxLayout()
        for label, widget in (
            ("From", self.since),
            ("To", self.until),
            ("Drug", self.drug),
            ("Nurse", self.nurse),
            ("Chair", self.chair),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        for button in (self.show_button, self.print_button, self.export_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(220)
        self.progress.hide()
        bar.addWidget(self.progress)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.scope = QLabel()
        self.scope.setWordWrap(True)
        self.scope.setStyleSheet("font-size: 14px;")
        self.tabs = QTabWidget()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scope)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self._reader = BackgroundReader()
        self._reader.signals.progressed.connect(self._on_reader_progressed)
        self._reader.signals.finished.connect(self._on_reader_finished)
        self._reader.signals.failed.connect(self._on_reader_failed)
        self._lister = BackgroundReader()
        self._lister.signals.finished.connect(self._on_listed)
        self._lister.signals.failed.connect(self._on_list_failed)
        self._asked: dict[int, tuple[str, str]] = {}
        self.refresh()

    def filter(self) -> SessionFilter:
        """The period and filters as chosen."""
        since, until = period_of(self.since, self.until)
        return SessionFilter(
            since=since,
            until=until,
            drug=self.drug.currentData(),
            nurse_id=self.nurse.currentData(),
            chair_id=self.chair.currentData(),
        )

    @property
    def busy(self) -> bool:
        """A read is under way."""
        return not self.show_button.isEnabled()

    def refresh(self) -> None:
        """Read the period's measures in the background; the tabs redraw when they arrive."""
        quality, wanted = self._quality, self.filter()
        try:
            actor = self._actor()
        except UserError as exc:
            self._on_reader_failed(self._reader.ticket, exc.message)
            return

        def job(progress: Callable[[float, str], None]) -> Any:
            choices = quality.choices(actor)
            return choices, quality.report(actor, wanted, progress)

        self.message.setText("Reading the measures…")
        self.progress.setValue(0)
        self.progress.show()
        self.show_button.setEnabled(False)
        self._reader.start(job)

    def _on_reader_progressed(self, ticket: int, share: float, what: str) -> None:
        if self._reader.current(ticket):
            self.progress.setValue(round(share * 100))
            self.message.setText(f"{what}…")

    def _on_reader_failed(self, ticket: int, text: str) -> None:
        if not self._reader.current(ticket):
            return
        self._idle()
        self._clear()
        self.message.setText(text)
        self.report_shown.emit(None)

    def _on_reader_finished(self, ticket: int, result: tuple[FilterChoices, QualityReport]) -> None:
        if not self._reader.current(ticket):
            return
        self._idle()
        choices, report = result
        self._fill_choices(choices)
        self.show_report(report)

    def _idle(self) -> None:
        self.progress.hide()
        self.show_button.setEnabled(True)

    def _fill_choices(self, choices: FilterChoices) -> None:
        if self.drug.count() > 1 or self.nurse.count() > 1:
            return
        for drug in choices.drugs:
            self.drug.addItem(drug, drug)
        for nurse_id, name in choices.nurses:
            self.nurse.addItem(name, nurse_id)
        for chair_id, name in choices.chairs:
            self.chair.addItem(name, chair_id)

    def show_report(self, report: QualityReport) -> None:
        """Draw every section of ``report``: a chart above its tables."""
        self.report = report
        self.message.clear()
        self.scope.setText(
            f"<b>Period</b> {report.period} · <b>Filters</b> {report.filters} · "
            f"<b>{report.sessions}</b> finished sessions · {SMALL_MARK} fewer than {SMALL_N} "
            "behind a figure: too few to compare · click a number (or Enter) to list its sessions"
        )
        current = self.tabs.currentIndex()
        self._clear()
        for section in report.sections:
            self.tabs.addTab(self._section(report, section), section.title)
        self.tabs.setCurrentIndex(max(current, 0))
        self.report_shown.emit(report)

    def _clear(self) -> None:
        for chart in self.charts.values():
            chart.release()
        self.charts.clear()
        self.tables.clear()
        while self.tabs.count():
            page = self.tabs.widget(0)
            assert page is not None  # the loop runs while there is a first tab
            self.tabs.removeTab(0)
            page.deleteLater()

    def _section(self, report: QualityReport, section: QualitySection) -> QWidget:
        chart = CHARTS[section.key](report)
        self.charts[section.key] = chart
        inner = QTabWidget()
        for table in section.tables:
            view = MeasureTableView(table)
            view.figure_opened.connect(self.open_figure)
            self.tables[table.key] = view
            inner.addTab(view, table.title)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(chart)
        splitter.addWidget(inner)
        splitter.setSizes([440, 420])
        return splitter

    def open_figure(self, table: MeasureTable, labels: tuple[str, ...], figure: Figure) -> None:
        """List the sessions behind ``figure`` (read in the background; each session of the
        list opens in the review detail)."""
        assert self.report is not None
        self.message.setText(f"Listing the sessions behind {figure.shown}…")
        ticket = self._lister.start(lambda _progress: figure.sessions)
        self._asked[ticket] = (
            f"{table.title} · {' · '.join(labels)}: {figure.shown}",
            f"{self.report.period} · {self.report.filters}",
        )

    def _on_listed(self, ticket: int, ids: tuple[int, ...]) -> None:
        figure, scope = self._asked.pop(ticket)
        if not self._lister.current(ticket):
            return
        self.message.clear()
        heading = f"{figure} — {len(ids)} sessions · {scope}"
        window = ReviewWindow(
            self._review, self._actor, self._clock, SessionFilter(ids=frozenset(ids)), heading
        )
        self.lists.append(window)
        window.show()
        self.sessions_opened.emit(window)

    def _on_list_failed(self, ticket: int, text: str) -> None:
        self._asked.pop(ticket, None)
        if self._lister.current(ticket):
            self.message.setText(text)

    def export_csv(self, path: Path) -> Path:
        """Write the shown report as CSV (period and filters first)."""
        from infusion_monitor.integrations.csv_export import quality_csv

        if self.report is None:
            raise UserError("There is no report to export yet; wait for the measures.")
        return write_text_export(path, quality_csv(self.report), excel=True)

    def print_pdf(self, path: Path) -> Path:
        """Write the shown report as a PDF (charts and every table; period and filters on top)."""
        from infusion_monitor.ui.review.quality_print import write_quality_pdf

        report = self.report
        if report is None:
            raise UserError("There is no report to print yet; wait for the measures.")
        images = [
            render_chart(CHARTS[section.key](report), *PRINT_CHART_SIZE)
            for section in report.sections
        ]
        return write_quality_pdf(report, images, path, self._actor().name, self._clock.now())

    def _ask_file(self, title: str, name: str, kind: str, done: Callable[[str], None]) -> None:
        dialog = QFileDialog(self, title, name, kind)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.fileSelected.connect(done)
        dialog.open()

    def _on_export_clicked(self) -> None:
        self._ask_file("Export quality measures", "quality.csv", "CSV (*.csv)", self._write_csv)

    def _on_print_clicked(self) -> None:
        self._ask_file("Print quality measures", "quality.pdf", "PDF (*.pdf)", self._write_pdf)

    def _write_csv(self, name: str) -> None:
        self._write(self.export_csv, name)

    def _write_pdf(self, name: str) -> None:
        self._write(self.print_pdf, name)

    def _write(self, write: Callable[[Path], Path], name: str) -> None:
        try:
            write(Path(name))
        except (UserError, OSError) as exc:
            self.message.setText(getattr(exc, "message", str(exc)))
            return
        self.message.setText(f"Written to {name}.")

    def closeEvent(self, event: Any) -> None:
        """Close the session lists opened from here too."""
        for window in self.lists:
            window.close()
        self._clear()
        super().closeEvent(event)
