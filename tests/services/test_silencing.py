"""Every mute of the vitals prompt sound is an audit row: who, why, until when; role-checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import Mute, VitalsPrompter
from infusion_monitor.domain.sound_plan import AudioPause
from infusion_monitor.domain.users import Actor, PermissionDenied
from infusion_monitor.errors import UserError
from infusion_monitor.services.care.silencing import (
    ALARM_AUDIO,
    VITALS_PROMPT_SOUND,
    SilencingService,
)
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database

from .conftest import WORKSTATION


def _mutes(database: Database) -> list[models.AuditEntry]:
    with database.sessions() as db:
        return list(
            db.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "alarm.mute"))
        )


def test_a_mute_is_recorded_with_who_why_and_until(
    database: Database, clock: FakeClock, nurse: Actor
) -> None:
    service = SilencingService(database.sessions, clock)
    prompter = VitalsPrompter(max_mute_min=10)
    mute = prompter.mute("Patient asleep, checked visually", clock.now(), nurse.staff_id, 30)
    service.record_mute(nurse, mute)
    (row,) = _mutes(database)
    assert (row.actor, row.actor_role, row.workstation) == ("N100", "nurse", WORKSTATION)
    assert (row.entity, row.entity_id) == (VITALS_PROMPT_SOUND, WORKSTATION)
    assert row.after == {
        "reason": "Patient asleep, checked visually",
        "since": clock.now().isoformat(),
        "until": (clock.now() + timedelta(minutes=10)).isoformat(),
        "minutes": 10,
        "by": "N100",
    }


def test_a_mute_is_refused_for_a_role_without_care_or_in_someone_else_s_name(
    database: Database, clock: FakeClock, admin: Actor, nurse: Actor
) -> None:
    service = SilencingService(database.sessions, clock)
    prompter = VitalsPrompter()
    with pytest.raises(PermissionDenied):
        service.record_mute(admin, prompter.mute("testing", clock.now(), admin.staff_id))
    with pytest.raises(UserError, match="in the name of who muted"):
        service.record_mute(nurse, prompter.mute("testing", clock.now(), "N999"))
    with pytest.raises(UserError, match="end after its start"):
        service.record_mute(nurse, Mute("testing", clock.now(), clock.now(), nurse.staff_id))
    assert _mutes(database) == []


def test_an_audio_pause_and_an_early_resume_are_recorded_with_who_which_alerts_and_until(
    database: Database, clock: FakeClock, nurse: Actor, admin: Actor
) -> None:
    service = SilencingService(database.sessions, clock)
    pause = AudioPause(clock.now(), clock.now() + timedelta(minutes=2), nurse.staff_id)
    with pytest.raises(PermissionDenied):
        service.record_audio_pause(admin, replace(pause, by=admin.staff_id), [7])
    with pytest.raises(UserError, match="in the name of who paused"):
        service.record_audio_pause(nurse, replace(pause, by="N999"), [7])
    service.record_audio_pause(nurse, pause, [9, 7])
    clock.advance(timedelta(seconds=40))
    service.record_audio_resume(nurse, pause)
    with database.sessions() as db:
        rows = list(
            db.scalars(
                select(models.AuditEntry)
                .where(models.AuditEntry.entity == ALARM_AUDIO)
                .order_by(models.AuditEntry.id)
            )
        )
    paused, resumed = rows
    assert (paused.action, paused.actor, paused.entity_id) == (
        "alarm.audio_pause",
        "N100",
        WORKSTATION,
    )
    assert paused.after == {
        "since": pause.since.isoformat(),
        "until": pause.until.isoformat(),
        "seconds": 120,
        "by": "N100",
        "alerts": [7, 9],
    }
    assert resumed.action == "alarm.audio_resume"
    assert resumed.after == {"resumed_at": clock.now().isoformat(), "by": "N100"}
