"""The database as a Windows workstation meets it, exercised on this Linux machine.

The POSIX-only calls are hidden (``os.pwrite``, ``os.statvfs``, the ``fcntl`` module, signal
``SIGKILL``), and the in-use lock runs through a locker that follows Windows' ``LockFileEx``
rules (a handle holding a shared lock cannot take it exclusively, a blocking wait that could
never end is an error) in place of ``flock``. What a real Windows machine would add, and what
these tests cannot show, is listed in docs/deployment.md ("Not verified on Windows").
"""

from __future__ import annotations

import nturl2path
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import portalocker
import pytest
from portalocker import portalocker as locker_module

from infusion_monitor.cli import main
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage import errors
from infusion_monitor.storage.backup import DatabaseInUseError, restore_backup, take_backup
from infusion_monitor.storage.crashtrial import check_survivors, run_trial
from infusion_monitor.storage.database import open_database
from infusion_monitor.storage.errors import DiskFullError
from infusion_monitor.storage.location import (
    DRIVE_REMOTE,
    NetworkShareError,
    is_network_path,
    sqlite_uri,
)
from infusion_monitor.storage.preflight import UsageMarker, in_use

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DRIVE_FIXED = 3


class WindowsLikeLocker(locker_module.BaseLocker):
    """Locks with ``LockFileEx``'s rules, between the handles of this one process.

    A lock conflicts with any other handle's exclusive lock; an exclusive lock conflicts with
    every lock on the file, the same handle's shared one included (``flock`` would convert it).
    A blocking request that conflicts would wait for ever in one process, so it fails the test.
    """

    def __init__(self) -> None:
        self.held: dict[tuple[int, int], dict[int, bool]] = {}

    def lock(self, file_obj: Any, flags: portalocker.LockFlags) -> None:
        stat = os.fstat(file_obj.fileno())
        holders = self.held.setdefault((stat.st_dev, stat.st_ino), {})
        exclusive = bool(flags & portalocker.LockFlags.EXCLUSIVE)
        handle = id(file_obj)
        if exclusive:
            conflict = bool(holders)
        else:
            conflict = any(ex for other, ex in holders.items() if other != handle)
        if conflict:
            if flags & portalocker.LockFlags.NON_BLOCKING:
                raise portalocker.AlreadyLocked("locked")
            raise AssertionError("a blocking lock request would wait for ever")
        holders[handle] = exclusive

    def unlock(self, file_obj: Any) -> None:
        stat = os.fstat(file_obj.fileno())
        self.held.get((stat.st_dev, stat.st_ino), {}).pop(id(file_obj), None)


@pytest.fixture
def windows_like(monkeypatch: pytest.MonkeyPatch) -> Iterator[WindowsLikeLocker]:
    """Hide the POSIX-only calls and lock as Windows does."""
    statvfs = os.statvfs

    def disk_usage(folder: Any) -> SimpleNamespace:  # Windows: GetDiskFreeSpaceExW
        usage = statvfs(folder)
        total, free = usage.f_blocks * usage.f_frsize, usage.f_bavail * usage.f_frsize
        return SimpleNamespace(total=total, used=total - free, free=free)

    monkeypatch.delattr(os, "pwrite")
    monkeypatch.delattr(os, "statvfs")
    monkeypatch.setattr(shutil, "disk_usage", disk_usage)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # ``import fcntl`` now fails
    locker = WindowsLikeLocker()
    monkeypatch.setattr(locker_module, "LOCKER", locker)
    yield locker


@pytest.fixture
def paths(data_dir: Path) -> AppPaths:
    resolved = AppPaths.resolve(data_dir)
    open_database(None, resolved).close()
    return resolved


def test_the_database_opens_and_closes_cleanly_without_posix_calls(
    windows_like: WindowsLikeLocker, paths: AppPaths
) -> None:
    first = open_database(None, paths)
    assert first.quick_checked is False  # the fixture's close was recorded as clean
    second = open_database(None, paths)  # a command while the app runs: both share the lock
    assert in_use(paths.database_file)
    first.close()
    assert in_use(paths.database_file)
    assert not UsageMarker(paths.database_file).closed_cleanly()  # the second still has it
    second.close()
    assert not in_use(paths.database_file)
    assert UsageMarker(paths.database_file).closed_cleanly()


