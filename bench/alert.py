"""Alert benchmark: milliseconds from the commit that raised an alert to the alert band showing it.

A running session on a temp database is shown in the main window (offscreen). Each round the
nurse ticks "Collapse / fainting" on the symptom panel (a high-priority reaction): the care
service stores it, assesses, raises the alert and commits; the time of that commit is taken from
SQLAlchemy's ``after_commit`` event, and the end time when the session view's alert band has
been updated and repainted. Then the alert is acknowledged and the symptom resolved, which
resolves the alert for the next round. The last line is ``{"alert_after_commit_ms": median}``.

Run: ``QT_QPA_PLATFORM=offscreen uv run python bench/alert.py [--rounds 30]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from infusion_monitor.app import build_main_window
    from infusion_monitor.config import Config
    from infusion_monitor.domain.clock import FakeClock
    from infusion_monitor.domain.protocol_library import load_library
    from infusion_monitor.domain.users import Actor, Role
    from infusion_monitor.domain.vitals import VitalSigns
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.services.assessing import AssessingService
    from infusion_monitor.services.messages import MessageFunnel
    from infusion_monitor.services.ruleset import RuleSetService
    from infusion_monitor.services.session_setup import BaselineDraft, SessionDraft
    from infusion_monitor.services.sessions import SessionRef, SessionService
    from infusion_monitor.storage.database import open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    nurse = Actor("B001", "Bench Nurse", Role.NURSE)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    committed: list[float] = []

    @event.listens_for(Session, "after_commit")
    def _on_commit(_session: Session) -> None:
        committed.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as folder:
        paths = AppPaths.resolve(Path(folder))
        paths.ensure()
        config = Config()
        rules = default_rules()
        with open_database(None, paths) as database:
            sessions = SessionService(
                database.sessions,
                load_library(),
                lambda: rules,
                clock,
                config.unit.chairs,
                assessing=AssessingService(lambda: rules),
            )
            draft = SessionDraft(
                chair=config.unit.chairs[0],
                patient_name="Bench Patient",
                mrn="B0000001",
                date_of_birth=date(1960, 1, 1),
                protocol_id="rituximab-first",
                drug_name="Rituximab",
                dose=675,
                dose_unit="mg",
                rate=50,
                rate_unit="mg/h",
                planned_duration_min=255,
                cycle=1,
                first_dose=True,
                baseline=BaselineDraft(
                    clock.now() - timedelta(minutes=5), VitalSigns(78, 132, 84, 16, 97, 36.8)
                ),
            )
            setup = sessions.set_up(draft, nurse)
            sessions.start(SessionRef(setup.detail.id, setup.detail.version), nurse)
            funnel = MessageFunnel()
            window = build_main_window(
                config=config,
                paths=paths,
                database=database,
                funnel=funnel,
                rules=RuleSetService(None, funnel),
                clock=clock,
                actor=nurse,
            )
            window.show()
            window.open_chair(0)
            care = window.care_view
            assert care is not None and window.care is not None
            band = care.band
            button = care.symptoms.buttons["syncope"]
            samples: list[float] = []
            for _ in range(args.rounds):
                clock.advance(timedelta(minutes=1))
                committed.clear()
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                band.repaint()
                shown = time.perf_counter()
                assert band.isVisible() and band.words.text().startswith("!!! HIGH")
                samples.append((shown - committed[0]) * 1000)
                clock.advance(timedelta(seconds=30))
                assert band.alert is not None
                window.care.acknowledge(band.alert.id)
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                assert not band.isVisible()
            window.close()
            window.deleteLater()
            app.processEvents()
    median = statistics.median(samples)
    print(f"rounds: {len(samples)}")
    print(f"min {min(samples):.1f} ms, median {median:.1f} ms, max {max(samples):.1f} ms")
    print(json.dumps({"alert_after_commit_ms": round(median, 2)}), flush=True)
    sys.stderr.flush()
    # PySide6 can crash while finalising widgets at interpreter exit; the figures are printed.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
