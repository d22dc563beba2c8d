"""The audit helper every use case calls, and the charge nurse's read-only view of the trail.

``record`` adds one audit row, in the caller's transaction, stamped with the actor's staff ID,
role and workstation. ``AuditService`` reads the trail for the audit viewer and verifies the
chain; both are role-checked here, not only in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.storage.audit import AuditVerification, append_audit, check_audit_chain
from infusion_monitor.storage.models import AuditEntry

#: Actor recorded for what happens before anyone signs in (a failed sign-in, say).
NOBODY = "(not signed in)"
#: The most rows the viewer fetches at once; narrow the filter to see older ones.
MAX_VIEW_ROWS = 5000


def record(
    db: Session,
    actor: Actor,
    *,
    at: datetime,
    action: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one audit row for ``actor`` in the caller's transaction (the caller commits).

    ``before``/``after`` must be JSON-serialisable and must never hold a PIN or its hash.
    """
    append_audit(
        db,
        at=at,
        actor=actor.staff_id,
        actor_role=actor.role.value,
        workstation=actor.workstation or None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer asks for; every field is optional and they combine with AND."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    entity: str | None = None
    entity_id: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit row as the viewer shows it (a frozen copy, never an ORM object)."""

    id: int
    at: datetime
    actor: str
    actor_role: str | None
    workstation: str | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditService:
    """Reads and verifies the audit trail; only roles with the AUDIT permission may."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def entries(self, actor: Actor, wanted: AuditFilter) -> tuple[AuditRow, ...]:
        """The rows matching ``wanted``, newest first (at most :data:`MAX_VIEW_ROWS`)."""
        actor.require(Permission.AUDIT)
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(MAX_VIEW_ROWS)
        if wanted.since is not None:
            query = query.where(AuditEntry.at >= wanted.since)
        if wanted.until is not None:
            query = query.where(AuditEntry.at < wanted.until)
        if wanted.actor:
            query = query.where(AuditEntry.actor == wanted.actor.strip())
        if wanted.entity:
            query = query.where(AuditEntry.entity == wanted.entity.strip())
        if wanted.entity_id:
            query = query.where(AuditEntry.entity_id == wanted.entity_id.strip())
        with self._sessions() as db:
            return tuple(
                AuditRow(
                    id=row.id,
                    at=row.at,
                    actor=row.actor,
                    actor_role=row.actor_role,
                    workstation=row.workstation,
                    action=row.action,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    before=row.before,
                    after=row.after,
                )
                for row in db.scalars(query)
            )

    def verify(self, actor: Actor) -> AuditVerification:
        """Walk the whole chain and report the first broken link, if any."""
        actor.require(Permission.AUDIT)
        with self._sessions() as db:
            return check_audit_chain(db)
