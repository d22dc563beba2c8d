"""The session report for the chart: a PDF written with Qt's own PDF writer.

An HTML page laid out by ``QTextDocument`` and printed to ``QPdfWriter`` (A4): identity, drug
and protocol, the rule set and protocol versions in force, the trend plot (the same plot as on
screen, rendered to an image), the reaction record with its clock, every alert with who
acknowledged it and how fast, the findings with their evidence, and the full timeline of who
did what and when, corrections beside their originals. Needs a ``QApplication`` (the plot is a
widget); the command line starts an off-screen one.
"""

from __future__ import annotations

import errno
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from infusion_monitor.domain.alerts import priority_code
from infusion_monitor.domain.findings_text import evidence_words, finding_title, words
from infusion_monitor.integrations.export_file import PDF_MAGIC, write_export
from infusion_monitor.services.review.detail import SessionReview
from infusion_monitor.ui.trend_view import render_trend

PLOT_RESOURCE = "trend.png"
PDF_RESOLUTION_DPI = 150
#: Room at the top (identity, session date) and bottom (page N of M) of every page.
BAND_MM = 7
#: The plot as drawn (screen pixels) and as placed on the page (document pixels).
PLOT_RENDER_SIZE = (1400, 900)
PLOT_WIDTH_PX = 700
PLOT_HEIGHT_PX = 450
CLINICAL_NOTE = (
    "Decision support, not directives: every flag shows its basis; clinical judgement and the "
    "unit's protocols decide."
)


