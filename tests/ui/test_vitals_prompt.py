"""The prompt bar: words for due/overdue chairs, sound requested (not heard), bounded mute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import PromptSound, VitalsPrompter
from infusion_monitor.domain.schedule import CheckKind, DueCheck, VitalsState, VitalsStatus
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.ui.sound import SilentPlayer
from infusion_monitor.ui.vitals_prompt import VitalsPromptBar, status_words

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
    bar = VitalsPromptBar(
        clock,
        load,
        lambda sid: f"Chair {sid}",
        player,
        VitalsPrompter(max_mute_min=10),
        lambda: NURSE,
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
    bar.mute_reason.setText("Patient asleep, checked visually")
    bar.mute()
    assert bar.sound_state.text().startswith("Muted 10:00 — Patient asleep")
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
