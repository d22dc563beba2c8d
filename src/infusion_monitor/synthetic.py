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
would have shown. Rows are written with SQLAlchemy Core ``insert()`` over lists, one
transaction per month. **Audit:** instead of one audit row per generated record, each month
writes a single ``synthetic.generate`` row (actor ``synthetic-data``) saying what it added.
Every patient and nurse is fictional; MRNs start with ``SYN``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import Alert, AlertChange, AlertPriority, AlertState, decide
from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.guidance import ESCALATE
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.reaction import CTCAE_TERMS
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.errors import UserError
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import Patient as RulesPatient
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.alerts import RULES_ACTOR
from infusion_monitor.storage import models
from infusion_monitor.storage.audit import (
    AUDIT_CHAIN_LOCK_KEY,
    GENESIS_HASH,
    append_audit,
    row_hash,
)

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

    Every clinical row added is audited as the app would audit it (:data:`_AUDITED`), in the
    name of its nurse (staff ID, role, workstation) or of the rules; an alert's later changes are
    audited by :meth:`log`. The audit rows are chained and inserted with the month's rows.
    """

    ids: dict[str, int]
    staff: dict[int, str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    audit: list[
        tuple[datetime, str, str, str, int | None, dict[str, Any] | None, dict[str, Any]]
    ] = field(default_factory=list)

    def add(self, table: str, row: dict[str, Any]) -> int:
        new_id = self.ids[table]
        self.ids[table] = new_id + 1
        stored = {"id": new_id, **row}
        self.rows.setdefault(table, []).append(stored)
        audited = _AUDITED.get(table)
        if audited is not None:
            action, at, by = audited(stored)
            # Alerts change later: the raise is audited as raised (a copy), the rest as stored.
            self.log(at, action, table, new_id, by, dict(stored) if table == "alert" else stored)
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
        self.audit.append((at, action, entity, str(entity_id), by, before, after))

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def _event_action(row: dict[str, Any]) -> str:
    note = row["payload"].get("note") if row["type"] == "note" else None
    return f"session.{note or row['type']}"


#: How the app audits each kind of row: (action, when, by which nurse; None: the rules).
_AUDITED: dict[str, Callable[[dict[str, Any]], tuple[str, datetime, int | None]]] = {
    "infusion_session": lambda r: ("session.set_up", r["created_at"], r["nurse_id"]),
    "session_event": lambda r: (_event_action(r), r["at"], r["author_id"]),
    "vital_signs": lambda r: (
        "vitals.amend" if r["amends_id"] else "vitals.record",
        r["entered_at"],
        r["entered_by_id"],
    ),
    "symptom_record": lambda r: (
        "symptom.resolve" if r["amends_id"] else "symptom.record",
        r["recorded_at"],
        r["recorded_by_id"],
    ),
    "intervention": lambda r: (
        "alert.escalate" if r["action"] == ESCALATE else "intervention.record",
        r["at"],
        r["by_id"],
    ),
    "reaction_record": lambda r: ("reaction.outcome", r["recorded_at"], r["recorded_by_id"]),
    "alert": lambda r: ("alert.raise", r["raised_at"], None),
}
#: The workstation the generated nurses' audit rows name.
WORKSTATION = "synthetic-ws"

_TABLES: dict[str, type[models.Base]] = {
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
        chairs = _chairs(db, spec.chairs)
        nurses = _nurses(db)
        staff = dict(
            db.execute(
                select(models.Nurse.id, models.Nurse.staff_id).where(models.Nurse.id.in_(nurses))
            ).all()
        )
        ids = {
            name: (db.scalar(select(func.max(table.id))) or 0) + 1  # type: ignore[attr-defined]
            for name, table in {**_TABLES, "audit_entry": models.AuditEntry}.items()
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
        tables.rows["audit_entry"] = _audit_rows(db, tables)
        for name, table in {**_TABLES, "audit_entry": models.AuditEntry}.items():
            rows = tables.rows.get(name)
            if rows:
                db.execute(insert(table), rows)
                if db.get_bind().dialect.name == "postgresql":
                    # The ids were given explicitly: move the table's id sequence past them, or
                    # the app's next row here would take an id already used.
                    db.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
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
        newest = db.scalar(select(func.max(models.AuditEntry.id)))
        tables.ids["audit_entry"] = (newest or 0) + 1
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


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, (datetime, date)) else value
        for key, value in row.items()
    }


def _audit_rows(db: Session, tables: _Tables) -> list[dict[str, Any]]:
    """The month's audit rows in time order, chained by hash to the log's newest row."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK_KEY})
    prev = db.scalar(
        select(models.AuditEntry.row_hash).order_by(models.AuditEntry.id.desc()).limit(1)
    )
    prev = prev or GENESIS_HASH
    found = []
    for at, action, entity, entity_id, by, before, after in sorted(
        tables.audit, key=lambda e: e[0]
    ):
        fields: dict[str, Any] = {
            "at": at,
            "actor": tables.staff[by] if by is not None else RULES_ACTOR,
            "actor_role": "nurse" if by is not None else None,
            "workstation": WORKSTATION if by is not None else None,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": None if before is None else _jsonable(before),
            "after": _jsonable(after),
            "prev_hash": prev,
        }
        prev = row_hash(**fields)
        found.append({"id": tables.ids["audit_entry"], **fields, "row_hash": prev})
        tables.ids["audit_entry"] += 1
    return found


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

    def event(self, kind: str, at: datetime, text: str | None = None, **payload: Any) -> None:
        self.tables.add(
            "session_event",
            {
                "session_id": self.session_id,
                "type": kind,
                "at": at,
                "reason": text,
                "payload": payload,
                "author_id": self.nurse_id,
            },
        )

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
            self.alert_id = self.tables.add(
                "alert",
                {
                    "session_id": self.session_id,
                    "assessment_id": assessment_id,
                    "condition": decision.open.condition,
                    "priority": decision.open.priority.code,
                    "state": "active",
                    "raised_at": at,
                    "acknowledged_at": None,
                    "acknowledged_by_id": None,
                    "resolved_at": None,
                },
            )
            median = ACK_MEDIAN_S[decision.open.priority.code]
            delay = rng.lognormvariate(0, 0.6) * median
            self.ack_at = None if rng.random() < UNACKNOWLEDGED_P else at + timedelta(seconds=delay)
            if decision.open.priority.code == "high" and rng.random() < NURSE_ESCALATES_P:
                _intervention(self, at + timedelta(seconds=rng.randint(10, 40)), ESCALATE)
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

    def _store(self, alert: Alert, action: str, at: datetime, by: int | None = None) -> None:
        """Store the alert's change and audit it (by the nurse, or by the rules)."""
        row = next(r for r in self.tables.rows["alert"] if r["id"] == self.alert_id)
        before = dict(row)
        row["priority"] = alert.priority.code
        row["condition"] = alert.condition
        row["state"] = alert.state.value
        if alert.acknowledged_at is not None:
            row["acknowledged_at"] = alert.acknowledged_at
            row["acknowledged_by_id"] = self.nurse_id
        row["resolved_at"] = alert.resolved_at
        assert self.alert_id is not None
        self.tables.log(at, action, "alert", self.alert_id, by, dict(row), before)

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


