"""The charge nurse's unit board: every chair of every workstation, alerting chairs first.

Chairs come from the database (every chair any workstation sharing it has used), and this
workstation's own configured chairs are shown even before their first session.
:meth:`UnitBoardService.changed` is cheap to poll; :meth:`snapshot` reads the board.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.alerts import Alert, AlertState
from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.services.care.alerts import alert_of
from infusion_monitor.services.sessions.board import BoardService, ChairStatus
from infusion_monitor.storage import models
from infusion_monitor.storage.models import Chair, InfusionSession
from infusion_monitor.storage.sql_rows import reading


@dataclass(frozen=True)
class UnitTile:
    """One chair on the unit board (its latest values: ``chair.session.latest_vitals``).

    ``alerts``: the session's alerts that need the unit's attention: unacknowledged, or escalated
    by a nurse ("Escalate anyway"), even once acknowledged.
    """

    chair: ChairStatus
    alerts: tuple[Alert, ...]

    @property
    def sort_key(self) -> tuple[int, int]:
        """Alerting chairs first (worst priority first), then board order."""
        if not self.alerts:
            return (1, 0)
        return (0, -max(alert.priority for alert in self.alerts))


def needs_attention(alert: Alert) -> bool:
    """Unacknowledged, or escalated by a nurse ("Escalate anyway") even once acknowledged."""
    return alert.state is AlertState.ACTIVE or alert.escalated_by_nurse


def tiles_of(chairs: Sequence[ChairStatus], alerts: Mapping[int, Alert]) -> tuple[UnitTile, ...]:
    """Tiles for ``chairs`` with their open alerts (``alerts`` by session), alerting on top: the
    unit board's first paint from what this workstation already shows, before its read."""
    tiles = [
        UnitTile(
            status, tuple(a for a in [alerts.get(status.session.id)] if a and needs_attention(a))
        )
        if status.session is not None
        else UnitTile(status, ())
        for status in chairs
    ]
    return tuple(sorted(tiles, key=lambda tile: tile.sort_key))


class UnitBoardService:
    """Reads the unit board; knows when another workstation changed something."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        library: ProtocolLibrary,
        chairs: Sequence[str] = (),
    ) -> None:
        self._sessions = sessions
        self._library = library
        self._chairs = tuple(chairs)

    def snapshot(self) -> tuple[UnitTile, ...]:
        """Every chair in the database and this workstation's, alerting ones on top."""
        with self._sessions() as db:
            names = list(db.scalars(select(Chair.name).order_by(Chair.position, Chair.name)))
            names += [name for name in self._chairs if name not in names]
            rows = db.execute(
                select(Chair.name, InfusionSession.id)
                .join(InfusionSession.chair)
                .where(InfusionSession.state.not_in(("closed",)))
                .order_by(InfusionSession.created_at)
            )
            active: dict[str, int] = dict(rows.all())
            alerts = self._alerts(db, list(active.values()))
        statuses = BoardService(reading(self._sessions), names, self._library).snapshot()
        tiles = [
            UnitTile(status, alerts.get(active.get(status.name, -1), ())) for status in statuses
        ]
        order = {name: index for index, name in enumerate(names)}
        return tuple(sorted(tiles, key=lambda t: (t.sort_key, order[t.chair.name])))

    @staticmethod
    def _alerts(db: Session, session_ids: list[int]) -> dict[int, tuple[Alert, ...]]:
        out: dict[int, list[Alert]] = {}
        rows = db.scalars(
            select(models.Alert)
            .where(models.Alert.session_id.in_(session_ids), models.Alert.state != "resolved")
            .order_by(models.Alert.raised_at, models.Alert.id)
        )
        for row in rows:
            alert = alert_of(db, row)
            if needs_attention(alert):
                out.setdefault(alert.session_id, []).append(alert)
        return {key: tuple(value) for key, value in out.items()}
