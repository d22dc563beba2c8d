"""Trend-plot benchmark: the session view's trend reload as the app runs it, 12 h of 1 Hz data.

A session on a real SQLite file (a temp data folder) has run for 12 hours with a bedside
monitor sending one set a second (43,200 monitor sets) and the nurse typing a full set every
15 minutes. Each round, the monitor's next set is committed and the session view's vitals panel
reloads the way it does when a set arrives (``VitalsPanel.reload``):

- the trend: ``VitalsTrendService.trend(session, after=shown)`` (the real read: the sets stored
  since the shown trend, scored with NEWS2 as the rules score them, and the events to mark),
  then ``trend_view.update_plot`` into the real ``TrendPlot`` (1600x900, offscreen: the new
  points appended, peak-downsampled to the pixels) and a synchronous repaint;
- the vitals record: ``VitalsService.entries(session, after_id)`` (the sets stored since) put
  on top of the real ``VitalsRecordTable`` (``add_entries``) and a synchronous repaint.

``reload_ms`` is the median of the rounds (trend read + plot + record), its parts
(``read_ms``, ``plot_ms``, ``record_ms``) printed above; ``reload_cpu_ms`` the median CPU time of
a reload in this process (on a busy shared machine the wall time is mostly waiting for a core).
``open_ms`` and ``record_open_ms`` are the first, whole reads of the trend and of the record
(opening the session); ``add_repaint_ms`` is the plot alone appending one point and repainting
(``TrendPlot.add_point``). Target: ``reload_ms`` <= 16 (one frame at 60 Hz).

The machine is shared: figures are noisy; run it more than once. The data set-up (bulk Core
inserts of the monitor's rows: set-up only, not what is timed) takes a few seconds.

Last line: ``{"reload_ms": …, "read_ms": …, "plot_ms": …, "record_ms": …, "add_repaint_ms": …,
"p95_ms": …, "open_ms": …, "reload_cpu_ms": …, "record_open_ms": …, "points_per_series": …}``.

Run: ``QT_QPA_PLATFORM=offscreen uv run python bench/plot.py [--rounds 10] [--adds 100]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "tests"))

SECONDS = 12 * 3600
TYPED_EVERY_MIN = 15
TARGET_MS = 16.0


def monitor_row(session_id: int, nurse_id: int, at: datetime, second: int) -> dict[str, object]:
    """A plausible, wavy 1 Hz monitor set as the gateway stores it (no ACVPU, no oxygen)."""
    wave = math.sin(second / 600)
    return {
        "session_id": session_id,
        "taken_at": at,
        "entered_at": at,
        "entered_by_id": nurse_id,
        "source": "monitor",
        "heart_rate": round(80 + 10 * wave + second % 7),
        "systolic_bp": round(125 + 8 * wave),
        "diastolic_bp": round(80 + 5 * wave),
        "respiratory_rate": round(16 + 2 * wave),
        "spo2": 97 - second % 3,
        "temperature_c": round(36.8 + 0.2 * wave, 1),
    }


def typed_row(session_id: int, nurse_id: int, at: datetime) -> dict[str, object]:
    """A nurse's full set."""
    return {
        "session_id": session_id,
        "taken_at": at,
        "entered_at": at,
        "entered_by_id": nurse_id,
        "source": "typed",
        "heart_rate": 82,
        "systolic_bp": 126,
        "diastolic_bp": 80,
        "respiratory_rate": 16,
        "spo2": 97,
        "on_oxygen": False,
        "acvpu": "A",
        "temperature_c": 36.8,
    }


