"""``infusion-monitor beds``: list, add and remove bed mappings as a signed-in charge nurse or
administrator, audited, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from backends import Backend
from infusion_monitor.cli import main
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import AuditEntry, Nurse


@pytest.fixture
def staffed(backend: Backend, data_dir: Path, tmp_path: Path) -> tuple[list[str], Path]:
    """The database with a charge nurse (CH1) and a nurse (RN1), PIN 2468; the common options
    and the PIN file."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    database = open_database(backend.url, AppPaths.resolve(data_dir))
    with database, database.sessions.begin() as db:
        for staff_id, role in (("CH1", "charge_nurse"), ("RN1", "nurse")):
            db.add(Nurse(staff_id=staff_id, name=staff_id, role=role, pin_hash=hasher.hash("2468")))
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "config.toml").write_text(
        '[unit]\nchairs = ["Chair 1", "Chair 2", "Chair 3"]\n', encoding="utf-8"
    )
    pin = tmp_path / "pin"
    pin.write_text("2468\n", encoding="utf-8")
    return ["--db", backend.url, "--data-dir", str(data_dir)], pin


def test_a_charge_nurse_maps_and_unmaps_beds_and_each_change_is_audited(
    backend: Backend, data_dir: Path, staffed: tuple[list[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    common, pin = staffed
    charge = [*common, "--as", "CH1", "--pin-file", str(pin)]
    assert main(["beds", "list", *common]) == 0
    assert "No bed mappings" in capsys.readouterr().out
    assert main(["beds", "add", "BED 03", "chair 3", "--point-of-care", "ONC", *charge]) == 0
    assert "'BED 03' (ONC) -> Chair 3" in capsys.readouterr().out
    assert main(["beds", "add", "bed  03", "Chair 2", "--point-of-care", "onc", *charge]) != 0
    assert "already mapped" in capsys.readouterr().err
    assert main(["beds", "add", "7", "Chair 9", *charge]) != 0
    assert "'Chair 9' is not a chair of this unit" in capsys.readouterr().err
    assert main(["beds", "add", "5", "Chair 1", "--facility", "XYZ HOSPITAL", *charge]) == 0
    capsys.readouterr()
    assert main(["beds", "list", *common]) == 0
    listed = capsys.readouterr().out
    assert "'5' (XYZ HOSPITAL) -> Chair 1" in listed and "'BED 03' (ONC) -> Chair 3" in listed
    assert main(["beds", "remove", "1", *charge]) == 0
    assert main(["beds", "remove", "1", *charge]) != 0
    assert "no bed mapping 1" in capsys.readouterr().err
    database = open_database(backend.url, AppPaths.resolve(data_dir))
    with database, database.sessions() as db:
        actions = db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "bed_mapping")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["beds.add", "beds.add", "beds.remove"]


def test_a_nurse_may_not_change_bed_mappings(
    staffed: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    common, pin = staffed
    nurse = [*common, "--as", "RN1", "--pin-file", str(pin)]
    assert main(["beds", "add", "BED 1", "Chair 1", *nurse]) != 0
    assert "may not change the unit's bed mappings" in capsys.readouterr().err
