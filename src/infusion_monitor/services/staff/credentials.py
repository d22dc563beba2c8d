"""What staff IDs, names and PINs must look like, and whether an administrator exists yet.

No SQLAlchemy here: the sign-in panel and the first screen's "create the administrator" check
use it before the database is opened the regular way (see ``storage.first_read``).
"""

from __future__ import annotations

import re

from infusion_monitor.domain.users import Role
from infusion_monitor.errors import UserError
from infusion_monitor.storage.rows import Rows

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8
STAFF_ID_MAX_CHARS = 32
NAME_MAX_CHARS = 200

PIN_PATTERN = re.compile(rf"[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}")
STAFF_ID_PATTERN = re.compile(rf"[A-Za-z0-9._-]{{1,{STAFF_ID_MAX_CHARS}}}")
#: Whether an administrator with a PIN exists (1 or 0 rows).
ADMINISTRATOR_SQL = """
SELECT 1 FROM nurse WHERE role = :administrator AND pin_hash IS NOT NULL LIMIT 1
"""


class FirstRunDone(UserError):
    """An administrator account exists already; the first-run form no longer applies."""


class FieldError(UserError):
    """A form field holds a value that cannot be accepted; ``field`` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SignInFailed(UserError):
    """The staff ID and PIN do not match an account (which of them is wrong is not said)."""


class PinChoiceNeeded(UserError):
    """The one-time code was right: the member of staff now chooses a PIN (``choose_first_pin``)."""


def check_pin(pin: str, field: str = "PIN") -> str:
    """Return ``pin`` if it is 4 to 8 digits, else raise a :class:`FieldError` naming ``field``."""
    if not PIN_PATTERN.fullmatch(pin):
        raise FieldError(
            field, f"{field} must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits, no spaces."
        )
    return pin


def check_staff_id(staff_id: str) -> str:
    """Return the staff ID trimmed and upper-cased, or raise a :class:`FieldError`."""
    cleaned = staff_id.strip().upper()
    if not STAFF_ID_PATTERN.fullmatch(cleaned):
        raise FieldError(
            "Staff ID",
            f"Staff ID must be 1 to {STAFF_ID_MAX_CHARS} letters, digits, '.', '-' or '_'.",
        )
    return cleaned


def check_name(name: str) -> str:
    """Return the name with spaces tidied, or raise a :class:`FieldError`."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX_CHARS:
        raise FieldError("Name", f"Name must be 1 to {NAME_MAX_CHARS} characters.")
    return cleaned


def administrator_exists(rows: Rows) -> bool:
    """Whether an administrator who can sign in exists (else the first-run form is shown)."""
    return bool(rows(ADMINISTRATOR_SQL, {"administrator": Role.ADMINISTRATOR.value}))
