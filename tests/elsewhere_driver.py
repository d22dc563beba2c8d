"""Another workstation, as a second process: commits through the services, one command a line.

``python elsewhere_driver.py --db URL --t0 ISO`` reads commands on stdin (``setup``, ``start``,
``pause``, ``resume``, ``vitals_alert``, ``symptom CODE``, ``acknowledge``, ``step_done``,
``escalate``, ``resolve_symptom CODE``, ``amend_vitals HR``, ``resolve_alert``, ``rate ML_H``,
``missed_check``, ``monitor HR`` (the monitor gateway's values for Chair 1), ``baseline HR``,
``step_decline``, ``treatment ACTION``, ``outcome``, ``other_chair`` (then ``other_start``,
``other_discontinue`` without observation, ``other_observe``), ``complete``, ``close``,
``advance MINUTES``;
an administrator's ``first_admin ID``, ``add_staff ID ROLE``, ``provision ID``, ``first_pin ID``
(with the one-time code provisioning gave), ``reset_pin ID``, ``change_role ID ROLE``,
``disable ID``, ``beds_add LABEL CHAIR``, ``beds_remove ID``) and answers one JSON line each
once committed. Its clock is a fake one at ``--t0``, advanced only by ``advance``. Accounts
added here get the PIN ``STAFF_PIN``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from care_world import RULES, case, planned_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.guidance import STANDING_ORDER_STEP
from infusion_monitor.domain.monitor import MonitorReading, MonitorSet
from infusion_monitor.domain.reaction import CTCAE_TERMS, Disposition, Outcome
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.monitor.beds import BedMappingService
from infusion_monitor.services.monitor.feed import make_monitor_feed
from infusion_monitor.services.sessions.lifecycle import SessionRef
from infusion_monitor.services.staff.accounts import NewStaff, StaffService
from infusion_monitor.services.staff.sign_in import AuthService
from infusion_monitor.storage.database import Database, open_database
from session_helpers import NURSE, baseline, library

#: The administrator at the other workstation, and the PIN of the accounts it adds.
ADMIN = Actor("ADM0", "Otto Admin", Role.ADMINISTRATOR, "elsewhere")
STAFF_PIN = "1357"
#: The chairs the other workstation may map monitors' beds to.
CHAIRS = ("Chair 1", "Chair 2", "Chair 3")


def main() -> int:
    """Run commands until stdin closes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--t0", required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    clock = FakeClock(datetime.fromisoformat(args.t0))
    data = case("V03")
    with open_database(args.db, AppPaths.resolve(Path(args.data_dir))) as database:
        chair = None
        other = None
        for line in sys.stdin:
            command, *rest = line.split()
            answer: dict[str, Any] = {"done": command}
            if command == "advance":
                clock.advance(timedelta(minutes=float(rest[0])))
            elif command in ADMINISTRATION:
                answer.update(_administer(database, clock, command, rest))
            elif command == "setup":
                chair = planned_chair(database, clock, data)
                answer["session_id"] = chair.session_id
            elif command == "other_chair":  # a chair this workstation does not show
                other = planned_chair(
                    database, clock, data, chair="Chair 6", mrn="00999001", patient_name="Ivo Lund"
                )
                other.care.care.record_symptom(NURSE, other.session_id, "wheeze")
            elif command.startswith("other_"):
                assert other is not None, "other_chair first"
                _lifecycle(other, command.removeprefix("other_"))
            else:
                assert chair is not None, "setup first"
                answer.update(_act(chair, command, rest, data))
            print(json.dumps(answer), flush=True)
    return 0


ADMINISTRATION = frozenset(
    {
        "first_admin",
        "add_staff",
        "provision",
        "first_pin",
        "reset_pin",
        "change_role",
        "disable",
        "beds_add",
        "beds_remove",
    }
)
#: The one-time codes of the accounts provisioned here, by staff ID.
CODES: dict[str, str] = {}


def _administer(
    database: Database, clock: FakeClock, command: str, rest: list[str]
) -> dict[str, Any]:
    """The administrator's use cases: staff accounts and the unit's bed mappings."""
    staff = StaffService(database.sessions, clock)
    beds = BedMappingService(database.sessions, CHAIRS)
    auth = AuthService(database.sessions, clock, workstation="elsewhere")
    if command == "first_admin":
        auth.create_first_administrator(rest[0], f"Staff {rest[0]}", STAFF_PIN)
    elif command == "first_pin":
        auth.choose_first_pin(rest[0], CODES[rest[0]], STAFF_PIN)
    elif command == "add_staff":
        staff.add_staff(ADMIN, rest[0], f"Staff {rest[0]}", Role(rest[1]), STAFF_PIN)
    elif command == "provision":
        (made,) = staff.provision(ADMIN, [NewStaff(rest[0], f"Staff {rest[0]}", Role.NURSE)])
        CODES[rest[0]] = made.code
    elif command == "reset_pin":
        staff.reset_pin(ADMIN, rest[0], STAFF_PIN)
    elif command == "change_role":
        staff.change_role(ADMIN, rest[0], Role(rest[1]))
    elif command == "disable":
        staff.disable(ADMIN, rest[0])
    elif command == "beds_add":
        return {"mapping": beds.add(ADMIN, rest[0], " ".join(rest[1:]), clock.now()).id}
    else:
        beds.remove(ADMIN, int(rest[0]), clock.now())
    return {}


