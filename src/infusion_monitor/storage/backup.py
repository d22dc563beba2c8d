"""Automatic backups with SQLite's online backup API, retention, and restoring one safely.

Every copy is created owner-only (0600) and then checked with ``PRAGMA quick_check``: this is
where a damaged page in the live database shows up without slowing the app's start. A copy that
fails its check is kept under a ``.failed-check`` name (never counted as a good backup).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from infusion_monitor.files import create_empty, fsync_file, fsync_folder, make_folder, replace_file
from infusion_monitor.storage.errors import (
    CorruptDatabaseError,
    DatabaseUnavailableError,
    StorageError,
)
from infusion_monitor.storage.preflight import (
    UsageMarker,
    check_existing_file,
    exclusive_use,
    read_only_uri,
)

AUTO_LABEL = "auto"
REPLACED_LABEL = "replaced-by-restore"
FAILED_SUFFIX = ".failed-check"
_STAMP = "%Y%m%dT%H%M%S%fZ"


class DatabaseInUseError(StorageError):
    """The database is open in Infusion Monitor, so it cannot be replaced now."""


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: where it is and whether its copy passed ``quick_check``."""

    path: Path
    ok: bool
    problem: str | None = None


def backup_name(source: Path, label: str, at: datetime) -> str:
    """``infusion-monitor-auto-20260302T090000000000Z.sqlite3`` for ``source`` at ``at``."""
    return f"{source.stem}-{label}-{at.astimezone(UTC).strftime(_STAMP)}{source.suffix}"


def take_backup(
    source: Path, backup_dir: Path, *, at: datetime, label: str = AUTO_LABEL
) -> BackupResult:
    """Copy ``source`` with the online backup API (safe while the app writes), then check it."""
    final = backup_dir / backup_name(source, label, at)
    target = final.with_name(final.name + ".partial")  # renamed once complete and checked
    try:
        make_folder(backup_dir)
        create_empty(target)
        with (
            closing(sqlite3.connect(read_only_uri(source), uri=True)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in dst.execute("PRAGMA quick_check")]
        if problems == ["ok"]:
            replace_file(target, final)
            target = final
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise DatabaseUnavailableError(
            f"The automatic backup to {backup_dir} failed ({exc}). "
            "Free disk space or fix the folder's permissions; tell IT if it persists."
        ) from exc
    if problems != ["ok"]:
        failed = final.with_name(final.name + FAILED_SUFFIX)
        target.rename(failed)
        return BackupResult(failed, ok=False, problem=problems[0])
    return BackupResult(target, ok=True)


def auto_backups(source: Path, backup_dir: Path) -> list[Path]:
    """The automatic backups of ``source`` that passed their check, oldest first."""
    pattern = f"{source.stem}-{AUTO_LABEL}-*{source.suffix}"
    return sorted(backup_dir.glob(pattern))


def prune_backups(source: Path, backup_dir: Path, keep: int) -> list[Path]:
    """Delete the oldest automatic backups beyond ``keep``; return what was deleted.

    Backups taken before a migration or a restore are never pruned.
    """
    existing = auto_backups(source, backup_dir)
    doomed = existing[: max(0, len(existing) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def latest_backup_time(source: Path, backup_dir: Path) -> datetime | None:
    """When the newest good automatic backup was taken, from its name, or None."""
    backups = auto_backups(source, backup_dir)
    if not backups:
        return None
    stamp = backups[-1].stem.rsplit("-", 1)[-1]
    try:
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def restore_backup(backup: Path, target: Path, backup_dir: Path, *, at: datetime) -> Path | None:
    """Replace ``target`` with ``backup``; return the kept copy of the replaced file, if any.

    Refused while an app holds ``target`` open (its lock, see :mod:`.preflight`), or if the
    backup is not an intact Infusion Monitor database this version can open. The lock is held
    for the whole restore, so an app started meanwhile waits. The replacement is atomic (write
    beside, fsync, rename), and the file it replaces (with its ``-wal``) is copied into
    ``backup_dir`` first.
    """
    with exclusive_use(target) as free:
        if not free:
            raise DatabaseInUseError(
                f"The database {target} is open in Infusion Monitor. Close the app on this "
                "computer (and any infusion-monitor command using it), then restore again."
            )
        return _restore(backup, target, backup_dir, at)


def _restore(backup: Path, target: Path, backup_dir: Path, at: datetime) -> Path | None:
    if not backup.is_file():
        raise DatabaseUnavailableError(f"The backup {backup} does not exist. Check the path.")
    try:
        check_existing_file(backup, str(backup), quick_check=True)
    except CorruptDatabaseError as exc:
        raise CorruptDatabaseError(
            f"The backup {backup} is damaged, so nothing was restored. Choose an older backup."
        ) from exc
    kept = _keep_replaced(target, backup_dir, at) if target.exists() else None
    staging = target.with_name(f".{target.name}.restoring")
    try:
        staging.unlink(missing_ok=True)
        create_empty(staging)
        with (
            closing(sqlite3.connect(read_only_uri(backup), uri=True)) as src,
            closing(sqlite3.connect(staging)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        fsync_file(staging)
        for suffix in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        UsageMarker(target).path.unlink(missing_ok=True)  # next start runs quick_check
        replace_file(staging, target)
        fsync_folder(target.parent)
    except (OSError, sqlite3.Error) as exc:
        staging.unlink(missing_ok=True)
        raise DatabaseUnavailableError(
            f"The backup could not be restored to {target} ({exc}); the database was not "
            "replaced. Free disk space or fix the folder's permissions, then try again."
        ) from exc
    return kept


def _keep_replaced(target: Path, backup_dir: Path, at: datetime) -> Path:
    """Copy the file about to be replaced (and its ``-wal``) byte for byte into ``backup_dir``."""
    kept = backup_dir / backup_name(target, REPLACED_LABEL, at)
    try:
        make_folder(backup_dir)
        for suffix in ("", "-wal"):
            source = target.with_name(target.name + suffix)
            if source.exists():
                copy = kept.with_name(kept.name + suffix)
                create_empty(copy)
                shutil.copyfile(source, copy)
    except OSError as exc:
        raise DatabaseUnavailableError(
            f"The current database could not be copied to {backup_dir} before restoring "
            f"({exc.strerror or exc}), so nothing was restored. Free disk space, then try again."
        ) from exc
    return kept
