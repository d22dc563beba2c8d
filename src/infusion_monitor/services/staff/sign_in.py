"""Sign-in with staff ID and PIN, the first administrator, lock-out, and who is signed in now.

PINs are hashed with Argon2id (argon2-cffi); verification is constant-time, and an unknown staff
ID is checked against a dummy hash so a wrong ID takes as long as a wrong PIN. After
``max_failures`` wrong PINs in a row an account is locked for ``lock_minutes``; the count is
read from the audit trail itself (every attempt is audited), so restarting the app does not
reset it, and an administrator's PIN reset ends the lock.

Every use case here is Qt-free. :class:`SignInState` holds the actor the UI passes to the other
services; the services check ``actor.require(...)`` themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import NOBODY, record
from infusion_monitor.services.staff.credentials import (
    STAFF_ID_PATTERN,
    FieldError,
    FirstRunDone,
    PinChoiceNeeded,
    SignInFailed,
    administrator_exists,
    check_name,
    check_pin,
    check_staff_id,
)
from infusion_monitor.storage.audit import append_audit
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.models import AuditEntry, Nurse
from infusion_monitor.storage.sql_rows import session_rows

DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCK_MINUTES = 5

#: Audit entity and actions written here (entity_id is the staff ID).
STAFF_ENTITY = "staff"
#: What a change to the staff accounts changed (the staff list, who can sign in).
STAFF_CHANGED = Changes(staff=True)
SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
SIGN_IN_REFUSED = "auth.sign_in_refused_locked"
LOCKED_OUT = "auth.locked_out"
SIGN_OUT = "auth.sign_out"
CREATE_STAFF = "staff.create"
RESET_PIN = "staff.reset_pin"
ONE_TIME_CODE_ACCEPTED = "auth.one_time_code_accepted"
FIRST_PIN = "staff.first_pin"
#: Closing the app while infusions run or alerts are open: confirmed, or kept running.
WORKSTATION_ENTITY = "workstation"
QUIT = "app.quit"
QUIT_CANCELLED = "app.quit_cancelled"
#: entity_id recorded for a failed sign-in with a staff ID that does not exist (never the text
#: typed: a PIN typed into the staff ID field must not reach the audit trail).
UNKNOWN_STAFF = "?"


class AccountLocked(SignInFailed):
    """Too many wrong PINs in a row: the account is locked for a while."""


class NotSignedIn(UserError):
    """Nobody is signed in at this workstation (the screen is locked)."""


class PinHasher:
    """Argon2id hashing and constant-time verification of PINs."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    @functools.cached_property
    def _dummy(self) -> str:
        """A hash to verify against for an unknown staff ID, made at the first need (not at
        start-up, where it would cost a hash's time before the board is shown)."""
        return self._hasher.hash("0000")

    def hash(self, pin: str) -> str:
        """Hash a PIN that already passed :func:`check_pin`."""
        return self._hasher.hash(pin)

    def verify(self, pin_hash: str | None, pin: str) -> bool:
        """Whether ``pin`` matches ``pin_hash``; without a hash, spend the same time and say no."""
        try:
            return self._hasher.verify(pin_hash or self._dummy, pin) and pin_hash is not None
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True)
class LockoutPolicy:
    """How many wrong PINs in a row lock an account, and for how long."""

    max_failures: int = DEFAULT_MAX_FAILURES
    lock_minutes: float = DEFAULT_LOCK_MINUTES


def actor_for(nurse: Nurse, workstation: str) -> Actor:
    """The :class:`Actor` for a staff row signed in at ``workstation``."""
    return Actor(nurse.staff_id, nurse.name, Role(nurse.role), workstation)


