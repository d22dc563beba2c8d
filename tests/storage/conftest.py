"""Storage fixtures: a fresh database on each backend, and a populated session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backends import Backend
from infusion_monitor.storage.engine import create_database_engine, parse_url
from infusion_monitor.storage.models import Base, Chair, InfusionSession, Nurse, Patient


@pytest.fixture
def schema_engine(backend: Backend) -> Iterator[Engine]:
    """An engine on a fresh database (SQLite, then PostgreSQL) with tables from the models."""
    engine = create_database_engine(parse_url(backend.url))
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def add_session() -> Callable[[Session, datetime], InfusionSession]:
    """Return ``add(db, at)``: adds a running session (with nurse, patient, chair), flushes it."""
    return _add_session


def _add_session(db: Session, at: datetime, *, flush: bool = True) -> InfusionSession:
    nurse = Nurse(staff_id="N001", name="Ada Nurse", role="nurse")
    patient = Patient(mrn="MRN-1", name="Pat Example", date_of_birth=date(1960, 1, 2))
    chair = Chair(name="Chair 1", position=0)
    infusion = InfusionSession(
        patient=patient,
        chair=chair,
        nurse=nurse,
        protocol_id="rituximab",
        drug_name="Rituximab",
        protocol_version="sha256:abc",
        ruleset_name="default",
        ruleset_version="sha256:def",
        dose=375.0,
        dose_unit="mg/m2",
        rate=50.0,
        rate_unit="mg/h",
        planned_duration_min=240,
        cycle=1,
        first_dose=True,
        prior_reaction_to_drug=False,
        state="running",
        created_at=at,
        updated_at=at,
    )
    db.add(infusion)
    if flush:
        db.flush()
    return infusion
