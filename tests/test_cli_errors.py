"""Bad configuration ends in one plain line on stderr and a non-zero status, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from infusion_monitor.cli import main
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database


def run_failing(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI, expect failure, and return its single stderr line."""
    status = main([*argv, "--quit-after-start"])
    captured = capsys.readouterr()
    assert status != 0
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("infusion-monitor: ")
    return lines[0]


def test_unwritable_data_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    line = run_failing(capsys, "--data-dir", str(blocker / "sub"))
    assert "cannot be written" in line


def test_malformed_config_file(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "config.toml").write_text("[unit\nchairs = 3", encoding="utf-8")
    assert "config" in run_failing(capsys)


@pytest.mark.parametrize(
    ("sound", "words"),
    [
        ("high_interburst_s = 60", "'sound.high_interburst_s': 60 s is outside 2.5-15 s"),
        ("medium_interburst_s = 1", "'sound.medium_interburst_s': 1 s is outside 2.5-30 s"),
        ("low_interburst_s = 10", "repeats after more than 15 s, or not at all (0)"),
        ("volume = 0.3\nvolume_floor = 0.6", "volume 0.3 is below the alarm volume floor 0.6"),
        ("alarm_pause_min = 30", "'sound.alarm_pause_min': Input should be less than or equal"),
    ],
)
def test_alarm_sound_settings_outside_their_limits_are_refused_with_the_limit(
    data_dir: Path, capsys: pytest.CaptureFixture[str], sound: str, words: str
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "config.toml").write_text(f"[sound]\n{sound}\n", encoding="utf-8")
    assert words in run_failing(capsys)


def test_the_old_alarm_repeat_setting_says_what_replaced_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "config.toml").write_text("[alerts]\nrepeat_sound_s = 60\n", encoding="utf-8")
    assert "[sound] high_interburst_s (2.5-15 s)" in run_failing(capsys)


def test_malformed_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert "database URL" in run_failing(capsys, "--db", "not a url at all")


def test_unsupported_database_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert "not supported" in run_failing(capsys, "--db", "mysql://user@host/db")


def test_text_file_given_as_the_sqlite_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 100, encoding="utf-8")
    line = run_failing(capsys, "--db", f"sqlite:///{notes}")
    assert str(notes) in line
    assert notes.read_text(encoding="utf-8") == "shopping list\n" * 100


def test_database_newer_than_the_app(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as database, database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    assert "newer" in run_failing(capsys)


def test_demo_with_db_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--demo" in run_failing(capsys, "--demo", "--db", "sqlite:///x.sqlite3")
