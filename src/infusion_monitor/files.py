"""Files as both Windows and POSIX meet them: text with a byte-order mark, paths, atomic replace.

Chair-side workstations mostly run Windows, often locked down: antivirus and the search indexer
open files for a moment after they are written, Notepad and PowerShell save text with a
byte-order mark (PowerShell 5's ``Out-File`` even as UTF-16), and ``Path.resolve()`` turns a
mapped drive (``H:``) into the server's UNC path. These helpers are the one place the app meets
those differences. Standard library only: the storage checks use them before SQLAlchemy loads.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import time
from pathlib import Path

#: Files that hold patient data: owner read/write only, unless the folder is shared (see below).
PRIVATE_FILE_MODE = 0o600
#: In a folder that IT shared with the nurses' group (group bits set): the group may use it.
GROUP_FILE_MODE = 0o660
PRIVATE_FOLDER_MODE = 0o700
GROUP_FOLDER_MODE = 0o770

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Replacing a file another program holds open for a moment (antivirus, indexer, backup agent)
#: fails on Windows with a sharing violation; so many tries, this far apart, before giving up.
REPLACE_ATTEMPTS = 5
REPLACE_WAIT_S = 0.1


def decode_text(data: bytes) -> str:
    """Text from bytes saved by any editor: UTF-8 with or without a byte-order mark, or UTF-16/32
    with one (Windows PowerShell 5 writes UTF-16). Raises UnicodeDecodeError for anything else.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding)
    return data.decode("utf-8")


def read_text(path: Path) -> str:
    """A text file's content, whatever byte-order mark it carries (see :func:`decode_text`)."""
    return decode_text(path.read_bytes())


def absolute(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute and normalised without following links.

    Not ``Path.resolve()``: on Windows that turns a mapped drive (``H:\\unit``) into the server's
    UNC path, which then names a different place in messages and markers than the one IT set.
    """
    return Path(os.path.abspath(Path(path).expanduser()))  # noqa: PTH100 - not resolve(), above


def file_mode(folder: Path) -> int:
    """The permission bits for a new data file in ``folder``: owner only, unless IT gave the
    folder to a group (group read/write set), so every nurse signing on to a shared workstation
    can open it. Windows ignores these bits; its files inherit the folder's access list.
    """
    try:
        mode = folder.stat().st_mode
    except OSError:
        return PRIVATE_FILE_MODE
    shared = mode & (stat.S_IRGRP | stat.S_IWGRP) == stat.S_IRGRP | stat.S_IWGRP
    return GROUP_FILE_MODE if shared else PRIVATE_FILE_MODE


def folder_mode(parent: Path) -> int:
    """The permission bits for a new folder inside ``parent`` (as :func:`file_mode`)."""
    return GROUP_FOLDER_MODE if file_mode(parent) == GROUP_FILE_MODE else PRIVATE_FOLDER_MODE


def create_empty(path: Path) -> None:
    """Create ``path`` empty with :func:`file_mode` (FileExistsError if it exists).

    The mode is set again after creation: a umask of 022 would take the group's write away.
    """
    mode = file_mode(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))
    if mode != PRIVATE_FILE_MODE:
        path.chmod(mode)


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) with :func:`folder_mode`; an existing one is kept."""
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    mode = folder_mode(parent)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=mode)
        if mode != PRIVATE_FOLDER_MODE:
            folder.chmod(mode)  # as in create_empty: past the umask


def fsync_file(path: Path) -> None:
    """Flush ``path`` to the disk. Opened for writing: Windows flushes only a writable handle."""
    with path.open("r+b") as stream:
        os.fsync(stream.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable where the system allows it (POSIX; not Windows)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_file(source: Path, target: Path) -> None:
    """Move ``source`` over ``target`` atomically, retrying a moment while another program
    (antivirus, indexer) holds either open; raises the last PermissionError if it stays held.
    """
    for attempt in range(REPLACE_ATTEMPTS):
        try:
            source.replace(target)
            return
        except PermissionError:
            if attempt == REPLACE_ATTEMPTS - 1:
                raise
            time.sleep(REPLACE_WAIT_S * (attempt + 1))
