"""Each finished session's quality summary, kept current in the transaction that changes it.

:func:`summarise_sessions` works out a finished session's facts from its records
(``quality_facts.session_facts``: vitals checks by phase, late and skipped checks by reason,
the reaction and its response times) and writes them to ``session_quality`` and
``session_quality_missed``, replacing what was there; a session that is not finished (or no
longer, e.g. a completed infusion whose observation began) loses its summary. The quality page
then reads a year as a GROUP BY over these rows (``quality_reads``).

Who calls it: the year generator after writing a month, the migration that created the tables
(every finished session), and this module's commit hook. The hook notes the sessions whose
records a transaction adds or changes (sessions, events, vitals, symptoms, interventions,
alerts, reaction records) and, just before the commit, summarises the finished ones among them
in the same transaction, so a session is summarised when it finishes and again when a finished
session is amended or corrected, whichever use case does it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from infusion_monitor.services.review.quality_facts import (
    FIRST_HOUR,
    LATER,
    OBSERVATION,
    ReactionFact,
    session_facts,
)
from infusion_monitor.services.review.query import FINISHED
from infusion_monitor.storage import models

PHASES = (FIRST_HOUR, LATER, OBSERVATION)
#: Sessions summarised per round of queries (a year is summarised in rounds; the id lists stay
#: far below any database's limit on bound parameters).
CHUNK = 500
#: The records whose rows, added or changed, change a session's summary.
_RECORDS = (
    models.SessionEvent,
    models.VitalSigns,
    models.SymptomRecord,
    models.Intervention,
    models.Alert,
    models.ReactionRecord,
)
_TOUCHED = "quality_summary.touched"


def summarise_sessions(db: Session, session_ids: Iterable[int]) -> None:
    """Write the quality summary of each finished session of ``session_ids`` in ``db``'s
    transaction (replacing the one it had); remove that of the others."""
    ids = sorted(set(session_ids))
    for start in range(0, len(ids), CHUNK):
        _summarise(db, ids[start : start + CHUNK])


def summarise_finished_sessions(db: Session) -> None:
    """Summarise every finished session (filling the tables of a database that had none)."""
    s = models.InfusionSession
    summarise_sessions(db, db.scalars(select(s.id).where(s.state.in_(FINISHED))))


def _summarise(db: Session, ids: list[int]) -> None:
    quality, missed = models.SessionQuality, models.SessionQualityMissed
    s = models.InfusionSession
    # Two workstations amending one session: the second waits here for the first to commit,
    # then works from what it committed (PostgreSQL; SQLite has one writer at a time anyway).
    db.execute(select(s.id).where(s.id.in_(ids)).with_for_update())
    db.execute(delete(missed).where(missed.session_id.in_(ids)))
    db.execute(delete(quality).where(quality.session_id.in_(ids)))
    finished = db.execute(
        select(s.id, s.created_at, s.nurse_id, s.chair_id, s.drug_name, s.cycle).where(
            s.id.in_(ids), s.state.in_(FINISHED)
        )
    ).all()
    if not finished:
        return
    facts = session_facts(db, [row[0] for row in finished])
    late: Counter[tuple[int, str]] = Counter()
    skipped: Counter[tuple[int, str]] = Counter()
    reasons: Counter[tuple[int, str, str]] = Counter()
    for check in facts.missed:
        (late if check.kind == "late" else skipped)[(check.session_id, check.phase)] += 1
        reasons[(check.session_id, check.kind, check.reason)] += 1
    reactions = {r.session_id: r for r in facts.reactions}
    rows = []
    for sid, created_at, nurse_id, chair_id, drug, cycle in finished:
        row: dict[str, Any] = {
            "session_id": sid,
            "created_at": created_at,
            "nurse_id": nurse_id,
            "chair_id": chair_id,
            "drug_name": drug,
            "cycle": cycle or 1,
        }
        sets = facts.sets_by_phase.get(sid, (0, 0, 0))
        for phase, count in zip(PHASES, sets, strict=True):
            row[f"sets_{phase}"] = count
            row[f"late_{phase}"] = late[(sid, phase)]
            row[f"skipped_{phase}"] = skipped[(sid, phase)]
            row[f"on_time_{phase}"] = count - min(late[(sid, phase)], count)
        for what in ("sets", "on_time", "late", "skipped"):
            row[what] = sum(row[f"{what}_{phase}"] for phase in PHASES)
        row.update(_reaction_columns(reactions.get(sid)))
        rows.append(row)
    db.execute(insert(quality), rows)
    if reasons:
        db.execute(
            insert(missed),
            [
                {"session_id": sid, "kind": kind, "reason": reason, "checks": checks}
                for (sid, kind, reason), checks in reasons.items()
            ],
        )


_REACTION_COLUMNS = (
    "reaction_drug",
    "reaction_term",
    "reaction_grade",
    "suggested_term",
    "suggested_grade",
    "disposition",
    "restart_completed",
    "to_stopped_min",
    "to_notified_min",
    "to_first_drug_min",
    "to_epinephrine_min",
)


def _reaction_columns(reaction: ReactionFact | None) -> dict[str, Any]:
    if reaction is None:
        return dict.fromkeys(_REACTION_COLUMNS)
    return {
        "reaction_drug": reaction.drug,
        "reaction_term": reaction.term,
        "reaction_grade": reaction.grade,
        "suggested_term": reaction.suggested_term,
        "suggested_grade": reaction.suggested_grade,
        "disposition": reaction.disposition,
        "restart_completed": reaction.restart_completed,
        "to_stopped_min": reaction.to_stopped_min,
        "to_notified_min": reaction.to_notified_min,
        "to_first_drug_min": reaction.to_first_drug_min,
        "to_epinephrine_min": reaction.to_epinephrine_min,
    }


@event.listens_for(Session, "after_flush")
def _note_touched(db: Session, _context: object) -> None:
    """Remember the sessions whose records this flush added or changed."""
    touched: set[int] = db.info.setdefault(_TOUCHED, set())
    for row in chain(db.new, db.dirty):
        if isinstance(row, models.InfusionSession):
            touched.add(row.id)
        elif isinstance(row, _RECORDS):
            touched.add(row.session_id)


@event.listens_for(Session, "before_commit")
def _summarise_touched(db: Session) -> None:
    """Summarise the finished sessions this transaction touched (and forget unfinished ones)."""
    db.flush()
    touched = db.info.pop(_TOUCHED, None)
    if not touched:
        return
    s, quality = models.InfusionSession, models.SessionQuality
    stale = [
        sid
        for sid, state, summarised in db.execute(
            select(s.id, s.state, quality.session_id)
            .outerjoin(quality, quality.session_id == s.id)
            .where(s.id.in_(touched))
        )
        if state in FINISHED or summarised is not None
    ]
    if stale:
        summarise_sessions(db, stale)
