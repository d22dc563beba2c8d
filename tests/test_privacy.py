"""Privacy: no patient identifier in logs or crash reports; data files are owner-only."""

from __future__ import annotations

import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from app_process import start_and_quit
from infusion_monitor import crashlog
from infusion_monitor.demo import _DEMOS
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import Patient

IDENTIFIERS = [text for demo in _DEMOS for text in (demo.patient, demo.mrn)] + [
    part for demo in _DEMOS for part in demo.patient.split()
]


def _run_demo(data_dir: Path) -> None:
    result = start_and_quit(data_dir, "--demo")
    assert result.returncode == 0, result.stderr
    for identifier in IDENTIFIERS:
        assert identifier not in result.stdout + result.stderr


def _crash_with_patient_data(data_dir: Path) -> None:
    """A real database error about a patient row becomes a crash report."""
    paths = AppPaths.resolve(data_dir)
    demo = _DEMOS[0]
    with open_database(f"sqlite:///{paths.demo_database_file}", paths) as database:
        try:
            with database.sessions.begin() as db:
                db.add(Patient(mrn=demo.mrn, name=demo.patient, date_of_birth=demo.born))
        except IntegrityError as exc:
            assert demo.patient not in str(exc)  # parameters are hidden in error text
            crashlog.save_exception_report(
                paths.crash_dir, type(exc), exc, exc.__traceback__, datetime.now(UTC)
            )
        else:
            pytest.fail("the duplicate MRN was accepted")


def test_demo_logs_and_crash_reports_hold_no_patient_identifier(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run_demo(data_dir)
    _crash_with_patient_data(data_dir)
    capsys.readouterr()
    written = [
        path
        for folder in (data_dir / "logs", data_dir / "crashes")
        for path in folder.rglob("*")
        if path.is_file()
    ]
    assert any(path.parent.name == "crashes" for path in written)
    assert any(path.parent.name == "logs" for path in written)
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        for identifier in IDENTIFIERS:
            assert identifier not in text, f"{identifier!r} found in {path.name}"


def test_database_backups_and_marker_are_owner_only(data_dir: Path) -> None:
    _run_demo(data_dir)
    subprocess.run(
        [sys.executable, "-m", "infusion_monitor", "--data-dir", str(data_dir), "db", "backup"],
        check=True,
        capture_output=True,
    )
    files = [
        *data_dir.glob("*.sqlite3"),
        *data_dir.glob("*.inuse"),
        *(data_dir / "backups").iterdir(),
    ]
    assert len(files) >= 3
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for folder in (data_dir, data_dir / "backups", data_dir / "logs", data_dir / "crashes"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder.name
