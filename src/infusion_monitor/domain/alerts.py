"""Alerts: one per condition, acknowledged by a named nurse, re-sounded and escalated by time.

A pure state machine (IEC 60601-1-8 conventions, architecture "Clinical safety design"):

- An alert is raised when the assessed priority rises above what is already alerted. A new
  reading at the same priority *updates* the open alert (one alert per condition, not one per
  reading); a higher priority *supersedes* it with a new active alert, so an acknowledged alert
  never masks a worse one.
- ``active → acknowledged`` (by a named nurse, time recorded) ``→ resolved``. A falling priority
  never silences an unacknowledged alert (it latches until someone acknowledges it); once
  acknowledged it follows the priority down, and resolves when nothing is flagged any more.
- Escalation to the unit is a pure function of the stored times and ``now``: an unacknowledged
  high alert counts as escalated after ``escalate_after_s``. What the alerts sound, and when, is
  ``domain/sound_plan``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

#: IEC 60601-1-8 flashing frequencies chosen inside the allowed bands (high 1.4-2.8 Hz,
#: medium 0.4-0.8 Hz; low priority is steady).
HIGH_FLASH_HZ = 2.0
MEDIUM_FLASH_HZ = 0.6
#: Default of config.toml ``[alerts]``.
ESCALATE_AFTER_S = 120


#: Plain words for the rule set's pathway names, as the band shows the alert's condition.
CONDITION_LABELS: dict[str, str] = {
    "anaphylaxis": "Anaphylaxis criteria met",
    "severe_reaction": "Severe reaction",
    "moderate_reaction": "Moderate reaction",
    "airway_watch": "Facial or lip swelling: watch the airway",
    "mild_reaction": "Mild reaction",
    "deterioration_emergency": "NEWS2 emergency score",
    "deterioration_urgent": "NEWS2 urgent score",
    "site_reaction": "Line-site reaction",
    "escalated_by_nurse": "Escalated by the nurse",
}


def condition_label(condition: str) -> str:
    """The words for a condition; an unknown pathway name is shown readably, never dropped."""
    return CONDITION_LABELS.get(condition, condition.replace("_", " ").capitalize())


class AlertPriority(enum.IntEnum):
    """An alert's priority; higher is worse. The stored value is :attr:`code`."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def code(self) -> str:
        """``low``, ``medium`` or ``high``: as stored and as the rules engine says it."""
        return self.name.lower()

    @property
    def marks(self) -> str:
        """The monitor convention: ``!!!`` high, ``!!`` medium, ``!`` low."""
        return "!" * self.value

    @property
    def words(self) -> str:
        """The priority in words, never colour alone: ``!!! HIGH``."""
        return f"{self.marks} {self.name}"

    @property
    def flash_hz(self) -> float:
        """How fast the alert flashes (0: steady)."""
        return {AlertPriority.HIGH: HIGH_FLASH_HZ, AlertPriority.MEDIUM: MEDIUM_FLASH_HZ}.get(
            self, 0.0
        )

    @classmethod
    def from_code(cls, code: str) -> AlertPriority | None:
        """The priority for an assessment's ``priority`` (``none`` gives None)."""
        return None if code == "none" else cls[code.upper()]


def priority_code(priority: AlertPriority | None) -> str:
    """The code the rules engine and the storage use: ``none`` when nothing is flagged."""
    return "none" if priority is None else priority.code


class AlertState(enum.StrEnum):
    """Where an alert is in its life."""

    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """The unit's timing for unacknowledged alerts (config.toml ``[alerts]``)."""

    escalate_after_s: int = ESCALATE_AFTER_S

    def __post_init__(self) -> None:
        if self.escalate_after_s <= 0:
            raise ValueError("the alert escalation time must be positive")


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as stored (a frozen copy; never an ORM object)."""

    id: int
    session_id: int
    condition: str
    priority: AlertPriority
    state: AlertState
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    #: A nurse pressed "Escalate anyway" for this alert.
    escalated_by_nurse: bool = False

    @property
    def open(self) -> bool:
        """Not yet resolved."""
        return self.state is not AlertState.RESOLVED

    def unacknowledged_for(self, now: datetime) -> timedelta | None:
        """How long it has waited for acknowledgement (None once acknowledged or resolved)."""
        return now - self.raised_at if self.state is AlertState.ACTIVE else None

    def escalated(self, now: datetime, policy: AlertPolicy) -> bool:
        """Escalated to the unit: a nurse said so, or a high alert waited too long for an ack."""
        if not self.open:
            return False
        if self.escalated_by_nurse:
            return True
        waited = self.unacknowledged_for(now)
        return (
            self.priority is AlertPriority.HIGH
            and waited is not None
            and waited >= timedelta(seconds=policy.escalate_after_s)
        )

    def flashing(self) -> bool:
        """Whether the band flashes: an active high or medium alert (acknowledged is steady)."""
        return self.state is AlertState.ACTIVE and self.priority.flash_hz > 0


class AlertChange(enum.Enum):
    """What an assessment did to a session's alerts."""

    NONE = "none"
    RAISED = "raised"
    UPDATED = "updated"
    LOWERED = "lowered"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class AlertDecision:
    """The outcome of :func:`decide`: what to store.

    ``close`` is the open alert to resolve (superseded or cleared); ``open`` the alert to keep or
    create with its new fields (``id`` 0 for a new one); ``change`` says which.
    """

    change: AlertChange
    close: Alert | None = None
    open: Alert | None = None


