"""A small synthetic unit for the review tests: two chairs, two weeks, fixed seed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from infusion_monitor.rules.loader import default_rules
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import ReactionRecord
from infusion_monitor.synthetic import GenerateSpec, generate

SPEC = GenerateSpec(chairs=3, days=21, end=date(2026, 2, 27), seed=11)


def small_unit(database: Database) -> int:
    """Fill ``database`` with :data:`SPEC`'s sessions; return a session that had a reaction."""
    generate(database.sessions, SPEC, default_rules())
    with database.sessions() as db:
        found = db.scalar(
            select(ReactionRecord.session_id).order_by(ReactionRecord.ctcae_grade.desc()).limit(1)
        )
    assert found is not None
    return int(found)
