"""Seed the separate ``--demo`` database with realistic sessions, timed relative to "now".

Four chairs are occupied in different states (running, paused with a reason, just started,
post-infusion observation), the rest are free. Every patient here is fictional.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.storage.models import (
    Chair,
    InfusionSession,
    Nurse,
    Patient,
    SessionEvent,
    VitalSigns,
)

BASELINE_BEFORE_START_MIN = 10

#: Demo accounts: staff ID, name, role, PIN. Fictional; the demo database is rebuilt each start.
DEMO_STAFF = (
    ("DEMO", "Demo Nurse", "nurse", "1234"),
    ("CHARGE", "Casey Charge", "charge_nurse", "2345"),
    ("ADMIN", "Alex Admin", "administrator", "3456"),
)


@dataclass(frozen=True)
class _Vitals:
    heart_rate: int
    systolic_bp: int
    diastolic_bp: int
    respiratory_rate: int
    spo2: int
    temperature_c: float


@dataclass(frozen=True)
class _DemoSession:
    """One demo infusion; event offsets are minutes before "now"."""

    patient: str
    mrn: str
    born: date
    drug: str
    cycle: int
    dose: float
    dose_unit: str
    rate: float
    rate_unit: str
    planned_min: int
    state: str
    events: tuple[tuple[str, int, str | None], ...]
    baseline: _Vitals
    first_dose: bool = False


_SESSIONS = (
    _DemoSession(
        "Ellen Marsh",
        "00412821",
        date(1961, 3, 12),
        "rituximab",
        1,
        675,
        "mg",
        150,
        "mg/h",
        255,
        "running",
        (
            ("start", 72, None),
            ("rate_change", 42, "escalation step"),
            ("rate_change", 12, "escalation step"),
        ),
        _Vitals(78, 132, 84, 16, 97, 36.8),
        first_dose=True,
    ),
    _DemoSession(
        "Tomas Rivera",
        "00538807",
        date(1974, 9, 30),
        "infliximab",
        2,
        350,
        "mg",
        125,
        "mL/h",
        120,
        "paused",
        (("start", 48, None), ("pause", 6, "Patient to the bathroom")),
        _Vitals(72, 124, 78, 14, 98, 36.6),
    ),
    _DemoSession(
        "Grace Okafor",
        "00291436",
        date(1958, 1, 21),
        "paclitaxel",
        2,
        315,
        "mg",
        167,
        "mL/h",
        180,
        "running",
        (("start", 3, None),),
        _Vitals(84, 138, 86, 16, 96, 36.9),
    ),
    _DemoSession(
        "Henry Lindqvist",
        "00677152",
        date(1969, 6, 4),
        "cetuximab",
        1,
        720,
        "mg",
        360,
        "mg/h",
        120,
        "observation",
        (("start", 145, None), ("complete", 25, None), ("observation_start", 25, None)),
        _Vitals(68, 128, 80, 15, 98, 36.7),
        first_dose=True,
    ),
)


def seed_demo(
    sessions: sessionmaker[Session], chair_names: Sequence[str], now: datetime, ruleset: str
) -> None:
    """Fill an empty demo database: the chairs, the demo staff and the demo sessions.

    The demo staff sign in with the PINs in :data:`DEMO_STAFF` (listed in the README).
    """
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # demo only: fast
    with sessions.begin() as db:
        staff = [
            Nurse(staff_id=staff_id, name=name, role=role, pin_hash=hasher.hash(pin))
            for staff_id, name, role, pin in DEMO_STAFF
        ]
        nurse = staff[0]
        chairs = [Chair(name=name, position=index) for index, name in enumerate(chair_names)]
        db.add_all([*staff, *chairs])
        for chair, demo in zip(chairs, _SESSIONS, strict=False):
            _add_session(db, demo, chair, nurse, now, ruleset)


def _add_session(
    db: Session, demo: _DemoSession, chair: Chair, nurse: Nurse, now: datetime, ruleset: str
) -> None:
    start = now - timedelta(minutes=demo.events[0][1])
    created = start - timedelta(minutes=BASELINE_BEFORE_START_MIN + 5)
    patient = Patient(mrn=demo.mrn, name=demo.patient, date_of_birth=demo.born)
    session = InfusionSession(
        patient=patient,
        chair=chair,
        nurse=nurse,
        protocol_id=demo.drug,
        protocol_version="demo",
        ruleset_name="default",
        ruleset_version=ruleset,
        dose=demo.dose,
        dose_unit=demo.dose_unit,
        rate=demo.rate,
        rate_unit=demo.rate_unit,
        planned_duration_min=demo.planned_min,
        cycle=demo.cycle,
        first_dose=demo.first_dose,
        prior_reaction_to_drug=False,
        state=demo.state,
        created_at=created,
        updated_at=now - timedelta(minutes=min(ago for _, ago, _ in demo.events)),
    )
    baseline_at = start - timedelta(minutes=BASELINE_BEFORE_START_MIN)
    db.add(session)
    db.flush()
    db.add(
        VitalSigns(
            session_id=session.id,
            taken_at=baseline_at,
            entered_at=baseline_at + timedelta(minutes=1),
            entered_by_id=nurse.id,
            source="typed",
            on_oxygen=False,
            acvpu="A",
            **demo.baseline.__dict__,
        )
    )
    for kind, ago, reason in demo.events:
        db.add(
            SessionEvent(
                session_id=session.id,
                type=kind,
                at=now - timedelta(minutes=ago),
                reason=reason,
                author_id=nurse.id,
            )
        )
