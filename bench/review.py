"""Review benchmark on a generated year of a 20-chair unit: list page, open a session, PDF.

Generates the year once into ``--dir`` (default: a folder under the system temp dir, reused on
later runs), then measures, each as the median of ``--rounds`` after one cold run:

- ``list_first_page_ms``: the first page (50 rows) of a filtered list (one drug, last 90 days,
  sorted by date) through the review service, role check included;
- ``open_session_ms``: opening one reaction session in full through the audited gate (timeline,
  trend, findings; one audit row written each time);
- ``pdf_ms``: rendering that session's PDF (plot image included);
- ``quality_year_ms``: the quality page's measures for the whole year (every figure with the
  sessions behind it), through the quality service as the page's worker calls it;
- ``sort_worst_ms``: the first page of the year's list sorted by each computed column (duration,
  highest priority, reaction, vitals on time, alerts, acknowledgement), both directions; the
  slowest column's median (each column's figure is printed above).

The year's audit trail has the app's volume: ``demo generate`` writes one audit row per clinical
change (about 200,000 for the year). The last line is ``{"list_first_page_ms": …,
"open_session_ms": …, "pdf_ms": …, "quality_year_ms": …, "sort_worst_ms": …}``; the cold
figures, and the median CPU time of this process (the wall time on a busy shared machine is
mostly waiting for a core), are printed above it. Targets: list < 100 ms, open < 200 ms,
quality year and every sort <= 100 ms.

Run: ``QT_QPA_PLATFORM=offscreen uv run python bench/review.py [--dir DIR] [--rounds 10]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
END = datetime(2026, 2, 27, tzinfo=UTC)
#: The list's columns computed from each session's records (the others are stored columns).
COMPUTED_SORTS = ("duration", "priority", "reaction", "on_time", "alerts", "ack")


def main() -> int:
    """Generate (once) and measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "im-bench-year-audited"
    )
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from infusion_monitor.domain.alerts import AlertPriority
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.domain.users import Actor, Role
    from infusion_monitor.integrations.reports import write_session_pdf
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.services.review.gate import ReviewService
    from infusion_monitor.services.review.quality import QualityService
    from infusion_monitor.services.review.query import SessionFilter, SortKey
    from infusion_monitor.storage.database import open_database
    from infusion_monitor.storage.models import AuditEntry, InfusionSession
    from infusion_monitor.synthetic import GenerateSpec, generate

    app = QApplication([])
    paths = AppPaths.resolve(args.dir)
    paths.ensure()
    fresh = not paths.database_file.exists()
    with open_database(None, paths) as database:
        if fresh:
            started = time.perf_counter()
            report = generate(
                database.sessions, GenerateSpec(20, 365, END.date(), 1), default_rules()
            )
            print(f"generated {report} in {time.perf_counter() - started:.0f} s")
        with database.sessions() as db:
            audit_rows = db.scalar(select(func.count()).select_from(AuditEntry))
            sessions = db.scalar(select(func.count()).select_from(InfusionSession))
        print(f"audit trail: {audit_rows} rows for {sessions} sessions (one per clinical change)")
        charge = Actor("BENCH", "Bench Charge", Role.CHARGE_NURSE, "bench")
        review = ReviewService(database.sessions, SystemClock())
        wanted = SessionFilter(since=END - timedelta(days=90), until=END, drug="Rituximab")

        cpu: dict[int, list[float]] = {}

        def timed(work: object) -> list[float]:
            found, used = [], []
            for _ in range(args.rounds + 1):
                started, started_cpu = time.perf_counter(), time.process_time()
                work()  # type: ignore[operator]
                found.append((time.perf_counter() - started) * 1000)
                used.append((time.process_time() - started_cpu) * 1000)
            cpu[id(found)] = used
            return found

        listing = timed(lambda: review.list_sessions(charge, wanted))
        session_id = (
            review.list_sessions(
                charge,
                SessionFilter(reaction=True, min_priority=AlertPriority.HIGH, drug=None),
                limit=1,
            )
            .rows[0]
            .id
        )
        opening = timed(lambda: review.open_session(charge, session_id))
        _record, detail = review.open_session(charge, session_id)
        out = args.dir / "session.pdf"
        pdf = timed(lambda: write_session_pdf(detail, out, charge.name, datetime.now(UTC)))
        year = SessionFilter(since=END - timedelta(days=365), until=END)
        quality = QualityService(database.sessions)
        quality_year = timed(lambda: quality.report(charge, year))
        sorts = {
            f"sort {key.value} {'desc' if descending else 'asc'}": timed(
                lambda key=key, descending=descending: review.list_sessions(
                    charge, year, sort=key, descending=descending
                )
            )
            for key in map(SortKey, COMPUTED_SORTS)
            for descending in (True, False)
        }
    del app
    measured = {"list": listing, "open": opening, "pdf": pdf, "quality year": quality_year}
    for name, values in {**measured, **sorts}.items():
        print(
            f"{name}: cold {values[0]:.1f} ms, median {statistics.median(values[1:]):.1f} ms "
            f"(CPU of this process {statistics.median(cpu[id(values)][1:]):.1f} ms)"
        )
    worst = max(statistics.median(values[1:]) for values in sorts.values())
    print(
        json.dumps(
            {
                "list_first_page_ms": round(statistics.median(listing[1:]), 1),
                "open_session_ms": round(statistics.median(opening[1:]), 1),
                "pdf_ms": round(statistics.median(pdf[1:]), 1),
                "quality_year_ms": round(statistics.median(quality_year[1:]), 1),
                "sort_worst_ms": round(worst, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
