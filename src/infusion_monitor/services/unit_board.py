"""The charge nurse's unit board: every chair of every workstation, alerting chairs first.

Chairs come from the database (all workstations sharing it), not from this workstation's
config. :meth:`UnitBoardService.changed` is cheap to poll; :meth:`snapshot` reads the board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.services.board import BoardService, ChairStatus
from infusion_monitor.storage.changes import ChangeWatcher
from infusion_monitor.storage.models import Alert, Chair, InfusionSession

_PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class AlertSummary:
    """An alert still needing attention: unacknowledged (active), or escalated."""

    condition: str
    priority: str
    raised_at: datetime
    escalated: bool


@dataclass(frozen=True)
class UnitTile:
    """One chair on the unit board (its latest values: ``chair.session.latest_vitals``)."""

    chair: ChairStatus
    alerts: tuple[AlertSummary, ...]

    @property
    def sort_key(self) -> tuple[int, int]:
        """Unacknowledged/escalated alerts first (worst priority first), then board order."""
        if not self.alerts:
            return (1, 9)
        return (0, min(_PRIORITY_RANK.get(a.priority, 9) for a in self.alerts))


class UnitBoardService:
    """Reads the unit board; knows when another workstation changed something."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        library: ProtocolLibrary,
        watcher: ChangeWatcher | None = None,
    ) -> None:
        self._sessions = sessions
        self._library = library
        self._watcher = watcher

    def changed(self, wait_s: float = 0.0) -> bool:
        """True if any workstation committed since the last call (waits at most ``wait_s``)."""
        return self._watcher.changed(wait_s) if self._watcher is not None else True

    def snapshot(self) -> tuple[UnitTile, ...]:
        """Every chair in the database, alerting ones on top."""
        with self._sessions() as db:
            names = db.scalars(select(Chair.name).order_by(Chair.position, Chair.name)).all()
            rows = db.execute(
                select(Chair.name, InfusionSession.id)
                .join(InfusionSession.chair)
                .where(InfusionSession.state.not_in(("closed",)))
                .order_by(InfusionSession.created_at)
            )
            active: dict[str, int] = dict(rows.all())
            alerts = self._alerts(db, list(active.values()))
        statuses = BoardService(self._sessions, names, self._library).snapshot()
        tiles = [
            UnitTile(status, alerts.get(active.get(status.name, -1), ())) for status in statuses
        ]
        order = {name: index for index, name in enumerate(names)}
        return tuple(sorted(tiles, key=lambda t: (t.sort_key, order[t.chair.name])))

    @staticmethod
    def _alerts(db: Session, session_ids: list[int]) -> dict[int, tuple[AlertSummary, ...]]:
        out: dict[int, list[AlertSummary]] = {}
        rows = db.scalars(
            select(Alert).where(Alert.session_id.in_(session_ids), Alert.state != "resolved")
        )
        for alert in rows:
            escalated = getattr(alert, "escalated_at", None) is not None
            if alert.state == "active" or escalated:
                out.setdefault(alert.session_id, []).append(
                    AlertSummary(alert.condition, alert.priority, alert.raised_at, escalated)
                )
        return {key: tuple(value) for key, value in out.items()}
