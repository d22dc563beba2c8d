"""Where an SQLite database file may live, and the ``file:`` URI that opens it.

The URI is built with ``pathname2url`` (Windows' own rules on Windows: ``C:\\Users\\...`` gives
``file:///C:/Users/...``), never from ``Path.resolve()``, which turns a mapped drive into the
server's UNC path. A database on a network share is refused: SQLite's write-ahead log keeps its
index in shared memory, which works only when every program using the file runs on one computer;
two workstations writing one file on a share can damage it.

Standard library only: the storage checks run before SQLAlchemy is imported.
"""

from __future__ import annotations

import ntpath
import nturl2path
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

from infusion_monitor.storage.errors import StorageError

IS_WINDOWS = os.name == "nt"
#: ``GetDriveTypeW``'s answer for a drive letter mapped to a network share.
DRIVE_REMOTE = 4
#: File systems (``/proc/self/mounts`` type) that are network shares on Linux.
NETWORK_FILE_SYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "afs"})
_MOUNTS = Path("/proc/self/mounts")


class NetworkShareError(StorageError):
    """The SQLite file is on a network share, where its write-ahead log is not safe."""


def sqlite_uri(path: Path | str, *, mode: str | None = None, windows: bool = IS_WINDOWS) -> str:
    """The ``file:`` URI of ``path`` for ``sqlite3.connect(..., uri=True)``.

    ``windows`` chooses the path rules (the running system's by default; tests ask for both).
    Characters that mean something in a URI (``#``, ``?``, ``%``, spaces) are escaped.
    """
    url = (nturl2path.pathname2url if windows else urllib.request.pathname2url)(str(path))
    if not url.startswith("///"):
        url = "//" + url  # an empty authority: SQLite refuses any other
    query = f"?mode={mode}" if mode else ""
    return f"file:{url}{query}"


def is_network_path(
    path: Path | str,
    *,
    windows: bool = IS_WINDOWS,
    drive_type: Callable[[str], int] | None = None,
    mount_types: Callable[[], list[tuple[str, str]]] | None = None,
) -> bool:
    """Whether ``path`` is on a network share: a UNC path (``\\\\server\\share``) or a drive
    letter mapped to one on Windows, an NFS or SMB mount on Linux.

    ``drive_type`` (Windows' ``GetDriveTypeW`` by default) and ``mount_types`` (the mounts as
    ``(mount point, type)``, ``/proc/self/mounts`` by default) are replaceable for tests.
    """
    text = str(path)
    if windows:
        drive, _ = ntpath.splitdrive(text)
        if drive.upper().startswith(("\\\\?\\UNC\\", "//?/UNC/")):
            return True
        if drive.startswith(("\\\\?\\", "\\\\.\\", "//?/", "//./")):
            drive = drive[4:]
        if drive.startswith(("\\\\", "//")):
            return True
        if len(drive) == 2 and drive[1] == ":":
            return (drive_type or _windows_drive_type)(drive + "\\") == DRIVE_REMOTE
        return False
    mounts = (mount_types or _linux_mounts)()
    best, kind = "", ""
    for point, fs_type in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fs_type
    return kind in NETWORK_FILE_SYSTEMS


def refuse_network_share(database_file: Path, location: str) -> None:
    """Raise :class:`NetworkShareError` if the database file (or its folder) is on a share."""
    if is_network_path(database_file):
        raise NetworkShareError(
            f"The database {location} is on a network share. SQLite keeps part of its "
            "write-ahead log in memory that only programs on one computer can share, so "
            "workstations writing one file on a share can damage it, and it was not opened. "
            "Keep the SQLite file on this computer's own disk (the default data folder), or "
            "let the workstations share one PostgreSQL server (see docs/deployment.md)."
        )


def _windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _linux_mounts() -> list[tuple[str, str]]:
    try:
        lines = _MOUNTS.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []  # not Linux: no mount table to read
    mounts = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 3:
            point = fields[1].replace("\\040", " ")
            mounts.append((point, fields[2]))
    return mounts
