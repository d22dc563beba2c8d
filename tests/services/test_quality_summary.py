"""The per-session quality summaries: kept current by the app's own use cases, and the page
read from them agrees with the measures worked out from every session's records.

The reference here works the vitals-on-time and reaction-rate figures out straight from the
records (``session_facts``: sets by phase, late and skipped checks, reactions) with plain
Python, the way the page computed them before it had summaries; the page reads them as GROUP
BYs over the summaries and lists the sessions behind a figure with a query of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backends import Backend
from care_world import case, running_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.review.quality import QualityService
from infusion_monitor.services.review.quality_facts import QualitySettings, session_facts
from infusion_monitor.services.review.quality_measures import (
    ANAPHYLAXIS,
    PHASE_WORDS,
    QualityReport,
    cycle_band,
)
from infusion_monitor.services.review.quality_summary import PHASES, summarise_finished_sessions
from infusion_monitor.services.review.query import SessionFilter, filtered
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.synthetic import GenerateSpec, generate
from session_helpers import NURSE, T0

CHARGE = Actor("Q9", "Cy Charge", Role.CHARGE_NURSE)
#: Three weeks over the end of March: in Tokyo the sessions of 31 March after 15:00 UTC are in
#: April, so the local months differ from the UTC ones.
SPEC = GenerateSpec(chairs=3, days=21, end=date(2026, 4, 10), seed=5)
TOKYO = QualitySettings(zone=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def database(backend: Backend, data_dir: Path) -> Iterator[Database]:
    """An empty database on the backend."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as opened:
        yield opened


def summary(database: Database, session_id: int) -> dict[str, Any] | None:
    """The stored summary of a session (its counts), or None."""
    table = models.SessionQuality
    with database.sessions() as db:
        row = db.get(table, session_id)
        if row is None:
            return None
        return {c.key: getattr(row, c.key) for c in table.__table__.columns}


def test_the_summary_follows_the_session_through_the_use_cases(database: Database) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    sid = chair.session_id
    assert summary(database, sid) is None  # running: not finished
    clock.advance(timedelta(minutes=20))  # the 15-minute check is late: recorded with a reason
    chair.vitals.record_vitals(NURSE, sid, vitals_draft(case("V03")["baseline"]), clock.now())
    detail = chair.sessions.detail(sid)
    chair.sessions.complete(SessionRef(sid, detail.version), NURSE, observe=False)
    # Completed (observation deferred): finished, so summarised in the same transaction.
    found = summary(database, sid)
    assert found is not None
    assert (found["sets_first_hour"], found["late_first_hour"], found["on_time"]) == (2, 1, 1)
    # A set recorded while it waits (a change to a finished session) rewrites it.
    clock.advance(timedelta(minutes=50))
    draft = vitals_draft(case("V03")["baseline"], late=False)
    chair.vitals.record_vitals(NURSE, sid, draft, clock.now())
    found = summary(database, sid)
    assert found is not None and (found["sets"], found["sets_later"]) == (3, 1)
    detail = chair.sessions.detail(sid)
    chair.sessions.start_observation(SessionRef(sid, detail.version), NURSE)
    assert summary(database, sid) is None  # observing: no longer finished
    detail = chair.sessions.detail(sid)
    chair.sessions.close(SessionRef(sid, detail.version), NURSE, "Observation done elsewhere")
    found = summary(database, sid)
    assert found is not None and found["sets"] == 3
    report = QualityService(database.sessions, TOKYO).report(CHARGE, SessionFilter())
    assert report.sessions == 1
    assert report.table("on_time_unit").row("Unit").figures[0].n == 3


def test_a_later_correction_of_a_finished_session_updates_its_summary(
    database: Database,
) -> None:
    generate(database.sessions, SPEC, default_rules())
    service = QualityService(database.sessions, TOKYO)
    with database.sessions.begin() as db:
        record = db.scalars(
            select(models.ReactionRecord)
            .where(models.ReactionRecord.ctcae_grade == 2)
            .order_by(models.ReactionRecord.id)
            .limit(1)
        ).one()
        sid, drug = record.session_id, record.drug_name
        kept = {
            c.key: getattr(record, c.key)
            for c in models.ReactionRecord.__table__.columns
            if c.key not in ("id", "ctcae_grade", "amends_id", "amend_reason")
        }
        db.add(
            models.ReactionRecord(
                **kept, ctcae_grade=3, amends_id=record.id, amend_reason="grade corrected"
            )
        )
    found = summary(database, sid)
    assert found is not None and found["reaction_grade"] == 3
    table = service.report(CHARGE, SessionFilter()).table("reactions_drug")
    assert sid in table.figure((drug,), "Grade 3").sessions
    assert sid not in table.figure((drug,), "Grade 2").sessions


