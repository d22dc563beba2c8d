"""An alert's history from the audit trail: what it was when raised, and each change in place.

An alert row holds its latest priority and condition: one of the same priority with another
condition is updated, an acknowledged one whose reason eases is lowered (a worse one is a new
alert). The audit rows of those changes carry the before and after, so the review and the trend
plot can show the alert as it was raised and as it changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.storage import models

#: Audit actions of an alert changing in place, with the words the timeline uses for them.
CHANGE_WORDS = {"alert.updated": "now", "alert.lowered": "lowered to"}


@dataclass(frozen=True)
class AlertChangeRecord:
    """One in-place change: when, which action, and the priority and condition after it."""

    at: datetime
    action: str
    priority: AlertPriority
    condition: str


@dataclass(frozen=True)
class AlertHistory:
    """An alert as raised and its in-place changes in order."""

    row: models.Alert
    raised_priority: AlertPriority
    raised_condition: str
    changes: tuple[AlertChangeRecord, ...]


def alert_histories(db: Session, session_id: int) -> list[AlertHistory]:
    """Every alert of the session, in the order raised, with its history."""
    rows: Sequence[models.Alert] = db.scalars(
        select(models.Alert)
        .where(models.Alert.session_id == session_id)
        .order_by(models.Alert.raised_at, models.Alert.id)
    ).all()
    audit: dict[str, list[models.AuditEntry]] = {}
    for entry in db.scalars(
        select(models.AuditEntry)
        .where(
            models.AuditEntry.entity == "alert",
            models.AuditEntry.entity_id.in_([str(row.id) for row in rows]),
            models.AuditEntry.action.in_(list(CHANGE_WORDS)),
        )
        .order_by(models.AuditEntry.id)
    ):
        audit.setdefault(entry.entity_id, []).append(entry)
    histories = []
    for row in rows:
        entries = audit.get(str(row.id), [])
        first = (entries[0].before or {}) if entries else {}
        changes = tuple(
            AlertChangeRecord(
                entry.at,
                entry.action,
                _priority((entry.after or {}).get("priority", row.priority)),
                str((entry.after or {}).get("condition", row.condition)),
            )
            for entry in entries
        )
        histories.append(
            AlertHistory(
                row,
                _priority(first.get("priority", row.priority)),
                str(first.get("condition", row.condition)),
                changes,
            )
        )
    return histories


def _priority(code: object) -> AlertPriority:
    """A stored alert priority (``low``, ``medium`` or ``high``) as the enum."""
    return AlertPriority[str(code).upper()]


def alert_words(priority: AlertPriority, condition: str) -> tuple[str, str]:
    """The priority in words (IEC 60601-1-8 marks: ``!!! HIGH``) and the condition as readable
    words ("airway watch")."""
    return priority.words, condition.replace("_", " ")
