"""The schema revisions this app knows, and the refusals of a database it does not know.

Standard library only: the start-up checks (``preflight``) read the stored revision before
SQLAlchemy or Alembic is imported.
"""

from __future__ import annotations

from infusion_monitor import __version__
from infusion_monitor.storage.errors import DatabaseTooNewError, NotADatabaseError

#: Every revision in ``migrations/versions``, oldest first; a test keeps this equal to Alembic's
#: history, so the start-up check can tell "too new" without importing Alembic.
KNOWN_REVISIONS = (
    "0001_initial",
    "0002_audit_context",
    "0003_session_setup",
    "0004_reaction_record",
    "0005_gateway_messages",
    "0006_session_pregnant",
    "0007_review_indexes",
    "0008_monitor_sources",
    "0009_quality_indexes",
    "0010_vitals_confirms",
    "0011_staff_setup",
    "0012_change_log",
    "0013_quality_summary",
)
#: The newest revision; a test keeps it equal to Alembic's head.
HEAD_REVISION = KNOWN_REVISIONS[-1]
VERSION_TABLE = "alembic_version"
#: ``app_info`` key of the app version that last migrated the database.
APP_VERSION_KEY = "migrated_by_version"


def too_new_error(location: str, app_version: str | None) -> DatabaseTooNewError:
    """The refusal of a database migrated by a newer app (``app_version``: which, if recorded)."""
    wanted = f"version {app_version} or later" if app_version else "a newer version"
    return DatabaseTooNewError(
        f"The database {location} was written by a newer Infusion Monitor than this one "
        f"({__version__}), so it was not opened and was left unchanged. "
        f"Install Infusion Monitor {wanted}, or use another database."
    )


def foreign_error(location: str) -> NotADatabaseError:
    """The refusal of an SQLite file that has tables but no Infusion Monitor schema version."""
    return NotADatabaseError(
        f"The database {location} belongs to another program (it has tables but no "
        "Infusion Monitor schema version), so it was left unchanged. Use another database."
    )
