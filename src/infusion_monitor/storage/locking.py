"""Optimistic locking of infusion sessions: a stale edit from another workstation is refused.

Every screen that edits a session keeps the ``version`` it showed. The use case loads the row
with :func:`session_for_update`; if another workstation has changed it since, the edit is
refused with :class:`SessionConflictError` and nothing is overwritten. Two writers racing past
that check are still caught at flush by the mapper's ``version_id_col`` (the UPDATE matches no
row), which :func:`conflicts_refused` turns into the same error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from infusion_monitor.errors import UserError
from infusion_monitor.storage.models import InfusionSession

SESSION_CONFLICT_MESSAGE = (
    "This session was changed on another workstation; your screen has been reloaded — "
    "check and try again."
)


class SessionConflictError(UserError):
    """Another workstation changed the session since this screen loaded it; nothing was saved.

    The screen reloads session ``session_id`` and the nurse checks and repeats the change.
    """

    def __init__(self, session_id: int) -> None:
        super().__init__(SESSION_CONFLICT_MESSAGE)
        self.session_id = session_id


def session_for_update(db: Session, session_id: int, expected_version: int) -> InfusionSession:
    """The session row, if it is still at ``expected_version``; else :class:`SessionConflictError`.

    Runs in the caller's transaction (never commits). A session that no longer exists is a
    conflict too: someone else removed what this screen showed.
    """
    row = db.get(InfusionSession, session_id, populate_existing=True)
    if row is None or row.version != expected_version:
        raise SessionConflictError(session_id)
    return row


@contextmanager
def conflicts_refused(session_id: int) -> Iterator[None]:
    """Turn a stale UPDATE of session ``session_id`` (a lost race) into SessionConflictError."""
    try:
        yield
    except StaleDataError as exc:
        raise SessionConflictError(session_id) from exc
