"""Staff administration: add staff, reset PINs, change roles (administrators only, audited)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor, Permission, Role
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record
from infusion_monitor.services.staff.credentials import (
    FieldError,
    check_name,
    check_pin,
    check_staff_id,
)
from infusion_monitor.services.staff.sign_in import (
    CREATE_STAFF,
    RESET_PIN,
    STAFF_CHANGED,
    STAFF_ENTITY,
    PinHasher,
)
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.models import Nurse

CHANGE_ROLE = "staff.change_role"
DISABLE_STAFF = "staff.disable"
#: A one-time code has this many digits (it is typed in the PIN field) and lasts this long.
ONE_TIME_CODE_DIGITS = 8
ONE_TIME_CODE_HOURS = 72


class LastAdministrator(UserError):
    """The change would leave nobody able to manage staff."""


@dataclass(frozen=True)
class StaffMember:
    """One account as the admin window lists it (never the PIN hash)."""

    staff_id: str
    name: str
    role: Role
    has_pin: bool
    active: bool = True


@dataclass(frozen=True)
class Provisioned:
    """An account made without a PIN, and the one-time code to hand to its owner (once)."""

    member: StaffMember
    code: str
    valid_until: datetime


@dataclass(frozen=True)
class NewStaff:
    """One account to provision (a row of an import file)."""

    staff_id: str
    name: str
    role: Role


class StaffService:
    """Use cases of the admin window; each checks MANAGE_STAFF and writes an audit row."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, *, hasher: PinHasher | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hasher = hasher or PinHasher()

    def list_staff(self, actor: Actor) -> tuple[StaffMember, ...]:
        """Every account, by staff ID (for those who may manage staff)."""
        actor.require(Permission.MANAGE_STAFF)
        return self.accounts()

    def accounts(self) -> tuple[StaffMember, ...]:
        """Every account, by staff ID: the unit model's read after a staff change (it follows
        the signed-in account; the staff window shows it only to those who may manage staff)."""
        with self._sessions() as db:
            return tuple(
                StaffMember(n.staff_id, n.name, Role(n.role), n.pin_hash is not None, n.active)
                for n in db.scalars(select(Nurse).order_by(Nurse.staff_id))
            )

    def provision(self, actor: Actor, accounts: Sequence[NewStaff]) -> tuple[Provisioned, ...]:
        """Create accounts without a PIN, each with a one-time code (all or none are stored).

        The owner signs in once with the code and chooses a PIN; the code expires after
        ``ONE_TIME_CODE_HOURS``. The audit row names the account, never the code.
        """
        actor.require(Permission.MANAGE_STAFF)
        now = self._clock.now()
        until = now + timedelta(hours=ONE_TIME_CODE_HOURS)
        cleaned = [
            NewStaff(check_staff_id(a.staff_id), check_name(a.name), Role(a.role)) for a in accounts
        ]
        ids = [a.staff_id for a in cleaned]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise FieldError("Staff ID", f"Staff ID {', '.join(twice)} appears twice.")
        made = []
        with self._sessions.begin() as db:
            record_changes(db, STAFF_CHANGED)
            taken = set(db.scalars(select(Nurse.staff_id).where(Nurse.staff_id.in_(ids))))
            if taken:
                raise FieldError(
                    "Staff ID", f"Staff ID {', '.join(sorted(taken))} is taken; nothing was added."
                )
            for account in cleaned:
                code = f"{secrets.randbelow(10**ONE_TIME_CODE_DIGITS):0{ONE_TIME_CODE_DIGITS}d}"
                db.add(
                    Nurse(
                        staff_id=account.staff_id,
                        name=account.name,
                        role=account.role.value,
                        pin_hash=None,
                        active=True,
                        setup_code_hash=self._hasher.hash(code),
                        setup_code_until=until,
                    )
                )
                record(
                    db,
                    actor,
                    at=now,
                    action=CREATE_STAFF,
                    entity=STAFF_ENTITY,
                    entity_id=account.staff_id,
                    after={
                        "staff_id": account.staff_id,
                        "name": account.name,
                        "role": account.role.value,
                        "one_time_code_until": until.isoformat(),
                    },
                )
                member = StaffMember(account.staff_id, account.name, account.role, False)
                made.append(Provisioned(member, code, until))
        return tuple(made)

    def disable(self, actor: Actor, staff_id: str) -> StaffMember:
        """Stop an account signing in (its records stay); never the last active administrator."""
        actor.require(Permission.MANAGE_STAFF)
        with self._sessions.begin() as db:
            record_changes(db, STAFF_CHANGED)
            nurse = _existing(db, staff_id)
            if nurse.role == Role.ADMINISTRATOR.value and nurse.active:
                admins = db.scalar(
                    select(func.count()).where(
                        Nurse.role == Role.ADMINISTRATOR.value, Nurse.active.is_(True)
                    )
                )
                if admins == 1:
                    raise LastAdministrator(
                        f"{nurse.name} is the only active administrator; add another "
                        "administrator first, or nobody could manage staff."
                    )
            nurse.active = False
            nurse.setup_code_hash = None
            nurse.setup_code_until = None
            record(
                db,
                actor,
                at=self._clock.now(),
                action=DISABLE_STAFF,
                entity=STAFF_ENTITY,
                entity_id=nurse.staff_id,
                before={"active": True},
                after={"active": False},
            )
            return StaffMember(
                nurse.staff_id, nurse.name, Role(nurse.role), nurse.pin_hash is not None, False
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
            record_changes(db, STAFF_CHANGED)
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
            record_changes(db, STAFF_CHANGED)
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
            record_changes(db, STAFF_CHANGED)
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
