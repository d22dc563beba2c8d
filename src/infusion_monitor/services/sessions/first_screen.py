"""What the locked first screen shows, read in one go: the board, the unit's alerts, first run.

The app reads this before SQLAlchemy is imported when it can (``storage.first_read``), through
the same SQL text and the same functions the board, alert and sign-in services use afterwards,
so the first frame shows exactly what the regular services would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from infusion_monitor.domain.alerts import AlertPolicy
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.services.care.alert_reads import unit_alerts
from infusion_monitor.services.care.views import UnitAlertView
from infusion_monitor.services.sessions.board import ChairStatus, board_statuses
from infusion_monitor.services.staff.credentials import administrator_exists
from infusion_monitor.storage.rows import Rows


@dataclass(frozen=True)
class FirstScreen:
    """Every chair's status, the unit's open alerts, and whether nobody can sign in yet."""

    statuses: tuple[ChairStatus, ...]
    unit_alerts: UnitAlertView
    first_run: bool


def read_first_screen(
    rows: Rows,
    chair_names: Sequence[str],
    library: ProtocolLibrary,
    policy: AlertPolicy,
    now: datetime,
) -> FirstScreen:
    """Read the first screen inside one open read."""
    return FirstScreen(
        board_statuses(rows, chair_names, library),
        unit_alerts(rows, now, policy),
        not administrator_exists(rows),
    )
