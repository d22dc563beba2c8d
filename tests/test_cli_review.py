"""``demo generate``, ``sessions list`` and ``export`` on the command line, with the sign-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from infusion_monitor.cli import main
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import AuditEntry, Nurse, ReactionRecord


@pytest.fixture
def unit(data_dir: Path, tmp_path: Path) -> Path:
    """A generated unit with a charge nurse (CH1) and a nurse (RN1), both PIN 2468."""
    assert main(["demo", "generate", "--data-dir", str(data_dir), "--chairs", "2",
                 "--days", "14", "--end", "2026-02-27", "--seed", "5"]) == 0  # fmt: skip
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    pin_hash = hasher.hash("2468")
    database = open_database(None, AppPaths.resolve(data_dir))
    with database, database.sessions.begin() as db:
        db.add(Nurse(staff_id="CH1", name="Cy", role="charge_nurse", pin_hash=pin_hash))
        db.add(Nurse(staff_id="RN1", name="Ro", role="nurse", pin_hash=pin_hash))
    pin = tmp_path / "pin"
    pin.write_text("2468\n", encoding="utf-8")
    return pin


def test_generate_refuses_a_database_with_sessions(data_dir: Path, unit: Path) -> None:
    assert main(["demo", "generate", "--data-dir", str(data_dir), "--days", "3"]) != 0


def test_list_and_export_act_as_the_signed_in_charge_nurse(
    data_dir: Path, unit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--data-dir", str(data_dir), "--as", "CH1", "--pin-file", str(unit)]
    assert main(["sessions", "list", *common, "--json", "--limit", "5"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] > 5 and len(listed["rows"]) == 5
    assert main(["sessions", "list", *common, "--reaction", "no", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("session_id,")
    assert main(["sessions", "list", *common]) == 0
    assert "sessions" in capsys.readouterr().out
    session = listed["rows"][0]["id"]
    out = tmp_path / "s.json"
    assert main(["export", str(session), "--format", "fhir", "-o", str(out), *common]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "collection"
    assert main(["export", str(session), "--format", "csv", "-o", str(tmp_path / "v.csv"),
                 *common]) == 0  # fmt: skip
    with open_database(None, AppPaths.resolve(data_dir)) as database, database.sessions() as db:
        exports = db.scalars(select(AuditEntry).where(AuditEntry.action == "review.export")).all()
        assert [(e.actor, e.after) for e in exports] == [
            ("CH1", {"format": "fhir"}),
            ("CH1", {"format": "csv"}),
        ]
        assert db.scalar(select(ReactionRecord.id).limit(1)) is not None


def test_a_nurse_and_a_wrong_pin_are_refused(
    data_dir: Path, unit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nurse = ["--data-dir", str(data_dir), "--as", "RN1", "--pin-file", str(unit)]
    assert main(["sessions", "list", *nurse]) != 0
    assert main(["export", "1", "--format", "pdf", "-o", str(tmp_path / "x.pdf"), *nurse]) != 0
    assert "may not" in capsys.readouterr().err
    wrong = tmp_path / "wrong"
    wrong.write_text("9999", encoding="utf-8")
    assert main(["sessions", "list", "--data-dir", str(data_dir), "--as", "CH1",
                 "--pin-file", str(wrong)]) != 0  # fmt: skip


def test_an_export_to_an_unwritable_place_fails_with_a_message_for_every_format(
    data_dir: Path, unit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--data-dir", str(data_dir), "--as", "CH1", "--pin-file", str(unit)]
    assert main(["sessions", "list", *common, "--json", "--limit", "1"]) == 0
    session = str(json.loads(capsys.readouterr().out)["rows"][0]["id"])
    for fmt in ("pdf", "csv", "fhir"):
        target = tmp_path / "missing" / f"s.{fmt}"
        assert main(["export", session, "--format", fmt, "-o", str(target), *common]) == 2, fmt
        error = capsys.readouterr().err
        assert f"Cannot write {target}" in error, fmt
        assert not target.exists()


def test_the_session_list_has_a_header_and_says_when_the_limit_is_capped(
    data_dir: Path, unit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--data-dir", str(data_dir), "--as", "CH1", "--pin-file", str(unit)]
    assert main(["sessions", "list", *common, "--limit", "5000"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].split()[:3] == ["SESSION", "DATE", "CHAIR"]
    assert "--limit 5000 is more than the 1000" in captured.err
