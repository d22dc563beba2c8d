"""A rate increase through the sessions service follows the protocol (issue 13): its step and
its ``no_symptoms`` condition, with the rules' view of a reaction now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from care_world import case, running_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.errors import UserError
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.storage.database import Database
from session_helpers import NURSE, T0


def test_no_step_up_while_the_rules_see_a_reaction(database: Database) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"))
    clock.advance(timedelta(minutes=30))
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(case("V03")["baseline"]), clock.now()
    )
    chair.care.care.record_symptom(NURSE, chair.session_id, "flushing")

    def step_to(rate: float) -> None:
        detail = chair.sessions.detail(chair.session_id)
        chair.sessions.change_rate(SessionRef(detail.id, detail.version), NURSE, rate)

    with pytest.raises(UserError, match="only without infusion-reaction symptoms"):
        step_to(100)
    with pytest.raises(UserError, match="next step from 50 is 100"):
        step_to(400)
    symptom = chair.care.care.picture(chair.session_id).symptoms[0]
    clock.advance(timedelta(minutes=5))
    chair.care.care.resolve_symptom(NURSE, symptom.id)
    step_to(100)
    assert chair.sessions.detail(chair.session_id).rate == 100
