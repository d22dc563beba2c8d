"""Read a session's care picture (symptoms, guidance, alert, reaction record) in one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.guidance import step_kind
from infusion_monitor.domain.protocol import Advice, DrugProtocol
from infusion_monitor.domain.reaction import Disposition, Outcome, Step, reaction_clock
from infusion_monitor.domain.symptoms import OTHER_SYMPTOM, SITE_REACTION, SYMPTOMS
from infusion_monitor.services.assessing import EVENT_ACTIONS, latest_assessment
from infusion_monitor.services.care.alert_reads import open_alert
from infusion_monitor.services.care.views import (
    NO_GUIDANCE,
    CarePicture,
    FindingView,
    GuidanceView,
    ReactionView,
    StepView,
    SymptomView,
)
from infusion_monitor.storage import models
from infusion_monitor.storage.sql_rows import session_rows

#: The code of a symptom described in the nurse's own words (not graded by the rules).
OTHER_CODE = OTHER_SYMPTOM
#: The guidance step (and course action) of IM epinephrine.
EPINEPHRINE_STEP = "epinephrine_im"


def _names(db: Session) -> dict[int, str]:
    return {row.id: row.name for row in db.execute(select(models.Nurse.id, models.Nurse.name))}


def _current(rows: list[Any]) -> list[Any]:
    """The rows no later row amends (the latest version of each record)."""
    superseded = {row.amends_id for row in rows if row.amends_id is not None}
    return [row for row in rows if row.id not in superseded]


def current_symptom_rows(db: Session, session_id: int) -> list[models.SymptomRecord]:
    """The session's symptoms as currently recorded: the latest version of each, in id order.

    One entered in error (amended to resolve at its onset, which the rules ignore) is left out;
    the records keep it and the review's timeline shows it with its correction.
    """
    rows = db.scalars(
        select(models.SymptomRecord)
        .where(models.SymptomRecord.session_id == session_id)
        .order_by(models.SymptomRecord.id)
    ).all()
    return [
        row
        for row in _current(list(rows))
        if not (row.resolved_at is not None and row.resolved_at == row.onset_at)
    ]


def read_symptoms(db: Session, session_id: int, names: dict[int, str]) -> tuple[SymptomView, ...]:
    """The session's symptoms as currently recorded, in onset order."""
    shown = [
        SymptomView(
            id=row.id,
            code=row.code,
            label=SYMPTOMS[row.code].label if row.code in SYMPTOMS else (row.note or "Other"),
            onset_at=row.onset_at,
            resolved_at=row.resolved_at,
            note=row.note,
            recorded_by=names.get(row.recorded_by_id, "?"),
        )
        for row in current_symptom_rows(db, session_id)
    ]
    return tuple(sorted(shown, key=lambda s: (s.onset_at, s.id)))


def _guidance(
    db: Session,
    session_id: int,
    action_text: dict[str, str],
    interventions: list[models.Intervention],
    names: dict[int, str],
) -> GuidanceView:
    latest = latest_assessment(db, session_id)
    if latest is None:
        return NO_GUIDANCE
    answers: dict[str, models.Intervention] = {}
    for row in interventions:
        answers.setdefault(row.action, row)
        if row.detail:
            answers.setdefault(row.detail, row)
    steps = []
    dose = latest.result.get("epinephrine_im_dose_mg")
    for code in latest.actions:
        answer = answers.get(code)
        text = action_text.get(code, code.replace("_", " ").capitalize())
        if code == EPINEPHRINE_STEP and isinstance(dose, int | float):
            text = f"{text} Dose for this patient's age: {dose:g} mg IM."
        steps.append(
            StepView(
                code=code,
                text=text,
                kind=step_kind(code),
                done_at=answer.at if answer is not None else None,
                done_by=names.get(answer.by_id) if answer is not None else None,
                declined_reason=answer.declined_reason if answer is not None else None,
                detail=(
                    answer.action.replace("_", " ")
                    if answer is not None and answer.action != code
                    else None
                ),
            )
        )
    result = latest.result
    ctcae = result.get("ctcae") or {}
    findings = tuple(
        FindingView(
            rule=str(item.get("rule")),
            pathway=item.get("pathway"),
            evidence=tuple(str(e) for e in item.get("evidence", ())),
            source=str(item.get("source")),
        )
        for item in result.get("findings", ())
    )
    return GuidanceView(
        assessment_id=latest.id,
        assessed_at=latest.at,
        priority=latest.priority,
        pathways=latest.pathways,
        steps=tuple(steps),
        findings=findings,
        ctcae_term=str(ctcae.get("term", "none")),
        ctcae_grade=int(ctcae.get("grade", 0)),
        cytokine_pattern=bool(ctcae.get("cytokine_pattern", False)),
        ruleset=f"{latest.ruleset_name} {latest.ruleset_version[:19]}",
        epinephrine_given=tuple(
            row.at
            for row in interventions
            if row.action == EPINEPHRINE_STEP and row.declined_reason is None
        ),
    )