def main() -> int:
    """Set the session up, time the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="reloads timed (default 10)")
    parser.add_argument("--adds", type=int, default=100, help="add_point rounds (default 100)")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import insert, select

    from infusion_monitor.domain.protocol_library import load_library
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.services.assessing import AssessingService
    from infusion_monitor.services.vitals.recording import VitalsService
    from infusion_monitor.services.vitals.trend import VitalsTrendService
    from infusion_monitor.storage import models
    from infusion_monitor.storage.database import open_database
    from infusion_monitor.ui.trend_plot import TrendPlot, TrendPoint
    from infusion_monitor.ui.trend_view import update_plot
    from infusion_monitor.ui.vitals_record import VitalsRecordTable
    from unitworld import add_running_session

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rules = default_rules()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=SECONDS + 60)
    with tempfile.TemporaryDirectory(prefix="im-bench-plot-") as folder:
        paths = AppPaths.resolve(Path(folder))
        paths.ensure()
        with open_database(None, paths) as database:
            session_id = add_running_session(database.sessions, "Chair 1", "P0000001", at=start)
            with database.sessions.begin() as db:
                nurse_id = db.scalar(select(models.Nurse.id).limit(1))
                assert nurse_id is not None
                began = start + timedelta(minutes=1)
                rows = [
                    monitor_row(session_id, nurse_id, began + timedelta(seconds=s), s)
                    for s in range(1, SECONDS + 1)
                ]
                rows += [
                    typed_row(session_id, nurse_id, began + timedelta(minutes=m, seconds=0.5))
                    for m in range(TYPED_EVERY_MIN, SECONDS // 60, TYPED_EVERY_MIN)
                ]
                db.execute(insert(models.VitalSigns), rows)
            trend = VitalsTrendService(database.sessions, lambda: rules)
            vitals = VitalsService(
                database.sessions, AssessingService(lambda: rules), load_library()
            )
            plot = TrendPlot()
            plot.resize(1600, 900)
            plot.show()
            record = VitalsRecordTable()
            record.resize(1600, 600)
            record.show()
            started = time.perf_counter()
            data = trend.trend(session_id)
            update_plot(plot, None, data)
            app.processEvents()
            plot.repaint()
            full_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            entries = vitals.entries(session_id)
            record.show_entries(entries)
            record.repaint()
            record_ms = (time.perf_counter() - started) * 1000
            last_id = max(entry.id for entry in entries)
            reads: list[float] = []
            plots: list[float] = []
            records: list[float] = []
            cpus: list[float] = []
            for index in range(args.rounds):
                with database.sessions.begin() as db:
                    at = began + timedelta(seconds=SECONDS + 1 + index)
                    db.execute(
                        insert(models.VitalSigns),
                        [monitor_row(session_id, nurse_id, at, SECONDS + 1 + index)],
                    )
                started, cpu = time.perf_counter(), time.process_time()
                shown, data = data, trend.trend(session_id, data)
                read = time.perf_counter()
                update_plot(plot, shown, data)
                plot.repaint()
                drawn = time.perf_counter()
                added = vitals.entries(session_id, last_id)
                assert record.add_entries(added)
                last_id = max(entry.id for entry in added)
                record.repaint()
                done = time.perf_counter()
                cpus.append((time.process_time() - cpu) * 1000)
                reads.append((read - started) * 1000)
                plots.append((drawn - read) * 1000)
                records.append((done - drawn) * 1000)
            adds: list[float] = []
            for index in range(args.adds):
                last = data.sets[-1]
                point = TrendPoint(
                    last.t_min + (index + 1) / 60, 80, 125, 80, 16, 97, 36.8, 1, monitor=True
                )
                started = time.perf_counter()
                plot.add_point(point)
                plot.repaint()
                adds.append((time.perf_counter() - started) * 1000)
            points = len(data.sets)
            plot.close()
            record.close()
    reloads = [sum(parts) for parts in zip(reads, plots, records, strict=True)]
    reload_ms = statistics.median(reloads)
    p95 = sorted(reloads)[max(0, math.ceil(len(reloads) * 0.95) - 1)]
    print(f"sets in the trend: {points}; {args.rounds} reloads")
    print(f"opening the session: whole trend read and drawn {full_ms:.0f} ms, ", end="")
    print(f"whole record read and filled {record_ms:.0f} ms")
    print("trend read  ms:", " ".join(f"{value:.1f}" for value in reads))
    print("plot        ms:", " ".join(f"{value:.1f}" for value in plots))
    print("record      ms:", " ".join(f"{value:.1f}" for value in records))
    print(f"reload median {reload_ms:.1f} ms, p95 {p95:.1f} ms")
    print(f"reload CPU time of this process, median: {statistics.median(cpus):.1f} ms")
    print(f"add_point + repaint median {statistics.median(adds):.2f} ms")
    print(f"target reload <= {TARGET_MS} ms: {'met' if reload_ms <= TARGET_MS else 'NOT met'}")
    print(
        json.dumps(
            {
                "reload_ms": round(reload_ms, 2),
                "read_ms": round(statistics.median(reads), 2),
                "plot_ms": round(statistics.median(plots), 2),
                "record_ms": round(statistics.median(records), 2),
                "add_repaint_ms": round(statistics.median(adds), 2),
                "p95_ms": round(p95, 2),
                "open_ms": round(full_ms),
                "reload_cpu_ms": round(statistics.median(cpus), 2),
                "record_open_ms": round(record_ms),
                "points_per_series": points,
            }
        ),
        flush=True,
    )
    # PySide6 can crash while finalising widgets at interpreter exit; the figures are printed.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
