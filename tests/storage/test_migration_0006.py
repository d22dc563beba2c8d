"""Revision 0006 (pregnancy at set-up) upgrades a 0004 database that already holds sessions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select

from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.migrate import HEAD_REVISION, alembic_config
from infusion_monitor.storage.models import InfusionSession

PREVIOUS = "0004_reaction_record"


def test_upgrade_from_0004_records_existing_sessions_as_not_pregnant(data_dir: Path) -> None:
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    engine = create_engine(f"sqlite:///{paths.database_file}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), PREVIOUS)
    engine.dispose()
    with sqlite3.connect(paths.database_file) as db:
        db.execute("INSERT INTO nurse (id, staff_id, name, role) VALUES (1, 'N1', 'Ada', 'nurse')")
        db.execute(
            "INSERT INTO patient (id, mrn, name, date_of_birth, allergies, reaction_history) "
            "VALUES (1, '00412821', 'Ellen Marsh', '1961-03-12', '', '')"
        )
        db.execute("INSERT INTO chair (id, name, position) VALUES (1, 'Chair 1', 0)")
        db.execute(
            "INSERT INTO infusion_session (id, patient_id, chair_id, nurse_id, protocol_id, "
            "drug_name, protocol_version, ruleset_name, ruleset_version, dose, dose_unit, rate, "
            "rate_unit, planned_duration_min, cycle, first_dose, prior_reaction_to_drug, "
            "spo2_scale, premedications, state, created_at, updated_at, version) VALUES "
            "(1, 1, 1, 1, 'rituximab-first', 'Rituximab', 'sha256:a', 'default', 'sha256:b', "
            "675, 'mg', 50, 'mg/h', 255, 1, 1, 0, 1, '[]', 'running', '2026-03-02 09:00:00', "
            "'2026-03-02 09:00:00', 2)"
        )
    db.close()
    with open_database(None, paths) as database:
        assert database.migration is not None
        assert database.migration.from_revision == PREVIOUS
        assert database.migration.to_revision == HEAD_REVISION
        with database.sessions() as session:
            row = session.scalars(select(InfusionSession)).one()
            assert (row.pregnant, row.version, row.state) == (False, 2, "running")
