"""Seed the separate ``--demo`` database with realistic sessions, timed relative to "now".

Four chairs are occupied in different states: running for two hours with an infusion reaction
at 45 min (typed vitals every 15 min, then every 5 min, a skipped check, symptoms, treatment, a
restart at half rate: ``demo_vitals``), paused with a reason, just started with the 15-minute
vitals due, and post-infusion observation. They are built through the session and vitals
services (so every step has its event, assessment and audit row), on a clock that walks from
three hours ago to now. Every patient here is fictional.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.demo_vitals import (
    BASELINE,
    DEMO_ACTIONS,
    DEMO_SETS,
    DEMO_STEPS,
    DEMO_SYMPTOMS,
    MISSED_CHECKS_MIN,
    SYMPTOMS_RESOLVED_MIN,
    DemoSet,
)
from infusion_monitor.domain.alerts import AlertPolicy, AlertState
from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.domain.vitals_entry import VitalsDraft
from infusion_monitor.rules.loader import RuleSet, default_rules
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.care.service import (
    CareServices,
    make_care_services,
    sessions_lifecycle,
)
from infusion_monitor.services.sessions.lifecycle import SessionRef, SessionService
from infusion_monitor.services.sessions.setup import BaselineDraft, PremedicationDraft, SessionDraft
from infusion_monitor.services.vitals.recording import LateReasonNeeded, VitalsService
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.models import Nurse

DEMO_NURSE = Actor("DEMO", "Demo Nurse", Role.NURSE)
#: Demo accounts: staff ID, name, role, PIN. Fictional; the demo database is rebuilt each start.
DEMO_STAFF = (
    (DEMO_NURSE.staff_id, DEMO_NURSE.name, DEMO_NURSE.role.value, "1234"),
    ("CHARGE", "Casey Charge", "charge_nurse", "2345"),
    ("ADMIN", "Alex Admin", "administrator", "3456"),
)
BASELINE_BEFORE_START_MIN = 10
SET_UP_BEFORE_START_MIN = BASELINE_BEFORE_START_MIN
PREMED_BEFORE_START_MIN = 30
#: The reaction demo (chair 1) started this many minutes ago: two hours of vitals.
REACTION_START_AGO = 125
#: The demo nurse acknowledges an alert this long after it is raised.
ACKNOWLEDGE_AFTER = timedelta(minutes=1)
#: Why the nurse resolved chair 1's alert once its reaction was over.
REACTION_RESOLVED_REASON = "Reaction treated; symptoms resolved, vitals back to baseline"


@dataclass(frozen=True)
class _Demo:
    """One demo infusion. Steps and vitals are minutes before "now"."""

    patient: str
    mrn: str
    born: date
    protocol_id: str
    drug: str
    cycle: int
    dose: float
    rate: float
    rate_unit: str
    planned_min: int
    start_ago: int
    steps: tuple[tuple[int, str, str | float | None], ...]
    vitals: tuple[int, ...]
    baseline: VitalSigns
    #: (name and dose, premedication class code) given before the start.
    premeds: tuple[tuple[str, str], ...] = ()
    allergies: str = ""
    reactions: str = ""
    first_dose: bool = False
    reaction: bool = False
    """Two hours of vitals with a reaction (``demo_vitals``), through the vitals service."""


_DEMOS = (
    _Demo(
        "Ellen Marsh",
        "00412821",
        date(1961, 3, 12),
        "rituximab-first",
        "Rituximab",
        1,
        675,
        50,
        "mg/h",
        255,
        start_ago=REACTION_START_AGO,
        steps=(
            (REACTION_START_AGO - 30, "rate", 100.0),
            (REACTION_START_AGO - 46, "pause", "Infusion reaction: urticaria, wheeze, low BP"),
            (REACTION_START_AGO - 80, "resume", 50.0),
        ),
        vitals=(),
        baseline=BASELINE,
        premeds=(
            ("Chlorphenamine 10 mg IV", "h1_antihistamine"),
            ("Paracetamol 1 g PO", "antipyretic"),
        ),
        allergies="Penicillin (rash)",
        first_dose=True,
        reaction=True,
    ),
    _Demo(
        "Tomas Rivera",
        "00538807",
        date(1974, 9, 30),
        "infliximab",
        "Infliximab",
        2,
        350,
        125,
        "mL/h",
        120,
        start_ago=48,
        steps=((6, "pause", "Patient to the bathroom"),),
        vitals=(33, 20),
        baseline=VitalSigns(72, 124, 78, 14, 98, 36.6),
    ),
    _Demo(
        "Grace Okafor",
        "00291436",
        date(1958, 1, 21),
        "paclitaxel",
        "Paclitaxel",
        2,
        315,
        167,
        "mL/h",
        180,
        start_ago=16,
        steps=(),
        vitals=(),
        baseline=VitalSigns(84, 138, 86, 16, 96, 36.9),
        premeds=(
            ("Dexamethasone 20 mg IV", "corticosteroid"),
            ("Chlorphenamine 10 mg IV", "h1_antihistamine"),
            ("Famotidine 20 mg IV", "h2_antagonist"),
        ),
        reactions="Paclitaxel C1: flushing and chest tightness at 10 min, settled after pause",
    ),
    _Demo(
        "Henry Lindqvist",
        "00677152",
        date(1969, 6, 4),
        "cetuximab",
        "Cetuximab",
        1,
        720,
        5,
        "mg/min",
        120,
        start_ago=145,
        steps=((25, "complete", None),),
        vitals=(130, 115, 85, 55, 26, 5),
        baseline=VitalSigns(68, 128, 80, 15, 98, 36.7),
        premeds=(("Chlorphenamine 10 mg IV", "h1_antihistamine"),),
        first_dose=True,
    ),
)

_Step = tuple[int, int, Callable[[], object]]


def seed_demo(
    sessions: sessionmaker[Session],
    chair_names: Sequence[str],
    now: datetime,
    rules: RuleSet | None = None,
    library: ProtocolLibrary | None = None,
) -> None:
    """Fill an empty demo database: the demo staff, then the sessions in the first four chairs.

    The demo staff sign in with the PINs in :data:`DEMO_STAFF` (listed in the README).
    """
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # demo only: fast
    with sessions.begin() as db:
        record_changes(db, Changes(staff=True))
        db.add_all(
            Nurse(staff_id=staff_id, name=name, role=role, pin_hash=hasher.hash(pin))
            for staff_id, name, role, pin in DEMO_STAFF
        )
    rules = rules or default_rules()
    library = library or load_library()
    earliest = max(demo.start_ago for demo in _DEMOS) + PREMED_BEFORE_START_MIN + 5
    clock = FakeClock(now - timedelta(minutes=earliest))
    assessing = AssessingService(lambda: rules, library)
    service = SessionService(
        sessions, library, lambda: rules, clock, chair_names, assessing=assessing
    )
    care = make_care_services(
        sessions, clock, lambda: rules, AlertPolicy(), sessions_lifecycle(service), assessing
    )
    vitals = VitalsService(sessions, care.assessing, library)
    steps: list[_Step] = []
    refs: dict[int, SessionRef] = {}
    for index, (chair, demo) in enumerate(zip(chair_names, _DEMOS, strict=False)):
        steps.extend(_plan(index, chair, demo, now, service, refs, vitals, care, clock))
    steps.extend(_reactions(care, vitals, clock, refs))
    for ago, _order, run in sorted(steps, key=lambda step: (-step[0], step[1])):
        clock.advance(max(now - timedelta(minutes=ago) - clock.now(), timedelta(0)))
        run()


#: Reactions in progress, built through the care and vitals services: (chair index, minutes
#: before now, symptom codes or a vitals set). Chair 3 has a high-priority reaction (anaphylaxis
#: criteria met: skin and breathing, then a low blood pressure), unacknowledged; Chair 1 a
#: medium one (chest tightness).
_REACTIONS: tuple[tuple[int, int, tuple[str, ...] | VitalSigns], ...] = (
    (0, 3, ("chest_tightness",)),
    (2, 2, ("flushing", "urticaria")),
    (2, 1, ("wheeze", "dyspnea")),
    (2, 0, VitalSigns(118, 86, 52, 26, 93, 36.9)),
)


def _reactions(
    care: CareServices, vitals: VitalsService, clock: FakeClock, refs: dict[int, SessionRef]
) -> list[_Step]:
    def run(index: int, what: tuple[str, ...] | VitalSigns) -> Callable[[], None]:
        def go() -> None:
            session_id = refs[index].id
            if isinstance(what, VitalSigns):
                _record_typed(vitals, session_id, clock.now(), what, reason=_EMERGENCY)
                return
            for code in what:
                care.care.record_symptom(DEMO_NURSE, session_id, code)

        return go

    return [(ago, 3, run(index, what)) for index, ago, what in _REACTIONS]


def _plan(
    index: int,
    chair: str,
    demo: _Demo,
    now: datetime,
    service: SessionService,
    refs: dict[int, SessionRef],
    vitals_service: VitalsService,
    care: CareServices,
    clock: FakeClock,
) -> list[_Step]:
    start_at = now - timedelta(minutes=demo.start_ago)

    def set_up() -> None:
        draft = SessionDraft(
            chair=chair,
            patient_name=demo.patient,
            mrn=demo.mrn,
            date_of_birth=demo.born,
            protocol_id=demo.protocol_id,
            drug_name=demo.drug,
            dose=demo.dose,
            dose_unit="mg",
            rate=demo.rate,
            rate_unit=demo.rate_unit,
            planned_duration_min=demo.planned_min,
            cycle=demo.cycle,
            first_dose=demo.first_dose,
            baseline=BaselineDraft(
                start_at - timedelta(minutes=BASELINE_BEFORE_START_MIN), demo.baseline
            ),
            premedications=tuple(
                PremedicationDraft(
                    name, start_at - timedelta(minutes=PREMED_BEFORE_START_MIN), code
                )
                for name, code in demo.premeds
            ),
            allergies=demo.allergies,
            reaction_history=demo.reactions,
            prior_reaction_to_drug=bool(demo.reactions),
        )
        detail = service.set_up(draft, DEMO_NURSE).detail
        refs[index] = SessionRef(detail.id, detail.version)

    def act(kind: str, value: str | float | None) -> Callable[[], None]:
        def run() -> None:
            ref = refs[index]
            if kind == "start":
                changed = service.start(ref, DEMO_NURSE)
            elif kind == "rate":
                changed = service.change_rate(ref, DEMO_NURSE, float(value or 0))
            elif kind == "pause":
                changed = service.pause(ref, DEMO_NURSE, str(value))
            elif kind == "resume":
                changed = service.resume(ref, DEMO_NURSE, float(value or 0))
            else:
                changed = service.complete(ref, DEMO_NURSE)
            refs[index] = SessionRef(changed.detail.id, changed.detail.version)

        return run

    def vitals(ago: int) -> Callable[[], None]:
        return lambda: _record_vitals(
            vitals_service, refs[index].id, demo.baseline, ago, index, now
        )

    steps: list[_Step] = [
        (demo.start_ago + SET_UP_BEFORE_START_MIN, 0, set_up),
        (demo.start_ago, 1, act("start", None)),
    ]
    steps += [(ago, 2, act(kind, value)) for ago, kind, value in demo.steps]
    steps += [(ago, 0, vitals(ago)) for ago in demo.vitals]
    if demo.reaction:
        steps += _reaction_steps(lambda: refs[index].id, demo, care, vitals_service, clock)
    return steps


def _reaction_steps(
    session_id: Callable[[], int],
    demo: _Demo,
    care: CareServices,
    vitals: VitalsService,
    clock: FakeClock,
) -> list[_Step]:
    """The reaction course of ``demo_vitals`` as a nurse would record it, through the services.

    Typed sets and a skipped check (vitals service); symptoms, the steps and treatments, and
    their resolution (care service); the alert acknowledged a minute after it is raised and
    resolved, with a reason, once every symptom has gone (alert service). The board then shows
    the truth: the reaction is over.
    """
    start = demo.start_ago

    def record(item: DemoSet) -> Callable[[], None]:
        def run() -> None:
            _record_typed(vitals, session_id(), clock.now(), item.signs)

        return run

    def skip() -> None:
        note = MissedCheckNote(MissedCheckReason.PATIENT_OFF_UNIT, "bathroom")
        vitals.record_missed_check(DEMO_NURSE, session_id(), note, clock.now())

    def symptom(code: str) -> Callable[[], object]:
        return lambda: care.care.record_symptom(DEMO_NURSE, session_id(), code)

    def treatment(code: str) -> Callable[[], object]:
        return lambda: care.care.record_treatment(DEMO_NURSE, session_id(), CourseAction(code))

    def step_done(code: str) -> Callable[[], object]:
        return lambda: care.care.mark_step_done(DEMO_NURSE, session_id(), code)

    def acknowledge() -> None:
        """The nurse acknowledges whatever alert is sounding (raised a minute or more ago)."""
        alert = care.care.picture(session_id()).alert
        if (
            alert is not None
            and alert.state is AlertState.ACTIVE
            and clock.now() - alert.raised_at >= ACKNOWLEDGE_AFTER
        ):
            care.alerts.acknowledge(DEMO_NURSE, alert.id)

    def resolve() -> None:
        """Every symptom has gone: resolve each, then the alert if the rules left it open."""
        for item in care.care.picture(session_id()).symptoms:
            if item.active:
                care.care.resolve_symptom(DEMO_NURSE, item.id)
        alert = care.care.picture(session_id()).alert
        if alert is not None and alert.state is AlertState.ACKNOWLEDGED:
            care.alerts.resolve(DEMO_NURSE, alert.id, REACTION_RESOLVED_REASON)

    steps: list[_Step] = [(start - item.minute, 0, record(item)) for item in DEMO_SETS]
    steps += [(start - minute - 1, 0, skip) for minute in MISSED_CHECKS_MIN]
    steps += [(start - m, 1, symptom(code)) for m, code in DEMO_SYMPTOMS]
    steps += [(start - m, 3, step_done(code)) for m, code in DEMO_STEPS]
    steps += [(start - m, 3, treatment(code)) for m, code in DEMO_ACTIONS]
    first = min(m for m, _ in DEMO_SYMPTOMS)
    steps += [(start - m, 4, acknowledge) for m in range(first + 1, SYMPTOMS_RESOLVED_MIN)]
    steps.append((start - SYMPTOMS_RESOLVED_MIN, 4, resolve))
    return steps


def _record_vitals(
    vitals: VitalsService,
    session_id: int,
    base: VitalSigns,
    ago: int,
    index: int,
    now: datetime,
) -> None:
    """A typed set near the baseline, through the vitals service (assessed like any other)."""
    wobble = (ago + index) % 5 - 2
    near = replace(
        base,
        hr=_shifted(base.hr, wobble * 2),
        sbp=_shifted(base.sbp, wobble * 3),
        dbp=_shifted(base.dbp, wobble),
    )
    _record_typed(vitals, session_id, now - timedelta(minutes=ago), near)


def _shifted(value: int | None, by: int) -> int | None:
    return None if value is None else value + by


#: The reason the demo gives for a set that is late: the nurse was busy with a reaction.
_EMERGENCY = MissedCheckNote(MissedCheckReason.CLINICAL_EMERGENCY, None)


def _record_typed(
    vitals: VitalsService,
    session_id: int,
    at: datetime,
    signs: VitalSigns,
    *,
    reason: MissedCheckNote | None = None,
) -> None:
    """A typed set through the vitals service (assessed like any other); a late one is saved
    with the demo's reason."""
    draft = VitalsDraft(
        signs=signs,
        o2_flow_l_min=2.0 if signs.on_oxygen else None,
        temp_raw=f"{signs.temp_c} °C",
        pain=None,
        taken_at=None,
        reason=reason,
    )
    try:
        vitals.record_vitals(DEMO_NURSE, session_id, draft, at)
    except LateReasonNeeded:
        vitals.record_vitals(DEMO_NURSE, session_id, replace(draft, reason=_EMERGENCY), at)
