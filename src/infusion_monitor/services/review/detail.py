"""One finished session for the charge nurse: its whole timeline, plot data, findings, versions.

Read in the caller's transaction (the review gate writes its audit row in the same one) into
frozen snapshots. Every stored row appears in the timeline: lifecycle events, vitals sets,
symptoms, changes of the rules' priority, alerts with who acknowledged them and how fast,
actions done or declined, and every amendment beside the original it corrects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infusion_monitor.domain.alerts import AlertPolicy, AlertPriority, priority_code
from infusion_monitor.domain.course import COURSE_ACTION_LABELS, CourseAction
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.domain.symptoms import SYMPTOMS
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.services.assessing import vital_signs
from infusion_monitor.services.care.alert_history import CHANGE_WORDS, alert_histories, alert_words
from infusion_monitor.services.care.picture import read_picture
from infusion_monitor.services.care.views import ReactionView
from infusion_monitor.services.sessions.records import SessionDetail, load_details
from infusion_monitor.services.vitals.trend import TrendData, read_trend
from infusion_monitor.storage import models
from infusion_monitor.storage.sql_rows import session_rows

_EVENT_TEXT = {
    "start": "Infusion started",
    "pause": "Infusion paused",
    "resume": "Infusion resumed",
    "rate_change": "Rate changed",
    "complete": "Infusion completed",
    "discontinue": "Infusion discontinued",
    "observation_start": "Observation started",
    "close": "Session closed",
}
_NOTE_TEXT = {"vitals_late": "Late vitals set", "vitals_skipped": "Vitals check skipped"}


@dataclass(frozen=True)
class ReviewEntry:
    """One line of the review timeline."""

    at: datetime
    kind: str
    """event, vitals, symptom, assessment, alert, action, declined, amendment, reaction, note."""
    text: str
    who: str
    original: str | None = None
    """For an amendment: what the original row said."""


@dataclass(frozen=True)
class AlertReview:
    """An alert with its acknowledgement (who, when, how fast) and resolution."""

    id: int
    condition: str
    priority: AlertPriority
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None

    @property
    def ack_seconds(self) -> float | None:
        """Seconds from raised to acknowledged (None if never acknowledged)."""
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.raised_at).total_seconds()


@dataclass(frozen=True)
class FindingReview:
    """A finding of the rules the first time it fired, with its evidence and source."""

    at: datetime
    priority: AlertPriority | None
    rule: str
    pathway: str | None
    evidence: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class VitalsReview:
    """One stored set (originals included) for the vitals table, CSV and FHIR exports."""

    id: int
    taken_at: datetime
    entered_at: datetime
    entered_by: str
    source: str
    signs: VitalSigns
    o2_flow_l_min: float | None
    amends_id: int | None
    amend_reason: str | None
    superseded: bool
    mean_bp: int | None = None


@dataclass(frozen=True)
class MedicineGiven:
    """A medicine given in the session, as recorded: ``dose`` and ``route`` are None where the
    record does not hold them (a reaction drug is recorded by its class and time, no dose)."""

    at: datetime
    medicine: str
    dose: str | None
    route: str | None
    by: str | None
    why: str


#: The course actions that are medicines: the words for the chart and the route the action
#: itself names (None: the record does not say).
MEDICINE_ACTIONS: dict[str, tuple[str, str | None]] = {
    CourseAction.EPINEPHRINE_IM.value: ("Epinephrine (adrenaline)", "IM"),
    CourseAction.ANTIHISTAMINE_H1.value: ("H1 antihistamine", None),
    CourseAction.ANTIHISTAMINE_H2.value: ("H2 antihistamine", None),
    CourseAction.ANTIPYRETIC.value: ("Antipyretic", None),
    CourseAction.CORTICOSTEROID.value: ("Corticosteroid", None),
    CourseAction.OPIOID.value: ("Opioid", None),
    CourseAction.BRONCHODILATOR.value: ("Bronchodilator", None),
    CourseAction.IV_FLUID_BOLUS.value: ("IV fluid bolus", "IV"),
    CourseAction.VASOPRESSOR.value: ("Vasopressor", "IV"),
    CourseAction.OXYGEN.value: ("Oxygen", "inhaled"),
}


def medicines_given(
    detail: SessionDetail,
    interventions: list[models.Intervention],
    who: Callable[[int | None], str],
) -> tuple[MedicineGiven, ...]:
    """The premedications, the infused drug and every medicine given for a reaction, in time
    order; a corrected action counts as corrected, a declined one not at all."""
    given = [
        MedicineGiven(premed.given_at, premed.name, None, None, None, "premedication")
        for premed in detail.premedications
        if premed.given_at is not None and not premed.skipped
    ]
    started = next((e.at for e in detail.timeline if e.kind == "start"), None)
    if started is not None:
        given.append(
            MedicineGiven(
                started,
                detail.drug_name,
                detail.dose_text(),
                "IV",
                detail.nurse,
                "infusion",
            )
        )
    corrected = {row.amends_id for row in interventions if row.amends_id is not None}
    for row in interventions:
        code = row.action if row.action in MEDICINE_ACTIONS else row.detail
        if row.id in corrected or row.declined_reason or code not in MEDICINE_ACTIONS:
            continue
        medicine, route = MEDICINE_ACTIONS[code]
        given.append(MedicineGiven(row.at, medicine, None, route, who(row.by_id), "reaction"))
    return tuple(sorted(given, key=lambda m: m.at))


@dataclass(frozen=True)
class SymptomReview:
    """A symptom as last recorded: code, words, onset and resolution."""

    code: str
    label: str
    onset_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class SessionReview:
    """Everything the session detail, the PDF and the FHIR export show of one session."""

    detail: SessionDetail
    timeline: tuple[ReviewEntry, ...]
    vitals: tuple[VitalsReview, ...]
    symptoms: tuple[SymptomReview, ...]
    alerts: tuple[AlertReview, ...]
    findings: tuple[FindingReview, ...]
    reaction: ReactionView
    trend: TrendData
    ruleset_name: str
    ruleset_version: str
    assessed_with: tuple[str, ...]
    """Every rule set (name and version) that assessed the session, in order of first use."""
    highest_priority: AlertPriority | None
    medicines: tuple[MedicineGiven, ...] = ()
    """Premedications, the infused drug and reaction medicines, as recorded."""

    @property
    def current_vitals(self) -> tuple[VitalsReview, ...]:
        """The sets no later row corrects."""
        return tuple(v for v in self.vitals if not v.superseded)


def _alert_history(
    db: Session, session_id: int, who: Callable[[int | None], str]
) -> tuple[list[AlertReview], list[ReviewEntry]]:
    """Each alert as it was raised, and the timeline of its changes, acknowledgement, resolution.

    The acknowledgement line names the alert as it stood when acknowledged.
    """
    alerts: list[AlertReview] = []
    entries: list[ReviewEntry] = []
    for history in alert_histories(db, session_id):
        row = history.row
        raised = (history.raised_priority, history.raised_condition)
        review = AlertReview(
            row.id,
            raised[1],
            raised[0],
            row.raised_at,
            row.acknowledged_at,
            who(row.acknowledged_by_id) or None,
            row.resolved_at,
        )
        alerts.append(review)
        words, condition = alert_words(*raised)
        entries.append(
            ReviewEntry(row.raised_at, "alert", f"Alert {words} raised: {condition}", "rules")
        )
        shown = raised
        for change in history.changes:
            now = (change.priority, change.condition)
            if row.acknowledged_at is not None and change.at < row.acknowledged_at:
                shown = now
            words, condition = alert_words(*now)
            entries.append(
                ReviewEntry(
                    change.at,
                    "alert",
                    f"Alert {CHANGE_WORDS[change.action]} {words}: {condition}",
                    "rules",
                )
            )
        if row.acknowledged_at is not None:
            entries.append(
                ReviewEntry(
                    row.acknowledged_at,
                    "alert",
                    f"Alert {alert_words(*shown)[0]} acknowledged after "
                    f"{_duration(review.ack_seconds or 0)}",
                    who(row.acknowledged_by_id),
                )
            )
        if row.resolved_at is not None:
            note = "" if row.acknowledged_at is not None else " (never acknowledged)"
            words = alert_words(AlertPriority[row.priority.upper()], row.condition)[0]
            entries.append(
                ReviewEntry(row.resolved_at, "alert", f"Alert {words} resolved{note}", "")
            )
    return alerts, entries


def _vitals_text(row: models.VitalSigns) -> str:
    parts = []
    for label, value, unit in (
        ("HR", row.heart_rate, "/min"),
        ("BP", None, ""),
        ("RR", row.respiratory_rate, "/min"),
        ("SpO2", row.spo2, "%"),
        ("T", row.temperature_c, " °C"),
    ):
        if label == "BP":
            if row.systolic_bp is not None:
                parts.append(f"BP {row.systolic_bp}/{row.diastolic_bp or '-'}")
            continue
        if value is not None:
            parts.append(f"{label} {value:g}{unit}")
    if row.on_oxygen:
        parts.append(f"O2 {row.o2_flow_l_min or ''} L/min".replace("  ", " "))
    if row.acvpu and row.acvpu != "A":
        parts.append(f"ACVPU {row.acvpu}")
    text = ", ".join(parts)
    return f"{text} ({row.source})" if row.source != "typed" else text


def _action_text(code: str) -> str:
    if code in {a.value for a in CourseAction}:
        return COURSE_ACTION_LABELS[CourseAction(code)]
    return code.replace("_", " ").capitalize()


def read_review(
    db: Session, session_id: int, library: ProtocolLibrary, rules: RuleSet
) -> SessionReview:
    """Read one session's full review inside ``db``'s transaction."""
    detail = load_details(session_rows(db), [session_id], library)[session_id]
    names: dict[int, str] = dict(db.execute(select(models.Nurse.id, models.Nurse.name)).all())
    entries: list[ReviewEntry] = []

    def who(nurse_id: int | None) -> str:
        return names.get(nurse_id, "?") if nurse_id is not None else ""

    for premed in detail.premedications:
        if premed.given_at is not None:
            entries.append(
                ReviewEntry(premed.given_at, "action", f"Premedication: {premed.name}", "")
            )
    for event in db.scalars(
        select(models.SessionEvent)
        .where(models.SessionEvent.session_id == session_id)
        .order_by(models.SessionEvent.at, models.SessionEvent.id)
    ):
        payload: dict[str, Any] = event.payload or {}
        if event.type == "note":
            text = _NOTE_TEXT.get(str(payload.get("note")), "Note")
            entries.append(
                ReviewEntry(
                    event.at,
                    "note",
                    f"{text}: {event.reason or ''}".strip(": "),
                    who(event.author_id),
                )
            )
            continue
        text = _EVENT_TEXT.get(event.type, event.type)
        if payload.get("rate") is not None:
            text += f" at {float(payload['rate']):g} {detail.rate_unit or ''}".rstrip()
        if event.reason:
            text += f": {event.reason}"
        entries.append(ReviewEntry(event.at, "event", text, who(event.author_id)))

    vitals_rows = list(
        db.scalars(
            select(models.VitalSigns)
            .where(models.VitalSigns.session_id == session_id)
            .order_by(models.VitalSigns.taken_at, models.VitalSigns.id)
        )
    )
    by_id = {row.id: row for row in vitals_rows}
    superseded = {row.amends_id for row in vitals_rows if row.amends_id is not None}
    for row in vitals_rows:
        if row.amends_id is not None:
            old = by_id.get(row.amends_id)
            entries.append(
                ReviewEntry(
                    row.entered_at,
                    "amendment",
                    f"Vitals corrected ({row.amend_reason}): {_vitals_text(row)}",
                    who(row.entered_by_id),
                    original=_vitals_text(old) if old is not None else None,
                )
            )
        else:
            entries.append(
                ReviewEntry(row.taken_at, "vitals", _vitals_text(row), who(row.entered_by_id))
            )

    symptom_rows = list(
        db.scalars(
            select(models.SymptomRecord)
            .where(models.SymptomRecord.session_id == session_id)
            .order_by(models.SymptomRecord.id)
        )
    )
    symptom_by_id = {row.id: row for row in symptom_rows}
    for srow in symptom_rows:
        label = SYMPTOMS[srow.code].label if srow.code in SYMPTOMS else (srow.note or srow.code)
        if srow.amends_id is None:
            entries.append(
                ReviewEntry(srow.onset_at, "symptom", f"Symptom: {label}", who(srow.recorded_by_id))
            )
        elif srow.amend_reason == "resolved" and srow.resolved_at is not None:
            entries.append(
                ReviewEntry(
                    srow.resolved_at, "symptom", f"Resolved: {label}", who(srow.recorded_by_id)
                )
            )
        else:
            old_symptom = symptom_by_id.get(srow.amends_id)
            entries.append(
                ReviewEntry(
                    srow.recorded_at,
                    "amendment",
                    f"Symptom corrected ({srow.amend_reason}): {label}",
                    who(srow.recorded_by_id),
                    original=old_symptom.code if old_symptom is not None else None,
                )
            )
    symptom_superseded = {row.amends_id for row in symptom_rows if row.amends_id is not None}
    symptoms = tuple(
        SymptomReview(
            row.code,
            SYMPTOMS[row.code].label if row.code in SYMPTOMS else (row.note or row.code),
            row.onset_at,
            row.resolved_at,
        )
        for row in symptom_rows
        if row.id not in symptom_superseded
    )

    findings: list[FindingReview] = []
    seen_rules: set[str] = set()
    previous: AlertPriority | None = None
    highest: AlertPriority | None = None
    versions: list[str] = []
    for assessment in db.scalars(
        select(models.Assessment)
        .where(models.Assessment.session_id == session_id)
        .order_by(models.Assessment.at, models.Assessment.id)
    ):
        version = f"{assessment.ruleset_name} {assessment.ruleset_version}"
        if version not in versions:
            versions.append(version)
        result = assessment.result or {}
        level = AlertPriority.from_code(assessment.priority)
        if level != previous:
            pathways = ", ".join(str(p).replace("_", " ") for p in result.get("pathways", ()))
            entries.append(
                ReviewEntry(
                    assessment.at,
                    "assessment",
                    f"Rules: priority {priority_code(previous)} → {priority_code(level)}"
                    + (f" ({pathways})" if pathways else ""),
                    "rules",
                )
            )
            previous = level
        if level is not None and (highest is None or level > highest):
            highest = level
        for item in result.get("findings", ()):
            rule = str(item.get("rule"))
            if rule in seen_rules:
                continue
            seen_rules.add(rule)
            findings.append(
                FindingReview(
                    assessment.at,
                    level,
                    rule,
                    item.get("pathway"),
                    tuple(str(e) for e in item.get("evidence", ())),
                    str(item.get("source", "")),
                )
            )

    alerts, alert_entries = _alert_history(db, session_id, who)
    entries += alert_entries

    interventions = list(
        db.scalars(
            select(models.Intervention)
            .where(models.Intervention.session_id == session_id)
            .order_by(models.Intervention.at, models.Intervention.id)
        )
    )
    by_intervention = {row.id: row for row in interventions}
    for irow in interventions:
        text = _action_text(irow.action)
        if irow.detail:
            text += f" ({irow.detail.replace('_', ' ')})"
        if irow.amends_id is not None:
            old_action = by_intervention.get(irow.amends_id)
            entries.append(
                ReviewEntry(
                    irow.at,
                    "amendment",
                    f"Action corrected ({irow.amend_reason}): {text}",
                    who(irow.by_id),
                    original=_action_text(old_action.action) if old_action is not None else None,
                )
            )
        elif irow.declined_reason:
            entries.append(
                ReviewEntry(
                    irow.at,
                    "declined",
                    f"Not done: {text} — {irow.declined_reason}",
                    who(irow.by_id),
                )
            )
        else:
            entries.append(ReviewEntry(irow.at, "action", text, who(irow.by_id)))

    records = list(
        db.scalars(
            select(models.ReactionRecord)
            .where(models.ReactionRecord.session_id == session_id)
            .order_by(models.ReactionRecord.id)
        )
    )
    for index, record_row in enumerate(records):
        suggested = record_row.suggested_term.replace("_", " ")
        text = (
            f"Reaction recorded: {record_row.ctcae_term.replace('_', ' ')} grade "
            f"{record_row.ctcae_grade} (rules suggested {suggested} "
            f"grade {record_row.suggested_grade}); {record_row.disposition.replace('_', ' ')}"
        )
        original = None
        kind = "reaction"
        if record_row.amends_id is not None and index > 0:
            kind = "amendment"
            old_record = records[index - 1]
            original = f"{old_record.ctcae_term.replace('_', ' ')} grade {old_record.ctcae_grade}"
            text += f" — corrected: {record_row.amend_reason}"
        entries.append(
            ReviewEntry(
                record_row.recorded_at, kind, text, who(record_row.recorded_by_id), original
            )
        )

    picture = read_picture(db, session_id, dict(rules.definition.action_text), AlertPolicy())
    session_row = db.get(models.InfusionSession, session_id)
    assert session_row is not None
    return SessionReview(
        detail=detail,
        timeline=tuple(sorted(entries, key=lambda e: e.at)),
        vitals=tuple(
            VitalsReview(
                row.id,
                row.taken_at,
                row.entered_at,
                who(row.entered_by_id),
                row.source,
                vital_signs(row),
                row.o2_flow_l_min,
                row.amends_id,
                row.amend_reason,
                row.id in superseded,
                row.mean_arterial_pressure,
            )
            for row in vitals_rows
        ),
        symptoms=symptoms,
        alerts=tuple(alerts),
        findings=tuple(findings),
        reaction=picture.reaction,
        trend=read_trend(db, session_id, rules),
        ruleset_name=session_row.ruleset_name,
        ruleset_version=session_row.ruleset_version,
        assessed_with=tuple(versions),
        highest_priority=highest,
        medicines=medicines_given(detail, interventions, who),
    )


def _duration(seconds: float) -> str:
    """``"45 s"``, ``"3 min 10 s"``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"
