"""CSV exports: the review list of sessions, one session's vitals, and the quality measures.

Plain ``csv`` with a header row, ISO 8601 UTC times, empty cells for missing values, so a
spreadsheet or ``csv.DictReader`` reads every file back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from infusion_monitor.domain.alerts import priority_code
from infusion_monitor.services.review.detail import SessionReview
from infusion_monitor.services.review.quality_measures import QualityReport
from infusion_monitor.services.review.query import SessionRow

SESSION_COLUMNS = (
    "session_id", "created_at", "started_at", "ended_at", "chair", "patient", "mrn", "drug",
    "cycle", "nurse", "duration_min", "highest_priority", "reaction_term", "reaction_grade",
    "vitals_sets", "late_checks", "skipped_checks", "vitals_on_time_pct", "alerts",
    "unacknowledged_alerts", "max_ack_s",
)  # fmt: skip
VITALS_COLUMNS = (
    "session_id", "vitals_id", "taken_at", "entered_at", "entered_by", "source", "heart_rate",
    "systolic_bp", "diastolic_bp", "respiratory_rate", "spo2", "on_oxygen", "o2_flow_l_min",
    "temperature_c", "acvpu", "amends_id", "amend_reason", "superseded", "mean_arterial_pressure",
)  # fmt: skip
QUALITY_COLUMNS = (
    "table", "row", "column", "value", "shown", "n", "too_few_to_compare", "note",
)  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _write(columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def sessions_csv(rows: Iterable[SessionRow]) -> str:
    """The review list as CSV (one line per session)."""
    return _write(
        SESSION_COLUMNS,
        (
            (
                r.id,
                r.created_at,
                r.started_at,
                r.ended_at,
                r.chair,
                r.patient_name,
                r.mrn,
                r.drug,
                r.cycle,
                r.nurse,
                r.duration_min,
                priority_code(r.highest_priority),
                r.reaction_term,
                r.reaction_grade,
                r.vitals_sets,
                r.late_checks,
                r.skipped_checks,
                r.on_time_pct,
                r.alerts,
                r.unacknowledged,
                r.max_ack_s,
            )
            for r in rows
        ),
    )


def vitals_csv(review: SessionReview) -> str:
    """Every stored vitals set of one session, originals and corrections alike."""
    sid = review.detail.id
    return _write(
        VITALS_COLUMNS,
        (
            (
                sid,
                v.id,
                v.taken_at,
                v.entered_at,
                v.entered_by,
                v.source,
                v.signs.hr,
                v.signs.sbp,
                v.signs.dbp,
                v.signs.rr,
                v.signs.spo2,
                v.signs.on_oxygen,
                v.o2_flow_l_min,
                v.signs.temp_c,
                v.signs.acvpu,
                v.amends_id,
                v.amend_reason,
                v.superseded,
                v.mean_bp,
            )
            for v in review.vitals
        ),
    )


def quality_csv(report: QualityReport) -> str:
    """The quality page in long format: the period and filters first, then one line per figure.

    ``table`` and ``column`` name the figure, ``row`` its group labels joined by `` / ``;
    ``value`` is the number, ``shown`` as on the page, ``n`` the count it rests on, and
    ``too_few_to_compare`` marks a rate or percentile resting on fewer than ``SMALL_N``.
    """
    rows: list[tuple[Any, ...]] = [
        ("report", "period", "", None, report.period, None, None, ""),
        ("report", "filters", "", None, report.filters, None, None, ""),
        ("report", "finished sessions", "", report.sessions, str(report.sessions), None, None, ""),
        ("report", "vitals on time target", "", report.target_pct, f"{report.target_pct:g}%",
         None, None, ""),
    ]  # fmt: skip
    for section in report.sections:
        for table in section.tables:
            for row in table.rows:
                for column, figure in zip(table.columns, row.figures, strict=True):
                    rows.append((table.key, " / ".join(row.labels), column, figure.value,
                                 figure.text, figure.n, figure.small, figure.note))  # fmt: skip
    return _write(QUALITY_COLUMNS, rows)
