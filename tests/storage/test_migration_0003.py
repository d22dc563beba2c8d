"""Revision 0003 (session set-up) upgrades a 0002 database that already holds sessions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.migrate import HEAD_REVISION, alembic_config
from infusion_monitor.storage.models import InfusionSession, Patient

PREVIOUS = "0002_audit_context"


def _database_at_previous_revision_with_a_session(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), PREVIOUS)
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO nurse (id, staff_id, name, role) VALUES (1, 'N1', 'Ada', 'nurse')")
        db.execute(
            "INSERT INTO patient (id, mrn, name, date_of_birth, allergies) "
            "VALUES (1, '00412821', 'Ellen Marsh', '1961-03-12', 'Penicillin')"
        )
        db.execute("INSERT INTO chair (id, name, position) VALUES (1, 'Chair 1', 0)")
        db.execute(
            "INSERT INTO infusion_session (id, patient_id, chair_id, nurse_id, protocol_id, "
            "protocol_version, ruleset_name, ruleset_version, dose, dose_unit, rate, rate_unit, "
            "planned_duration_min, cycle, first_dose, prior_reaction_to_drug, spo2_scale, state, "
            "created_at, updated_at, version) VALUES (1, 1, 1, 1, 'rituximab-first', 'sha256:a', "
            "'default', 'sha256:b', 675, 'mg', 50, 'mg/h', 255, 1, 1, 0, 1, 'running', "
            "'2026-03-02 09:00:00', '2026-03-02 09:00:00', 2)"
        )
    db.close()


def test_upgrade_from_0002_keeps_sessions_and_fills_the_new_columns(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    _database_at_previous_revision_with_a_session(paths.database_file)
    with open_database(None, paths) as database:
        assert database.migration is not None
        assert database.migration.from_revision == PREVIOUS
        assert database.migration.to_revision == HEAD_REVISION
        with database.sessions() as db:
            session = db.scalars(select(InfusionSession)).one()
            patient = db.scalars(select(Patient)).one()
            assert (session.drug_name, session.premedications) == ("rituximab-first", [])
            assert (session.version, session.state, session.rate) == (2, "running", 50)
            assert (patient.reaction_history, patient.allergies) == ("", "Penicillin")
        with (
            pytest.raises(IntegrityError, match="second_identifier"),
            database.sessions.begin() as db,
        ):
            db.add(Patient(mrn=None, name="No Mrn", date_of_birth=None))