def _vitals_row(run: _Run, at: datetime, values: dict[str, Any], **extra: Any) -> int:
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
    return run.tables.add("vital_signs", row)


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
        tables.log(created, "patient.create", "patient", course.patient_id, nurse_id, patient)
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
            "state": "closed",
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
    _vitals_row(run, start - timedelta(minutes=10), base)
    run.assess_at(start - timedelta(minutes=9), rng)
    run.event("start", start, rate=rate)
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
                run.event("rate_change", at, rate=float(what[5:]))
        elif what == "reaction":
            end_min, stopped = _reaction(run, rng, drug, course, base, at, minute, run_min, rate)
        elif not stopped or minute == end_min:
            _check(run, rng, base, at)
    end = start + timedelta(minutes=end_min)
    if not stopped:
        run.event("complete", end)
        run.context.end_infusion(run.seconds(end))
    observation = protocol.observation.minutes
    if observation:
        observed = end + timedelta(seconds=30)
        run.event("observation_start", observed)
        close = observed + timedelta(minutes=observation, seconds=30)
        _check(run, rng, base, close - timedelta(minutes=2))
    else:
        close = end + timedelta(minutes=2)
    run.event("close", close)
    run.finish(close)
    row = tables.rows["infusion_session"][-1]
    row["updated_at"] = close
    return close


_REASON_TEXT = {
    "patient_off_unit": "Patient off the unit / bathroom",
    "patient_refused": "Patient refused",
    "clinical_emergency": "Clinical emergency elsewhere",
    "equipment_unavailable": "Equipment unavailable",
}


