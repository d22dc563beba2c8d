"""A unit's database as a workstation finds it mid-morning, for the benchmarks that start the app.

Built through the app's own writers, in this order:

- the history: ``--history-days`` days of finished sessions of the unit's chairs by the synthetic
  generator (the review pages' data, each clinical row audited as the app audits it);
- today: the ``--demo`` unit's sessions in the first four chairs through the session, care and
  vitals services (running with a reaction in progress and an acknowledged alert, paused,
  just started, in observation; an unacknowledged high-priority alert), plus a running session
  in every other chair;
- the bedside monitors' sets of the day: every running or paused session gets one set every
  ``monitor_period_s`` from its start until now, parsed from an ORU^R01 and stored by the monitor
  feed service (assessed, audited, alerting) as the gateway stores it.

Nothing here is timed. ``build_unit`` returns counts of what it wrote.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infusion_monitor.domain.vitals import VitalSigns

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))

#: Finished history: about 22 weekdays of six chairs, a few hundred sessions.
HISTORY_DAYS = 30
#: One monitor set per chair this often (a PCD-01 periodic feed; typed sets every 15 min).
MONITOR_PERIOD_S = 60


@dataclass(frozen=True)
class UnitBuilt:
    """What was written."""

    finished_sessions: int
    open_sessions: int
    monitor_sets: int
    open_alerts: int
    audit_rows: int
    vital_sets: int


def _monitor_vitals(minute: float) -> VitalSigns:
    """A calm patient's monitor values, wavering a little."""
    wave = math.sin(minute / 9)
    return VitalSigns(
        round(76 + 6 * wave),
        round(124 + 5 * wave),
        round(78 + 3 * wave),
        16,
        97,
        36.8,
        on_oxygen=None,
        acvpu=None,
    )


def build_unit(
    data_dir: Path,
    chairs: Sequence[str],
    *,
    history_days: int = HISTORY_DAYS,
    monitor_period_s: int = MONITOR_PERIOD_S,
    now: datetime | None = None,
) -> UnitBuilt:
    """Create the embedded SQLite database in ``data_dir`` with a realistic unit; close it."""
    from sqlalchemy import func, select

    from infusion_monitor.demo import seed_demo
    from infusion_monitor.domain.alerts import AlertState
    from infusion_monitor.domain.clock import FakeClock
    from infusion_monitor.domain.protocol_library import load_library
    from infusion_monitor.integrations.hl7.message import parse_oru
    from infusion_monitor.integrations.hl7.simulator import oru_message
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.services.monitor.feed import make_monitor_feed
    from infusion_monitor.services.sessions.board import BoardService
    from infusion_monitor.storage import models
    from infusion_monitor.storage.database import open_database
    from infusion_monitor.storage.sql_rows import reading
    from infusion_monitor.synthetic import GenerateSpec, generate
    from unitworld import add_running_session

    now = now or datetime.now(UTC).replace(microsecond=0)
    rules = default_rules()
    library = load_library()
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    with open_database(None, paths) as database:
        yesterday = now.date() - timedelta(days=1)
        generate(database.sessions, GenerateSpec(len(chairs), history_days, yesterday, 11), rules)
        seed_demo(database.sessions, chairs, now, rules, library)
        for index, chair in enumerate(chairs[4:], start=5):
            add_running_session(
                database.sessions,
                chair,
                f"UNIT{index:04d}",
                staff_id="DEMO",
                at=now - timedelta(minutes=60 + 20 * index),
            )
        board = BoardService(reading(database.sessions), chairs, library)
        starts = {
            status.name: started
            for status in board.snapshot()
            if status.session is not None
            and status.session.state.value in ("running", "paused")
            and (started := status.session.started_at(now)) is not None
        }
        clock = FakeClock(min(starts.values()))
        feed = make_monitor_feed(database.sessions, clock, lambda: rules, library)
        stored = 0
        moment = min(starts.values())
        while moment < now - timedelta(seconds=monitor_period_s):
            moment += timedelta(seconds=monitor_period_s)
            clock.advance(moment - clock.now())
            minute = (moment - min(starts.values())).total_seconds() / 60
            batch = [
                parse_oru(
                    oru_message(
                        _monitor_vitals(minute),
                        bed=chair,
                        control_id=f"U{chair[-1]}{moment:%H%M%S}",
                        taken_at=moment,
                    ),
                    local_zone=UTC,
                )
                for chair, started in starts.items()
                if started < moment
            ]
            outcomes = feed.store_batch(batch, moment + timedelta(seconds=1))
            stored += sum(1 for outcome in outcomes if not isinstance(outcome, Exception))
        with database.sessions() as db:
            open_states = ("planned", "running", "paused", "observation", "completed")
            counted = UnitBuilt(
                finished_sessions=db.scalar(
                    select(func.count()).where(models.InfusionSession.state == "closed")
                )
                or 0,
                open_sessions=db.scalar(
                    select(func.count()).where(models.InfusionSession.state.in_(open_states))
                )
                or 0,
                monitor_sets=stored,
                open_alerts=db.scalar(
                    select(func.count()).where(models.Alert.state != AlertState.RESOLVED.value)
                )
                or 0,
                audit_rows=db.scalar(select(func.count()).select_from(models.AuditEntry)) or 0,
                vital_sets=db.scalar(select(func.count()).select_from(models.VitalSigns)) or 0,
            )
    return counted
