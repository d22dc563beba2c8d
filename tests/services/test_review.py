"""The review list, session detail and their role checks and audit rows, on a synthetic unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from care_world import RULES, case, running_chair
from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, PermissionDenied
from infusion_monitor.errors import UserError
from infusion_monitor.services.review.gate import EXPORT_RECORD, OPEN_RECORD, ReviewService
from infusion_monitor.services.review.query import SessionFilter, SortKey
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.services.vitals.trend import VitalsTrendService
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import AuditEntry, InfusionSession
from review_world import small_unit
from session_helpers import NURSE, T0


@pytest.fixture
def reacted(database: Database) -> int:
    """A session with a reaction in the small synthetic unit."""
    return small_unit(database)


@pytest.fixture
def review(database: Database, clock: FakeClock) -> ReviewService:
    """The review service on the test database."""
    return ReviewService(database.sessions, clock)


def _audit(database: Database, action: str) -> list[AuditEntry]:
    with database.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_nurse_can_neither_list_nor_open_nor_export(
    review: ReviewService, nurse: Actor, reacted: int
) -> None:
    with pytest.raises(PermissionDenied):
        review.list_sessions(nurse, SessionFilter())
    with pytest.raises(PermissionDenied):
        review.choices(nurse)
    with pytest.raises(PermissionDenied):
        review.open_session(nurse, reacted)
    with pytest.raises(PermissionDenied):
        review.export_session(nurse, reacted, "pdf")


def test_the_list_pages_filters_and_sorts_in_sql(
    review: ReviewService, charge: Actor, database: Database, reacted: int
) -> None:
    with database.sessions() as db:
        stored = db.scalar(select(func.count()).select_from(InfusionSession))
    everything = review.list_sessions(charge, SessionFilter(), limit=10)
    assert everything.total == stored and len(everything.rows) == 10
    second = review.list_sessions(charge, SessionFilter(), limit=10, offset=10)
    assert not {r.id for r in everything.rows} & {r.id for r in second.rows}
    dates = [r.created_at for r in everything.rows]
    assert dates == sorted(dates, reverse=True)

    yes = review.list_sessions(charge, SessionFilter(reaction=True), limit=1000)
    no = review.list_sessions(charge, SessionFilter(reaction=False), limit=1)
    assert yes.total + no.total == everything.total
    assert reacted in {r.id for r in yes.rows}
    assert all(r.reaction_grade is not None for r in yes.rows)

    everyone = review.list_sessions(charge, SessionFilter(), limit=1000).rows
    by_priority = review.list_sessions(charge, SessionFilter(), sort=SortKey.PRIORITY, limit=5)
    assert (by_priority.rows[0].highest_priority or 0) == max(
        r.highest_priority or 0 for r in everyone
    )
    # Each computed column orders the page itself (the ids are sorted before the rows are read).
    for key, value in (
        (SortKey.ALERTS, lambda r: r.alerts),
        (SortKey.ON_TIME, lambda r: r.on_time_pct or 0.0),
        (SortKey.DURATION, lambda r: r.duration_min or 0),
        (SortKey.REACTION, lambda r: r.reaction_grade or 0),
    ):
        page = review.list_sessions(charge, SessionFilter(), sort=key, limit=50).rows
        values = [value(r) for r in page]
        assert values == sorted(values, reverse=True), key
        assert values[0] == max(value(r) for r in everyone), key
    high = review.list_sessions(charge, SessionFilter(min_priority=AlertPriority.HIGH), limit=1000)
    assert all(r.highest_priority is AlertPriority.HIGH for r in high.rows)

    one = yes.rows[0]
    found = review.list_sessions(charge, SessionFilter(search=(one.mrn or "").lower()))
    assert {r.mrn for r in found.rows} == {one.mrn}
    by_name = review.list_sessions(charge, SessionFilter(search=one.patient_name.split()[1][:4]))
    assert one.patient_name in {r.patient_name for r in by_name.rows}
    drug = review.list_sessions(charge, SessionFilter(drug=one.drug), limit=1000)
    assert {r.drug for r in drug.rows} == {one.drug}

    for key in SortKey:
        page = review.list_sessions(charge, SessionFilter(), sort=key, descending=False, limit=3)
        assert len(page.rows) == 3
    row = everything.rows[0]
    assert row.duration_min is not None and row.duration_min > 0
    assert row.on_time_pct is not None and 0 <= row.on_time_pct <= 100
    choices = review.choices(charge)
    assert one.drug in choices.drugs and choices.chairs and choices.nurses


def test_opening_a_session_shows_everything_and_is_audited(
    review: ReviewService, charge: Actor, database: Database, reacted: int
) -> None:
    record, detail = review.open_session(charge, reacted)
    assert record.session_id == reacted
    kinds = {entry.kind for entry in detail.timeline}
    assert {"event", "vitals", "symptom", "alert", "action", "reaction", "assessment"} <= kinds
    assert [e.at for e in detail.timeline] == sorted(e.at for e in detail.timeline)
    assert detail.alerts and detail.findings
    assert all(f.evidence for f in detail.findings)
    assert detail.reaction.clock is not None and detail.reaction.outcome is not None
    assert detail.trend.sets
    assert detail.ruleset_version.startswith("sha256:")
    assert detail.assessed_with == (f"{detail.ruleset_name} {detail.ruleset_version}",)
    opened = _audit(database, OPEN_RECORD)
    assert [(a.actor, a.entity_id) for a in opened] == [(charge.staff_id, str(reacted))]

    review.export_session(charge, reacted, "fhir")
    exported = _audit(database, EXPORT_RECORD)
    assert exported[-1].after == {"format": "fhir"}
    with pytest.raises(UserError, match="not known"):
        review.export_session(charge, reacted, "docx")


def test_a_running_session_does_not_open(
    review: ReviewService, charge: Actor, database: Database, reacted: int
) -> None:
    with database.sessions.begin() as db:
        db.get(InfusionSession, reacted).state = "running"  # type: ignore[union-attr]
    with pytest.raises(UserError, match="not a finished session"):
        review.open_session(charge, reacted)


def test_the_timeline_shows_an_alert_as_raised_and_each_change_to_it(
    database: Database, charge: Actor
) -> None:
    chair = running_chair(database, FakeClock(T0), case("V03"))
    sid, care = chair.session_id, chair.care
    chair.clock.advance(timedelta(minutes=10))
    care.care.record_symptom(NURSE, sid, "angioedema")
    care.care.record_symptom(NURSE, sid, "flushing")
    alert = care.care.picture(sid).alert
    assert alert is not None and alert.priority is AlertPriority.MEDIUM
    chair.clock.advance(timedelta(seconds=40))
    care.alerts.acknowledge(NURSE, alert.id)
    chair.clock.advance(timedelta(minutes=5))
    angioedema = next(s for s in care.care.picture(sid).symptoms if s.code == "angioedema")
    care.care.resolve_symptom(NURSE, angioedema.id)
    detail = chair.sessions.detail(sid)
    stopped = chair.sessions.discontinue(SessionRef(sid, detail.version), NURSE, "reaction")
    chair.sessions.close(SessionRef(sid, stopped.detail.version), NURSE, "sent to the ward")

    _, review = ReviewService(database.sessions, chair.clock).open_session(charge, sid)
    (shown,) = review.alerts
    assert (shown.priority, shown.condition) == (AlertPriority.MEDIUM, "airway_watch")
    lines = [e.text for e in review.timeline if e.kind == "alert"]
    assert lines == [
        "Alert !! MEDIUM raised: airway watch",
        "Alert !! MEDIUM acknowledged after 40 s",
        "Alert lowered to ! LOW: mild reaction",
    ]
    trend = VitalsTrendService(database.sessions, lambda: RULES).trend(sid)
    assert [e.label for e in trend.events if e.kind == "alert"] == [
        "!! MEDIUM airway watch",
        "lowered to ! LOW mild reaction",
    ]
