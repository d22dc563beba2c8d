"""A bedside monitor's set erases nothing a nurse assessed (issue 13; rules-spec §2, revision 4).

A nurse records new confusion (ACVPU C) and oxygen; three minutes later the monitor's set, sent
over MLLP on 127.0.0.1 through the real gateway, has neither. NEWS2 must not fall, the set must
show as incomplete with the values it carried, the check must stay due, and a rate increase must
wait for a nurse's set. On both backends.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason, VitalsState
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals import VitalSigns as Signs
from infusion_monitor.domain.vitals_entry import Source, VitalsDraft
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.hl7.gateway import GatewayServer
from infusion_monitor.integrations.hl7.simulator import MllpClient, ack_code, oru_message
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.assessing import AssessingService, latest_assessment
from infusion_monitor.services.care.alerts import open_alert_row
from infusion_monitor.services.care.service import make_care_services
from infusion_monitor.services.sessions.lifecycle import SessionRef, SessionService
from infusion_monitor.services.sessions.records import load_details
from infusion_monitor.services.vitals.recording import VitalsService
from infusion_monitor.services.vitals.schedule import schedule_facts
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import VitalSigns
from infusion_monitor.storage.sql_rows import session_rows
from infusion_monitor.ui.latest_vitals import score_text
from session_helpers import library

NURSE = Actor("N001", "Ada Nurse", Role.NURSE)
RULES = default_rules()
LATE = MissedCheckNote(MissedCheckReason.CLINICAL_EMERGENCY, None)


def _nurse_set(taken_at: datetime, **changes: object) -> VitalsDraft:
    names = {f.name for f in fields(Signs)}
    signs = Signs(112, 100, 60, 25, 93, 38.5, on_oxygen=True, acvpu=Acvpu.C)
    draft = VitalsDraft(signs, 2.0, None, None, taken_at, reason=LATE)
    signs = replace(signs, **{k: v for k, v in changes.items() if k in names})  # type: ignore[arg-type]
    rest = {k: v for k, v in changes.items() if k not in names}
    return replace(draft, signs=signs, **rest)  # type: ignore[arg-type]


def _monitor(
    server: GatewayServer, control_id: str, taken_at: datetime, temp_c: float = 38.5, **values: int
) -> None:
    vitals = Signs(
        hr=values.get("hr", 112),
        sbp=values.get("sbp", 100),
        dbp=values.get("dbp", 60),
        rr=values.get("rr", 25),
        spo2=values.get("spo2", 93),
        temp_c=temp_c,
    )
    message = oru_message(vitals, bed="Chair 1", control_id=control_id, taken_at=taken_at)
    with MllpClient(*server.address) as client:
        assert ack_code(client.exchange(message))[0] == "AA"


def _services(database: Database) -> tuple[VitalsService, SessionService]:
    clock = FakeClock(datetime.now(UTC))
    assessing = AssessingService(lambda: RULES, library())
    make_care_services(database.sessions, clock, lambda: RULES, AlertPolicy(), None, assessing)
    vitals = VitalsService(database.sessions, assessing, library())
    sessions = SessionService(
        database.sessions, library(), lambda: RULES, clock, ("Chair 1",), assessing=assessing
    )
    return vitals, sessions


def _session_id(database: Database) -> int:
    with database.sessions() as db:
        return int(db.scalars(select(VitalSigns.session_id)).first() or 0)


def test_a_monitor_set_after_a_nurses_confusion_and_oxygen_erases_nothing(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    vitals, sessions = _services(unit_db)
    session_id = _session_id(unit_db)
    now = datetime.now(UTC).replace(microsecond=0)
    nursed_at = now - timedelta(minutes=20)
    nurse = vitals.record_vitals(NURSE, session_id, _nurse_set(nursed_at), now)
    assert nurse.assessment is not None and nurse.assessment.news2_complete
    before = nurse.assessment.news2_score
    assert before is not None and before >= 12

    _monitor(gateway_server, "MON-1", now - timedelta(minutes=1))

    with unit_db.sessions() as db:
        after = latest_assessment(db, session_id)
        assert after is not None
        news2 = after.result["news2"]
        # NEWS2 does not fall: ACVPU C (3) and oxygen (2) are carried from the nurse's set.
        assert after.news2_score == before
        assert news2["carried"] == ["air_or_oxygen", "acvpu"]
        assert news2["complete"] is False and news2["parameters"]["acvpu"] == 3
        assert after.result["derived"]["reduced_consciousness"] is True
        monitor_row = db.scalars(select(VitalSigns).where(VitalSigns.source == "monitor")).one()
        assert (monitor_row.acvpu, monitor_row.on_oxygen) == (None, None)
        # The set shows as incomplete, naming what it carried and from which set.
        latest = load_details(session_rows(db), [session_id], library())[session_id].latest_vitals
        assert latest is not None and latest.source is Source.MONITOR
        assert latest.score is not None
        [carried] = latest.score.carried
        assert (carried.taken_at, carried.source) == (nursed_at, Source.TYPED)
        assert score_text(latest.score) == (
            f"NEWS2 {before} · incomplete: ACVPU and O2 carried from the "
            f"{nursed_at.astimezone():%H:%M} typed set"
        )
        # The check stays due: only the nurse's set counts as done.
        facts = schedule_facts(db, session_id, library())
        assert facts.last_check_at == nursed_at
        assert facts.status(now).state in (VitalsState.DUE, VitalsState.OVERDUE)

    # A rate increase is refused on the monitor's fresh set: the nurse's is 20 minutes old.
    detail = sessions.detail(session_id)
    with pytest.raises(UserError, match="nurse"):
        sessions.change_rate(SessionRef(detail.id, detail.version), NURSE, 100)

    # The nurse confirms the monitor's set with her own (the patient has recovered): linked,
    # and the increase goes ahead.
    recovered = _nurse_set(
        None,
        hr=80,
        sbp=130,
        dbp=80,
        rr=16,
        spo2=97,
        on_oxygen=False,
        o2_flow_l_min=None,
        temp_c=36.8,
        acvpu=Acvpu.A,
    )
    later = datetime.now(UTC)  # after the gateway's own assessment of the monitor's set
    confirmed = vitals.record_vitals(NURSE, session_id, recovered, later, confirms=monitor_row.id)
    assert confirmed.entry.confirms_id == monitor_row.id
    assert confirmed.assessment is not None and confirmed.assessment.news2_complete
    with unit_db.sessions() as db:
        assert schedule_facts(db, session_id, library()).last_check_at == later
    detail = sessions.detail(session_id)
    sessions.change_rate(SessionRef(detail.id, detail.version), NURSE, 100)


def test_an_alert_is_not_resolved_by_the_rules_on_a_monitor_set_alone(
    gateway_server: GatewayServer, unit_db: Database
) -> None:
    vitals, _ = _services(unit_db)
    session_id = _session_id(unit_db)
    now = datetime.now(UTC).replace(microsecond=0)
    low = _nurse_set(
        now - timedelta(minutes=10),
        hr=80,
        sbp=85,
        dbp=50,
        rr=16,
        spo2=98,
        on_oxygen=False,
        o2_flow_l_min=None,
        temp_c=36.8,
        acvpu=Acvpu.A,
    )
    vitals.record_vitals(NURSE, session_id, low, now)
    care = make_care_services(unit_db.sessions, FakeClock(now), lambda: RULES, AlertPolicy(), None)
    with unit_db.sessions() as db:
        row = open_alert_row(db, session_id)
        assert row is not None and row.priority == "high"
        alert_id = row.id
    care.alerts.acknowledge(NURSE, alert_id)

    _monitor(
        gateway_server, "MON-OK", now - timedelta(minutes=2), 36.8, hr=78, sbp=124, rr=15, spo2=98
    )
    with unit_db.sessions() as db:
        assert latest_assessment(db, session_id).priority is None  # type: ignore[union-attr]
        still = open_alert_row(db, session_id)
        assert still is not None and still.id == alert_id and still.state == "acknowledged"

    normal = _nurse_set(
        None,
        hr=78,
        sbp=124,
        dbp=76,
        rr=15,
        spo2=98,
        on_oxygen=False,
        o2_flow_l_min=None,
        temp_c=36.8,
        acvpu=Acvpu.A,
        reason=None,
    )
    vitals.record_vitals(NURSE, session_id, normal, now)
    with unit_db.sessions() as db:
        assert open_alert_row(db, session_id) is None
