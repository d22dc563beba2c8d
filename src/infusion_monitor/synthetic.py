"""Generate a realistic synthetic year of a unit's finished sessions, with bulk inserts.

Weekday sessions fill every chair from 08:00; each patient follows a course of cycles (weekly to
four-weekly), so first infusions and later cycles mix as in a real unit. Reactions follow the
rates by drug and cycle of clinical reference §6.2 (:data:`DRUGS`), start at the drug's usual
time, and run the way the app records them: symptoms, vitals every 5 min, the infusion paused,
the provider told, drugs given, alerts acknowledged after realistic delays (a few never),
symptoms resolved, a reaction record with the nurse's CTCAE grade. A few checks are late or
skipped with a reason, and a few sets are corrected by an amending row.

Every assessment is the real rules engine's (``rules.engine.assess`` over a ``SessionContext``
fed with the generated data) and every alert follows the real alert policy
(``domain.alerts.decide``), so the review page, the plot and the findings show what the app
would have shown. Rows go through the app's bulk writer (``storage.inserts.insert_rows``), one
transaction per month. **Audit:** one row per clinical change, as the app writes it: the same
actions, in the nurse's name (or the rules'), with the payloads the app's use cases build
(``session_setup.audit_summary``, ``sessions.lifecycle_audit``, ``vitals.vitals_audit_values``,
``care.symptom_values``, ``alerts.alert_snapshot``...), chained through
``storage.audit.append_audit_rows``; each month also writes one ``synthetic.generate`` row (actor
``synthetic-data``) saying what it added. Every patient and nurse is fictional; MRNs start with
``SYN``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any, TypeVar, cast

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import Alert, AlertChange, AlertPriority, AlertState, decide
from infusion_monitor.domain.changes import EVERYTHING
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.guidance import ESCALATE
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.reaction import CTCAE_TERMS
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.session import EventKind, SessionEvent, SessionState, state_after
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.errors import UserError
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import Patient as RulesPatient
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.care.alerts import RULES_ACTOR, alert_snapshot, escalation_values
from infusion_monitor.services.care.service import (
    intervention_values,
    outcome_values,
    symptom_values,
)
from infusion_monitor.services.review.quality_summary import summarise_sessions
from infusion_monitor.services.sessions.lifecycle import lifecycle_audit
from infusion_monitor.services.sessions.setup import audit_summary, patient_audit
from infusion_monitor.services.vitals.recording import (
    note_audit_values,
    note_event,
    vitals_audit_values,
)
from infusion_monitor.services.vitals.schedule import LATE_NOTE, SKIPPED_NOTE
from infusion_monitor.storage import models
from infusion_monitor.storage.audit import AuditDraft, append_audit, append_audit_rows
from infusion_monitor.storage.base import Base
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.inserts import insert_rows

GENERATOR_ACTOR = "synthetic-data"
MRN_PREFIX = "SYN"
DAY_START = time(8, 0)
DAY_END_H = 18
TURNOVER_MIN = (10, 30)
LATE_CHECK_P = 0.05
SKIPPED_CHECK_P = 0.015
AMEND_P = 0.01
UNACKNOWLEDGED_P = 0.03
DECLINE_P = 0.08
#: Share of reactions the nurse grades as the rules suggest when her own grade would be lower
#: (the others keep the lower grade with the reason the app asks for).
ACCEPTS_SUGGESTION_P = 0.85
#: Share of HIGH alerts a nurse escalates to the unit at once ("Escalate anyway").
NURSE_ESCALATES_P = 0.15
SECONDS_PER_MIN = 60
#: Median seconds to acknowledge an alert, by priority (high alarms are answered fastest).
ACK_MEDIAN_S = {"high": 40, "medium": 90, "low": 180}
NURSES = (
    "Amara Osei", "Ben Hartley", "Chloe Nakamura", "Daniel Price", "Elif Yilmaz", "Femi Adeyemi",
    "Grace Lund", "Hugo Moreau", "Ines Duarte", "Jonas Berg", "Kavya Iyer", "Liam Walsh",
)  # fmt: skip
FIRST_NAMES = (
    "Ada", "Basil", "Carmen", "Dev", "Edith", "Felix", "Gita", "Hamid", "Irene", "Jules", "Kofi",
    "Lena", "Marco", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Umar", "Vera",
    "Wim", "Xena", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Bauer", "Castillo", "Dimitrov", "Evans", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Larsen", "Moreno", "Novak", "Okoro", "Petrov", "Quist", "Rossi",
    "Silva", "Tanaka", "Ulrich", "Varga", "Weber", "Xu", "Young", "Zimmer",
)  # fmt: skip


@dataclass(frozen=True)
class Drug:
    """A drug of the mix: its protocol(s), dose, course, reaction rates and reaction pattern."""

    name: str
    protocols: tuple[str, ...]
    """Protocol id by cycle: the first, the second, then the last for every later cycle."""
    dose: float
    dose_unit: str
    weight: float
    interval_days: int
    cycles: int
    reaction_p: Callable[[int], float]
    onset_min: tuple[int, int]
    symptoms: tuple[str, ...]
    severe_symptoms: tuple[str, ...]
    severe_share: float
    premeds: tuple[str, ...] = ()
    minutes: int = 120
    """Running time when the protocol has no rate escalation to derive it from."""

    def protocol_id(self, cycle: int) -> str:
        """The protocol for ``cycle``."""
        return self.protocols[min(cycle, len(self.protocols)) - 1]


_CYTOKINE = ("chills", "fever", "flushing", "headache", "nausea")
_HSR = ("flushing", "urticaria", "pruritus", "chest_tightness", "back_pain", "dyspnea")
_SEVERE_HSR = ("wheeze", "dyspnea", "angioedema", "throat_tightness", "dizziness")


def _by_cycle(*rates: float) -> Callable[[int], float]:
    """Rate by cycle: ``rates[0]`` at cycle 1, ..., the last for every later cycle."""
    return lambda cycle: rates[min(cycle, len(rates)) - 1]


def _carboplatin(cycle: int) -> float:
    # §6.2 [C S12]: <1% cycles 1-5, 6.5% cycle 6, 27% cycle 7 and later.
    return 0.008 if cycle <= 5 else (0.065 if cycle == 6 else 0.27)


def _oxaliplatin(cycle: int) -> float:
    # §6.2 [C S12]: after about 6 cycles; 10-19% of patients over the course.
    return 0.005 if cycle <= 6 else 0.05


#: The unit's drug mix. Reaction rates per infusion, from clinical reference §6.2.
DRUGS: tuple[Drug, ...] = (
    # Rituximab: 40.5% first infusion (Seoul, denominator unclear), 3-8% later -> 30% / 5%.
    Drug("Rituximab", ("rituximab-first", "rituximab-later"), 700, "mg", 14, 21, 6,
         _by_cycle(0.30, 0.05), (30, 120), _CYTOKINE, ("dyspnea", "wheeze", "dizziness"), 0.06,
         ("Chlorphenamine 10 mg IV", "Paracetamol 1 g PO")),
    # Daratumumab: 37% week 1, 2% week 2, ~6% cumulative later.
    Drug("Daratumumab", ("daratumumab-first", "daratumumab-second", "daratumumab-later"), 1200,
         "mg", 6, 7, 8, _by_cycle(0.37, 0.02, 0.01), (30, 150),
         ("nasal_congestion", "cough", "throat_irritation", "chills", "nausea"),
         ("wheeze", "dyspnea"), 0.04, ("Methylprednisolone 100 mg IV", "Paracetamol 1 g PO")),
    # Paclitaxel: ~10% immediate HSR despite premeds, almost all at cycle 1 or 2.
    Drug("Paclitaxel", ("paclitaxel",), 300, "mg", 14, 21, 6, _by_cycle(0.08, 0.04, 0.005),
         (2, 15), _HSR, _SEVERE_HSR, 0.2,
         ("Dexamethasone 20 mg IV", "Chlorphenamine 10 mg IV", "Famotidine 20 mg IV"),
         minutes=180),
    Drug("Docetaxel", ("docetaxel",), 130, "mg", 8, 21, 6, _by_cycle(0.06, 0.03, 0.005),
         (2, 15), _HSR, _SEVERE_HSR, 0.15, ("Dexamethasone 8 mg PO",), minutes=60),
    Drug("Carboplatin", ("carboplatin",), 600, "mg", 12, 21, 9, _carboplatin, (5, 40),
         ("pruritus", "urticaria", "flushing", "rash"), ("dyspnea", "angioedema", "chest_pain"),
         0.3, minutes=60),
    Drug("Oxaliplatin", ("oxaliplatin",), 150, "mg", 8, 14, 12, _oxaliplatin, (5, 60),
         ("flushing", "pruritus", "rash"), ("dyspnea", "wheeze"), 0.15),
    # Cetuximab: serious IRRs ~3%, ~90% of them at the first infusion.
    Drug("Cetuximab", ("cetuximab",), 700, "mg", 5, 7, 8, _by_cycle(0.06, 0.01), (5, 60),
         ("flushing", "chills", "urticaria"), ("stridor", "voice_change", "wheeze"), 0.35,
         ("Chlorphenamine 10 mg IV",)),
    Drug("Trastuzumab", ("trastuzumab",), 450, "mg", 10, 21, 12, _by_cycle(0.05, 0.01),
         (60, 90), ("chills", "fever"), ("dyspnea",), 0.05),
    # Infliximab: ~20% of patients vs 10% on placebo over induction; per infusion ~4-6%.
    Drug("Infliximab", ("infliximab",), 400, "mg", 12, 42, 8, _by_cycle(0.06, 0.06, 0.04),
         (20, 110), ("pruritus", "flushing", "headache", "chest_tightness"), ("dyspnea",), 0.05),
    Drug("Immunoglobulin IV", ("ivig",), 35, "g", 8, 28, 12, _by_cycle(0.08, 0.05),
         (20, 120), ("headache", "flushing", "chills", "myalgia"), ("chest_tightness",), 0.05),
    Drug("Ferric carboxymaltose", ("iv-iron",), 1000, "mg", 7, 7, 2, _by_cycle(0.01),
         (1, 15), ("flushing", "myalgia", "chest_tightness"), ("dizziness",), 0.1, minutes=30),
)  # fmt: skip


@dataclass(frozen=True)
class GenerateSpec:
    """What to generate: ``chairs`` chairs over the ``days`` days ending on ``end``."""

    chairs: int
    days: int
    end: date
    seed: int = 1


@dataclass(frozen=True)
class GenerateReport:
    """What was written."""

    sessions: int
    reactions: int
    vitals: int
    alerts: int


@dataclass
class _CourseState:
    patient_id: int
    drug: Drug
    cycle: int
    due: date
    prior_reaction: bool = False


@dataclass
class _Tables:
    """Rows collected for one bulk insert, with the next id of each table and their audit rows.

    Each clinical change is audited by :meth:`log` where the generator makes it, as the app's
    use case audits it, in the name of its nurse (staff ID, role, workstation) or of the rules.
    The audit rows are chained and inserted with the month's rows.
    """

    ids: dict[str, int]
    staff: dict[int, str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    audit: list[AuditDraft] = field(default_factory=list)

    def add(self, table: str, row: dict[str, Any]) -> int:
        new_id = self.ids[table]
        self.ids[table] = new_id + 1
        self.rows.setdefault(table, []).append({"id": new_id, **row})
        return new_id

    def log(
        self,
        at: datetime,
        action: str,
        entity: str,
        entity_id: int,
        by: int | None,
        after: dict[str, Any],
        before: dict[str, Any] | None = None,
    ) -> None:
        """Audit one change at ``at`` by nurse ``by`` (None: the rules)."""
        self.audit.append(
            AuditDraft(
                at=at,
                actor=self.staff[by] if by is not None else RULES_ACTOR,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                before=before,
                after=after,
                actor_role="nurse" if by is not None else None,
                workstation=WORKSTATION if by is not None else None,
            )
        )

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


_Model = TypeVar("_Model", bound=Base)


def _view(model: type[_Model], row: dict[str, Any]) -> _Model:
    """A generated row's values (every column of ``model``, None where the row has none) with
    the attribute access the app's audit builders read.

    Not an ORM object: building one per row costs about 0.1 ms, a minute or more over a year.
    """
    return cast(_Model, SimpleNamespace(**{**_columns(model), **row}))


@cache
def _columns(model: type[Base]) -> dict[str, None]:
    return dict.fromkeys(column.key for column in model.__table__.columns)


#: The workstation the generated nurses' audit rows name.
WORKSTATION = "synthetic-ws"

_TABLES: dict[str, type[Base]] = {
    "patient": models.Patient,
    "infusion_session": models.InfusionSession,
    "session_event": models.SessionEvent,
    "vital_signs": models.VitalSigns,
    "symptom_record": models.SymptomRecord,
    "assessment": models.Assessment,
    "alert": models.Alert,
    "intervention": models.Intervention,
    "reaction_record": models.ReactionRecord,
}
#: The reasons the generator gives for a late or a skipped check.
_LATE_REASONS = (MissedCheckReason.CLINICAL_EMERGENCY, MissedCheckReason.EQUIPMENT_UNAVAILABLE)
_SKIP_REASONS = (
    MissedCheckReason.PATIENT_OFF_UNIT,
    MissedCheckReason.PATIENT_REFUSED,
    MissedCheckReason.CLINICAL_EMERGENCY,
)


def generate(
    sessions: sessionmaker[Session],
    spec: GenerateSpec,
    rules: RuleSet,
    library: ProtocolLibrary | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> GenerateReport:
    """Write ``spec``'s synthetic sessions into an empty unit; refused if sessions exist."""
    library = library or load_library()
    rng = random.Random(spec.seed)
    with sessions.begin() as db:
        if db.scalar(select(func.count()).select_from(models.InfusionSession)):
            raise UserError(
                "This database already holds sessions; synthetic data goes only into an empty "
                "one (use a new --db or --data-dir)."
            )
        # A whole unit's history at once (too many sessions to name): every screen re-reads.
        record_changes(db, EVERYTHING)
        chairs = _chairs(db, spec.chairs)
        nurses = _nurses(db)
        staff = dict(
            db.execute(
                select(models.Nurse.id, models.Nurse.staff_id).where(models.Nurse.id.in_(nurses))
            ).all()
        )
        ids = {
            name: (db.scalar(select(func.max(table.id))) or 0) + 1  # type: ignore[attr-defined]
            for name, table in _TABLES.items()
        }
    tables = _Tables(ids, staff)
    courses: list[_CourseState] = []
    weights = [drug.weight for drug in DRUGS]
    totals = GenerateReport(0, 0, 0, 0)
    first = spec.end - timedelta(days=spec.days - 1)
    month: tuple[int, int] | None = None
    for day in (first + timedelta(days=n) for n in range(spec.days)):
        if month is not None and (day.year, day.month) != month:
            totals = _flush(sessions, tables, totals, month, progress)
        month = (day.year, day.month)
        if day.weekday() >= 5:
            continue
        for chair_id in chairs:
            clock = datetime.combine(day, DAY_START, UTC) + timedelta(minutes=rng.randint(0, 20))
            while True:
                course = _next_course(courses, day, rng, weights, tables)
                protocol = library.get(course.drug.protocol_id(course.cycle)).protocol
                planned = _planned_min(protocol, course.drug)
                if clock + timedelta(minutes=planned + 30) > datetime.combine(
                    day, time(DAY_END_H), UTC
                ):
                    break
                end = _session(
                    tables, rng, rules, library, course, chair_id, rng.choice(nurses), clock
                )
                course.cycle += 1
                course.due = day + timedelta(days=course.drug.interval_days)
                clock = end + timedelta(minutes=rng.randint(*TURNOVER_MIN))
    if month is not None:
        totals = _flush(sessions, tables, totals, month, progress)
    return totals


