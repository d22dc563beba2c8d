"""Alarm silencing is recorded: who silenced which sound, why, and until when (audit rows).

Muting the vitals prompt sound (``domain/prompts.VitalsPrompter``) and pausing the alarms' audio
(``domain/sound_plan.AudioPause``) live in memory; this use case makes every one durable and
reviewable, because silencing that outlives its reason is a hazard (architecture.md). The UI
applies a mute or a pause only once this call committed; if it fails the sound stays on and the
nurse is told.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.prompts import Mute
from infusion_monitor.domain.sound_plan import AudioPause
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record

log = logging.getLogger(__name__)

#: What the vitals prompt mute silences (the audit row's entity).
VITALS_PROMPT_SOUND = "vitals_prompt_sound"
#: What "Pause alarm audio" silences (the audit row's entity).
ALARM_AUDIO = "alarm_audio"


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
        after = {
            "reason": mute.reason,
            "since": mute.since.isoformat(),
            "until": mute.until.isoformat(),
            "minutes": round((mute.until - mute.since).total_seconds() / 60),
            "by": mute.by,
        }
        self._record(actor, "alarm.mute", VITALS_PROMPT_SOUND, after)
        log.info("vitals prompt sound muted by %s until %s", actor.staff_id, mute.until)

    def record_audio_pause(self, actor: Actor, pause: AudioPause, alert_ids: list[int]) -> None:
        """Store the pause of the alarms' sound (which alerts, until when); commit before return."""
        actor.require(Permission.CARE)
        if pause.by != actor.staff_id:
            raise UserError("An audio pause is recorded only in the name of who paused.")
        after = {
            "since": pause.since.isoformat(),
            "until": pause.until.isoformat(),
            "seconds": round((pause.until - pause.since).total_seconds()),
            "by": pause.by,
            "alerts": sorted(alert_ids),
        }
        self._record(actor, "alarm.audio_pause", ALARM_AUDIO, after)
        log.info("alarm audio paused by %s until %s", actor.staff_id, pause.until)

    def record_audio_resume(self, actor: Actor, pause: AudioPause) -> None:
        """Store that ``actor`` let the alarms sound again before the pause ran out."""
        actor.require(Permission.CARE)
        before = {"since": pause.since.isoformat(), "until": pause.until.isoformat()}
        after = {"resumed_at": self._clock.now().isoformat(), "by": actor.staff_id}
        self._record(actor, "alarm.audio_resume", ALARM_AUDIO, after, before)

    def _record(
        self,
        actor: Actor,
        action: str,
        entity: str,
        after: Mapping[str, object],
        before: Mapping[str, object] | None = None,
    ) -> None:
        """One audit row about this workstation's sound, committed before return."""
        with self._sessions.begin() as db:
            record(
                db,
                actor,
                at=self._clock.now(),
                action=action,
                entity=entity,
                entity_id=actor.workstation or "this workstation",
                before=None if before is None else dict(before),
                after=dict(after),
            )
