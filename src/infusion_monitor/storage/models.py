"""The tables: staff, patients, chairs, infusion sessions and their append-only clinical records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infusion_monitor.storage.base import AppendOnly, Base

NURSE_ROLES = ("nurse", "charge_nurse", "administrator")
SESSION_STATES = (
    "planned",
    "running",
    "paused",
    "observation",
    "completed",
    "discontinued",
    "closed",
)
SESSION_EVENT_TYPES = (
    "start",
    "pause",
    "resume",
    "rate_change",
    "complete",
    "discontinue",
    "observation_start",
    "close",
    "note",
)
VITALS_SOURCES = ("typed", "monitor")
ACVPU_LEVELS = ("A", "C", "V", "P", "U")
PRIORITIES = ("none", "low", "medium", "high")
ALERT_PRIORITIES = ("low", "medium", "high")
ALERT_STATES = ("active", "acknowledged", "resolved")

#: Length of a hex SHA-256 digest.
SHA256_HEX_LEN = 64


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A named CHECK that ``column`` holds one of ``values`` (enums checked in the database)."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def _between(column: str, low: float, high: float) -> CheckConstraint:
    """A named CHECK that ``column`` is NULL or within ``[low, high]`` (physiological bounds)."""
    return CheckConstraint(f"{column} IS NULL OR {column} BETWEEN {low} AND {high}", name=column)


def _amend_pair() -> CheckConstraint:
    """A named CHECK that an amending row always gives its reason (and only amending rows do)."""
    return CheckConstraint(
        "(amends_id IS NULL) = (amend_reason IS NULL)",
        name="amend_reason",
    )


class Nurse(Base):
    """A member of staff who can sign in: nurse, charge nurse or administrator."""

    __tablename__ = "nurse"
    __table_args__ = (_one_of("role", NURSE_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    #: False once an administrator disabled the account: it can no longer sign in.
    active: Mapped[bool] = mapped_column(default=True)
    #: A one-time code (Argon2 hash) to sign in with once and choose a PIN, and its expiry.
    setup_code_hash: Mapped[str | None] = mapped_column(String(200))
    setup_code_until: Mapped[datetime | None]


class Patient(Base):
    """A patient who receives infusions: a name plus an MRN, a date of birth, or both.

    ``reaction_history`` is what the nurse recorded about earlier infusion or hypersensitivity
    reactions; a returning patient's history is shown in red at every set-up.
    """

    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint("mrn IS NOT NULL OR date_of_birth IS NOT NULL", name="second_identifier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None]
    allergies: Mapped[str] = mapped_column(Text, default="")
    reaction_history: Mapped[str] = mapped_column(Text, default="")


class Chair(Base):
    """An infusion chair, shown on the board in ``position`` order."""

    __tablename__ = "chair"
    __table_args__ = (CheckConstraint("position >= 0", name="position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int]


class InfusionSession(Base):
    """One infusion of one drug for one patient in one chair: the only mutable clinical row.

    ``state`` and ``version`` change; every change is also recorded as a :class:`SessionEvent`
    and an audit entry. ``version`` is the optimistic lock: a stale UPDATE fails instead of
    overwriting another workstation's change.
    """

    __tablename__ = "infusion_session"
    __table_args__ = (
        _one_of("state", SESSION_STATES),
        CheckConstraint("spo2_scale IN (1, 2)", name="spo2_scale"),
        CheckConstraint("dose > 0", name="dose"),
        CheckConstraint("rate IS NULL OR rate >= 0", name="rate"),
        CheckConstraint("planned_duration_min > 0", name="planned_duration_min"),
        CheckConstraint("cycle IS NULL OR cycle >= 1", name="cycle"),
        CheckConstraint("version >= 1", name="version"),
        Index(None, "chair_id", "state"),
        Index(None, "patient_id", "created_at"),
        # The review list (0006): by date, by drug or nurse and date.
        Index(None, "created_at"),
        Index(None, "drug_name", "created_at"),
        Index(None, "nurse_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("chair.id"))
    nurse_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))
    protocol_id: Mapped[str] = mapped_column(String(100))
    #: The drug as the nurse reads it ("Rituximab", or the drug typed for the generic protocol).
    drug_name: Mapped[str] = mapped_column(String(200))
    protocol_version: Mapped[str] = mapped_column(String(100))
    ruleset_name: Mapped[str] = mapped_column(String(100))
    ruleset_version: Mapped[str] = mapped_column(String(100))
    dose: Mapped[float]
    dose_unit: Mapped[str] = mapped_column(String(20))
    rate: Mapped[float | None]
    rate_unit: Mapped[str | None] = mapped_column(String(20))
    planned_duration_min: Mapped[int]
    cycle: Mapped[int | None]
    first_dose: Mapped[bool]
    prior_reaction_to_drug: Mapped[bool]
    spo2_scale: Mapped[int] = mapped_column(default=1)
    #: Pregnant at this session (set at set-up): NEWS2 does not apply (rules-spec §4).
    pregnant: Mapped[bool] = mapped_column(default=False)
    #: Premedications given before the start: ``[{"name": ..., "given_at": ISO time or None}]``.
    premedications: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    patient: Mapped[Patient] = relationship()
    chair: Mapped[Chair] = relationship()
    nurse: Mapped[Nurse] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by the mapper


class SessionEvent(AppendOnly, Base):
    """A step in a session's lifecycle (start, pause, rate change, ...), with its author."""

    __tablename__ = "session_event"
    __table_args__ = (
        _one_of("type", SESSION_EVENT_TYPES),
        Index(None, "session_id", "at"),
        Index(None, "session_id", "type", "at"),  # notes, first start: quality, review (0008)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    type: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    author_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))


class VitalSigns(AppendOnly, Base):
    """One set of observations. ``taken_at`` is when measured; ``entered_at`` when recorded.

    Bounds are physiological plausibility, not alarm limits: they refuse typos such as a
    temperature typed in °F into the °C field.
    """

    __tablename__ = "vital_signs"
    __table_args__ = (
        _one_of("source", VITALS_SOURCES),
        _one_of("acvpu", ACVPU_LEVELS),
        _between("heart_rate", 0, 300),
        _between("systolic_bp", 0, 300),
        _between("diastolic_bp", 0, 250),
        _between("respiratory_rate", 0, 80),
        _between("spo2", 0, 100),
        _between("o2_flow_l_min", 0, 60),
        _between("temperature_c", 25, 45),
        _between("pain", 0, 10),
        _between("mean_arterial_pressure", 0, 300),
        _amend_pair(),
        Index(None, "session_id", "taken_at"),
        Index(None, "session_id", "amends_id"),  # sets recorded, index-only (0008)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    taken_at: Mapped[datetime]
    entered_at: Mapped[datetime]
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))
    source: Mapped[str] = mapped_column(String(10))
    heart_rate: Mapped[int | None]
    systolic_bp: Mapped[int | None]
    diastolic_bp: Mapped[int | None]
    respiratory_rate: Mapped[int | None]
    spo2: Mapped[int | None]
    on_oxygen: Mapped[bool | None]
    o2_flow_l_min: Mapped[float | None]
    temperature_c: Mapped[float | None]
    acvpu: Mapped[str | None] = mapped_column(String(1))
    pain: Mapped[int | None]
    incomplete_reason: Mapped[str | None] = mapped_column(Text)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("vital_signs.id"))
    amend_reason: Mapped[str | None] = mapped_column(Text)
    #: Mean arterial pressure as a monitor sent it (mmHg; 0008); never typed.
    mean_arterial_pressure: Mapped[int | None]
    #: The monitor's observation code the heart rate came from (0008); None when typed.
    heart_rate_source: Mapped[str | None] = mapped_column(String(100))

    #: A nurse's set confirming a bedside monitor's set (with ACVPU and oxygen) names it here.
    confirms_id: Mapped[int | None] = mapped_column(ForeignKey("vital_signs.id"))