def _flush(
    sessions: sessionmaker[Session],
    tables: _Tables,
    totals: GenerateReport,
    month: tuple[int, int],
    progress: Callable[[str], None] | None,
) -> GenerateReport:
    counts = {name: tables.count(name) for name in _TABLES}
    with sessions.begin() as db:
        record_changes(db, EVERYTHING)
        for name, table in _TABLES.items():
            rows = tables.rows.get(name)
            if rows:
                insert_rows(db, table, rows)
                if db.get_bind().dialect.name == "postgresql":
                    # The ids were given explicitly: move the table's id sequence past them, or
                    # the app's next row here would take an id already used.
                    db.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
        append_audit_rows(db, sorted(tables.audit, key=lambda entry: entry.at))
        summarise_sessions(db, (row["id"] for row in tables.rows.get("infusion_session", [])))
        append_audit(
            db,
            at=datetime.now(UTC),
            actor=GENERATOR_ACTOR,
            action="synthetic.generate",
            entity="database",
            entity_id=f"{month[0]}-{month[1]:02d}",
            before=None,
            after={"note": "generated synthetic data", "rows": counts},
        )
    tables.rows.clear()
    tables.audit.clear()
    if progress is not None:
        progress(f"{month[0]}-{month[1]:02d}: {counts['infusion_session']} sessions")
    return GenerateReport(
        totals.sessions + counts["infusion_session"],
        totals.reactions + counts["reaction_record"],
        totals.vitals + counts["vital_signs"],
        totals.alerts + counts["alert"],
    )