def _reference(db: Session, wanted: SessionFilter, settings: QualitySettings) -> dict[Any, Any]:
    """The on-time and reaction-rate figures worked out from every session's records."""
    s = models.InfusionSession
    rows = db.execute(
        filtered(
            select(s.id, models.Nurse.name, s.created_at, s.drug_name, s.cycle).join(
                models.Nurse, s.nurse_id == models.Nurse.id
            ),
            wanted,
        )
    ).all()
    facts = session_facts(db, [row[0] for row in rows])
    keys = {}
    found: dict[Any, Any] = defaultdict(
        lambda: {
            "checks": 0,
            "on_time": 0,
            "late": [],
            "skipped": [],
            "sessions": set(),
            "reactions": [],
            "anaphylaxis": [],
        }
    )
    for sid, nurse, created, drug, cycle in rows:
        month = settings.month_of(created)
        keys[sid] = [
            ("on_time_unit", ("Unit",)),
            ("on_time_month", (month,)),
            ("on_time_nurse", (nurse,)),
            ("on_time_nurse_month", (nurse, month)),
            ("on_time_drug", (drug,)),
        ]
        found[("reactions_drug_cycle", (drug, cycle_band(cycle or 1)))]["sessions"].add(sid)
        found[("reactions_drug", (drug,))]["sessions"].add(sid)
    late = Counter((m.session_id, m.phase) for m in facts.missed if m.kind == "late")
    for sid, sets in facts.sets_by_phase.items():
        for phase, n in zip(PHASES, sets, strict=True):
            if n:
                for key in [*keys[sid], ("on_time_phase", (PHASE_WORDS[phase],))]:
                    found[key]["checks"] += n
                    found[key]["on_time"] += n - min(late[(sid, phase)], n)
                    found[key]["sessions"].add(sid)
    for miss in facts.missed:
        for key in [*keys[miss.session_id], ("on_time_phase", (PHASE_WORDS[miss.phase],))]:
            found[key]["sessions"].add(miss.session_id)
            found[key][miss.kind].append(miss.session_id)
            found[key]["checks"] += miss.kind == "skipped"
    for reaction in facts.reactions:
        kind = "anaphylaxis" if reaction.term == ANAPHYLAXIS else "reactions"
        for key in (
            ("reactions_drug_cycle", (reaction.drug, cycle_band(reaction.cycle))),
            ("reactions_drug", (reaction.drug,)),
        ):
            if key in found:
                found[key][kind].append(reaction.session_id)
    return found


def _check(report: QualityReport, expected: dict[Any, Any]) -> int:
    """Compare every figure of the on-time and reaction-rate tables; return how many."""
    compared = 0
    for key in sorted({k for k, _ in expected}):
        table = report.table(key)
        wanted = {labels: v for (k, labels), v in expected.items() if k == key}
        assert {row.labels for row in table.rows} == set(wanted), key
        for labels, want in wanted.items():
            figures = table.row(*labels).figures
            sessions = tuple(sorted(want["sessions"]))
            if key.startswith("on_time"):
                checks, pct, late, skipped = figures
                assert (checks.n, checks.sessions) == (want["checks"], sessions), (key, labels)
                if want["checks"]:
                    assert pct.value == pytest.approx(100 * want["on_time"] / want["checks"])
                    assert pct.sessions == sessions
                assert (late.n, late.sessions) == (
                    len(want["late"]),
                    tuple(sorted(set(want["late"]))),
                ), (key, labels)
                assert (skipped.n, skipped.sessions) == (
                    len(want["skipped"]),
                    tuple(sorted(set(want["skipped"]))),
                ), (key, labels)
            else:
                count, reacted, per_100 = figures[:3]
                anaphylaxis, other = want["anaphylaxis"], want["reactions"]
                assert (count.n, count.sessions, per_100.sessions) == (
                    len(sessions),
                    sessions,
                    sessions,
                )
                assert (reacted.n, reacted.sessions) == (len(other), tuple(sorted(other)))
                assert (figures[8].n, figures[8].sessions) == (
                    len(anaphylaxis),
                    tuple(sorted(anaphylaxis)),
                )
            compared += len(figures)
    return compared


def test_the_page_from_summaries_agrees_with_the_records_of_a_generated_unit(
    database: Database,
) -> None:
    generate(database.sessions, SPEC, default_rules())
    service = QualityService(database.sessions, TOKYO)
    with database.sessions() as db:
        nurse = db.scalars(select(models.Nurse.id).order_by(models.Nurse.id)).first()
    since = datetime(2026, 3, 25, tzinfo=ZoneInfo("Asia/Tokyo"))
    for wanted in (
        SessionFilter(),
        SessionFilter(since=since, until=since + timedelta(days=14), nurse_id=nurse),
    ):
        report = service.report(CHARGE, wanted)
        with database.sessions() as db:
            expected = _reference(db, wanted, TOKYO)
        assert report.sessions == len(expected[("on_time_unit", ("Unit",))]["sessions"]) > 0
        assert _check(report, expected) > 100
    whole = service.report(CHARGE, SessionFilter())
    assert [row.labels[0] for row in whole.table("on_time_month").rows] == ["2026-03", "2026-04"]
    # Written month by month as the generator went, the summaries equal those worked out
    # again from every record at once (as the migration does for an existing database).
    rows = select(models.SessionQuality.__table__).order_by(models.SessionQuality.session_id)
    with database.sessions() as db:
        before = db.execute(rows).all()
    with database.sessions.begin() as db:
        db.execute(delete(models.SessionQualityMissed))
        db.execute(delete(models.SessionQuality))
        summarise_finished_sessions(db)
    with database.sessions() as db:
        assert db.execute(rows).all() == before
    assert len(before) == whole.sessions