class AuthService:
    """Signs staff in at one workstation, and creates the first administrator."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        *,
        workstation: str,
        policy: LockoutPolicy | None = None,
        hasher: PinHasher | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.workstation = workstation
        self._policy = policy or LockoutPolicy()
        self.hasher = hasher or PinHasher()

    def needs_first_run(self) -> bool:
        """True while no administrator with a PIN exists: the first-run form must be shown."""
        with self._sessions() as db:
            return not administrator_exists(session_rows(db))

    def create_first_administrator(self, staff_id: str, name: str, pin: str) -> Actor:
        """Create the first administrator account (audited) and return it signed in.

        Refused once any administrator exists, so the first-run form cannot be used twice.
        """
        staff_id, name, pin = check_staff_id(staff_id), check_name(name), check_pin(pin)
        pin_hash = self.hasher.hash(pin)
        now = self._clock.now()
        with self._sessions.begin() as db:
            if administrator_exists(session_rows(db)):
                raise FirstRunDone(
                    "An administrator account exists already; sign in with it instead."
                )
            if db.scalar(select(Nurse.id).where(Nurse.staff_id == staff_id)) is not None:
                raise FieldError("Staff ID", f"Staff ID {staff_id} is taken; choose another.")
            nurse = Nurse(staff_id=staff_id, name=name, role=Role.ADMINISTRATOR.value)
            nurse.pin_hash = pin_hash
            db.add(nurse)
            record_changes(db, STAFF_CHANGED)
            actor = actor_for(nurse, self.workstation)
            record(
                db,
                actor,
                at=now,
                action=CREATE_STAFF,
                entity=STAFF_ENTITY,
                entity_id=staff_id,
                after={"staff_id": staff_id, "name": name, "role": actor.role.value},
            )
        return actor

    def sign_in(self, staff_id: str, pin: str) -> Actor:
        """Return the actor for a matching staff ID and PIN; every attempt is audited.

        Raises :class:`SignInFailed` (wrong ID or PIN, without saying which),
        :class:`AccountLocked` after too many wrong PINs, or a ``StorageError`` if the attempt
        cannot be recorded (then nobody is signed in; the form keeps what was typed).
        """
        cleaned = staff_id.strip().upper()
        now = self._clock.now()
        with self._sessions.begin() as db:
            nurse = (
                db.scalar(select(Nurse).where(Nurse.staff_id == cleaned))
                if STAFF_ID_PATTERN.fullmatch(cleaned)
                else None
            )
            locked_until = self._locked_until(db, cleaned, now) if nurse else None
            if nurse is not None and locked_until is not None:
                self._audit_anonymous(db, now, SIGN_IN_REFUSED, cleaned)
                error: SignInFailed | PinChoiceNeeded = _locked_error(locked_until)
            elif nurse is not None and not nurse.active:
                self._audit_anonymous(db, now, SIGN_IN_FAILED, cleaned, after={"disabled": True})
                error = SignInFailed(
                    f"The account {cleaned} is disabled. Ask an administrator if you need it."
                )
            elif self.hasher.verify(nurse.pin_hash if nurse else None, pin) and nurse:
                actor = actor_for(nurse, self.workstation)
                record(db, actor, at=now, action=SIGN_IN, entity=STAFF_ENTITY, entity_id=cleaned)
                return actor
            elif nurse is not None and self._code_matches(nurse, pin, now):
                self._audit_anonymous(db, now, ONE_TIME_CODE_ACCEPTED, cleaned)
                error = PinChoiceNeeded(
                    "One-time code accepted. Choose your own PIN (4 to 8 digits) and type it twice."
                )
            else:
                error = self._record_failure(db, nurse, now)
        raise error

    def choose_first_pin(self, staff_id: str, code: str, pin: str) -> Actor:
        """Sign in with a one-time code and set the account's own PIN (the code is used up).

        Audited as the PIN set by the member of staff, then the sign-in; a wrong or expired code
        counts as a failed sign-in.
        """
        cleaned = staff_id.strip().upper()
        pin = check_pin(pin)
        now = self._clock.now()
        with self._sessions.begin() as db:
            nurse = db.scalar(select(Nurse).where(Nurse.staff_id == cleaned))
            if nurse is not None and nurse.active and self._code_matches(nurse, code, now):
                nurse.pin_hash = self.hasher.hash(pin)
                nurse.setup_code_hash = None
                nurse.setup_code_until = None
                record_changes(db, STAFF_CHANGED)
                actor = actor_for(nurse, self.workstation)
                record(db, actor, at=now, action=FIRST_PIN, entity=STAFF_ENTITY, entity_id=cleaned)
                record(db, actor, at=now, action=SIGN_IN, entity=STAFF_ENTITY, entity_id=cleaned)
                return actor
            error = self._record_failure(db, nurse, now)
        raise error

    def _code_matches(self, nurse: Nurse, code: str, now: datetime) -> bool:
        """Whether ``code`` is the account's unexpired one-time code (only before a PIN)."""
        return (
            nurse.pin_hash is None
            and nurse.setup_code_hash is not None
            and nurse.setup_code_until is not None
            and now < nurse.setup_code_until
            and self.hasher.verify(nurse.setup_code_hash, code)
        )

    def sign_out(self, actor: Actor, reason: str) -> None:
        """Audit that ``actor`` left the workstation (``reason``: locked, switched, signed out)."""
        with self._sessions.begin() as db:
            record(
                db,
                actor,
                at=self._clock.now(),
                action=SIGN_OUT,
                entity=STAFF_ENTITY,
                entity_id=actor.staff_id,
                after={"reason": reason},
            )

    def record_quit(self, actor: Actor | None, *, confirmed: bool, at_risk: list[str]) -> None:
        """Audit the answer to "quit while infusions run or alerts are open?" at this workstation.

        ``at_risk`` names what was running or alerting (chairs, no patient identity); the
        actor is whoever is signed in, or nobody while the screen is locked.
        """
        action = QUIT if confirmed else QUIT_CANCELLED
        after: dict[str, object] = {"at_risk": at_risk}
        with self._sessions.begin() as db:
            if actor is None:
                self._audit_anonymous(
                    db, self._clock.now(), action, self.workstation, after, WORKSTATION_ENTITY
                )
            else:
                record(
                    db,
                    actor,
                    at=self._clock.now(),
                    action=action,
                    entity=WORKSTATION_ENTITY,
                    entity_id=self.workstation,
                    after=after,
                )

    def _record_failure(self, db: Session, nurse: Nurse | None, now: datetime) -> SignInFailed:
        entity_id = nurse.staff_id if nurse else UNKNOWN_STAFF
        self._audit_anonymous(db, now, SIGN_IN_FAILED, entity_id)
        if nurse is None:
            return SignInFailed("Staff ID or PIN not recognised. Check both and try again.")
        locked_until = self._locked_until(db, nurse.staff_id, now)
        if locked_until is not None:
            self._audit_anonymous(
                db,
                now,
                LOCKED_OUT,
                entity_id,
                after={"failures": self._policy.max_failures, "until": locked_until.isoformat()},
            )
            return _locked_error(locked_until)
        return SignInFailed("Staff ID or PIN not recognised. Check both and try again.")

    def _locked_until(self, db: Session, staff_id: str, now: datetime) -> datetime | None:
        """When the lock on ``staff_id`` ends, or None if it is not locked.

        Locked when the last ``max_failures`` attempts (sign-ins, failures, PIN resets) were all
        failures and the latest is less than ``lock_minutes`` old.
        """
        recent = db.execute(
            select(AuditEntry.action, AuditEntry.at)
            .where(
                AuditEntry.entity == STAFF_ENTITY,
                AuditEntry.entity_id == staff_id,
                AuditEntry.action.in_((SIGN_IN, SIGN_IN_FAILED, RESET_PIN, CREATE_STAFF)),
            )
            .order_by(AuditEntry.id.desc())
            .limit(self._policy.max_failures)
        ).all()
        if len(recent) < self._policy.max_failures:
            return None
        if any(action != SIGN_IN_FAILED for action, _ in recent):
            return None
        until: datetime = recent[0].at + timedelta(minutes=self._policy.lock_minutes)
        return until if now < until else None

    def _audit_anonymous(
        self,
        db: Session,
        now: datetime,
        action: str,
        entity_id: str,
        after: dict[str, object] | None = None,
        entity: str = STAFF_ENTITY,
    ) -> None:
        append_audit(
            db,
            at=now,
            actor=NOBODY,
            workstation=self.workstation or None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None,
            after=after,
        )