def _chairs(db: Session, count: int) -> list[int]:
    found = dict(db.execute(select(models.Chair.name, models.Chair.id)).all())
    chosen = []
    for index in range(count):
        name = f"Chair {index + 1}"
        if name not in found:
            chair = models.Chair(name=name, position=index)
            db.add(chair)
            db.flush()
            found[name] = chair.id
        chosen.append(found[name])
    return chosen


def _nurses(db: Session) -> list[int]:
    ids = []
    for index, name in enumerate(NURSES, start=1):
        staff_id = f"SYN{index:02d}"
        row = db.scalar(select(models.Nurse).where(models.Nurse.staff_id == staff_id))
        if row is None:
            row = models.Nurse(staff_id=staff_id, name=name, role="nurse", pin_hash=None)
            db.add(row)
            db.flush()
        ids.append(row.id)
    return ids


def _next_course(
    courses: list[_CourseState],
    day: date,
    rng: random.Random,
    weights: list[float],
    tables: _Tables,
) -> _CourseState:
    """The most overdue course due by ``day``, or a new patient starting cycle 1."""
    due = [c for c in courses if c.due <= day and c.cycle <= c.drug.cycles]
    if due:
        chosen = min(due, key=lambda c: c.due)
        chosen.due = date.max  # taken today
        return chosen
    drug = rng.choices(DRUGS, weights)[0]
    number = tables.ids["patient"]
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    born = date(rng.randint(1938, 2002), rng.randint(1, 12), rng.randint(1, 28))
    patient_id = tables.add(
        "patient",
        {
            "mrn": f"{MRN_PREFIX}{number:07d}",
            "name": name,
            "date_of_birth": born,
            "allergies": rng.choice(("", "", "", "", "Penicillin (rash)", "Latex")),
            "reaction_history": "",
        },
    )
    course = _CourseState(patient_id, drug, 1, date.max)
    courses.append(course)
    return course


