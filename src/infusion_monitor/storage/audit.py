"""The audit log: who did what, when, before/after, each row chained to the previous by hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from infusion_monitor.storage.base import NaiveDateTimeError
from infusion_monitor.storage.inserts import insert_rows
from infusion_monitor.storage.models import AuditEntry
from infusion_monitor.storage.transaction import transaction_memo

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
    actor_role: str | None = None,
    workstation: str | None = None,
) -> str:
    """SHA-256 (hex) of the canonical JSON of one row's fields and the previous row's hash.

    ``actor_role`` and ``workstation`` (added in schema 0002) enter the hash only when set, so
    rows written before they existed still verify.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDateTimeError(f"refusing naive audit time {at.isoformat()}: give a tzinfo")
    fields: dict[str, Any] = {
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    if actor_role is not None:
        fields["actor_role"] = actor_role
    if workstation is not None:
        fields["workstation"] = workstation
    canonical = json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: The PostgreSQL advisory-lock key that serialises appends to the audit chain (any fixed number).
AUDIT_CHAIN_LOCK_KEY = 0x1AD17C4A1


@dataclass(frozen=True)
class AuditDraft:
    """One audit row to append: who did what to which entity, when, before and after."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor_role: str | None = None
    workstation: str | None = None


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
    actor_role: str | None = None,
    workstation: str | None = None,
) -> None:
    """Insert an audit row chained to the latest one, in the caller's transaction (never commits).

    ``before``/``after`` must be JSON-serialisable (strings, numbers, booleans, lists, dicts).
    """
    draft = AuditDraft(at, actor, action, entity, str(entity_id), before, after)
    append_audit_rows(db, [replace(draft, actor_role=actor_role, workstation=workstation)])


def append_audit_rows(db: Session, drafts: Sequence[AuditDraft]) -> None:
    """Insert audit rows in this order, each chained to the one before, in one statement.

    Writers take turns at the tail: SQLite transactions already start with ``BEGIN IMMEDIATE``;
    on PostgreSQL a transaction-level advisory lock makes a second writer wait for the first to
    commit instead of failing. ``prev_hash`` is unique as well, so the chain can never fork.
    Holding the tail, a transaction reads the chain's head once and then remembers the hash of
    its own newest row (forgotten if a savepoint rolls back: its rows and its lock are gone).
    """
    head = transaction_memo(db, "audit_chain_head")
    prev_hash = head.get("hash")
    if prev_hash is None:
        if db.get_bind().dialect.name == "postgresql":
            db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK_KEY})
        prev_hash = db.scalar(select(AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1))
        prev_hash = prev_hash or GENESIS_HASH
    rows = []
    for draft in drafts:
        fields: dict[str, Any] = {
            "at": draft.at,
            "actor": draft.actor,
            "action": draft.action,
            "entity": draft.entity,
            "entity_id": draft.entity_id,
            "before": draft.before,
            "after": draft.after,
            "prev_hash": prev_hash,
            "actor_role": draft.actor_role,
            "workstation": draft.workstation,
        }
        prev_hash = row_hash(**fields)
        rows.append({**fields, "row_hash": prev_hash})
    if rows:
        insert_rows(db, AuditEntry, rows)
    head["hash"] = prev_hash


@dataclass(frozen=True)
class AuditVerification:
    """The outcome of walking the whole chain: how many rows, and the first break if any."""

    entries: int
    broken: AuditBreak | None


def verify_audit_chain(db: Session) -> AuditBreak | None:
    """Walk the log oldest first; return the first broken link, or None if the chain holds."""
    return check_audit_chain(db).broken


def check_audit_chain(db: Session) -> AuditVerification:
    """Walk the log oldest first; count the rows and find the first broken link, if any.

    An edited row no longer matches its own hash; a deleted row leaves the next row pointing at
    a hash that is not its predecessor's. (Removing the newest rows cannot be seen from the chain
    alone; backups keep a copy to compare with.)
    """
    rows = db.execute(
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor,
            AuditEntry.actor_role,
            AuditEntry.workstation,
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
    expected_prev = GENESIS_HASH
    count = 0
    try:
        for row in rows:
            count += 1
            if row.prev_hash != expected_prev:
                return AuditVerification(
                    count, AuditBreak(row.id, "the row before it was removed or altered")
                )
            recomputed = row_hash(
                at=row.at,
                actor=row.actor,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
                prev_hash=row.prev_hash,
                actor_role=row.actor_role,
                workstation=row.workstation,
            )
            if recomputed != row.row_hash:
                return AuditVerification(
                    count, AuditBreak(row.id, "the row was altered after it was written")
                )
            expected_prev = row.row_hash
    finally:
        # PostgreSQL streams through a server-side cursor: close it even on an early return.
        rows.close()
    return AuditVerification(count, None)
