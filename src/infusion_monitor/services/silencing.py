"""Alarm silencing is recorded: who muted which sound, why, and until when (audit row).

Muting the vitals prompt sound lives in memory (``domain/prompts.VitalsPrompter``); this use case
makes every mute durable and reviewable, because silencing that outlives its reason is a hazard
(architecture.md). The UI applies a mute only once this call committed; if it fails the sound
stays on and the nurse is told.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.prompts import Mute
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record

log = logging.getLogger(__name__)

#: What the vitals prompt mute silences (the audit row's entity).
VITALS_PROMPT_SOUND = "vitals_prompt_sound"


class SilencingService:
    """Records alarm silencing in the audit trail (one transaction per call)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def record_mute(self, actor: Actor, mute: Mute) -> None:
        """Store the mute of the vitals prompt sound in the actor's name; commit before return."""
        actor.require(Permission.CARE)
        if mute.by != actor.staff_id:
            raise UserError("A mute is recorded only in the name of who muted.")
        if mute.until <= mute.since:
            raise UserError("A mute needs an end after its start.")
        with self._sessions.begin() as db:
            record(
                db,
                actor,
                at=self._clock.now(),
                action="alarm.mute",
                entity=VITALS_PROMPT_SOUND,
                entity_id=actor.workstation or "this workstation",
                after={
                    "reason": mute.reason,
                    "since": mute.since.isoformat(),
                    "until": mute.until.isoformat(),
                    "minutes": round((mute.until - mute.since).total_seconds() / 60),
                    "by": mute.by,
                },
            )
        log.info("vitals prompt sound muted by %s until %s", actor.staff_id, mute.until)
