"""The audit log: who did what, when, before/after, each row chained to the previous by hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infusion_monitor.storage.base import NaiveDateTimeError
from infusion_monitor.storage.models import AuditEntry

#: ``prev_hash`` of the first row.
GENESIS_HASH = "0" * 64
_VERIFY_BATCH_ROWS = 1000


@dataclass(frozen=True)
class AuditBreak:
    """The first audit row whose chain does not hold, and why."""

    entry_id: int
    reason: str


def row_hash(
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON of one row's fields and the previous row's hash."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDateTimeError(f"refusing naive audit time {at.isoformat()}: give a tzinfo")
    canonical = json.dumps(
        {
            "at": at.astimezone(UTC).isoformat(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append_audit(
    db: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Add an audit row chained to the latest one, in the caller's transaction (never commits).

    ``before``/``after`` must be JSON-serialisable (strings, numbers, booleans, lists, dicts).
    ``prev_hash`` is unique, so two writers racing for the same tail cannot fork the chain: one
    of them fails and its whole transaction rolls back.
    """
    prev_hash = db.scalar(select(AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1))
    prev_hash = prev_hash or GENESIS_HASH
    fields: dict[str, Any] = {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    entry = AuditEntry(**fields, row_hash=row_hash(**fields))
    db.add(entry)
    db.flush()
    return entry


def verify_audit_chain(db: Session) -> AuditBreak | None:
    """Walk the log oldest first; return the first broken link, or None if the chain holds.

    An edited row no longer matches its own hash; a deleted row leaves the next row pointing at
    a hash that is not its predecessor's. (Removing the newest rows cannot be seen from the chain
    alone; backups keep a copy to compare with.)
    """
    rows = db.execute(
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.before,
            AuditEntry.after,
            AuditEntry.prev_hash,
            AuditEntry.row_hash,
        )
        .order_by(AuditEntry.id)
        .execution_options(yield_per=_VERIFY_BATCH_ROWS)
    )
    try:
        expected_prev = GENESIS_HASH
        for row in rows:
            if row.prev_hash != expected_prev:
                return AuditBreak(row.id, "the row before it was removed or altered")
            recomputed = row_hash(
                at=row.at,
                actor=row.actor,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
                prev_hash=row.prev_hash,
            )
            if recomputed != row.row_hash:
                return AuditBreak(row.id, "the row was altered after it was written")
            expected_prev = row.row_hash
    finally:
        # PostgreSQL streams through a server-side cursor: close it even on an early return.
        rows.close()
    return None
