"""The automatic backup job: a checked copy at start and every few hours, old copies pruned.

Qt-free: the window's timer calls :meth:`BackupJob.run_if_due` on a worker thread and the job
reports through the message funnel. Only SQLite files are backed up here; a PostgreSQL server
is backed up by the server's own tools.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

from infusion_monitor.domain.clock import Clock
from infusion_monitor.errors import UserError
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.storage.backup import (
    BackupResult,
    latest_backup_time,
    prune_backups,
    take_backup,
)

log = logging.getLogger(__name__)


class BackupJob:
    """Backs up one SQLite file into ``backup_dir``, keeping the newest ``keep`` copies."""

    def __init__(
        self,
        source: Path,
        backup_dir: Path,
        clock: Clock,
        funnel: MessageFunnel,
        *,
        every: timedelta,
        keep: int,
    ) -> None:
        self._source = source
        self._backup_dir = backup_dir
        self._clock = clock
        self._funnel = funnel
        self.every = every
        self._keep = keep
        self._running = threading.Lock()

    def is_due(self) -> bool:
        """True if no good automatic copy is younger than ``every``."""
        latest = latest_backup_time(self._source, self._backup_dir)
        return latest is None or self._clock.now() - latest >= self.every

    def run(self) -> BackupResult | None:
        """Take a copy now, check it, prune old copies; tell the nurse only about problems.

        Returns None if a backup is already running (another thread) or it failed.
        """
        if not self._running.acquire(blocking=False):
            return None
        try:
            result = take_backup(self._source, self._backup_dir, at=self._clock.now())
        except UserError as exc:
            log.warning("automatic backup failed")
            self._funnel.warning(exc.message)
            return None
        finally:
            self._running.release()
        if not result.ok:
            log.error("backup copy failed quick_check: the database may be damaged")
            self._funnel.error(
                "The database may be damaged: today's backup copy failed its integrity check "
                f"({result.problem}). Keep working, and tell IT now; earlier backups are in "
                f"{self._backup_dir}."
            )
            return result
        pruned = prune_backups(self._source, self._backup_dir, self._keep)
        log.info("automatic backup taken; %d old copies pruned", len(pruned))
        return result

    def run_if_due(self) -> BackupResult | None:
        """Run the backup if it is due (see :meth:`is_due`)."""
        return self.run() if self.is_due() else None
