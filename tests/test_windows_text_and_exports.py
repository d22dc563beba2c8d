"""Text, dates and export files as a Windows workstation meets them, on the command line.

Notepad and PowerShell save with a byte-order mark (PowerShell 5's ``Out-File`` as UTF-16), a
Windows console prints only its code page, Windows cannot convert dates before 1970 to local
time, Excel needs a byte-order mark to read UTF-8, and a PDF open in a viewer cannot be
replaced. Each is played here; the export's locked target by a ``PermissionError`` from the
replace, as Windows raises it.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from infusion_monitor import files
from infusion_monitor.cli import main
from infusion_monitor.config import load_config
from infusion_monitor.integrations import reports
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.models import Patient
from test_cli_review import unit

__all__ = ["unit"]

NAME_OUTSIDE_CP1252 = "Łukasz Wiśniewski"


def _common(data_dir: Path, pin: Path) -> list[str]:
    return ["--data-dir", str(data_dir), "--as", "CH1", "--pin-file", str(pin)]


def test_a_config_file_with_a_byte_order_mark_or_in_utf16_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    text = '[unit]\nname = "Tagesklinik Onkologie, Bay Süd"\nchairs = ["Stuhl 1"]\n'
    for data in (codecs.BOM_UTF8 + text.encode(), text.encode("utf-16")):  # Notepad, Out-File
        config.write_bytes(data)
        loaded = load_config(config)
        assert loaded.unit.name == "Tagesklinik Onkologie, Bay Süd"
        assert loaded.unit.chairs == ["Stuhl 1"]


def test_a_pin_file_written_by_powershell_in_utf16_signs_in(
    data_dir: Path, unit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unit.write_bytes("2468\r\n".encode("utf-16"))  # PowerShell 5: "2468" | Out-File pin
    assert main(["sessions", "list", *_common(data_dir, unit), "--limit", "1"]) == 0
    assert "of" in capsys.readouterr().out


def test_names_outside_the_console_code_page_do_not_stop_the_listing(
    data_dir: Path, unit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(None, AppPaths.resolve(data_dir))
    with database, database.sessions.begin() as db:
        db.execute(update(Patient).values(name=NAME_OUTSIDE_CP1252))
    console = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(console, encoding="cp1252"))
    assert main(["sessions", "list", *_common(data_dir, unit), "--limit", "3"]) == 0
    sys.stdout.flush()
    printed = console.getvalue().decode("cp1252")
    assert "?ukasz Wi?niewski" in printed
    assert "3 of" in printed


@pytest.mark.parametrize(
    "arguments",
    [
        ["sessions", "list", "--since", "1969-12-31"],
        ["sessions", "list", "--until", "1965-03-01"],
        ["demo", "generate", "--end", "1969-07-20"],
    ],
)
def test_a_date_before_1970_is_refused_politely(
    data_dir: Path, unit: Path, arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    if arguments[0] == "sessions":
        arguments = [*arguments, *_common(data_dir, unit)]
    with pytest.raises(SystemExit) as exited:
        main(arguments)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "is outside the dates Infusion Monitor holds records for (2000-01-01 to" in err
    assert "Traceback" not in err


def test_demo_days_reaching_back_before_2000_are_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "generate", "--end", "2001-01-01", "--days", "20000"]) == 2
    assert "must not reach back before 2000-01-01" in capsys.readouterr().err


def test_a_csv_export_opens_in_excel_with_its_names(
    data_dir: Path, unit: Path, tmp_path: Path
) -> None:
    out = tmp_path / "vitals.csv"
    assert main(["export", "1", "--format", "csv", "-o", str(out), *_common(data_dir, unit)]) == 0
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)  # how Excel knows the file is UTF-8
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows and rows[0]["session_id"] == "1"


@pytest.fixture
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "REPLACE_WAIT_S", 0.0)


def test_a_pdf_open_in_a_viewer_is_reported_and_left_as_it_was(
    data_dir: Path,
    unit: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_retry_wait: None,
) -> None:
    target = tmp_path / "session-1.pdf"
    target.write_bytes(b"%PDF-1.4 the copy printed yesterday")

    def held_open(self: Path, _target: Path) -> Path:
        raise PermissionError(13, "The process cannot access the file (used by another process)")

    monkeypatch.setattr(Path, "replace", held_open)
    code = main(["export", "1", "--format", "pdf", "-o", str(target), *_common(data_dir, unit)])
    captured = capsys.readouterr()
    assert code == 2
    assert "is open in another program (a PDF viewer or Excel?)" in captured.err
    assert "exported" not in captured.out
    assert target.read_bytes() == b"%PDF-1.4 the copy printed yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "pin", "session-1.pdf"]


def test_a_pdf_the_writer_did_not_produce_is_never_called_exported(
    data_dir: Path,
    unit: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Qt's PDF writer fails silently (a path it cannot open): nothing written is a failure."""
    monkeypatch.setattr(reports, "_print_pdf", lambda *_args: None)
    target = tmp_path / "session-1.pdf"
    code = main(["export", "1", "--format", "pdf", "-o", str(target), *_common(data_dir, unit)])
    captured = capsys.readouterr()
    assert code == 2
    assert "came out empty or incomplete, so it was not saved" in captured.err
    assert "exported" not in captured.out
    assert not target.exists()


def test_an_export_into_a_missing_folder_is_reported(
    data_dir: Path, unit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no such folder" / "s.pdf"
    code = main(["export", "1", "--format", "pdf", "-o", str(target), *_common(data_dir, unit)])
    assert code == 2
    assert f"Cannot write {target}" in capsys.readouterr().err


def test_a_pdf_export_writes_a_whole_pdf(data_dir: Path, unit: Path, tmp_path: Path) -> None:
    target = tmp_path / "session-1.pdf"
    target.write_bytes(b"old")
    assert main(["export", "1", "--format", "pdf", "-o", str(target),
                 *_common(data_dir, unit)]) == 0  # fmt: skip
    assert target.read_bytes().startswith(b"%PDF-")
    assert target.stat().st_size > 10_000


def test_rule_and_protocol_files_saved_by_notepad_with_a_byte_order_mark_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from infusion_monitor.resources import resource

    rules = tmp_path / "site-rules.toml"
    rules.write_bytes(codecs.BOM_UTF8 + resource("rules", "default.toml").read_bytes())
    protocol = tmp_path / "rituximab.toml"
    protocol.write_bytes(
        codecs.BOM_UTF8 + resource("protocols", "rituximab-first.toml").read_bytes()
    )
    assert main(["rules", "check", str(rules)]) == 0
    assert main(["protocols", "check", str(protocol)]) == 0
    assert "not valid" not in capsys.readouterr().out