def _outcome(
    db: Session, session_id: int, names: dict[int, str]
) -> tuple[Outcome | None, datetime | None, str | None]:
    row = db.scalars(
        select(models.ReactionRecord)
        .where(models.ReactionRecord.session_id == session_id)
        .order_by(models.ReactionRecord.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, None, None
    outcome = Outcome(
        disposition=Disposition(row.disposition),
        resolved_at=row.resolved_at,
        restarted_at=row.restarted_at,
        restart_rate=row.restart_rate,
        ctcae_term=row.ctcae_term,
        ctcae_grade=row.ctcae_grade,
        suggested_term=row.suggested_term,
        suggested_grade=row.suggested_grade,
        flag_next_session=row.flag_next_session,
        note=row.note,
    )
    return outcome, row.recorded_at, names.get(row.recorded_by_id)


def read_picture(
    db: Session,
    session_id: int,
    action_text: dict[str, str],
    policy: AlertPolicy,
    protocol: DrugProtocol | None = None,
) -> CarePicture:
    """Everything the care panels show for one session, as stored (``protocol``: the session's
    drug protocol, whose notes the guidance shows during a reaction)."""
    names = _names(db)
    symptoms = read_symptoms(db, session_id, names)
    interventions = _current(
        list(
            db.scalars(
                select(models.Intervention)
                .where(models.Intervention.session_id == session_id)
                .order_by(models.Intervention.at, models.Intervention.id)
            )
        )
    )
    events = db.execute(
        select(models.SessionEvent.type, models.SessionEvent.at)
        .where(models.SessionEvent.session_id == session_id)
        .order_by(models.SessionEvent.at, models.SessionEvent.id)
    ).all()
    start = next((at for kind, at in events if kind == "start"), None)
    course = [
        (row.action, row.at)
        for row in interventions
        if row.declined_reason is None and row.action not in ("escalate",)
    ]
    course += [(EVENT_ACTIONS[kind].value, at) for kind, at in events if kind in EVENT_ACTIONS]
    course.sort(key=lambda item: item[1])
    steps = [Step(code, at) for code, at in course]
    steps += [Step(row.detail, row.at) for row in interventions if row.detail]
    onsets = [
        s.onset_at
        for s in symptoms
        if s.code != SITE_REACTION and (start is None or s.onset_at >= start)
    ]
    outcome, outcome_at, outcome_by = _outcome(db, session_id, names)
    guidance = _guidance(db, session_id, action_text, interventions, names)
    if protocol is not None and guidance.steps:
        avoid = [item for item in protocol.premedication if item.advice is Advice.AVOID]
        guidance = replace(
            guidance,
            protocol_notes=(*(item.note for item in avoid), *protocol.risk.notes),
            avoided=tuple(item.code.value for item in avoid),
        )
    return CarePicture(
        session_id=session_id,
        session_start=start,
        symptoms=symptoms,
        guidance=guidance,
        alert=open_alert(session_rows(db), session_id),
        reaction=ReactionView(reaction_clock(onsets, steps), outcome, outcome_at, outcome_by),
        policy=policy,
        course=tuple(course),
    )


def flagged_reactions(db: Session, patient_id: int) -> tuple[str, ...]:
    """Every reaction record of the patient flagged for the next session, newest first.

    The session set-up shows these lines in its red previous-reaction banner.
    """
    rows = _current(
        list(
            db.scalars(
                select(models.ReactionRecord)
                .where(models.ReactionRecord.patient_id == patient_id)
                .order_by(models.ReactionRecord.id)
            )
        )
    )
    lines = []
    for row in sorted(rows, key=lambda r: r.onset_at, reverse=True):
        if not row.flag_next_session:
            continue
        term = row.ctcae_term.replace("_", " ")
        lines.append(
            f"{row.drug_name}, {row.onset_at.astimezone():%d %b %Y}: {term} grade "
            f"{row.ctcae_grade}; {Disposition(row.disposition).label.lower()}"
        )
    return tuple(lines)
