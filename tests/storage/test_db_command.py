"""``infusion-monitor db upgrade|check`` through ``cli.main``: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from infusion_monitor.cli import main
from infusion_monitor.paths import AppPaths


def test_upgrade_creates_then_reports_up_to_date(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    database_file = AppPaths.resolve(data_dir).database_file
    assert f"Upgraded the database {database_file}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_db_option_after_the_subcommand_wins_over_config(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir()
    configured = tmp_path / "configured.sqlite3"
    (data_dir / "config.toml").write_text(
        f'[database]\nurl = "sqlite:///{configured}"\n', encoding="utf-8"
    )
    chosen = tmp_path / "chosen.sqlite3"
    assert main(["db", "upgrade", "--db", f"sqlite:///{chosen}"]) == 0
    assert chosen.exists()
    assert not configured.exists()
    assert main(["db", "upgrade"]) == 0
    assert configured.exists()
    assert str(configured) in capsys.readouterr().out


def test_malformed_url_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--db", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infusion-monitor: The database URL is not valid.")
    assert err.count("\n") == 1


def test_text_file_exits_2_and_stays_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n", encoding="utf-8")
    assert main(["--db", f"sqlite:///{notes}", "db", "upgrade"]) == 2
    assert "not an Infusion Monitor database" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "not a database\n"


def test_check_exits_0_without_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "check"]) == 0
    assert capsys.readouterr().out == "The migrations match the models.\n"
