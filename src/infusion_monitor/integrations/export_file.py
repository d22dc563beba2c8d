"""Writing an export file (PDF, CSV, FHIR): a file is "exported" only once it is whole.

The content goes to a temporary file beside the target, is checked and flushed to the disk, and
only then replaces the target. So a failure (a full disk, a folder the nurse cannot write, a
PDF the writer could not produce) leaves no half file and never an old file that looks new, and
a target held open by another program (a PDF viewer or Excel on Windows) is reported as such.
Both the command line and the review windows write through here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from infusion_monitor.errors import UserError
from infusion_monitor.files import fsync_file, replace_file

#: What an export's first bytes must be, by format ("" : anything not empty).
PDF_MAGIC = b"%PDF-"


class ExportWriteError(UserError):
    """The export file was not written (or not replaced); the message says why and what to do."""


def write_export(path: Path, write: Callable[[Path], object], *, starts_with: bytes = b"") -> Path:
    """Write ``path`` through ``write(temporary_path)``, check it, then put it in place.

    Raises :class:`ExportWriteError` (exit code 2 on the command line) when the file could not
    be written, came out empty or malformed, or could not replace the existing ``path``.
    """
    target = Path(path)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise ExportWriteError(
            f"Cannot write {target}: {_reason(exc)}. Choose a folder you can write to "
            "(your Documents folder, say), then export again."
        ) from exc
    os.close(fd)
    temporary = Path(name)
    try:
        try:
            write(temporary)
            with temporary.open("rb") as stream:
                head = stream.read(max(len(starts_with), 1))
            fsync_file(temporary)
        except OSError as exc:
            raise ExportWriteError(
                f"Cannot write {target}: {_reason(exc)}. Free disk space or choose another "
                "folder, then export again."
            ) from exc
        if not head or not head.startswith(starts_with):
            raise ExportWriteError(
                f"The export to {target} failed: the file came out empty or incomplete, so it "
                "was not saved. Try again; if it fails again, choose another folder."
            )
        try:
            replace_file(temporary, target)
        except PermissionError as exc:
            raise ExportWriteError(
                f"{target} is open in another program (a PDF viewer or Excel?) or read-only, so "
                "it was not replaced. Close it or choose another file name, then export again."
            ) from exc
        except OSError as exc:
            raise ExportWriteError(f"Cannot write {target}: {_reason(exc)}.") from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return target


def write_text_export(path: Path, text: str, *, excel: bool = False) -> Path:
    """Write ``text`` as UTF-8; ``excel``: with a byte-order mark, without which Excel on
    Windows reads a CSV in the local code page and garbles names such as Łukasz or Zoë."""
    data = text.encode("utf-8-sig" if excel else "utf-8")
    return write_export(path, lambda temporary: temporary.write_bytes(data))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
