"""Where the app keeps its files: data, configuration, backups, logs and crash reports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from infusion_monitor.errors import UserError

APP_NAME = "infusion-monitor"
DATA_DIR_ENV = "INFUSION_MONITOR_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    """The folders and files of one installation.

    With ``--data-dir`` (or ``INFUSION_MONITOR_DATA_DIR``) everything lives below that one folder,
    configuration included; otherwise the platform's user data and config folders are used.
    """

    data_dir: Path
    config_file: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        """Return the paths for an explicit data folder, the environment, or the default."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root, config_file=root / "config.toml")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_file=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
            / "config.toml",
        )

    @property
    def database_file(self) -> Path:
        """The embedded SQLite database."""
        return self.data_dir / "infusion-monitor.sqlite3"

    @property
    def demo_database_file(self) -> Path:
        """The separate database that ``--demo`` seeds afresh at every start."""
        return self.data_dir / "demo.sqlite3"

    @property
    def backup_dir(self) -> Path:
        """Copies of the database taken before migrations and on a schedule."""
        return self.data_dir / "backups"

    @property
    def log_dir(self) -> Path:
        """Application logs (never patient identifiers)."""
        return self.data_dir / "logs"

    @property
    def crash_dir(self) -> Path:
        """Crash reports written by the crash handler and shown at the next start."""
        return self.data_dir / "crashes"

    def ensure(self) -> None:
        """Create the folders (owner-only) or raise a UserError that says which one failed."""
        for folder in (self.data_dir, self.backup_dir, self.log_dir, self.crash_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                probe = folder / ".write-test"
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as exc:
                raise UserError(
                    f"The data folder {folder} cannot be written ({exc.strerror or exc}). "
                    "Choose a writable folder with --data-dir or fix its permissions."
                ) from exc
