"""A unit's database for integration tests: open it on a backend, add chairs with sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.sessions.lifecycle import SessionRef, SessionService
from infusion_monitor.storage.models import VitalSigns
from session_helpers import draft, library

#: Sessions start well before "now", so monitor times are never before the session began.
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
_RULES = default_rules()


def add_running_session(
    sessions: sessionmaker[Session],
    chair: str,
    mrn: str,
    *,
    staff_id: str = "N001",
    at: datetime = STARTED,
) -> int:
    """Set up and start a session in ``chair`` through the services, at ``at``; return its id.

    The set-up stores the patient, the chair (if new) and a baseline taken 5 minutes before.
    """
    clock = FakeClock(at)
    service = SessionService(
        sessions,
        library(),
        lambda: _RULES,
        clock,
        (chair,),
        assessing=AssessingService(lambda: _RULES),
    )
    actor = Actor(staff_id, "Ada Nurse", Role.NURSE)
    detail = service.set_up(draft(clock, chair=chair, mrn=mrn, nurse_staff_id=staff_id), actor)
    detail = detail.detail
    clock.advance(timedelta(minutes=1))
    service.start(SessionRef(detail.id, detail.version), actor)
    return detail.id


def add_monitor_set(
    sessions: sessionmaker[Session], session_id: int, taken_at: datetime, **values: int
) -> None:
    """Store a monitor set measured at ``taken_at`` in its own commit (``heart_rate=...``)."""
    with sessions.begin() as db:
        db.add(
            VitalSigns(
                session_id=session_id,
                taken_at=taken_at,
                entered_at=datetime.now(UTC),
                entered_by_id=1,
                source="monitor",
                **values,
            )
        )
