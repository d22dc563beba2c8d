"""``staff add | list | disable | import``: IT provisions a unit; PINs come from one-time codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from infusion_monitor.cli import main
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.staff.credentials import PinChoiceNeeded, SignInFailed
from infusion_monitor.services.staff.sign_in import AuthService
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import AuditEntry, Nurse


def _codes(output: str) -> dict[str, str]:
    """Staff ID → one-time code, from the table ``staff add``/``import`` print."""
    lines = output.strip().splitlines()
    assert lines[0] == "STAFF ID\tNAME\tROLE\tONE-TIME CODE\tVALID UNTIL"
    return {
        cells[0]: cells[3] for cells in (line.split("\t") for line in lines[1:]) if len(cells) == 5
    }


def _first_pin(data_dir: Path, staff_id: str, code: str, pin: str) -> None:
    """Sign in with the code (asked to choose a PIN), then set the PIN."""
    with open_database(None, AppPaths.resolve(data_dir)) as database:
        auth = AuthService(database.sessions, SystemClock(), workstation="test")
        with pytest.raises(PinChoiceNeeded):
            auth.sign_in(staff_id, code)
        actor = auth.choose_first_pin(staff_id, code, pin)
        assert actor.staff_id == staff_id
        assert auth.sign_in(staff_id, pin).staff_id == staff_id
        with pytest.raises(SignInFailed):  # the code is used up
            auth.sign_in(staff_id, code)


def test_it_provisions_a_unit_from_an_empty_database(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--data-dir", str(data_dir)]
    # The first administrator, on a database without one: no --as.
    assert main(["staff", "add", "it1", "--name", "Ida Tech", "--role", "administrator",
                 *where]) == 0  # fmt: skip
    code = _codes(capsys.readouterr().out)["IT1"]
    assert len(code) == 8 and code.isdigit()
    _first_pin(data_dir, "IT1", code, "8642")
    pin_file = tmp_path / "pin"
    pin_file.write_text("8642\n", encoding="utf-8")
    admin = [*where, "--as", "IT1", "--pin-file", str(pin_file)]

    # A second first administrator without --as is refused, and says what to do.
    assert main(["staff", "add", "X9", "--name", "Xavier", "--role", "administrator",
                 *where]) == 2  # fmt: skip
    assert "--as STAFF_ID" in capsys.readouterr().err

    roster = tmp_path / "unit.csv"
    roster.write_text(
        "staff_id,name,role\nCN1,Casey Charge,charge_nurse\nRN1,Rita Nurse,nurse\n",
        encoding="utf-8",
    )
    assert main(["staff", "import", str(roster), *admin]) == 0
    codes = _codes(capsys.readouterr().out)
    assert set(codes) == {"CN1", "RN1"}
    _first_pin(data_dir, "CN1", codes["CN1"], "2468")

    assert main(["staff", "list", *admin]) == 0
    listed = capsys.readouterr().out.strip().splitlines()
    assert listed[0] == "STAFF ID\tNAME\tROLE\tSTATE"
    assert "CN1\tCasey Charge\tcharge_nurse\tactive" in listed
    assert "RN1\tRita Nurse\tnurse\tawaiting first sign-in (one-time code)" in listed

    assert main(["staff", "disable", "RN1", *admin]) == 0
    assert "RN1 (Rita Nurse) is disabled" in capsys.readouterr().out
    with open_database(None, AppPaths.resolve(data_dir)) as database:
        auth = AuthService(database.sessions, SystemClock(), workstation="test")
        with pytest.raises(SignInFailed, match="disabled"):
            auth.sign_in("RN1", codes["RN1"])
        with database.sessions() as db:
            actions = [
                (row.action, row.actor, row.entity_id)
                for row in db.scalars(select(AuditEntry).where(AuditEntry.entity == "staff"))
                if row.action.startswith("staff.")
            ]
            assert ("staff.create", "IT1", "CN1") in actions
            assert ("staff.first_pin", "CN1", "CN1") in actions
            assert ("staff.disable", "IT1", "RN1") in actions
            for row in db.scalars(select(AuditEntry)):
                assert codes["RN1"] not in str(row.after)  # a code never reaches the trail


def test_a_bad_import_file_adds_nobody_and_says_which_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--data-dir", str(data_dir)]
    assert main(["staff", "add", "IT1", "--name", "Ida", "--role", "administrator", *where]) == 0
    _first_pin(data_dir, "IT1", _codes(capsys.readouterr().out)["IT1"], "8642")
    pin_file = tmp_path / "pin"
    pin_file.write_text("8642", encoding="utf-8")
    roster = tmp_path / "unit.csv"
    roster.write_text("staff_id,name,role\nRN2,Ro,nurse\nRN3,Sam,matron\n", encoding="utf-8")
    assert main(["staff", "import", str(roster), *where, "--as", "IT1",
                 "--pin-file", str(pin_file)]) == 2  # fmt: skip
    error = capsys.readouterr().err
    assert "line 3" in error and "matron" in error and "nothing was added" in error
    with open_database(None, AppPaths.resolve(data_dir)) as database, database.sessions() as db:
        assert db.scalars(select(Nurse.staff_id)).all() == ["IT1"]


def test_demo_sub_commands_work_on_the_demo_database_and_never_make_an_empty_one(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", "list", "--demo", "--as", "CHARGE", "--data-dir", str(data_dir)]) == 2
    assert "start the app once with --demo" in capsys.readouterr().err
    assert not AppPaths.resolve(data_dir).demo_database_file.exists()
    assert main(["--demo", "audit", "verify", "--data-dir", str(data_dir)]) == 2
    assert not AppPaths.resolve(data_dir).database_file.exists()