def _locked_error(until: datetime) -> AccountLocked:
    when = until.astimezone().strftime("%H:%M")
    return AccountLocked(
        f"Too many wrong PINs: this account is locked until {when}. "
        "Wait, or ask an administrator to reset the PIN."
    )


Listener = Callable[[Actor | None], None]


class SignInState:
    """Who is signed in at this workstation right now (None: the screen is locked).

    The UI reads ``actor`` (or ``require_actor()``) to pass to the services, and subscribes to
    changes to hide or show patient identity. Sign-ins go through :class:`AuthService`; this
    only remembers the result.
    """

    def __init__(self) -> None:
        self._actor: Actor | None = None
        self._listeners: list[Listener] = []

    @property
    def actor(self) -> Actor | None:
        """The signed-in actor, or None while locked."""
        return self._actor

    def require_actor(self) -> Actor:
        """The signed-in actor, or :class:`NotSignedIn` if the screen is locked."""
        if self._actor is None:
            raise NotSignedIn("Nobody is signed in: sign in to do this.")
        return self._actor

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(actor)`` after every change (None on lock)."""
        self._listeners.append(listener)

    def set_actor(self, actor: Actor | None) -> None:
        """Record who is signed in now (None: locked) and tell the listeners."""
        self._actor = actor
        for listener in self._listeners:
            listener(actor)
