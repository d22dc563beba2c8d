"""The demo tells the truth: chair 1's reaction was treated, acknowledged and is over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from infusion_monitor.demo import DEMO_NURSE, seed_demo
from infusion_monitor.domain.alerts import AlertPolicy, AlertState
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.care.service import make_care_services
from infusion_monitor.storage import models
from session_helpers import CHAIRS, Services, library


def test_chair_1_reaction_is_resolved_and_chair_3_is_the_open_high_alert(
    services: Services,
) -> None:
    now = services.clock.now()
    seed_demo(services.database.sessions, CHAIRS, now, library=library())
    rules = default_rules()
    care = make_care_services(
        services.database.sessions, services.clock, lambda: rules, AlertPolicy(), None
    )
    unit = care.alerts.unit_alerts()
    board = {s.name: s.session for s in services.board.snapshot()}
    chair_1, chair_3 = board["Chair 1"], board["Chair 3"]
    assert chair_1 is not None and chair_3 is not None
    assert unit.by_session[chair_3.id].priority.code == "high"
    open_1 = unit.by_session[chair_1.id]
    assert open_1.priority.code == "medium"
    assert now - open_1.raised_at <= timedelta(minutes=5), "only the chest tightness just now"

    picture = care.care.picture(chair_1.id)
    assert {s.code for s in picture.symptoms if s.active} == {"chest_tightness"}
    with services.database.sessions() as db:
        alerts = db.scalars(select(models.Alert).where(models.Alert.session_id == chair_1.id)).all()
        earlier = [a for a in alerts if a.id != open_1.id]
        assert earlier and all(a.state == AlertState.RESOLVED.value for a in earlier)
        acknowledged = [a for a in earlier if a.acknowledged_at is not None]
        assert acknowledged, "the nurse acknowledged the reaction's alert"
        for alert in acknowledged:
            assert alert.acknowledged_at - alert.raised_at >= timedelta(minutes=1)
        actions = {
            row.action
            for row in db.scalars(
                select(models.Intervention).where(models.Intervention.session_id == chair_1.id)
            )
        }
        assert {"antihistamine_h1", "corticosteroid", "oxygen", "stop_infusion"} <= actions
        audited = {
            row.action
            for row in db.scalars(
                select(models.AuditEntry).where(models.AuditEntry.actor == DEMO_NURSE.staff_id)
            )
        }
        assert {"symptom.record", "symptom.resolve", "intervention.record"} <= audited
        assert "alert.acknowledge" in audited
