"""Where the data lives on a shared workstation, and which workstation the audit trail names."""

from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from infusion_monitor.paths import AppPaths, workstation_name
from infusion_monitor.storage.database import open_database


@pytest.fixture
def no_data_dir_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No --data-dir, no environment variable; the user's own folder is under tmp_path."""
    monkeypatch.delenv("INFUSION_MONITOR_DATA_DIR", raising=False)
    own = tmp_path / "profile" / "infusion-monitor"
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *_a, **_k: str(own))
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *_a, **_k: str(own))
    return own


def test_the_machine_wide_folder_is_used_once_it_created(
    no_data_dir_setting: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shared = tmp_path / "ProgramData" / "infusion-monitor"
    monkeypatch.setattr(platformdirs, "site_data_dir", lambda *_a, **_k: str(shared))
    assert AppPaths.resolve().data_dir == no_data_dir_setting  # IT has not created it
    shared.mkdir(parents=True)
    paths = AppPaths.resolve()
    assert paths.data_dir == shared
    assert paths.config_file == shared / "config.toml"
    assert AppPaths.resolve(tmp_path / "chosen").data_dir == tmp_path / "chosen"  # --data-dir


def test_a_folder_it_shared_with_the_nurses_group_stays_open_to_the_group(
    tmp_path: Path,
) -> None:
    """Another nurse signing on to the workstation must open the same database."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2770)  # IT: group-owned by the nurses, setgid
    paths = AppPaths.in_folder(shared)
    with open_database(None, paths):
        pass
    assert stat.S_IMODE(paths.database_file.stat().st_mode) == 0o660
    assert stat.S_IMODE(paths.backup_dir.stat().st_mode) == 0o770
    backups = list(paths.backup_dir.iterdir())
    assert all(stat.S_IMODE(b.stat().st_mode) == 0o660 for b in backups)


def test_a_private_folder_keeps_patient_data_owner_only(tmp_path: Path) -> None:
    paths = AppPaths.in_folder(tmp_path / "mine")
    with open_database(None, paths):
        pass
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.database_file.stat().st_mode) == 0o600


def test_under_citrix_the_workstation_is_the_client_computer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("socket.gethostname", lambda: "CTXSRV-04")
    monkeypatch.delenv("CLIENTNAME", raising=False)
    assert workstation_name() == "CTXSRV-04"
    monkeypatch.setenv("CLIENTNAME", "ONC-CHAIR3-PC")
    assert workstation_name() == "ONC-CHAIR3-PC"
    assert workstation_name("Bay 2") == "Bay 2"  # [security] workstation wins