def decide(
    current: Alert | None,
    session_id: int,
    priority: AlertPriority | None,
    condition: str,
    at: datetime,
    *,
    nurse_set: bool = True,
) -> AlertDecision:
    """Apply one assessment (its ``priority``, None when nothing is flagged, and top pathway) to
    the session's open alert.

    ``condition`` names the top pathway ("anaphylaxis"); ``at`` is when the assessment was made.
    ``nurse_set``: the set of vital signs in force is a nurse's. On a bedside monitor's set alone
    (no ACVPU, no oxygen) an alert is never resolved or lowered by the rules: that needs a
    nurse's set, or the nurse resolving it with a reason.
    """
    level = priority
    if current is not None and not current.open:
        current = None
    if current is not None and not nurse_set and (level is None or level < current.priority):
        return AlertDecision(AlertChange.NONE, open=current)
    if level is None:
        if current is None:
            return AlertDecision(AlertChange.NONE)
        if current.state is AlertState.ACKNOWLEDGED:
            closed = replace(current, state=AlertState.RESOLVED, resolved_at=at)
            return AlertDecision(AlertChange.RESOLVED, close=closed)
        # An unacknowledged alert latches: it stays until someone has seen it.
        return AlertDecision(AlertChange.NONE, open=current)
    if current is None or level > current.priority:
        new = Alert(0, session_id, condition, level, AlertState.ACTIVE, raised_at=at)
        superseded = None
        if current is not None:
            superseded = replace(current, state=AlertState.RESOLVED, resolved_at=at)
        return AlertDecision(AlertChange.RAISED, close=superseded, open=new)
    if level == current.priority:
        if condition == current.condition:
            return AlertDecision(AlertChange.NONE, open=current)
        return AlertDecision(AlertChange.UPDATED, open=replace(current, condition=condition))
    if current.state is AlertState.ACTIVE:
        return AlertDecision(AlertChange.NONE, open=current)
    lowered = replace(current, priority=level, condition=condition)
    return AlertDecision(AlertChange.LOWERED, open=lowered)


class AlertRefused(ValueError):
    """An acknowledgement that cannot apply (already acknowledged or resolved)."""


def acknowledge(
    alert: Alert, by: str, at: datetime, latest_priority: AlertPriority | None
) -> Alert:
    """Acknowledge ``alert`` as nurse ``by`` at ``at``.

    If nothing is flagged any more (``latest_priority`` is None) the latched alert resolves
    at the same time.
    """
    if alert.state is not AlertState.ACTIVE:
        raise AlertRefused(f"this alert is already {alert.state.value}")
    if at < alert.raised_at:
        raise AlertRefused("an alert cannot be acknowledged before it was raised")
    acked = replace(alert, state=AlertState.ACKNOWLEDGED, acknowledged_at=at, acknowledged_by=by)
    if latest_priority is None:
        return replace(acked, state=AlertState.RESOLVED, resolved_at=at)
    return acked


@dataclass(frozen=True, slots=True)
class UnitAlerts:
    """The header's summary of every open alert the database holds, for the charge nurse."""

    high: int = 0
    medium: int = 0
    low: int = 0
    escalated: int = 0
    unacknowledged: int = 0

    @property
    def text(self) -> str:
        """``!!! 1 HIGH · escalated``, ``!! 2 MEDIUM``, or empty when nothing is open."""
        parts: list[str] = []
        if self.high:
            parts.append(f"!!! {self.high} HIGH")
        if self.medium:
            parts.append(f"!! {self.medium} MEDIUM")
        if self.low:
            parts.append(f"! {self.low} LOW")
        if self.escalated:
            parts.append("escalated" if self.escalated == 1 else f"{self.escalated} escalated")
        return " · ".join(parts)

    @property
    def worst(self) -> AlertPriority | None:
        """The highest open priority, or None."""
        if self.high:
            return AlertPriority.HIGH
        if self.medium:
            return AlertPriority.MEDIUM
        return AlertPriority.LOW if self.low else None


def summarise(alerts: Iterable[Alert], now: datetime, policy: AlertPolicy) -> UnitAlerts:
    """Count the open alerts by priority, the escalated and the unacknowledged ones."""
    counts = dict.fromkeys(AlertPriority, 0)
    escalated = unacknowledged = 0
    for alert in alerts:
        if not alert.open:
            continue
        counts[alert.priority] += 1
        escalated += alert.escalated(now, policy)
        unacknowledged += alert.state is AlertState.ACTIVE
    return UnitAlerts(
        high=counts[AlertPriority.HIGH],
        medium=counts[AlertPriority.MEDIUM],
        low=counts[AlertPriority.LOW],
        escalated=escalated,
        unacknowledged=unacknowledged,
    )
