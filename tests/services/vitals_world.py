"""A small world for the vitals services: one nurse, one session, a fake clock, real SQLite."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.domain.vitals_entry import VitalsDraft
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.vitals.recording import VitalsService
from infusion_monitor.services.vitals.schedule import VitalsScheduleService
from infusion_monitor.storage import models

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NURSE = Actor("N001", "Ada Nurse", Role.NURSE)
LIBRARY: ProtocolLibrary = load_library()
RULES = default_rules()

NORMAL = VitalsDraft(
    signs=VitalSigns(hr=78, sbp=130, dbp=82, rr=16, spo2=97, temp_c=36.8),
    o2_flow_l_min=None,
    temp_raw="36.8 °C",
    pain=None,
    taken_at=None,
)
_SIGNS = {f.name for f in fields(VitalSigns)}


def draft(**changes: object) -> VitalsDraft:
    """A normal complete set with ``changes`` (vital signs by name, or draft fields)."""
    signs = {name: value for name, value in changes.items() if name in _SIGNS}
    rest = {name: value for name, value in changes.items() if name not in _SIGNS}
    return replace(NORMAL, signs=replace(NORMAL.signs, **signs), **rest)  # type: ignore[arg-type]


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


@dataclass
class World:
    sessions: sessionmaker[Session]
    clock: FakeClock
    assessing: AssessingService
    vitals: VitalsService
    schedule: VitalsScheduleService
    session_id: int

    def add_event(
        self, kind: str, minute: float, reason: str | None = None, **payload: object
    ) -> None:
        with self.sessions.begin() as db:
            nurse_id = db.query(models.Nurse.id).scalar()
            db.add(
                models.SessionEvent(
                    session_id=self.session_id,
                    type=kind,
                    at=at(minute),
                    reason=reason,
                    payload=dict(payload),
                    author_id=nurse_id,
                )
            )

    def add_symptom(self, code: str, minute: float) -> None:
        with self.sessions.begin() as db:
            nurse_id = db.query(models.Nurse.id).scalar()
            db.add(
                models.SymptomRecord(
                    session_id=self.session_id,
                    code=code,
                    onset_at=at(minute),
                    recorded_at=at(minute),
                    recorded_by_id=nurse_id,
                )
            )

    def record(self, minute: float, **changes: object):  # type: ignore[no-untyped-def]
        """Advance the clock to ``minute`` and record a set taken then."""
        self.clock.advance(at(minute) - self.clock.now())
        return self.vitals.record_vitals(NURSE, self.session_id, draft(**changes), self.clock.now())


def make_world(
    sessions: sessionmaker[Session], protocol_id: str = "paclitaxel", cycle: int = 3
) -> World:
    with sessions.begin() as db:
        nurse = models.Nurse(staff_id=NURSE.staff_id, name=NURSE.name, role="nurse")
        patient = models.Patient(
            mrn="00412821", name="Ellen Marsh", date_of_birth=date(1961, 3, 12)
        )
        chair = models.Chair(name="Chair 1", position=0)
        session = models.InfusionSession(
            patient=patient,
            chair=chair,
            nurse=nurse,
            protocol_id=protocol_id,
            drug_name=protocol_id.capitalize(),
            protocol_version="test",
            ruleset_name=RULES.name,
            ruleset_version=RULES.version,
            dose=175.0,
            dose_unit="mg/m2",
            rate=100.0,
            rate_unit="mL/h",
            planned_duration_min=180,
            cycle=cycle,
            first_dose=False,
            prior_reaction_to_drug=False,
            state="planned",
            created_at=at(-30),
            updated_at=at(-30),
        )
        db.add(session)
        db.flush()
        session_id = session.id
    clock = FakeClock(at(-30))
    assessing = AssessingService(lambda: RULES)
    return World(
        sessions,
        clock,
        assessing,
        VitalsService(sessions, assessing, LIBRARY),
        VitalsScheduleService(sessions, LIBRARY),
        session_id,
    )