def _planned_min(protocol: DrugProtocol, drug: Drug) -> int:
    plan = protocol.rate
    if plan is not None and plan.start and plan.increase_by and plan.every_min:
        steps = int((plan.max - plan.start) / plan.increase_by)
        return max(60, steps * plan.every_min + 90)
    return drug.minutes


@dataclass
class _Run:
    """One session being generated: its rows, rules context and alert."""

    tables: _Tables
    session_id: int
    nurse_id: int
    context: SessionContext
    origin: datetime
    rules: RuleSet
    alert: Alert | None = None
    alert_id: int | None = None
    ack_at: datetime | None = None

    def seconds(self, at: datetime) -> int:
        """Whole seconds since the infusion start (the rules' time)."""
        return int((at - self.origin).total_seconds())

    @property
    def row(self) -> dict[str, Any]:
        """The session's row (updated as its lifecycle goes on)."""
        found = self.tables.rows["infusion_session"][-1]
        assert found["id"] == self.session_id
        return found

    def act(self, action: EventKind, *events: SessionEvent) -> None:
        """A lifecycle action as ``SessionService`` stores it: its events, the session's new
        state, rate and version, and one ``session.<action>`` audit row."""
        row = self.row
        before = {"state": row["state"], "rate": row["rate"], "version": row["version"]}
        for event in events:
            self.tables.add(
                "session_event",
                {
                    "session_id": self.session_id,
                    "type": event.kind.value,
                    "at": event.at,
                    "reason": event.reason,
                    "payload": {} if event.rate is None else {"rate": event.rate},
                    "author_id": self.nurse_id,
                },
            )
            row["state"] = state_after(event.kind, SessionState(row["state"])).value
            if event.rate is not None:
                row["rate"] = event.rate
        at = events[-1].at
        row["version"] += 1
        row["updated_at"] = at
        after = lifecycle_audit(_view(models.InfusionSession, row), events)
        self.tables.log(
            at,
            f"session.{action}",
            "infusion_session",
            self.session_id,
            self.nurse_id,
            after,
            before,
        )

    def note(self, kind: str, at: datetime, note: MissedCheckNote, due: datetime) -> None:
        """A late or skipped check's note, as ``VitalsService`` stores and audits it."""
        text, payload = note_event(kind, note, due)
        event_id = self.tables.add(
            "session_event",
            {
                "session_id": self.session_id,
                "type": "note",
                "at": at,
                "reason": text,
                "payload": payload,
                "author_id": self.nurse_id,
            },
        )
        after = note_audit_values(self.session_id, note, payload)
        self.tables.log(at, f"session.{kind}", "session_event", event_id, self.nurse_id, after)

    def assess_at(self, at: datetime, rng: random.Random) -> None:
        """Assess with the real engine, store it, and apply the alert policy to it."""
        t = self.seconds(at)
        result = assess(self.context, t)
        assessment_id = self.tables.add(
            "assessment",
            {
                "session_id": self.session_id,
                "at": at,
                "minute": max(0, t // SECONDS_PER_MIN),
                "ruleset_name": self.rules.name,
                "ruleset_version": self.rules.version,
                "priority": result.priority,
                "result": result.to_json(),
            },
        )
        self._acknowledge_until(at)
        condition = result.pathways[0] if result.pathways else ""
        decision = decide(
            self.alert, self.session_id, AlertPriority.from_code(result.priority), condition, at
        )
        if decision.close is not None and self.alert_id is not None:
            self._store(decision.close, "alert.resolve", at)
            self.alert, self.alert_id = None, None
        if decision.change is AlertChange.RAISED and decision.open is not None:
            self.alert = decision.open
            raised = {
                "session_id": self.session_id,
                "assessment_id": assessment_id,
                "condition": decision.open.condition,
                "priority": decision.open.priority.code,
                "state": AlertState.ACTIVE.value,
                "raised_at": at,
                "acknowledged_at": None,
                "acknowledged_by_id": None,
                "resolved_at": None,
            }
            self.alert_id = self.tables.add("alert", raised)
            after = alert_snapshot(_view(models.Alert, raised))
            self.tables.log(at, "alert.raise", "alert", self.alert_id, None, after)
            median = ACK_MEDIAN_S[decision.open.priority.code]
            delay = rng.lognormvariate(0, 0.6) * median
            self.ack_at = None if rng.random() < UNACKNOWLEDGED_P else at + timedelta(seconds=delay)
            if decision.open.priority is AlertPriority.HIGH and rng.random() < NURSE_ESCALATES_P:
                self.escalate(at + timedelta(seconds=rng.randint(10, 40)))
        elif decision.open is not None and self.alert is not None:
            self.alert = decision.open
            if decision.change in (AlertChange.UPDATED, AlertChange.LOWERED):
                self._store(decision.open, f"alert.{decision.change.value}", at)

    def _acknowledge_until(self, at: datetime) -> None:
        alert = self.alert
        if alert is None or self.ack_at is None or self.ack_at > at:
            return
        if alert.state is AlertState.ACTIVE:
            self.alert = replace(alert, state=AlertState.ACKNOWLEDGED, acknowledged_at=self.ack_at)
            self._store(self.alert, "alert.acknowledge", self.ack_at, self.nurse_id)

    def escalate(self, at: datetime) -> None:
        """The nurse escalates the open alert to the unit ("Escalate anyway")."""
        assert self.alert_id is not None
        _intervention(self, at, ESCALATE, audited=False)
        after = escalation_values(self.session_id, at)
        self.tables.log(at, "alert.escalate", "alert", self.alert_id, self.nurse_id, after)

    def _store(self, alert: Alert, action: str, at: datetime, by: int | None = None) -> None:
        """Store the alert's change and audit it (by the nurse, or by the rules)."""
        row = next(r for r in reversed(self.tables.rows["alert"]) if r["id"] == self.alert_id)
        before = alert_snapshot(_view(models.Alert, row))
        row["priority"] = alert.priority.code
        row["condition"] = alert.condition
        row["state"] = alert.state.value
        if alert.acknowledged_at is not None:
            row["acknowledged_at"] = alert.acknowledged_at
            row["acknowledged_by_id"] = self.nurse_id
        row["resolved_at"] = alert.resolved_at
        assert self.alert_id is not None
        after = alert_snapshot(_view(models.Alert, row))
        self.tables.log(at, action, "alert", self.alert_id, by, after, before)

    def finish(self, at: datetime) -> None:
        """At the close the open alert resolves (acknowledged or, rarely, never answered)."""
        self._acknowledge_until(at)
        if self.alert is not None:
            self._store(
                replace(self.alert, state=AlertState.RESOLVED, resolved_at=at), "alert.resolve", at
            )
            self.alert = None


def _baseline_vitals(rng: random.Random) -> dict[str, Any]:
    sbp = rng.randint(105, 150)
    return {
        "heart_rate": rng.randint(60, 92),
        "systolic_bp": sbp,
        "diastolic_bp": rng.randint(62, min(95, sbp - 30)),
        "respiratory_rate": rng.randint(12, 18),
        "spo2": rng.randint(95, 99),
        "temperature_c": round(rng.uniform(36.2, 37.2), 1),
    }


def _jitter(base: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return {
        "heart_rate": base["heart_rate"] + rng.randint(-5, 5),
        "systolic_bp": base["systolic_bp"] + rng.randint(-8, 8),
        "diastolic_bp": base["diastolic_bp"] + rng.randint(-5, 5),
        "respiratory_rate": base["respiratory_rate"] + rng.randint(-1, 1),
        "spo2": min(100, base["spo2"] + rng.randint(-1, 1)),
        "temperature_c": round(base["temperature_c"] + rng.uniform(-0.2, 0.2), 1),
    }


def _reacting(
    base: dict[str, Any], grade: int, cytokine: bool, rng: random.Random
) -> dict[str, Any]:
    """A set during the reaction: worse with the grade (fever and tachycardia if cytokine)."""
    values = _jitter(base, rng)
    values["heart_rate"] += 8 * grade + rng.randint(0, 10)
    values["respiratory_rate"] += 2 * grade
    if cytokine:
        values["temperature_c"] = round(values["temperature_c"] + 0.5 * grade + 0.3, 1)
    if grade >= 3:
        values["systolic_bp"] = rng.randint(74, 88)
        values["diastolic_bp"] = rng.randint(40, 52)
        values["spo2"] = rng.randint(88, 93)
    return values


def _vitals_row(
    run: _Run, at: datetime, values: dict[str, Any], *, audited: bool = True, **extra: Any
) -> int:
    """A typed set entered a minute after it was taken; audited as recorded unless the caller
    audits it itself."""
    row = {
        "session_id": run.session_id,
        "taken_at": at,
        "entered_at": at + timedelta(seconds=60),
        "entered_by_id": run.nurse_id,
        "source": "typed",
        "on_oxygen": False,
        "o2_flow_l_min": None,
        "acvpu": "A",
        "pain": None,
        "incomplete_reason": None,
        "amends_id": None,
        "amend_reason": None,
        **values,
        **extra,
    }
    vitals_id = run.tables.add("vital_signs", row)
    if audited:
        _audit_vitals(run, run.tables.rows["vital_signs"][-1])
    return vitals_id


def _audit_vitals(run: _Run, row: dict[str, Any], amended: dict[str, Any] | None = None) -> None:
    """Audit a stored set as ``VitalsService`` does: recorded, or amending ``amended``."""
    after = vitals_audit_values(_view(models.VitalSigns, row), f"{row['temperature_c']} °C")
    before = None if amended is None else vitals_audit_values(_view(models.VitalSigns, amended))
    action = "vitals.record" if amended is None else "vitals.amend"
    run.tables.log(row["entered_at"], action, "vital_signs", row["id"], run.nurse_id, after, before)


def _domain_vitals(values: dict[str, Any], on_oxygen: bool = False) -> VitalSigns:
    return VitalSigns(
        hr=values["heart_rate"],
        sbp=values["systolic_bp"],
        dbp=values["diastolic_bp"],
        rr=values["respiratory_rate"],
        spo2=values["spo2"],
        temp_c=values["temperature_c"],
        on_oxygen=on_oxygen,
        acvpu=Acvpu.A,
    )


def _check_times(protocol: DrugProtocol, cycle: int, run_min: int) -> list[int]:
    """Minutes after the start at which the protocol asks for a set, up to the end."""
    plan = protocol.vitals
    every = plan.high_risk_interval_min if protocol.risk.is_high_risk(cycle) else plan.interval_min
    times = [m for m in plan.early_checks_min if m < run_min]
    last = times[-1] if times else 0
    while last + every < run_min:
        last += every
        times.append(last)
    times.append(run_min)
    return times


def _session(
    tables: _Tables,
    rng: random.Random,
    rules: RuleSet,
    library: ProtocolLibrary,
    course: _CourseState,
    chair_id: int,
    nurse_id: int,
    start: datetime,
) -> datetime:
    """Add one finished session starting at ``start``; return when it closed."""
    drug, cycle = course.drug, course.cycle
    entry = library.get(drug.protocol_id(cycle))
    protocol = entry.protocol
    plan = protocol.rate
    run_min = _planned_min(protocol, drug) + rng.randint(-10, 15)
    rate = plan.start if plan and plan.start else (plan.max if plan else None)
    created = start - timedelta(minutes=rng.randint(12, 25))
    if cycle == 1:  # a new patient, registered at the first set-up
        patient = next(p for p in reversed(tables.rows["patient"]) if p["id"] == course.patient_id)
        after = patient_audit(patient["mrn"], patient["date_of_birth"] is not None)
        tables.log(created, "patient.create", "patient", course.patient_id, nurse_id, after)
    session_id = tables.add(
        "infusion_session",
        {
            "patient_id": course.patient_id,
            "chair_id": chair_id,
            "nurse_id": nurse_id,
            "protocol_id": protocol.id,
            "drug_name": drug.name,
            "protocol_version": entry.version,
            "ruleset_name": rules.name,
            "ruleset_version": rules.version,
            "dose": drug.dose,
            "dose_unit": drug.dose_unit,
            "rate": rate,
            "rate_unit": plan.unit if plan else None,
            "planned_duration_min": run_min,
            "cycle": cycle,
            "first_dose": cycle == 1,
            "prior_reaction_to_drug": course.prior_reaction,
            "spo2_scale": 1,
            "premedications": [
                {"name": name, "given_at": (start - timedelta(minutes=30)).isoformat()}
                for name in drug.premeds
            ],
            "state": SessionState.PLANNED.value,
            "pregnant": False,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        },
    )
    age = (start.date() - date(1970, 1, 1)).days / 365.25
    base = _baseline_vitals(rng)
    run = _Run(
        tables,
        session_id,
        nurse_id,
        SessionContext(
            rules,
            RulesPatient(
                age_years=max(age, 18),
                pregnant=False,
                spo2_scale=1,
                prior_reaction_to_drug=course.prior_reaction,
            ),
            _domain_vitals(base),
        ),
        start,
        rules,
    )
    # The baseline is typed in the set-up form: stored and audited with the set-up.
    baseline = _vitals_row(run, created, base, audited=False, entered_at=created)
    summary = audit_summary(_view(models.InfusionSession, run.row), baseline)
    tables.log(created, "session.set_up", "infusion_session", session_id, nurse_id, summary)
    run.assess_at(start - timedelta(minutes=9), rng)
    run.act(EventKind.START, SessionEvent(EventKind.START, start, rate=rate))
    reaction_at: int | None = None
    if rng.random() < drug.reaction_p(cycle):
        low, high = drug.onset_min
        reaction_at = min(rng.randint(low, high), run_min - 5)
    timeline: list[tuple[int, str]] = [(m, "check") for m in _check_times(protocol, cycle, run_min)]
    if plan and plan.start and plan.increase_by and plan.every_min:
        level, minute = plan.start, plan.every_min
        while level + plan.increase_by <= plan.max and minute < run_min - 15:
            level += plan.increase_by
            timeline.append((minute, f"rate:{level:g}"))
            minute += plan.every_min
    if reaction_at is not None:
        timeline = [item for item in timeline if item[0] < reaction_at or item[1] == "check"]
        timeline.append((reaction_at, "reaction"))
    timeline.sort()
    stopped = False
    end_min = run_min
    for minute, what in timeline:
        at = start + timedelta(minutes=minute)
        if minute > end_min:
            break
        if what.startswith("rate:"):
            if not stopped:
                change = SessionEvent(EventKind.RATE_CHANGE, at, rate=float(what[5:]))
                run.act(EventKind.RATE_CHANGE, change)
        elif what == "reaction":
            end_min, stopped = _reaction(run, rng, drug, course, base, at, minute, run_min, rate)
        elif not stopped or minute == end_min:
            _check(run, rng, base, at)
    end = start + timedelta(minutes=end_min)
    observation = protocol.observation.minutes
    observed = end if not stopped else end + timedelta(seconds=30)
    if not stopped:  # completing starts the observation at once, as the app does
        _complete(run, end, observation > 0)
    elif observation:
        run.act(EventKind.OBSERVATION_START, SessionEvent(EventKind.OBSERVATION_START, observed))
    if observation:
        close = observed + timedelta(minutes=observation, seconds=30)
        _check(run, rng, base, close - timedelta(minutes=2))
    else:
        close = end + timedelta(minutes=2)
    run.act(EventKind.CLOSE, SessionEvent(EventKind.CLOSE, close))
    run.finish(close)
    return close


def _complete(run: _Run, end: datetime, observe: bool) -> None:
    """The infusion completes (and the observation starts with it, when the protocol has one)."""
    events = [SessionEvent(EventKind.COMPLETE, end)]
    if observe:
        events.append(SessionEvent(EventKind.OBSERVATION_START, end))
    run.act(EventKind.COMPLETE, *events)
    run.context.end_infusion(run.seconds(end))


def _check(run: _Run, rng: random.Random, base: dict[str, Any], due: datetime) -> None:
    """A scheduled set: usually on time; sometimes late or skipped with a reason; rarely amended."""
    roll = rng.random()
    if roll < SKIPPED_CHECK_P:
        skipped = MissedCheckNote(rng.choice(_SKIP_REASONS), None)
        run.note(SKIPPED_NOTE, due + timedelta(minutes=6), skipped, due)
        return
    late = roll < SKIPPED_CHECK_P + LATE_CHECK_P
    at = due + timedelta(minutes=rng.randint(8, 25) if late else rng.randint(-2, 3))
    values = _jitter(base, rng)
    vitals_id = _vitals_row(run, at, values, audited=False)
    stored = run.tables.rows["vital_signs"][-1]
    if late:
        reason = MissedCheckNote(rng.choice(_LATE_REASONS), None)
        run.note(LATE_NOTE, stored["entered_at"], reason, due)
    if rng.random() < AMEND_P:
        typo = values["heart_rate"]
        wrong = dict(values, heart_rate=int(str(typo)[::-1]) if typo >= 20 else typo + 10)
        stored.update(wrong)
        _audit_vitals(run, stored)
        _vitals_row(
            run,
            at,
            values,
            audited=False,
            entered_at=at + timedelta(minutes=4),
            amends_id=vitals_id,
            amend_reason=f"Typing error: HR {wrong['heart_rate']} corrected to {typo}",
        )
        _audit_vitals(run, run.tables.rows["vital_signs"][-1], amended=stored)
    else:
        _audit_vitals(run, stored)
    run.context.add_observation(run.seconds(at), _domain_vitals(values))
    run.assess_at(at + timedelta(seconds=60), rng)


def _intervention(
    run: _Run,
    at: datetime,
    action: str,
    declined: str | None = None,
    detail: str | None = None,
    *,
    audited: bool = True,
) -> None:
    """An intervention (a step done or declined, a treatment), audited as ``CareService`` does."""
    intervention_id = run.tables.add(
        "intervention",
        {
            "session_id": run.session_id,
            "alert_id": run.alert_id,
            "action": action,
            "at": at,
            "by_id": run.nurse_id,
            "declined_reason": declined,
            "detail": detail,
            "amends_id": None,
            "amend_reason": None,
        },
    )
    if audited:
        after = intervention_values(_view(models.Intervention, run.tables.rows["intervention"][-1]))
        run.tables.log(
            at, "intervention.record", "intervention", intervention_id, run.nurse_id, after
        )


def _grade(rng: random.Random, severe_share: float) -> int:
    """CTCAE grade: 60-70% of reactions grade 1-2 (§6.2), the severe share by drug."""
    if rng.random() < severe_share:
        return 4 if rng.random() < 0.1 else 3
    return 1 if rng.random() < 0.45 else 2


def _reaction(
    run: _Run,
    rng: random.Random,
    drug: Drug,
    course: _CourseState,
    base: dict[str, Any],
    onset: datetime,
    onset_min: int,
    run_min: int,
    rate: float | None,
) -> tuple[int, bool]:
    """Symptoms, the nurse's response, vitals every 5 min and the record; returns the end."""
    grade = _grade(rng, drug.severe_share)
    cytokine = "chills" in drug.symptoms or "fever" in drug.symptoms
    codes = rng.sample(drug.symptoms, k=min(len(drug.symptoms), rng.randint(1, 3)))
    if grade >= 3:
        codes += rng.sample(drug.severe_symptoms, k=min(2, len(drug.severe_symptoms)))
    codes = list(dict.fromkeys(codes))  # each symptom once
    symptom_ids: list[tuple[int, dict[str, Any]]] = []
    for offset, code in enumerate(codes):
        at = onset + timedelta(minutes=offset)
        symptom: dict[str, Any] = {
            "session_id": run.session_id,
            "code": code,
            "onset_at": at,
            "resolved_at": None,
            "note": None,
            "recorded_at": at + timedelta(seconds=30),
            "recorded_by_id": run.nurse_id,
            "amends_id": None,
            "amend_reason": None,
        }
        symptom_id = run.tables.add("symptom_record", symptom)
        symptom = run.tables.rows["symptom_record"][-1]
        after = symptom_values(_view(models.SymptomRecord, symptom))
        recorded = at + timedelta(seconds=30)
        run.tables.log(
            recorded, "symptom.record", "symptom_record", symptom_id, run.nurse_id, after
        )
        symptom_ids.append((symptom_id, symptom))
        run.context.add_symptom(code, run.seconds(at))
    reacting = _reacting(base, grade, cytokine, rng)
    first_set = onset + timedelta(minutes=len(codes))
    _vitals_row(run, first_set, reacting)
    run.context.add_observation(run.seconds(first_set), _domain_vitals(reacting))
    run.assess_at(first_set + timedelta(seconds=30), rng)
    # The response, in the order of §5.1: stop, tell the provider, treat.
    stop = first_set + timedelta(minutes=rng.randint(0, 3))
    discontinue = grade >= 3
    stopping = EventKind.DISCONTINUE if discontinue else EventKind.PAUSE
    run.act(stopping, SessionEvent(stopping, stop, "Infusion reaction"))
    run.context.add_action(
        run.seconds(stop),
        CourseAction.DISCONTINUE_INFUSION if discontinue else CourseAction.PAUSE_INFUSION,
    )
    if discontinue:
        run.context.end_infusion(run.seconds(stop))
    notify = stop + timedelta(minutes=rng.randint(1, 8))
    if rng.random() < DECLINE_P and grade == 1:
        _intervention(
            run, notify, "notify_provider", declined="Settled within minutes; told at the end"
        )
    else:
        _intervention(run, notify, "notify_provider")
    drugs: list[CourseAction] = []
    if grade >= 3:
        drugs += [CourseAction.EPINEPHRINE_IM, CourseAction.OXYGEN, CourseAction.IV_FLUID_BOLUS]
    drugs += [CourseAction.ANTIHISTAMINE_H1]
    if cytokine and grade >= 2:
        drugs.append(CourseAction.ANTIPYRETIC)
    if grade >= 2:
        drugs.append(CourseAction.CORTICOSTEROID)
    given = stop + timedelta(minutes=rng.randint(2, 10) if grade < 3 else rng.randint(1, 4))
    for action in drugs:
        _intervention(run, given, action.value)
        run.context.add_action(run.seconds(given), action)
        given += timedelta(minutes=rng.randint(1, 4))
    # Vitals every 5 min while it settles, then back to baseline.
    settle = rng.randint(20, 45) + 10 * grade
    minute = 5
    while minute <= settle:
        at = first_set + timedelta(minutes=minute)
        share = minute / settle
        values = {
            key: (
                round(reacting[key] + (base[key] - reacting[key]) * share, 1)
                if key == "temperature_c"
                else round(reacting[key] + (base[key] - reacting[key]) * share)
            )
            for key in base
        }
        oxygen = grade >= 3 and share < 0.7
        _vitals_row(run, at, values, on_oxygen=oxygen, o2_flow_l_min=2.0 if oxygen else None)
        run.context.add_observation(run.seconds(at), _domain_vitals(values, oxygen))
        run.assess_at(at + timedelta(seconds=40), rng)
        minute += 5 if minute < 15 else 15
    resolved = first_set + timedelta(minutes=settle)
    for symptom_id, old in symptom_ids:
        new = {**old, "resolved_at": resolved, "recorded_at": resolved}
        new.update(amends_id=symptom_id, amend_reason="resolved")
        del new["id"]
        resolution_id = run.tables.add("symptom_record", new)
        before = symptom_values(_view(models.SymptomRecord, old))
        after = symptom_values(_view(models.SymptomRecord, run.tables.rows["symptom_record"][-1]))
        run.tables.log(
            resolved, "symptom.resolve", "symptom_record", resolution_id, run.nurse_id, after,
            before,
        )  # fmt: skip
    restarted = None
    restart_rate = None
    end_min = run.seconds(resolved) // SECONDS_PER_MIN + 5
    if discontinue:
        disposition = "transferred" if grade == 4 else "discontinued"
    else:
        disposition = "restarted_reduced"
        restarted = resolved + timedelta(minutes=5)
        restart_rate = (rate or 50) / 2
        run.act(EventKind.RESUME, SessionEvent(EventKind.RESUME, restarted, rate=restart_rate))
        run.context.add_action(run.seconds(restarted), CourseAction.RESTART_INFUSION)
        remaining = max(run_min - onset_min, 30)
        end_min = run.seconds(restarted) // SECONDS_PER_MIN + remaining
        _check(run, rng, base, restarted + timedelta(minutes=15))
        end = run.origin + timedelta(minutes=end_min)
        _complete(run, end, False)
        _check(run, rng, base, end)
    recorded = resolved + timedelta(minutes=10)
    # The suggestion on the outcome form is the rules' latest before the nurse records it.
    shown = next(
        row
        for row in reversed(run.tables.rows["assessment"])
        if row["session_id"] == run.session_id and row["at"] <= recorded
    )
    latest = shown["result"].get("ctcae") or {}
    term = "anaphylaxis" if grade >= 3 and not cytokine else "infusion_related_reaction"
    suggested_term = str(latest.get("term", "none"))
    suggested_grade = int(latest.get("grade", 0))
    note = ""
    if grade < suggested_grade:  # the app asks for a reason for a grade below the suggestion
        if rng.random() < ACCEPTS_SUGGESTION_P:
            grade = suggested_grade
            term = suggested_term if suggested_term in CTCAE_TERMS else term
        else:
            note = "Settled within minutes of the first treatment; graded on the clinical picture."
    record_id = run.tables.add(
        "reaction_record",
        {
            "session_id": run.session_id,
            "patient_id": course.patient_id,
            "drug_name": drug.name,
            "onset_at": onset,
            "disposition": disposition,
            "resolved_at": resolved,
            "restarted_at": restarted,
            "restart_rate": restart_rate,
            "ctcae_term": term,
            "ctcae_grade": grade,
            "suggested_term": suggested_term,
            "suggested_grade": suggested_grade,
            "flag_next_session": True,
            "note": note,
            "recorded_at": recorded,
            "recorded_by_id": run.nurse_id,
            "amends_id": None,
            "amend_reason": None,
        },
    )
    after = outcome_values(_view(models.ReactionRecord, run.tables.rows["reaction_record"][-1]))
    run.tables.log(recorded, "reaction.outcome", "reaction_record", record_id, run.nurse_id, after)
    course.prior_reaction = True
    if discontinue:
        course.cycle = course.drug.cycles  # the course of this drug ends here
    return end_min, True