def _lifecycle(chair: Any, command: str) -> None:
    """Start, discontinue (observation deferred) or begin the observation of ``chair``."""
    detail = chair.sessions.detail(chair.session_id)
    ref = SessionRef(detail.id, detail.version)
    if command == "start":
        chair.sessions.start(ref, NURSE)
    elif command == "discontinue":
        chair.sessions.discontinue(ref, NURSE, "reaction: stopped for good", observe=False)
    else:
        chair.sessions.start_observation(ref, NURSE)


def _act(chair: Any, command: str, rest: list[str], data: dict[str, Any]) -> dict[str, Any]:
    sessions, sid = chair.sessions, chair.session_id
    detail = sessions.detail(sid)
    ref = SessionRef(detail.id, detail.version)
    if command == "start":
        sessions.start(ref, NURSE)
    elif command == "pause":
        sessions.pause(ref, NURSE, "patient to the toilet")
    elif command == "resume":
        sessions.resume(ref, NURSE)
    elif command == "rate":
        sessions.change_rate(ref, NURSE, float(rest[0]))
    elif command == "missed_check":
        note = MissedCheckNote(MissedCheckReason.PATIENT_OFF_UNIT, None)
        chair.vitals.record_missed_check(NURSE, sid, note, chair.clock.now())
    elif command == "monitor":
        now = chair.clock.now()
        values = {"hr": Decimal(rest[0]), "spo2": Decimal(97)}
        sent = (MonitorSet(now, values),)
        reading = MonitorReading("MON^ONC", f"MSG{now:%H%M%S}", "Chair 1", None, sent)
        feed = make_monitor_feed(chair.database.sessions, chair.clock, lambda: RULES, library())
        feed.store(reading, now)
    elif command == "vitals_alert":
        chair.vitals.record_vitals(
            NURSE, sid, vitals_draft(data["observations"][0]), chair.clock.now()
        )
    elif command == "symptom":
        chair.care.care.record_symptom(NURSE, sid, rest[0])
    elif command == "acknowledge":
        alert = chair.care.care.picture(sid).alert
        chair.care.alerts.acknowledge(NURSE, alert.id)
    elif command == "step_done":  # the first guidance step that neither pauses nor asks a drug
        steps = chair.care.care.picture(sid).guidance.steps
        code = next(s.code for s in steps if s.code not in {"stop_infusion", STANDING_ORDER_STEP})
        chair.care.care.mark_step_done(NURSE, sid, code)
        return {"code": code}
    elif command == "step_decline":
        steps = chair.care.care.picture(sid).guidance.steps
        code = next(
            s.code
            for s in steps
            if not s.answered and s.code not in {"stop_infusion", STANDING_ORDER_STEP}
        )
        chair.care.care.decline_step(NURSE, sid, code, "not needed: settling")
        return {"code": code}
    elif command == "treatment":  # a course action outside the listed steps
        chair.care.care.record_treatment(NURSE, sid, CourseAction(rest[0]))
    elif command == "outcome":  # transferred to the emergency department, as the rules graded
        guidance = chair.care.care.picture(sid).guidance
        term = guidance.ctcae_term or next(iter(CTCAE_TERMS))
        grade = max(guidance.ctcae_grade, 1)
        outcome = Outcome(
            Disposition.TRANSFERRED, None, None, None, term, grade, term, grade, False, "to ED"
        )
        chair.care.care.record_outcome(NURSE, sid, outcome)
    elif command == "baseline":
        taken = chair.clock.now()
        sessions.record_baseline(ref, baseline(taken, hr=int(rest[0])), NURSE)
    elif command == "escalate":
        chair.care.care.escalate(NURSE, sid)
    elif command == "resolve_symptom":
        symptoms = chair.care.care.picture(sid).symptoms
        chair.care.care.resolve_symptom(NURSE, next(s.id for s in symptoms if s.code == rest[0]))
    elif command == "amend_vitals":  # the latest typed set, its heart rate corrected
        entry = chair.vitals.entries(sid)[-1]
        draft = vitals_draft(data["observations"][0])
        draft = replace(draft, signs=replace(draft.signs, hr=int(rest[0])), taken_at=entry.taken_at)
        chair.vitals.amend_vitals(NURSE, entry.id, draft, "typed the wrong rate", chair.clock.now())
    elif command == "resolve_alert":
        alert = chair.care.care.picture(sid).alert
        chair.care.alerts.resolve(NURSE, alert.id, "settled after treatment")
    elif command == "complete":
        sessions.complete(ref, NURSE)
    elif command == "close":
        sessions.close(ref, NURSE, "observation done elsewhere")
    else:
        raise SystemExit(f"unknown command {command}")
    return {}


if __name__ == "__main__":
    raise SystemExit(main())
