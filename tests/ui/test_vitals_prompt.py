"""The prompt bar: words for due/overdue chairs, sound requested (not heard), bounded mute."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import Mute, PromptSound, VitalsPrompter
from infusion_monitor.domain.schedule import CheckKind, DueCheck, VitalsState, VitalsStatus
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.errors import UserError
from infusion_monitor.model.loader import Stop
from infusion_monitor.model.reads import UnitReads
from infusion_monitor.model.unit import Fresh, Wanted
from infusion_monitor.paths import AppPaths
from infusion_monitor.ui.deferred_build import DeferredBuild
from infusion_monitor.ui.sound import SilentPlayer
from infusion_monitor.ui.vitals_prompt import VitalsPromptBar, status_words

from .conftest import MakeWindow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHECK = DueCheck(CheckKind.EARLY, T0)
NURSE = Actor("N001", "Ada Nurse", Role.NURSE)


def test_due_then_overdue_sounds_and_words(qtbot: QtBot) -> None:
    clock = FakeClock(T0 - timedelta(minutes=2))
    states = {7: VitalsState.NOT_YET_DUE}

    def load(now: datetime) -> dict[int, VitalsStatus]:
        return {
            sid: VitalsStatus(state, CHECK, max(CHECK.at - now, timedelta(0)))
            for sid, state in states.items()
        }

    player = SilentPlayer()
    recorded: list[tuple[Actor, Mute]] = []
    failing: list[str] = []

    def record_mute(actor: Actor, mute: Mute) -> None:
        if failing:
            raise UserError(failing[0])
        recorded.append((actor, mute))

    bar = VitalsPromptBar(
        clock,
        load,
        lambda sid: f"Chair {sid}",
        player,
        VitalsPrompter(max_mute_min=10),
        lambda: NURSE,
        record_mute,
    )
    qtbot.addWidget(bar)
    bar.timer.stop()
    assert bar.summary.text() == "Vitals: nothing due"
    assert bar.sound_state.text() == "Sound unavailable"
    clock.advance(timedelta(minutes=2))
    states[7] = VitalsState.DUE
    bar.refresh()
    assert bar.summary.text() == "! Chair 7: Vitals DUE"
    assert player.requested == [PromptSound.DUE]
    clock.advance(timedelta(minutes=6))
    states[7] = VitalsState.OVERDUE
    bar.refresh()
    assert bar.summary.text() == "!! Chair 7: Vitals OVERDUE (6 min)"
    assert player.requested[-1] is PromptSound.OVERDUE
    # Muting needs a reason, shows its end, and lasts at most the configured time.
    bar.mute()
    assert "needs a reason" in bar.sound_state.text()
    assert recorded == []
    # A mute that could not be recorded does not silence anything.
    failing.append("The database is locked. Try again.")
    bar.mute_reason.setText("Patient asleep, checked visually")
    bar.mute()
    assert bar.sound_state.text() == "⚠ Not muted: The database is locked. Try again."
    assert bar.mute_reason.text() == "Patient asleep, checked visually"
    heard = len(player.requested)
    clock.advance(timedelta(seconds=30))
    bar.refresh()
    assert len(player.requested) == heard + 1, "the overdue sound still repeats"
    failing.clear()
    bar.mute()
    assert bar.sound_state.text().startswith("Muted 10:00 — Patient asleep")
    ((who, mute),) = recorded
    assert who is NURSE
    assert (mute.reason, mute.by, mute.until) == (
        "Patient asleep, checked visually",
        NURSE.staff_id,
        clock.now() + timedelta(minutes=10),
    )
    before = len(player.requested)
    clock.advance(timedelta(minutes=5))
    bar.refresh()
    assert len(player.requested) == before
    assert "OVERDUE" in bar.summary.text(), "the visual prompt never mutes"
    clock.advance(timedelta(minutes=5))
    bar.refresh()
    assert player.requested[-1] is PromptSound.OVERDUE
    assert len(player.requested) == before + 1


def test_status_words() -> None:
    soon = VitalsStatus(VitalsState.NOT_YET_DUE, CHECK, timedelta(minutes=4, seconds=10))
    assert status_words(soon, T0) == "Vitals in 04:10"
    assert status_words(VitalsStatus(VitalsState.NOT_YET_DUE, None, None), T0) == (
        "Vitals: none scheduled"
    )


def test_the_app_records_a_mute_in_the_audit_trail(make_window: MakeWindow, data_dir: Path) -> None:
    window = make_window(clock=FakeClock(T0))
    bar = window.vitals_prompt
    bar.timer.stop()
    bar.mute_reason.setText("Patient asleep, checked visually")
    bar.mute()
    assert bar.sound_state.text().startswith("Muted")
    database = AppPaths.resolve(data_dir).database_file
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT actor, action, after FROM audit_entry WHERE action = 'alarm.mute'"
        )
        ((actor, _action, after),) = rows.fetchall()
    assert actor == "WORKSTATION"
    assert json.loads(after)["reason"] == "Patient asleep, checked visually"


def test_until_the_schedule_is_read_the_bar_says_it_is_checking_never_nothing_due(
    qtbot: QtBot,
) -> None:
    clock = FakeClock(T0)
    read: list[dict[int, VitalsStatus]] = []
    player = SilentPlayer()
    bar = VitalsPromptBar(
        clock,
        lambda _now: read[0] if read else None,
        lambda sid: f"Chair {sid}",
        player,
        VitalsPrompter(max_mute_min=10),
        lambda: NURSE,
        lambda _actor, _mute: None,
    )
    qtbot.addWidget(bar)
    bar.timer.stop()
    assert bar.summary.text() == "Vitals: checking schedule…"
    clock.advance(timedelta(seconds=9))
    bar.refresh()
    assert bar.summary.text() == "Vitals: checking schedule…"
    assert player.requested == []
    # A read that does not come (a database locked at start) is never taken for "nothing due".
    clock.advance(timedelta(seconds=2))
    bar.refresh()
    assert bar.summary.text().startswith("Vitals: schedule not read yet")
    assert "check each chair" in bar.summary.text()
    read.append({7: VitalsStatus(VitalsState.DUE, CHECK, timedelta(0))})
    bar.refresh()
    assert bar.summary.text() == "! Chair 7: Vitals DUE"
    assert player.requested == [PromptSound.DUE]


def test_the_app_says_checking_until_its_first_schedule_read_arrives(
    qtbot: QtBot, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit model's first read is slow (a busy database): the bar waits for it honestly."""
    gate = threading.Event()
    real_read = UnitReads.read

    def slow_read(self: UnitReads, changes: Changes, wanted: Wanted, stop: Stop) -> Fresh:
        gate.wait(10)
        return real_read(self, changes, wanted, stop)

    monkeypatch.setattr(UnitReads, "read", slow_read)
    deferred = DeferredBuild()
    try:
        window = make_window("--demo", deferred=deferred)
        readies: list[bool] = []
        deferred.ready.connect(lambda: readies.append(True))
        deferred.finish()
        bar = window.vitals_prompt  # type: ignore[attr-defined]
        window.show()
        qtbot.wait(1200)  # the bar has ticked at least once meanwhile
        assert bar.summary.text() == "Vitals: checking schedule…"
        assert readies == [], "not ready while nobody knows which vitals are due"
    finally:
        gate.set()
    qtbot.waitUntil(lambda: bar.summary.text() != "Vitals: checking schedule…", timeout=10_000)
    assert readies == [True]
    # The demo unit has chairs with vitals due or overdue, or at least a schedule to show.
    assert bar.summary.text() == "Vitals: nothing due" or "Chair" in bar.summary.text()
