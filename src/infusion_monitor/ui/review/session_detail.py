"""One finished session for review: identity, versions, timeline, plot, findings, alerts, exports.

Shows the frozen ``SessionReview`` the audited gate returned. Exports (PDF, CSV, FHIR) open the
session again through the export gate, so each writes its own audit row and is refused to a
role without the export right.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.alerts import priority_code
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.export_file import write_text_export
from infusion_monitor.services.review.detail import SessionReview
from infusion_monitor.services.review.gate import ReviewService, SessionRecord
from infusion_monitor.ui.trend_plot import TrendPlot
from infusion_monitor.ui.trend_view import fill_plot

KIND_FILL = {
    "alert": "#F7C5C5",
    "symptom": "#FFE7B3",
    "action": "#DCE8F8",
    "declined": "#EEE3F7",
    "amendment": "#F2F2F2",
    "reaction": "#FFE7B3",
    "assessment": "#FFF6DA",
}
FORMATS = {"pdf": "PDF (*.pdf)", "csv": "CSV (*.csv)", "fhir": "FHIR JSON (*.json)"}


def _local(at: datetime | None, fmt: str = "%H:%M:%S") -> str:
    return "" if at is None else at.astimezone().strftime(fmt)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(True)
    return table


class SessionDetailWindow(QWidget):
    """A finished session, read-only, with its exports."""

    def __init__(
        self,
        record: SessionRecord,
        review: SessionReview,
        service: ReviewService,
        actor: Callable[[], Actor],
        clock: Clock,
    ) -> None:
        super().__init__()
        self.record = record
        self.review = review
        self._service = service
        self._actor = actor
        self._clock = clock
        d = review.detail
        p = d.patient
        day = _local(d.lifecycle.started_at(clock.now()) or record.created_at, "%d %b %Y")
        self.setWindowTitle(f"{p.name} · {d.drug_name} · {day} — Review")
        self.resize(1560, 960)
        born = p.date_of_birth.strftime("%d %b %Y") if p.date_of_birth else "DOB not recorded"
        identity = QLabel(
            f"<b style='font-size:20px'>{p.name}</b> · MRN {p.mrn or '—'} · {born}"
            + (f" · <span style='color:#B00000'>⚠ {p.allergies}</span>" if p.allergies else "")
        )
        outcome = review.reaction.outcome
        reaction = (
            "no reaction"
            if outcome is None
            else f"reaction: {outcome.ctcae_term.replace('_', ' ')} grade {outcome.ctcae_grade}"
            f" · {outcome.disposition.label.lower()}"
        )
        highest = priority_code(review.highest_priority)
        headline = QLabel(
            f"{d.drug_name} {d.dose_text()} · cycle {d.cycle} · {d.chair} · nurse {d.nurse} · "
            f"{d.state.value} · highest priority {highest} · {reaction}"
        )
        versions = QLabel(
            f"Protocol {d.protocol_name} ({d.protocol_version[:19]}…) · rule set "
            f"{review.ruleset_name} ({review.ruleset_version[:19]}…)"
            + (
                f" · assessed with {len(review.assessed_with)} rule-set versions"
                if len(review.assessed_with) > 1
                else ""
            )
        )
        versions.setToolTip(
            f"Protocol {d.protocol_id} {d.protocol_version}\nRule set {review.ruleset_name} "
            f"{review.ruleset_version}\nAssessed with: " + "; ".join(review.assessed_with)
        )
        for label in (identity, headline, versions):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timeline = _table(["Time", "Kind", "What", "Who", "Original (corrected)"])
        for column, width in enumerate((70, 84, 430, 120)):
            self.timeline.setColumnWidth(column, width)
        self.timeline.setRowCount(len(review.timeline))
        for row, entry in enumerate(review.timeline):
            cells: tuple[str, ...] = (
                _local(entry.at),
                entry.kind,
                entry.text,
                entry.who,
                entry.original or "",
            )
            fill = KIND_FILL.get(entry.kind)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if fill:
                    item.setBackground(QColor(fill))
                self.timeline.setItem(row, column, item)
        self.timeline.resizeRowsToContents()
        self.alerts = _table(
            ["Raised", "Priority", "Condition", "Acknowledged by", "After", "Resolved"]
        )
        self.alerts.setRowCount(len(review.alerts))
        for row, alert in enumerate(review.alerts):
            cells = (
                _local(alert.raised_at),
                alert.priority.name,
                alert.condition.replace("_", " "),
                alert.acknowledged_by or "never acknowledged",
                "" if alert.ack_seconds is None else f"{alert.ack_seconds:.0f} s",
                _local(alert.resolved_at),
            )
            for column, text in enumerate(cells):
                self.alerts.setItem(row, column, QTableWidgetItem(text))
        self.findings = QTextBrowser()
        self.findings.setHtml(self._findings_html())
        tabs = QTabWidget()
        tabs.addTab(self.timeline, f"Timeline ({len(review.timeline)})")
        tabs.addTab(self.findings, f"Findings ({len(review.findings)})")
        tabs.addTab(self.alerts, f"Alerts ({len(review.alerts)})")
        self.tabs = tabs
        self.plot = TrendPlot()
        fill_plot(self.plot, review.trend)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(tabs)
        splitter.addWidget(self.plot)
        splitter.setSizes([900, 660])
        buttons = QHBoxLayout()
        for key, text in (
            ("pdf", "Print to PDF…"),
            ("csv", "Vitals CSV…"),
            ("fhir", "FHIR bundle…"),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, key=key: self._on_export_clicked(key))
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = QLabel()
        buttons.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(identity)
        layout.addWidget(headline)
        layout.addWidget(versions)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def _findings_html(self) -> str:
        review = self.review
        parts = []
        clock = review.reaction.clock
        if clock is not None:

            def minutes(delta: object) -> str:
                from datetime import timedelta

                return (
                    f"{delta.total_seconds() / 60:.0f} min"
                    if isinstance(delta, timedelta)
                    else "not recorded"
                )

            parts.append(
                f"<p><b>Reaction clock</b> from the first symptom at {_local(clock.onset_at)}: "
                f"infusion stopped {minutes(clock.to_stopped)}, provider notified "
                f"{minutes(clock.to_notified)}, first drug {minutes(clock.to_first_drug)}.</p>"
            )
        if not review.findings:
            parts.append("<p>The rules made no finding in this session.</p>")
        for finding in review.findings:
            evidence = "".join(f"<li>{line}</li>" for line in finding.evidence)
            parts.append(
                f"<p><b>{finding.rule}</b> · {finding.source} · first at {_local(finding.at)}"
                f" (priority {priority_code(finding.priority)})</p><ul>{evidence}</ul>"
            )
        return "".join(parts)

    def export_to(self, export_format: str, path: Path) -> Path:
        """Export through the audited gate (refused without the export right)."""
        actor = self._actor()
        _record, review = self._service.export_session(actor, self.review.detail.id, export_format)
        if export_format == "pdf":
            from infusion_monitor.integrations.reports import write_session_pdf

            write_session_pdf(review, path, actor.name, self._clock.now())
        elif export_format == "csv":
            from infusion_monitor.integrations.csv_export import vitals_csv

            write_text_export(path, vitals_csv(review), excel=True)
        else:
            from infusion_monitor.integrations.fhir import session_bundle

            write_text_export(path, json.dumps(session_bundle(review), indent=2))
        return path

    def _on_export_clicked(self, export_format: str) -> None:
        suffix = {"pdf": "pdf", "csv": "csv", "fhir": "json"}[export_format]
        dialog = QFileDialog(
            self,
            "Export session",
            f"session-{self.review.detail.id}.{suffix}",
            FORMATS[export_format],
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.fileSelected.connect(lambda name: self._on_export_file_selected(export_format, name))
        dialog.open()

    def _on_export_file_selected(self, export_format: str, name: str) -> None:
        try:
            self.export_to(export_format, Path(name))
        except UserError as exc:  # nothing written: the message says why and what to do
            self.message.setText(exc.message)
            return
        self.message.setText(f"Exported to {name}.")
