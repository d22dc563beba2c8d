"""Revision 0013 (quality summaries) fills the summaries of a database that already holds
finished sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select

from backends import Backend
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.review.quality import QualityService
from infusion_monitor.services.review.query import SessionFilter
from infusion_monitor.storage import models
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.migrate import HEAD_REVISION, alembic_config
from quality_world import SETTINGS, SINCE, UNTIL, build

PREVIOUS = "0012_change_log"
CHARGE = Actor("Q9", "Cy Charge", Role.CHARGE_NURSE)


def test_upgrade_from_0012_summarises_the_finished_sessions(
    backend: Backend, data_dir: Path
) -> None:
    paths = AppPaths.resolve(data_dir)
    summaries = select(models.SessionQuality.__table__).order_by(models.SessionQuality.session_id)
    reasons = select(models.SessionQualityMissed.__table__).order_by(
        *models.SessionQualityMissed.__table__.primary_key.columns
    )
    with open_database(backend.url, paths) as database:
        world = build(database.sessions)  # summarised as its transaction commits
        with database.sessions() as db:
            expected = (db.execute(summaries).all(), db.execute(reasons).all())
    assert len(expected[0]) == 25  # S1-S4, 20 quiet, March's: not the running one
    engine = create_engine(backend.url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), PREVIOUS)
    engine.dispose()
    with open_database(backend.url, paths) as database:
        assert database.migration is not None
        assert (database.migration.from_revision, database.migration.to_revision) == (
            PREVIOUS,
            HEAD_REVISION,
        )
        with database.sessions() as db:
            assert (db.execute(summaries).all(), db.execute(reasons).all()) == expected
        report = QualityService(database.sessions, SETTINGS).report(
            CHARGE, SessionFilter(since=SINCE, until=UNTIL)
        )
    assert report.sessions == 24
    assert report.table("on_time_unit").row("Unit").figures[1].shown == "83.3% †"
    assert report.table("alarm_unit").figure(("! LOW",), "Never acknowledged").sessions == (
        world.s3,
    )