def _local(at: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    return "—" if at is None else at.astimezone().strftime(fmt)


def _minutes(delta: object) -> str:
    from datetime import timedelta

    if not isinstance(delta, timedelta):
        return "not recorded"
    return f"{delta.total_seconds() / 60:.0f} min"


def session_html(review: SessionReview, printed_by: str, printed_at: datetime) -> str:
    """The report as HTML (``QTextDocument``'s subset); the plot is the ``trend.png`` resource."""
    d = review.detail
    p = d.patient
    born = p.date_of_birth.strftime("%d %b %Y") if p.date_of_birth else "not recorded"
    premeds = (
        ", ".join(f"{m.name} at {_local(m.given_at, '%H:%M')}" for m in d.premedications) or "none"
    )
    parts = [
        "<html><body style='font-family: sans-serif; font-size: 10pt;'>",
        f"<h2>Infusion session report — {escape(p.name)}</h2>",
        "<table cellspacing='0' cellpadding='3' border='1' width='100%'>",
        f"<tr><td><b>Patient</b></td><td>{escape(p.name)} · MRN {escape(p.mrn or '—')} · "
        f"born {born}</td></tr>",
        f"<tr><td><b>Allergies</b></td><td>{escape(p.allergies or 'none recorded')}</td></tr>",
        f"<tr><td><b>Drug</b></td><td>{escape(d.drug_name)} {escape(d.dose_text())} · cycle "
        f"{d.cycle}{' (first dose)' if d.first_dose else ''} · {escape(d.chair)} · nurse "
        f"{escape(d.nurse)}</td></tr>",
        f"<tr><td><b>Premedication</b></td><td>{escape(premeds)}</td></tr>",
        f"<tr><td><b>Protocol</b></td><td>{escape(d.protocol_name)} ({escape(d.protocol_id)}, "
        f"{escape(d.protocol_version)})</td></tr>",
        f"<tr><td><b>Rule set</b></td><td>{escape(review.ruleset_name)} "
        f"{escape(review.ruleset_version)}"
        + (
            f"; assessed with {escape('; '.join(review.assessed_with))}"
            if review.assessed_with
            and review.assessed_with != (f"{review.ruleset_name} {review.ruleset_version}",)
            else ""
        )
        + "</td></tr>",
        "<tr><td><b>Highest priority</b></td>"
        f"<td>{escape(priority_code(review.highest_priority))}</td></tr>",
        "</table>",
        "<h3>Vital signs and events</h3>",
        f"<img src='{PLOT_RESOURCE}' width='{PLOT_WIDTH_PX}' height='{PLOT_HEIGHT_PX}'>",
    ]
    parts += _medicines_html(review)
    reaction = review.reaction
    parts.append("<h3>Reaction record</h3>")
    if reaction.clock is None:
        parts.append("<p>No reaction recorded.</p>")
    else:
        clock = reaction.clock
        parts.append(
            f"<p>First symptom {_local(clock.onset_at)}. To infusion stopped: "
            f"{_minutes(clock.to_stopped)}; provider notified: {_minutes(clock.to_notified)}; "
            f"first drug: {_minutes(clock.to_first_drug)}.</p>"
        )
        symptoms = ", ".join(
            f"{s.label} ({_local(s.onset_at, '%H:%M')} to {_local(s.resolved_at, '%H:%M')})"
            for s in review.symptoms
        )
        parts.append(f"<p>Symptoms: {escape(symptoms or 'none')}</p>")
        outcome = reaction.outcome
        if outcome is not None:
            parts.append(
                f"<p><b>CTCAE v5.0: {escape(outcome.ctcae_term.replace('_', ' '))} grade "
                f"{outcome.ctcae_grade}</b> (rules suggested "
                f"{escape(outcome.suggested_term.replace('_', ' '))} grade "
                f"{outcome.suggested_grade}). Outcome: {escape(outcome.disposition.label)}; "
                f"resolved {_local(outcome.resolved_at)}. Recorded by "
                f"{escape(reaction.outcome_by or '?')} at {_local(reaction.outcome_at)}."
                f"{' Flagged for the next session.' if outcome.flag_next_session else ''}"
                f"{' Note: ' + escape(outcome.note) if outcome.note else ''}</p>"
            )
    parts.append("<h3>Alerts</h3>")
    if not review.alerts:
        parts.append("<p>No alert.</p>")
    else:
        parts.append(
            "<table cellspacing='0' cellpadding='3' border='1' width='100%'><tr><th>Raised</th>"
            "<th>Priority</th><th>Condition</th><th>Acknowledged by</th><th>After</th>"
            "<th>Resolved</th></tr>"
        )
        for alert in review.alerts:
            after = "never" if alert.ack_seconds is None else f"{alert.ack_seconds:.0f} s"
            parts.append(
                f"<tr><td>{_local(alert.raised_at, '%H:%M:%S')}</td>"
                f"<td>{escape(alert.priority.name)}</td>"
                f"<td>{escape(alert.condition.replace('_', ' '))}</td>"
                f"<td>{escape(alert.acknowledged_by or '—')}</td><td>{after}</td>"
                f"<td>{_local(alert.resolved_at, '%H:%M:%S')}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h3>Findings and their evidence</h3>")
    if not review.findings:
        parts.append("<p>No finding.</p>")
    start = session_start(review)
    for finding in review.findings:
        evidence = "; ".join(evidence_words(item, start) for item in finding.evidence)
        pathway = f" → {words(finding.pathway)}" if finding.pathway else ""
        parts.append(
            f"<p><b>{escape(finding_title(finding.rule, finding.source))}</b>"
            f"{escape(pathway)}, first at {_local(finding.at, '%H:%M')}: {escape(evidence)}</p>"
        )
    parts.append(
        "<h3>Timeline</h3><table cellspacing='0' cellpadding='2' border='1' width='100%'>"
        "<tr><th>Time</th><th>What</th><th>Who</th><th>Original (if corrected)</th></tr>"
    )
    for entry in review.timeline:
        parts.append(
            f"<tr><td>{_local(entry.at, '%H:%M:%S')}</td><td>{escape(entry.text)}</td>"
            f"<td>{escape(entry.who)}</td><td>{escape(entry.original or '')}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        f"<p><i>Printed by {escape(printed_by)} at {_local(printed_at)}. "
        f"{escape(CLINICAL_NOTE)}</i></p></body></html>"
    )
    return "".join(parts)


#: Printed where the record holds no dose or route (never guessed).
NOT_RECORDED = "not recorded"


def _medicines_html(review: SessionReview) -> list[str]:
    """The medicines table: drug, dose and route as recorded, "not recorded" where not."""
    parts = ["<h3>Medicines</h3>"]
    if not review.medicines:
        return [*parts, "<p>No medicine recorded.</p>"]
    parts.append(
        "<table cellspacing='0' cellpadding='3' border='1' width='100%'><tr><th>Time</th>"
        "<th>Medicine</th><th>Dose</th><th>Route</th><th>Given by</th><th>For</th></tr>"
    )
    for given in review.medicines:
        # A premedication is recorded by the protocol's words, which carry its dose and route.
        missing = "as named" if given.why == "premedication" else NOT_RECORDED
        parts.append(
            f"<tr><td>{_local(given.at, '%H:%M')}</td><td>{escape(given.medicine)}</td>"
            f"<td>{escape(given.dose or missing)}</td>"
            f"<td>{escape(given.route or missing)}</td>"
            f"<td>{escape(given.by or NOT_RECORDED)}</td><td>{escape(given.why)}</td></tr>"
        )
    parts.append(
        "</table><p><small>A reaction medicine is recorded by its class, time and nurse: its dose "
        "is not stored here (see the medication record).</small></p>"
    )
    return parts


def session_start(review: SessionReview) -> datetime | None:
    """When the infusion started (the rules count minutes from it), else the first event."""
    detail = review.detail
    started = next((e.at for e in detail.timeline if e.kind == "start"), None)
    return started or (detail.timeline[0].at if detail.timeline else None)


def page_header(review: SessionReview) -> str:
    """The identity and the session's date, repeated at the top of every page."""
    patient = review.detail.patient
    born = patient.date_of_birth.strftime("%d %b %Y") if patient.date_of_birth else "not recorded"
    start = session_start(review)
    day = _local(start, "%d %b %Y") if start is not None else "date not recorded"
    return (
        f"{patient.name} · MRN {patient.mrn or '—'} · born {born}   |   "
        f"Infusion session of {day} · {review.detail.chair}"
    )


def pdf_writer(
    path: Path,
    title: str,
    orientation: QPageLayout.Orientation,
    margin_mm: float,
    resolution_dpi: int = PDF_RESOLUTION_DPI,
) -> QPdfWriter:
    """Qt's PDF writer for an A4 page of this app's reports (resolution, title, margins)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(resolution_dpi)
    writer.setTitle(title)
    writer.setCreator("Infusion Monitor")
    margins = QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, margins))
    return writer


def write_session_pdf(
    review: SessionReview, path: Path, printed_by: str, printed_at: datetime
) -> Path:
    """Write the session's report to ``path`` as an A4 PDF and return the path.

    Every page carries the patient's name, MRN and date of birth and the session's date at the
    top, and "page N of M" at the bottom. Qt's PDF writer reports no failure, so the report is
    written to a temporary file, checked and then put in place
    (:func:`~.export_file.write_export`); a failure raises ``ExportWriteError`` and ``path`` is
    left as it was.
    """
    return write_export(
        path,
        lambda temporary: _print_pdf(review, temporary, printed_by, printed_at),
        starts_with=PDF_MAGIC,
    )


def _print_pdf(review: SessionReview, path: Path, printed_by: str, printed_at: datetime) -> None:
    writer = pdf_writer(
        path, f"Infusion session {review.detail.id}", QPageLayout.Orientation.Portrait, 12
    )
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)  # lay out at the PDF's resolution
    document.setDocumentMargin(0)
    document.addResource(
        QTextDocument.ResourceType.ImageResource,
        QUrl(PLOT_RESOURCE),
        render_trend(review.trend, *PLOT_RENDER_SIZE),
    )
    document.setHtml(session_html(review, printed_by, printed_at))
    paper = writer.pageLayout().paintRectPixels(writer.resolution())
    band = round(BAND_MM / 25.4 * writer.resolution())
    body = QSizeF(paper.width(), paper.height() - 2 * band)
    document.setPageSize(body)  # (no setTextWidth: it would undo the page height)
    document.documentLayout().blockBoundingRect(document.lastBlock())  # lay it all out now
    pages = max(1, document.pageCount())
    header = page_header(review)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(errno.EACCES, "the PDF file cannot be written there", str(path))
    try:
        font = QFont(painter.font())
        font.setPointSizeF(8)
        for page in range(pages):
            if page:
                writer.newPage()
            painter.setFont(font)
            painter.drawText(
                QRectF(0, 0, body.width(), band),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                header,
            )
            painter.drawText(
                QRectF(0, band + body.height(), body.width(), band),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                f"page {page + 1} of {pages}",
            )
            painter.save()
            painter.translate(0, band - page * body.height())
            clip = QRectF(0, page * body.height(), body.width(), body.height())
            document.drawContents(painter, clip)
            painter.restore()
    finally:
        painter.end()
