"""When to sound the vitals prompts, and muting that always has a reason and an end.

Qt-free: ``VitalsPrompter.tick(statuses, now)`` is given every open session's vitals state and
returns the sounds to request now. A check that falls due gets one soft chime; while any check
is overdue a more insistent sound repeats every ``overdue_repeat_s``. Muting needs a reason and
lasts at most ``max_mute_min`` minutes (ui.md "Sound"); the visual prompt never mutes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from infusion_monitor.domain.schedule import DueCheck, VitalsState, VitalsStatus
from infusion_monitor.errors import UserError

DEFAULT_MAX_MUTE_MIN = 10
OVERDUE_REPEAT_S = 30
MAX_MUTE_REASON = 200


class PromptSound(enum.StrEnum):
    """The sounds the app plays: the vitals schedule's chimes and the alarm burst of each alert
    priority (their parameters: ``domain/alarm_signals.DESIGNS``)."""

    DUE = "vitals_due"
    OVERDUE = "vitals_overdue"
    ALARM_HIGH = "alarm_high"
    ALARM_MEDIUM = "alarm_medium"
    ALARM_LOW = "alarm_low"


@dataclass(frozen=True)
class Mute:
    """Prompt sounds are silenced until ``until`` because of ``reason``."""

    reason: str
    since: datetime
    until: datetime
    by: str


class VitalsPrompter:
    """Turns schedule states into sound requests; remembers what it already announced."""

    def __init__(
        self, max_mute_min: int = DEFAULT_MAX_MUTE_MIN, overdue_repeat_s: int = OVERDUE_REPEAT_S
    ) -> None:
        if max_mute_min < 1:
            raise ValueError("the longest mute must be at least one minute")
        self.max_mute_min = max_mute_min
        self._repeat = timedelta(seconds=overdue_repeat_s)
        self._announced: dict[int, tuple[VitalsState, DueCheck | None]] = {}
        self._last_overdue_sound: datetime | None = None
        self._mute: Mute | None = None

    def mute(self, reason: str, now: datetime, by: str, minutes: int | None = None) -> Mute:
        """Silence the prompt sounds for ``minutes`` (at most the configured maximum)."""
        cleaned = reason.strip()
        if not cleaned:
            raise UserError("Muting needs a reason. Say why the prompts are silenced.")
        if len(cleaned) > MAX_MUTE_REASON:
            raise UserError(f"The reason is longer than {MAX_MUTE_REASON} characters.")
        length = min(minutes or self.max_mute_min, self.max_mute_min)
        if length < 1:
            raise UserError("Mute for at least one minute.")
        self._mute = Mute(cleaned, now, now + timedelta(minutes=length), by)
        return self._mute

    def unmute(self) -> None:
        """Let the prompt sounds play again."""
        self._mute = None

    def muted(self, now: datetime) -> Mute | None:
        """The mute in force at ``now``, or None (a mute ends by itself)."""
        if self._mute is not None and now >= self._mute.until:
            self._mute = None
        return self._mute

    def tick(self, statuses: Mapping[int, VitalsStatus], now: datetime) -> list[PromptSound]:
        """The sounds to request now for these sessions' states (empty while muted)."""
        sounds: list[PromptSound] = []
        for session_id, status in statuses.items():
            key = (status.state, status.check)
            if self._announced.get(session_id) == key:
                continue
            self._announced[session_id] = key
            if status.state is VitalsState.DUE:
                sounds.append(PromptSound.DUE)
            elif status.state is VitalsState.OVERDUE:
                sounds.append(PromptSound.OVERDUE)
                self._last_overdue_sound = now
        for gone in set(self._announced) - set(statuses):
            del self._announced[gone]
        overdue = any(s.state is VitalsState.OVERDUE for s in statuses.values())
        if (
            overdue
            and PromptSound.OVERDUE not in sounds
            and self._last_overdue_sound is not None
            and now - self._last_overdue_sound >= self._repeat
        ):
            sounds.append(PromptSound.OVERDUE)
            self._last_overdue_sound = now
        if self.muted(now) is not None:
            return []
        return sorted(set(sounds), key=list(PromptSound).index)
