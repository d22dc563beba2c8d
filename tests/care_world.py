"""A whole chair for reaction-care tests: sessions, vitals, assessing, alerts and care services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.domain.vitals_entry import VitalsDraft
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.care.service import (
    CareServices,
    make_care_services,
    sessions_lifecycle,
)
from infusion_monitor.services.sessions.lifecycle import SessionRef, SessionService
from infusion_monitor.services.vitals.recording import VitalsService
from infusion_monitor.storage.database import Database
from session_helpers import CHAIRS, NURSE, baseline, draft, library

CASES = Path(__file__).parent / "clinical" / "cases"
RULES = default_rules()


def case(name: str) -> dict[str, Any]:
    """A shared clinical case file."""
    data: dict[str, Any] = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def vitals_draft(values: dict[str, Any], *, late: bool = True) -> VitalsDraft:
    """A case observation as a typed vitals draft (late: with the clinical-emergency reason)."""
    temp = values.get("temp_c")
    signs = VitalSigns(
        hr=values["hr"],
        sbp=values["sbp"],
        dbp=values["dbp"],
        rr=values["rr"],
        spo2=values["spo2"],
        temp_c=temp,
        on_oxygen=bool(values.get("on_oxygen", False)),
        acvpu=Acvpu(values.get("acvpu", "A")),
    )
    return VitalsDraft(
        signs=signs,
        o2_flow_l_min=None,
        temp_raw=None if temp is None else f"{temp} °C",
        pain=None,
        taken_at=None,
        reason=MissedCheckNote(MissedCheckReason.CLINICAL_EMERGENCY, None) if late else None,
    )


@dataclass
class Chair:
    """One running session in Chair 1 with every service a reaction needs."""

    database: Database
    clock: FakeClock
    sessions: SessionService
    vitals: VitalsService
    care: CareServices
    session_id: int


def running_chair(
    database: Database, clock: FakeClock, data: dict[str, Any], **setup: object
) -> Chair:
    """Set up and start a session with the case's baseline (``setup``: other set-up values,
    e.g. ``date_of_birth``); the clock stands at minute 0."""
    chair = planned_chair(database, clock, data, **setup)
    detail = chair.sessions.detail(chair.session_id)
    started = chair.sessions.start(SessionRef(detail.id, detail.version), NURSE)
    chair.session_id = started.detail.id
    return chair


def planned_chair(
    database: Database, clock: FakeClock, data: dict[str, Any], **setup: object
) -> Chair:
    """Set up (not start) a session with the case's baseline in Chair 1."""
    assessing = AssessingService(lambda: RULES, library())
    sessions = SessionService(
        database.sessions, library(), lambda: RULES, clock, CHAIRS, assessing=assessing
    )
    care = make_care_services(
        database.sessions,
        clock,
        lambda: RULES,
        AlertPolicy(),
        sessions_lifecycle(sessions),
        assessing,
    )
    vitals = VitalsService(database.sessions, care.assessing, library())
    b = data["baseline"]
    taken = clock.now() - timedelta(minutes=5)
    first = baseline(
        taken,
        hr=b["hr"],
        sbp=b["sbp"],
        dbp=b["dbp"],
        rr=b["rr"],
        spo2=b["spo2"],
        temp_c=b["temp_c"],
    )
    made = sessions.set_up(draft(clock, baseline=first, **setup), NURSE)
    return Chair(database, clock, sessions, vitals, care, made.detail.id)
