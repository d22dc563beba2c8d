"""What the window needs for sign-in, lock and the staff and audit windows, in one bundle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from infusion_monitor.services.audit import AuditService
from infusion_monitor.services.staff.accounts import StaffService
from infusion_monitor.services.staff.sign_in import AuthService, SignInState


@dataclass(frozen=True)
class SecurityWiring:
    """The sign-in, staff and audit services, who is signed in, and the inactivity lock delay."""

    auth: AuthService
    staff: StaffService
    audit: AuditService
    state: SignInState
    lock_after: timedelta
