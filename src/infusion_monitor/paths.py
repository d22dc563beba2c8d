"""Where the app keeps its files: data, configuration, backups, logs and crash reports.

The data folder is, first found: ``--data-dir``; the environment variable
``INFUSION_MONITOR_DATA_DIR`` (IT can set it machine-wide); the machine-wide folder when IT has
created it (``C:\\ProgramData\\infusion-monitor`` on Windows), which every nurse signing on to a
shared workstation then uses; else the signed-in user's own data folder.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from infusion_monitor.errors import UserError
from infusion_monitor.files import absolute, make_folder

APP_NAME = "infusion-monitor"
DATA_DIR_ENV = "INFUSION_MONITOR_DATA_DIR"
#: Set by Citrix (and Remote Desktop) in a session: the name of the computer at the chair.
CITRIX_CLIENT_ENV = "CLIENTNAME"


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
        """Return the paths for an explicit data folder, the environment, the machine-wide
        folder IT created, or the user's own (in that order)."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            return cls.in_folder(absolute(chosen))
        shared = shared_data_dir()
        if shared.is_dir():
            return cls.in_folder(shared)
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_file=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
            / "config.toml",
        )

    @classmethod
    def in_folder(cls, root: Path) -> AppPaths:
        """Everything, configuration included, below one folder."""
        return cls(data_dir=root, config_file=root / "config.toml")

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

    @property
    def sound_dir(self) -> Path:
        """The alarm and prompt sounds as rendered, kept between starts (``sound_files``)."""
        return self.data_dir / "sounds"

    def ensure(self) -> None:
        """Create the folders or raise a UserError that says which one failed.

        New folders are owner-only, or open to the group of a folder IT shared with one.
        """
        for folder in (self.data_dir, self.backup_dir, self.log_dir, self.crash_dir):
            try:
                make_folder(folder)
                probe = folder / ".write-test"
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as exc:
                raise UserError(
                    f"The data folder {folder} cannot be written ({exc.strerror or exc}). "
                    "Choose a writable folder with --data-dir or fix its permissions."
                ) from exc


def shared_data_dir() -> Path:
    """The machine-wide data folder, used when it exists (IT creates it for shared workstations):
    ``C:\\ProgramData\\infusion-monitor`` on Windows, ``/usr/local/share/infusion-monitor`` or
    the first ``XDG_DATA_DIRS`` entry on Linux."""
    return Path(platformdirs.site_data_dir(APP_NAME, appauthor=False))


def workstation_name(configured: str | None = None) -> str:
    """This workstation's name in the audit trail: the configured one, else the Citrix client's
    (the computer at the chair, not the Citrix server every session shares), else the host's."""
    return configured or os.environ.get(CITRIX_CLIENT_ENV, "").strip() or socket.gethostname()
