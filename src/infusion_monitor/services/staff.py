"""Staff administration: add staff, reset PINs, change roles (administrators only, audited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor, Permission, Role
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record
from infusion_monitor.services.auth import CREATE_STAFF, RESET_PIN, STAFF_ENTITY, PinHasher
from infusion_monitor.services.credentials import FieldError, check_name, check_pin, check_staff_id
from infusion_monitor.storage.models import Nurse

CHANGE_ROLE = "staff.change_role"


class LastAdministrator(UserError):
    """The change would leave nobody able to manage staff."""


@dataclass(frozen=True)
class StaffMember:
    """One account as the admin window lists it (never the PIN hash)."""

    staff_id: str
    name: str
    role: Role
    has_pin: bool


class StaffService:
    """Use cases of the admin window; each checks MANAGE_STAFF and writes an audit row."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, *, hasher: PinHasher | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hasher = hasher or PinHasher()

    def list_staff(self, actor: Actor) -> tuple[StaffMember, ...]:
        """Every account, by staff ID."""
        actor.require(Permission.MANAGE_STAFF)
        with self._sessions() as db:
            return tuple(
                StaffMember(n.staff_id, n.name, Role(n.role), n.pin_hash is not None)
                for n in db.scalars(select(Nurse).order_by(Nurse.staff_id))
            )

    def add_staff(
        self, actor: Actor, staff_id: str, name: str, role: Role, pin: str
    ) -> StaffMember:
        """Create an account with a first PIN (the member of staff should change it)."""
        actor.require(Permission.MANAGE_STAFF)
        staff_id, name, pin = check_staff_id(staff_id), check_name(name), check_pin(pin)
        role = Role(role)
        pin_hash = self._hasher.hash(pin)
        with self._sessions.begin() as db:
            if db.scalar(select(Nurse.id).where(Nurse.staff_id == staff_id)) is not None:
                raise FieldError("Staff ID", f"Staff ID {staff_id} is taken; choose another.")
            db.add(Nurse(staff_id=staff_id, name=name, role=role.value, pin_hash=pin_hash))
            record(
                db,
                actor,
                at=self._clock.now(),
                action=CREATE_STAFF,
                entity=STAFF_ENTITY,
                entity_id=staff_id,
                after={"staff_id": staff_id, "name": name, "role": role.value},
            )
        return StaffMember(staff_id, name, role, has_pin=True)

    def reset_pin(self, actor: Actor, staff_id: str, pin: str) -> None:
        """Give an account a new PIN; this also ends a lock-out. The PIN is never audited."""
        actor.require(Permission.MANAGE_STAFF)
        pin = check_pin(pin, "New PIN")
        pin_hash = self._hasher.hash(pin)
        with self._sessions.begin() as db:
            nurse = _existing(db, staff_id)
            nurse.pin_hash = pin_hash
            record(
                db,
                actor,
                at=self._clock.now(),
                action=RESET_PIN,
                entity=STAFF_ENTITY,
                entity_id=nurse.staff_id,
            )

    def change_role(self, actor: Actor, staff_id: str, role: Role) -> StaffMember:
        """Change an account's role; the last administrator cannot be demoted."""
        actor.require(Permission.MANAGE_STAFF)
        role = Role(role)
        with self._sessions.begin() as db:
            nurse = _existing(db, staff_id)
            before = nurse.role
            if before == Role.ADMINISTRATOR.value and role is not Role.ADMINISTRATOR:
                admins = db.scalar(
                    select(func.count()).where(Nurse.role == Role.ADMINISTRATOR.value)
                )
                if admins == 1:
                    raise LastAdministrator(
                        f"{nurse.name} is the only administrator; make someone else an "
                        "administrator first, or nobody could manage staff."
                    )
            nurse.role = role.value
            record(
                db,
                actor,
                at=self._clock.now(),
                action=CHANGE_ROLE,
                entity=STAFF_ENTITY,
                entity_id=nurse.staff_id,
                before={"role": before},
                after={"role": role.value},
            )
            return StaffMember(nurse.staff_id, nurse.name, role, nurse.pin_hash is not None)


def _existing(db: Session, staff_id: str) -> Nurse:
    cleaned = check_staff_id(staff_id)
    nurse = db.scalar(select(Nurse).where(Nurse.staff_id == cleaned))
    if nurse is None:
        raise FieldError("Staff ID", f"There is no staff account {cleaned}.")
    return nurse
