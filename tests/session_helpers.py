"""Helpers for session tests: services over a database on a fake clock, valid drafts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.protocol import Advice
from infusion_monitor.domain.protocol_library import ProtocolLibrary, load_library
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.sessions.board import BoardService
from infusion_monitor.services.sessions.lifecycle import SessionService
from infusion_monitor.services.sessions.setup import (
    PREMEDICATION_LABELS,
    BaselineDraft,
    PremedicationDraft,
    SessionDraft,
)
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.sql_rows import reading

CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4", "Chair 5", "Chair 6")
NURSE = Actor("N001", "Ada Nurse", Role.NURSE)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

_LIBRARY: list[ProtocolLibrary] = []


def library() -> ProtocolLibrary:
    """The shipped protocol library, loaded once for the test run."""
    if not _LIBRARY:
        _LIBRARY.append(load_library())
    return _LIBRARY[0]


@dataclass
class Services:
    """What a service test works with."""

    database: Database
    clock: FakeClock
    sessions: SessionService
    board: BoardService

    def restart(self) -> Services:
        """Build the services afresh on the same database, as after an app restart."""
        return make_services(self.database, self.clock)


def make_services(database: Database, clock: FakeClock) -> Services:
    """Services over ``database`` on ``clock``."""
    rules = default_rules()
    assessing = AssessingService(lambda: rules)
    sessions = SessionService(
        database.sessions, library(), lambda: rules, clock, CHAIRS, assessing=assessing
    )
    return Services(
        database, clock, sessions, BoardService(reading(database.sessions), CHAIRS, library())
    )


def given_premedications(protocol_id: str, at: datetime) -> tuple[PremedicationDraft, ...]:
    """Every premedication the protocol says to give, given at ``at``."""
    found = library().protocols.get(protocol_id)
    reminders = found.protocol.premedication if found is not None else []
    return tuple(
        PremedicationDraft(PREMEDICATION_LABELS[item.code], at, item.code.value)
        for item in reminders
        if item.advice is Advice.GIVE
    )


def draft(clock: FakeClock, **changes: object) -> SessionDraft:
    """A valid rituximab (first infusion) set-up in Chair 1, baseline taken 5 minutes ago, with
    the protocol's premedications given 30 minutes ago (unless ``changes`` say otherwise)."""
    base = SessionDraft(
        chair="Chair 1",
        patient_name="Ellen Marsh",
        mrn="00412821",
        date_of_birth=date(1961, 3, 12),
        protocol_id="rituximab-first",
        drug_name="Rituximab",
        dose=675,
        dose_unit="mg",
        rate=50,
        rate_unit="mg/h",
        planned_duration_min=255,
        cycle=1,
        first_dose=True,
        baseline=baseline(clock.now() - timedelta(minutes=5)),
    )
    made = replace(base, **changes)  # type: ignore[arg-type]
    if "premedications" in changes:
        return made
    given = given_premedications(made.protocol_id, clock.now() - timedelta(minutes=30))
    return replace(made, premedications=given)


def baseline(at: datetime, **changes: object) -> BaselineDraft:
    """A normal baseline set taken at ``at``."""
    signs = replace(VitalSigns(78, 132, 84, 16, 97, 36.8), **changes)  # type: ignore[arg-type]
    return BaselineDraft(at, signs)