def _check(run: _Run, rng: random.Random, base: dict[str, Any], due: datetime) -> None:
    """A scheduled set: usually on time; sometimes late or skipped with a reason; rarely amended."""
    roll = rng.random()
    if roll < SKIPPED_CHECK_P:
        reason = rng.choice(("patient_off_unit", "patient_refused", "clinical_emergency"))
        run.event(
            "note",
            due + timedelta(minutes=6),
            _REASON_TEXT[reason],
            note="vitals_skipped",
            reason=reason,
            due_at=due.isoformat(),
        )
        return
    late = roll < SKIPPED_CHECK_P + LATE_CHECK_P
    at = due + timedelta(minutes=rng.randint(8, 25) if late else rng.randint(-2, 3))
    values = _jitter(base, rng)
    vitals_id = _vitals_row(run, at, values)
    if late:
        reason = rng.choice(("clinical_emergency", "equipment_unavailable"))
        run.event(
            "note",
            at,
            _REASON_TEXT[reason],
            note="vitals_late",
            reason=reason,
            due_at=due.isoformat(),
        )
    if rng.random() < AMEND_P:
        typo = values["heart_rate"]
        wrong = dict(values, heart_rate=int(str(typo)[::-1]) if typo >= 20 else typo + 10)
        run.tables.rows["vital_signs"][-1].update(wrong)
        _vitals_row(
            run,
            at,
            values,
            entered_at=at + timedelta(minutes=4),
            amends_id=vitals_id,
            amend_reason=f"Typing error: HR {wrong['heart_rate']} corrected to {typo}",
        )
    run.context.add_observation(run.seconds(at), _domain_vitals(values))
    run.assess_at(at + timedelta(seconds=60), rng)


def _intervention(
    run: _Run, at: datetime, action: str, declined: str | None = None, detail: str | None = None
) -> None:
    run.tables.add(
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
    symptom_ids = []
    for offset, code in enumerate(codes):
        at = onset + timedelta(minutes=offset)
        symptom_ids.append(
            (
                run.tables.add(
                    "symptom_record",
                    {
                        "session_id": run.session_id,
                        "code": code,
                        "onset_at": at,
                        "resolved_at": None,
                        "note": None,
                        "recorded_at": at + timedelta(seconds=30),
                        "recorded_by_id": run.nurse_id,
                        "amends_id": None,
                        "amend_reason": None,
                    },
                ),
                code,
                at,
            )
        )
        run.context.add_symptom(code, run.seconds(at))
    reacting = _reacting(base, grade, cytokine, rng)
    first_set = onset + timedelta(minutes=len(codes))
    _vitals_row(run, first_set, reacting)
    run.context.add_observation(run.seconds(first_set), _domain_vitals(reacting))
    run.assess_at(first_set + timedelta(seconds=30), rng)
    # The response, in the order of §5.1: stop, tell the provider, treat.
    stop = first_set + timedelta(minutes=rng.randint(0, 3))
    discontinue = grade >= 3
    run.event("discontinue" if discontinue else "pause", stop, "Infusion reaction")
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
    for symptom_id, code, at in symptom_ids:
        run.tables.add(
            "symptom_record",
            {
                "session_id": run.session_id,
                "code": code,
                "onset_at": at,
                "resolved_at": resolved,
                "note": None,
                "recorded_at": resolved,
                "recorded_by_id": run.nurse_id,
                "amends_id": symptom_id,
                "amend_reason": "resolved",
            },
        )
    restarted = None
    restart_rate = None
    end_min = run.seconds(resolved) // SECONDS_PER_MIN + 5
    if discontinue:
        disposition = "transferred" if grade == 4 else "discontinued"
    else:
        disposition = "restarted_reduced"
        restarted = resolved + timedelta(minutes=5)
        restart_rate = (rate or 50) / 2
        run.event("resume", restarted, rate=restart_rate)
        run.context.add_action(run.seconds(restarted), CourseAction.RESTART_INFUSION)
        remaining = max(run_min - onset_min, 30)
        end_min = run.seconds(restarted) // SECONDS_PER_MIN + remaining
        _check(run, rng, base, restarted + timedelta(minutes=15))
        end = run.origin + timedelta(minutes=end_min)
        run.event("complete", end)
        run.context.end_infusion(run.seconds(end))
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
    run.tables.add(
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
    course.prior_reaction = True
    if discontinue:
        course.cycle = course.drug.cycles  # the course of this drug ends here
    return end_min, True
