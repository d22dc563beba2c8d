"""The staff row a clinical record names as its author: one way to find it for every service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record as record_audit
from infusion_monitor.storage import models
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.transaction import transaction_memo

_STAFF_ROWS = "staff_rows"


class AccountDisabled(UserError):
    """The signed-in actor's account was disabled since the sign-in: nothing is recorded."""


def staff_row(db: Session, staff_id: str) -> models.Nurse | None:
    """The staff row of ``staff_id`` inside ``db``'s transaction, or None if there is none.

    Read once per transaction (a group commit stores many sets by the same actor).
    """
    known = transaction_memo(db, _STAFF_ROWS)
    nurse: models.Nurse | None = known.get(staff_id)
    if nurse is None:
        nurse = db.scalars(select(models.Nurse).where(models.Nurse.staff_id == staff_id)).first()
        if nurse is not None:
            known[staff_id] = nurse
    return nurse


def still_active(nurse: models.Nurse, actor: Actor) -> models.Nurse:
    """``nurse``, unless the account was disabled (on any workstation) since ``actor`` signed
    in: then :class:`AccountDisabled`, and the caller's transaction stores nothing."""
    if not nurse.active:
        raise AccountDisabled(
            f"The account {actor.staff_id} ({actor.name}) was disabled by an administrator, "
            "so nothing was saved. Sign out and ask a colleague to record this."
        )
    return nurse


def author_row(db: Session, actor: Actor, now: datetime) -> models.Nurse:
    """The staff row of ``actor`` inside ``db``'s transaction.

    Signed-in staff always have one; an actor first seen here (the workstation or monitor-gateway
    actor of tools and tests) is registered once, with its audit row.
    """
    nurse = staff_row(db, actor.staff_id)
    if nurse is not None:
        return still_active(nurse, actor)
    nurse = models.Nurse(staff_id=actor.staff_id, name=actor.name, role=actor.role.value)
    db.add(nurse)
    db.flush()
    # Held for the transaction: were the new row dropped and read again, a savepoint rolled
    # back would not know it as its own and would leave it in the session.
    transaction_memo(db, _STAFF_ROWS)[actor.staff_id] = nurse
    record_changes(db, Changes(staff=True))
    record_audit(
        db,
        actor,
        at=now,
        action="staff.register_actor",
        entity="nurse",
        entity_id=nurse.id,
        before=None,
        after={"staff_id": actor.staff_id, "name": actor.name, "role": actor.role.value},
    )
    return nurse
