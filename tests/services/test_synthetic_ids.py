"""Synthetic data leaves the database usable: the app's next rows get fresh ids (both backends),
and its audit trail is the app's: one chained row per clinical change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from backends import Backend
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.storage.audit import verify_audit_chain
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import AuditEntry, InfusionSession, SessionEvent, VitalSigns
from infusion_monitor.synthetic import GenerateSpec, generate
from unitworld import add_running_session


def test_a_session_set_up_after_generated_data_is_stored(backend: Backend, data_dir: Path) -> None:
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        spec = GenerateSpec(chairs=2, days=40, end=date(2026, 2, 27), seed=3)
        report = generate(database.sessions, spec, default_rules())
        assert report.sessions > 0
        with database.sessions() as db:

            def audited(action: str) -> int:
                return db.scalar(select(func.count()).where(AuditEntry.action == action)) or 0

            sets = db.scalar(select(func.count()).where(VitalSigns.amends_id.is_(None)))
            starts = db.scalar(select(func.count()).where(SessionEvent.type == "start"))
            assert audited("session.set_up") == report.sessions
            # A baseline is typed in the set-up form and audited with the set-up, as in the app.
            assert audited("vitals.record") == (sets or 0) - report.sessions
            assert audited("session.start") == starts
            assert audited("alert.raise") == report.alerts
            assert audited("reaction.outcome") == report.reactions
            assert audited("synthetic.generate") == 2  # one per month, saying it is synthetic
            nurse_rows = db.scalars(
                select(AuditEntry).where(AuditEntry.action == "vitals.record").limit(5)
            ).all()
            assert all(r.actor.startswith("SYN") and r.actor_role == "nurse" for r in nurse_rows)
        new_id = add_running_session(database.sessions, "Chair 9", "MRN-NEW")
        assert new_id > report.sessions
        with database.sessions() as db:
            assert db.get(InfusionSession, new_id) is not None
            assert verify_audit_chain(db) is None  # the app's rows chain on from the generated
