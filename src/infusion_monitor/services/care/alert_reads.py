"""Stored alerts as the domain's ``Alert``: the unit's open alerts, or one alert by id.

One SQL text, run through a :class:`~infusion_monitor.storage.rows.Rows`: the alert service's
SQLAlchemy session, or the standard library's ``sqlite3`` when the app paints its first screen
(the board's alert bands and the header's summary). No SQLAlchemy here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from infusion_monitor.domain.alerts import Alert, AlertPolicy, AlertPriority, AlertState, summarise
from infusion_monitor.domain.guidance import ESCALATE
from infusion_monitor.services.care.views import UnitAlertView
from infusion_monitor.services.sessions.records import ACTIVE_STATES
from infusion_monitor.storage.rows import Rows, flag, in_list, utc, utc_or_none

#: Alerts with who acknowledged them and whether a nurse escalated them, oldest first.
ALERTS_SQL = """
SELECT a.id, a.session_id, a.condition, a.priority, a.state, a.raised_at, a.acknowledged_at,
       n.name, a.resolved_at,
       EXISTS (SELECT 1 FROM intervention i WHERE i.alert_id = a.id AND i.action = :escalate)
FROM alert a
JOIN infusion_session s ON s.id = a.session_id
LEFT JOIN nurse n ON n.id = a.acknowledged_by_id
WHERE {where}
ORDER BY a.raised_at, a.id
"""


def read_alerts(rows: Rows, where: str, params: Mapping[str, object]) -> list[Alert]:
    """The alerts that match ``where`` (SQL over ``a``, the alert, and ``s``, its session)."""
    found = rows(ALERTS_SQL.format(where=where), {**params, "escalate": ESCALATE})
    return [_alert(values) for values in found]


def _alert(values: Sequence[Any]) -> Alert:
    alert_id, session_id, condition, priority, state, raised_at, acknowledged_at = values[:7]
    acknowledged_by, resolved_at, escalated = values[7:]
    return Alert(
        id=alert_id,
        session_id=session_id,
        condition=condition,
        priority=AlertPriority[priority.upper()],
        state=AlertState(state),
        raised_at=utc(raised_at),
        acknowledged_at=utc_or_none(acknowledged_at),
        acknowledged_by=acknowledged_by,
        resolved_at=utc_or_none(resolved_at),
        escalated_by_nurse=flag(escalated),
    )


def alert_by_id(rows: Rows, alert_id: int) -> Alert:
    """One stored alert (it must exist)."""
    (alert,) = read_alerts(rows, "a.id = :alert_id", {"alert_id": alert_id})
    return alert


def open_alert(rows: Rows, session_id: int) -> Alert | None:
    """The session's unresolved alert (the newest, should there ever be two), or None."""
    alerts = read_alerts(
        rows,
        "a.session_id = :session_id AND a.state != :resolved",
        {"session_id": session_id, "resolved": AlertState.RESOLVED.value},
    )
    return alerts[-1] if alerts else None


def unit_alerts(rows: Rows, now: datetime, policy: AlertPolicy) -> UnitAlertView:
    """Every open alert of an active session: the header's summary and each chair's band."""
    states, params = in_list("state", ACTIVE_STATES)
    alerts = read_alerts(
        rows,
        f"a.state != :resolved AND s.state IN ({states})",
        {**params, "resolved": AlertState.RESOLVED.value},
    )
    return UnitAlertView(
        summarise(alerts, now, policy), {alert.session_id: alert for alert in alerts}
    )