def test_db_restore_honours_the_lock_of_a_running_app(
    windows_like: WindowsLikeLocker, paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = take_backup(paths.database_file, paths.backup_dir, at=T0).path
    before = paths.database_file.read_bytes()
    with open_database(None, paths):
        assert main(["db", "restore", str(backup)]) == 2
        assert "is open in Infusion Monitor. Close the app" in capsys.readouterr().err
        assert paths.database_file.read_bytes() == before
        assert paths.database_file.with_name(paths.database_file.name + "-wal").exists()
    assert main(["db", "restore", str(backup)]) == 0
    assert "integrity check passed" in capsys.readouterr().out


def test_an_app_cannot_open_while_a_restore_holds_the_lock(
    windows_like: WindowsLikeLocker, paths: AppPaths
) -> None:
    """The restore holds the lock exclusively throughout: a start meanwhile waits (here: the
    Windows-like locker reports the wait), and a second restore is refused."""
    backup = take_backup(paths.database_file, paths.backup_dir, at=T0).path
    seen: list[BaseException] = []

    def replace_and_peek(source: Path, target: Path) -> None:
        source.replace(target)
        try:
            restore_backup(backup, paths.database_file, paths.backup_dir, at=T0)
        except DatabaseInUseError as exc:
            seen.append(exc)

    import infusion_monitor.storage.backup as backup_module

    original = backup_module.replace_file
    backup_module.replace_file = replace_and_peek  # type: ignore[assignment]
    try:
        restore_backup(backup, paths.database_file, paths.backup_dir, at=T0)
    finally:
        backup_module.replace_file = original
    assert len(seen) == 1


def test_a_full_disk_is_named_without_statvfs(
    windows_like: WindowsLikeLocker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SQLite reports some ENOSPC as an I/O error; the free space (``shutil.disk_usage``, which
    Windows has) tells them apart."""
    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: SimpleNamespace(free=0))
    io_error = sqlite3.OperationalError("disk I/O error")
    io_error.sqlite_errorcode = 10 | (18 << 8)  # type: ignore[attr-defined] # SQLITE_IOERR_SHMSIZE
    fault = errors.classify_dbapi_error(io_error, "C:\\unit.sqlite3", tmp_path)
    assert isinstance(fault, DiskFullError)
    assert "is full, so the entry was not saved. Free disk space" in fault.message
    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: SimpleNamespace(free=100 << 20))
    fault = errors.classify_dbapi_error(io_error, "C:\\unit.sqlite3", tmp_path)
    assert not isinstance(fault, DiskFullError)


def test_a_crash_trial_kills_without_sigkill(
    windows_like: WindowsLikeLocker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """IT runs the crash trial on the workstation: ``Popen.kill()`` is TerminateProcess there,
    an immediate end with no clean-up, as SIGTERM's default action is here."""
    monkeypatch.delattr(signal, "SIGKILL")
    monkeypatch.setattr(subprocess.Popen, "kill", subprocess.Popen.terminate)
    result, confirmed = run_trial(tmp_path / "trial", random.Random(17), max_confirmations=5)
    survivors = check_survivors(tmp_path / "trial", confirmed)
    assert survivors.lost == []
    assert survivors.chain_intact and survivors.quick_check_ok
    assert result.confirmed == len(confirmed)


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        (
            r"C:\Users\ana.lee\AppData\Local\infusion-monitor\infusion monitor #2.sqlite3",
            "file:///C:/Users/ana.lee/AppData/Local/infusion-monitor/"
            "infusion%20monitor%20%232.sqlite3?mode=ro",
        ),
        (r"H:\unit\100% ward.sqlite3", "file:///H:/unit/100%25%20ward.sqlite3?mode=ro"),
    ],
)
def test_windows_paths_build_valid_sqlite_uris(path: str, uri: str) -> None:
    built = sqlite_uri(PureWindowsPath(path), mode="ro", windows=True)
    assert built == uri
    parts = urlsplit(built)
    assert (parts.scheme, parts.netloc, parts.query) == ("file", "", "mode=ro")  # SQLite's rule
    assert nturl2path.url2pathname(parts.path) == path


def test_a_posix_uri_opens_a_file_whose_name_looks_like_a_query(tmp_path: Path) -> None:
    odd = tmp_path / "ward 3 #1?.sqlite3"
    with closing(sqlite3.connect(odd)) as connection:
        connection.execute("CREATE TABLE t (x)")
    with closing(sqlite3.connect(sqlite_uri(odd, mode="ro"), uri=True)) as read_only:
        assert read_only.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ward 3 #1?.sqlite3"]


@pytest.mark.parametrize(
    ("path", "remote"),
    [
        (r"\\fileserver\oncology\infusion-monitor.sqlite3", True),
        ("//fileserver/oncology/infusion-monitor.sqlite3", True),
        (r"\\?\UNC\fileserver\oncology\infusion-monitor.sqlite3", True),
        (r"H:\infusion-monitor.sqlite3", True),  # H: mapped to a share
        (r"C:\ProgramData\infusion-monitor\infusion-monitor.sqlite3", False),
        (r"\\?\C:\ProgramData\infusion-monitor\infusion-monitor.sqlite3", False),
    ],
)
def test_unc_and_mapped_drive_paths_are_network_shares(path: str, remote: bool) -> None:
    def drive_type(root: str) -> int:
        return DRIVE_REMOTE if root.upper() == "H:\\" else DRIVE_FIXED

    assert is_network_path(path, windows=True, drive_type=drive_type) is remote


def test_an_nfs_or_smb_mount_is_a_network_share() -> None:
    mounts = [("/", "ext4"), ("/mnt/unit", "cifs"), ("/mnt/unit/local", "ext4")]
    assert is_network_path("/mnt/unit/db.sqlite3", windows=False, mount_types=lambda: mounts)
    assert not is_network_path("/mnt/unit/local/x", windows=False, mount_types=lambda: mounts)
    assert not is_network_path("/mnt/units/x", windows=False, mount_types=lambda: mounts)


def test_a_database_on_a_network_share_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    share = data_dir.parent / "share"
    share.mkdir()
    monkeypatch.setattr(
        "infusion_monitor.storage.location._linux_mounts", lambda: [(str(share), "cifs")]
    )
    url = f"sqlite:///{share / 'unit.sqlite3'}"
    with pytest.raises(NetworkShareError) as caught:
        open_database(url, AppPaths.resolve(data_dir))
    message = caught.value.message
    assert "is on a network share" in message
    assert "only programs on one computer can share" in message
    assert "PostgreSQL" in message
    assert list(share.iterdir()) == []  # nothing created there
    assert main(["--db", url, "db", "upgrade"]) == 2
    assert "is on a network share" in capsys.readouterr().err