class MonitorObservation(AppendOnly, Base):
    """Every value a monitor sent with a stored set, with its code and source (0008).

    The set's columns hold what the rules use (one heart rate chosen by source priority); this
    keeps each value sent, the ones not chosen included (an oximeter's pulse rate beside the
    ECG's heart rate), so that nothing acknowledged is lost.
    """

    __tablename__ = "monitor_observation"
    __table_args__ = (Index(None, "vital_signs_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vital_signs_id: Mapped[int] = mapped_column(ForeignKey("vital_signs.id"))
    vital: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(100))
    value: Mapped[float]
    raw: Mapped[str | None] = mapped_column(String(40))
    used: Mapped[bool]


class BedMapping(Base):
    """A monitor's bed label (PV1-3), with or without its point of care and facility → a chair.

    Managed with ``infusion-monitor beds`` (0008). An empty point of care or facility matches
    any; the most specific mapping wins.
    """

    __tablename__ = "bed_mapping"
    __table_args__ = (UniqueConstraint("bed_label", "point_of_care", "facility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bed_label: Mapped[str] = mapped_column(String(100))
    point_of_care: Mapped[str] = mapped_column(String(100), default="")
    facility: Mapped[str] = mapped_column(String(100), default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("chair.id"))
    created_at: Mapped[datetime]


class SymptomRecord(AppendOnly, Base):
    """A symptom ticked by the nurse; resolution or correction is a new row amending it."""

    __tablename__ = "symptom_record"
    __table_args__ = (
        _amend_pair(),
        CheckConstraint("resolved_at IS NULL OR resolved_at >= onset_at", name="resolved_at"),
        Index(None, "session_id", "onset_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    code: Mapped[str] = mapped_column(String(64))
    onset_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_record.id"))
    amend_reason: Mapped[str | None] = mapped_column(Text)


class Assessment(AppendOnly, Base):
    """The rule engine's verdict at one moment, with the rule set that produced it."""

    __tablename__ = "assessment"
    __table_args__ = (
        _one_of("priority", PRIORITIES),
        CheckConstraint("minute >= 0", name="minute"),
        Index(None, "session_id", "at"),
        Index(None, "session_id", "priority"),  # review: "highest priority at least" (0006)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    at: Mapped[datetime]
    minute: Mapped[int]
    ruleset_name: Mapped[str] = mapped_column(String(100))
    ruleset_version: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10))
    result: Mapped[dict[str, Any]]


class Alert(Base):
    """One alert per condition (not per reading); its state moves active → acknowledged → resolved.

    Every state change is also written to the audit log.
    """

    __tablename__ = "alert"
    __table_args__ = (
        _one_of("priority", ALERT_PRIORITIES),
        _one_of("state", ALERT_STATES),
        CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by_id IS NULL)", name="acknowledged"
        ),
        Index(None, "session_id", "raised_at"),
        Index(None, "state", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    condition: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default="active")
    raised_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("nurse.id"))
    resolved_at: Mapped[datetime | None]


class Intervention(AppendOnly, Base):
    """An action taken (or declined, with the reason) in answer to a reaction or an alert."""

    __tablename__ = "intervention"
    __table_args__ = (
        _amend_pair(),
        Index(None, "session_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
    action: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    by_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))
    declined_reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("intervention.id"))
    amend_reason: Mapped[str | None] = mapped_column(Text)


class AuditEntry(AppendOnly, Base):
    """Who did what, when, to which record, with before/after; rows are chained by hash."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index(None, "entity", "entity_id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    #: The actor's role when acting, and the workstation it happened at (None on rows from 0001).
    actor_role: Mapped[str | None] = mapped_column(String(20))
    workstation: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), unique=True)
    row_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), unique=True)


class GatewayMessage(Base):
    """An HL7 message the monitor gateway accepted, keyed by sender and control ID (MSH-10).

    Written in the same transaction as the vital signs it carried, so a repeated message (a
    monitor resending after a lost ACK) is acknowledged again without being stored twice.
    """

    __tablename__ = "gateway_message"
    __table_args__ = (UniqueConstraint("sender", "control_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(200))
    control_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    vital_signs_id: Mapped[int] = mapped_column(ForeignKey("vital_signs.id"))


class ChangeLog(Base):
    """What each committed transaction changed, for the other SQLite connections to read.

    One row per transaction that changed something the screens show, written in that
    transaction (``storage.changes``): its :class:`~infusion_monitor.domain.changes.Changes` as
    JSON. A workstation's change feed reads the rows above the last id it saw; rows older than a
    day are pruned. On PostgreSQL the same record travels as a NOTIFY payload and this table
    stays empty. ``AUTOINCREMENT``: an id is never handed out twice, even after pruning.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index(None, "committed_at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    committed_at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)


class AppInfo(Base):
    """Facts about the database itself, e.g. the app version that last migrated it.

    A database newer than this app is refused with the version to install, read from here.
    """

    __tablename__ = "app_info"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ReactionRecord(AppendOnly, Base):
    """The nurse's closing record of a reaction in a session; a correction amends it.

    ``flag_next_session`` makes the set-up of this patient's next session of ``drug_name`` show
    the reaction. The CTCAE suggestion of the rules is kept beside the nurse's own term and grade.
    """

    __tablename__ = "reaction_record"
    __table_args__ = (
        _amend_pair(),
        CheckConstraint("ctcae_grade BETWEEN 1 AND 5", name="ctcae_grade"),
        CheckConstraint("suggested_grade BETWEEN 0 AND 5", name="suggested_grade"),
        CheckConstraint("resolved_at IS NULL OR resolved_at >= onset_at", name="resolved_at"),
        Index(None, "patient_id", "drug_name"),
        Index(None, "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    drug_name: Mapped[str] = mapped_column(String(200))
    onset_at: Mapped[datetime]
    disposition: Mapped[str] = mapped_column(String(30))
    resolved_at: Mapped[datetime | None]
    restarted_at: Mapped[datetime | None]
    restart_rate: Mapped[float | None]
    ctcae_term: Mapped[str] = mapped_column(String(64))
    ctcae_grade: Mapped[int]
    suggested_term: Mapped[str] = mapped_column(String(64))
    suggested_grade: Mapped[int]
    flag_next_session: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("reaction_record.id"))
    amend_reason: Mapped[str | None] = mapped_column(Text)


class SessionQuality(Base):
    """A finished session's quality facts, kept so a year of the quality page is a GROUP BY.

    Derived, never entered: written in the transaction that finishes the session and rewritten
    in every later transaction that changes it or its records (``services.quality_summary``);
    deleted when a session is no longer finished. It repeats what the page groups and filters
    the session by (created, nurse, chair, drug, cycle), so a year is read from this table
    alone. Vitals checks by phase (first hour, later, observation) and in all: sets recorded,
    sets on time (not recorded late), late sets and skipped checks; the reaction (the newest
    reaction record) with its response times in minutes from the first symptom.
    """

    __tablename__ = "session_quality"
    __table_args__ = (Index(None, "created_at"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), primary_key=True)
    created_at: Mapped[datetime]
    nurse_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("chair.id"))
    drug_name: Mapped[str] = mapped_column(String(200))
    cycle: Mapped[int]
    sets: Mapped[int]
    on_time: Mapped[int]
    late: Mapped[int]
    skipped: Mapped[int]
    sets_first_hour: Mapped[int]
    sets_later: Mapped[int]
    sets_observation: Mapped[int]
    on_time_first_hour: Mapped[int]
    on_time_later: Mapped[int]
    on_time_observation: Mapped[int]
    late_first_hour: Mapped[int]
    late_later: Mapped[int]
    late_observation: Mapped[int]
    skipped_first_hour: Mapped[int]
    skipped_later: Mapped[int]
    skipped_observation: Mapped[int]
    reaction_drug: Mapped[str | None] = mapped_column(String(200))
    reaction_term: Mapped[str | None] = mapped_column(String(64))
    reaction_grade: Mapped[int | None]
    suggested_term: Mapped[str | None] = mapped_column(String(64))
    suggested_grade: Mapped[int | None]
    disposition: Mapped[str | None] = mapped_column(String(30))
    restart_completed: Mapped[bool | None]
    to_stopped_min: Mapped[float | None]
    to_notified_min: Mapped[float | None]
    to_first_drug_min: Mapped[float | None]
    to_epinephrine_min: Mapped[float | None]


class SessionQualityMissed(Base):
    """A finished session's late sets and skipped checks by reason (``kind``: late/skipped)."""

    __tablename__ = "session_quality_missed"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("session_quality.session_id"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, primary_key=True)
    checks: Mapped[int]
