"""Who is acting: staff roles and what each may do. The services check these on every use case."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from infusion_monitor.errors import UserError


class Role(enum.StrEnum):
    """A member of staff's role; the stored value is the enum value."""

    NURSE = "nurse"
    CHARGE_NURSE = "charge_nurse"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        """The role as staff say it."""
        return self.value.replace("_", " ").capitalize()


class Permission(enum.StrEnum):
    """Something a use case needs the actor to be allowed to do."""

    #: Run infusions at the chair: sessions, vitals, symptoms, alerts and guidance.
    CARE = "care"
    #: Open finished sessions and the quality pages of the whole unit.
    REVIEW = "review"
    #: Export or print a session (PDF, CSV, FHIR).
    EXPORT = "export"
    #: Read the audit trail.
    AUDIT = "audit"
    #: Create staff accounts, reset PINs and change roles.
    MANAGE_STAFF = "manage_staff"
    #: Change the unit's set-up: which chair each bedside monitor's bed label means.
    CONFIGURE_UNIT = "configure_unit"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset({Permission.CARE}),
    Role.CHARGE_NURSE: frozenset(
        {
            Permission.CARE,
            Permission.REVIEW,
            Permission.EXPORT,
            Permission.AUDIT,
            Permission.CONFIGURE_UNIT,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {Permission.AUDIT, Permission.MANAGE_STAFF, Permission.CONFIGURE_UNIT}
    ),
}

_DOING = {
    Permission.CARE: "record care at the chair",
    Permission.REVIEW: "open the session review",
    Permission.EXPORT: "export or print sessions",
    Permission.AUDIT: "read the audit trail",
    Permission.MANAGE_STAFF: "manage staff accounts",
    Permission.CONFIGURE_UNIT: "change the unit's bed mappings",
}


class PermissionDenied(UserError):
    """The signed-in member of staff may not do this; the message says who may."""


@dataclass(frozen=True)
class Actor:
    """The signed-in member of staff on whose behalf a use case runs."""

    staff_id: str
    name: str
    role: Role
    #: The workstation the actor signed in at; recorded with every audit row they write.
    workstation: str = ""

    def can(self, permission: Permission) -> bool:
        """Whether this actor's role allows ``permission``."""
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Raise PermissionDenied unless this actor's role allows ``permission``."""
        if self.can(permission):
            return
        allowed = [role.label.lower() for role in Role if permission in ROLE_PERMISSIONS[role]]
        raise PermissionDenied(
            f"{self.name} ({self.role.label.lower()}) may not {_DOING[permission]}; "
            f"sign in as a {' or '.join(allowed)}."
        )
