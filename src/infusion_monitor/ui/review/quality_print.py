"""The quality page on paper: a landscape A4 PDF with the period, the filters, charts and tables.

The page is HTML laid out by ``QTextDocument``; each chart is the on-screen chart drawn into an
image at a fixed size. The header names the period, the filters, who printed it and when, and
what the † mark means, so a printed page is never read without its scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QPageLayout, QTextDocument

from infusion_monitor.integrations.export_file import PDF_MAGIC, write_export
from infusion_monitor.integrations.reports import pdf_writer
from infusion_monitor.services.review.quality_measures import (
    SMALL_MARK,
    SMALL_N,
    MeasureTable,
    QualityReport,
)

PDF_RESOLUTION_DPI = 120
CHART_WIDTH_PX = 900


def _table_html(table: MeasureTable) -> str:
    head = "".join(f"<th>{escape(t)}</th>" for t in (*table.groups, *table.columns))
    body = []
    for row in table.rows:
        cells = [f"<td>{escape(label)}</td>" for label in row.labels]
        cells += [
            f"<td align='right'>{escape(f'{f.shown} {f.note}'.strip())}</td>" for f in row.figures
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = f"<p><i>{escape(table.note)}</i></p>" if table.note else ""
    return (
        f"<h3>{escape(table.title)}</h3>{note}"
        "<table cellspacing='0' cellpadding='2' border='1' width='100%'>"
        f"<tr>{head}</tr>{''.join(body)}</table>"
    )


def quality_html(
    report: QualityReport, charts: Sequence[str], printed_by: str, printed_at: datetime
) -> str:
    """The page as HTML; ``charts`` are image resource names, one per section, in order."""
    parts = [
        "<html><body style='font-family: sans-serif; font-size: 9pt;'>",
        "<h2>Quality measures — Infusion Monitor</h2>",
        f"<p><b>Period:</b> {escape(report.period)} &nbsp; <b>Filters:</b> "
        f"{escape(report.filters)} &nbsp; <b>Finished sessions:</b> {report.sessions}<br/>"
        f"Printed by {escape(printed_by)} on {printed_at.astimezone():%d %b %Y %H:%M}. "
        f"{SMALL_MARK} fewer than {SMALL_N} behind the figure: too few to compare.</p>",
    ]
    for section, chart in zip(report.sections, charts, strict=True):
        parts.append(f"<h2>{escape(section.title)}</h2>")
        parts.append(f"<p><img src='{chart}' width='{CHART_WIDTH_PX}'/></p>")
        parts += [_table_html(table) for table in section.tables]
    parts.append("</body></html>")
    return "".join(parts)


def write_quality_pdf(
    report: QualityReport,
    charts: Sequence[QImage],
    path: Path,
    printed_by: str,
    printed_at: datetime,
) -> Path:
    """Write the page to ``path`` (landscape A4 PDF, through a checked temporary file)."""
    return write_export(
        path,
        lambda temporary: _print_pdf(report, charts, temporary, printed_by, printed_at),
        starts_with=PDF_MAGIC,
    )


def _print_pdf(
    report: QualityReport,
    charts: Sequence[QImage],
    path: Path,
    printed_by: str,
    printed_at: datetime,
) -> None:
    document = QTextDocument()
    document.setDocumentMargin(0)
    names = [f"chart{i}.png" for i in range(len(charts))]
    for name, image in zip(names, charts, strict=True):
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(quality_html(report, names, printed_by, printed_at))
    writer = pdf_writer(
        path,
        f"Quality measures {report.period}",
        QPageLayout.Orientation.Landscape,
        10,
        PDF_RESOLUTION_DPI,
    )
    document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    document.print_(writer)
    del writer  # closes the file
