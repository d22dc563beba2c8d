"""Synthetic data leaves the database usable: the app's next rows get fresh ids (both backends)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from backends import Backend
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.storage.database import open_database
from infusion_monitor.synthetic import GenerateSpec, generate
from unitworld import add_running_session


def test_a_session_set_up_after_generated_data_is_stored(backend: Backend, data_dir: Path) -> None:
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        spec = GenerateSpec(chairs=2, days=7, end=date(2026, 2, 27), seed=3)
        report = generate(database.sessions, spec, default_rules())
        assert report.sessions > 0
        new_id = add_running_session(database.sessions, "Chair 9", "MRN-NEW")
        assert new_id > report.sessions
