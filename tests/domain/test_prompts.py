"""Vitals prompt sounds on a fake clock: chime when due, repeat while overdue, bounded mutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import PromptSound, VitalsPrompter
from infusion_monitor.domain.schedule import CheckKind, DueCheck, VitalsState, VitalsStatus
from infusion_monitor.errors import UserError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHECK = DueCheck(CheckKind.EARLY, T0)


def status(state: VitalsState) -> VitalsStatus:
    return VitalsStatus(state, CHECK, timedelta(0))


def test_chime_once_when_due_then_repeat_while_overdue() -> None:
    clock = FakeClock(T0 - timedelta(minutes=1))
    prompter = VitalsPrompter(overdue_repeat_s=30)
    assert prompter.tick({1: status(VitalsState.NOT_YET_DUE)}, clock.now()) == []
    clock.advance(timedelta(minutes=1))
    assert prompter.tick({1: status(VitalsState.DUE)}, clock.now()) == [PromptSound.DUE]
    clock.advance(timedelta(seconds=10))
    assert prompter.tick({1: status(VitalsState.DUE)}, clock.now()) == []
    clock.advance(timedelta(minutes=5))
    assert prompter.tick({1: status(VitalsState.OVERDUE)}, clock.now()) == [PromptSound.OVERDUE]
    clock.advance(timedelta(seconds=29))
    assert prompter.tick({1: status(VitalsState.OVERDUE)}, clock.now()) == []
    clock.advance(timedelta(seconds=1))
    assert prompter.tick({1: status(VitalsState.OVERDUE)}, clock.now()) == [PromptSound.OVERDUE]
    # Recorded: the session is no longer overdue; nothing repeats.
    clock.advance(timedelta(seconds=30))
    assert prompter.tick({1: status(VitalsState.NOT_YET_DUE)}, clock.now()) == []


def test_mute_needs_a_reason_and_ends_by_itself() -> None:
    clock = FakeClock(T0)
    prompter = VitalsPrompter(max_mute_min=10)
    with pytest.raises(UserError, match="needs a reason"):
        prompter.mute("  ", clock.now(), "N001")
    mute = prompter.mute("Patient asleep", clock.now(), "N001", minutes=60)
    assert mute.until == T0 + timedelta(minutes=10), "never longer than the maximum"
    assert prompter.tick({1: status(VitalsState.DUE)}, clock.now()) == []
    clock.advance(timedelta(minutes=10))
    assert prompter.muted(clock.now()) is None
    assert prompter.tick({1: status(VitalsState.OVERDUE)}, clock.now()) == [PromptSound.OVERDUE]


def test_a_new_check_is_announced_again() -> None:
    prompter = VitalsPrompter()
    assert prompter.tick({1: status(VitalsState.DUE)}, T0) == [PromptSound.DUE]
    later = DueCheck(CheckKind.REACTION, T0 + timedelta(minutes=5))
    due_again = VitalsStatus(VitalsState.DUE, later, timedelta(0))
    assert prompter.tick({1: due_again}, T0 + timedelta(minutes=5)) == [PromptSound.DUE]


def test_a_session_that_leaves_the_unit_and_returns_is_announced_again() -> None:
    prompter = VitalsPrompter()
    assert prompter.tick({1: status(VitalsState.DUE)}, T0) == [PromptSound.DUE]
    assert prompter.tick({}, T0 + timedelta(seconds=1)) == []  # closed, or moved elsewhere
    assert prompter.tick({1: status(VitalsState.DUE)}, T0 + timedelta(seconds=2)) == [
        PromptSound.DUE
    ]


def test_a_mute_is_refused_with_what_to_do_when_it_cannot_be_bounded() -> None:
    with pytest.raises(ValueError, match="at least one minute"):
        VitalsPrompter(max_mute_min=0)
    prompter = VitalsPrompter(max_mute_min=30)
    with pytest.raises(UserError, match="longer than"):
        prompter.mute("x" * 1000, T0, "N001")
    with pytest.raises(UserError, match="Mute for at least one minute"):
        prompter.mute("patient asleep", T0, "N001", minutes=-5)
    assert prompter.muted(T0) is None  # nothing refused was kept
