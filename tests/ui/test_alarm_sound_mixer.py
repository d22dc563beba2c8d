"""The mixer against a silent loudspeaker on a fake clock: what it starts, stops and skips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from infusion_monitor.domain.alarm_signals import DESIGNS, AlarmTiming
from infusion_monitor.domain.alerts import Alert, AlertPriority, AlertState
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.ui.alarm_sound import AlarmSoundMixer
from infusion_monitor.ui.sound import SilentPlayer

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HIGH_S = DESIGNS[PromptSound.ALARM_HIGH].duration_s


def _mixer(clock: FakeClock) -> tuple[AlarmSoundMixer, SilentPlayer]:
    output = SilentPlayer()
    mixer = AlarmSoundMixer(
        output, clock, AlarmTiming(), timedelta(minutes=2), lambda *_: None, lambda *_: None
    )
    return mixer, output


def _high(seconds_ago: float) -> Alert:
    raised = T0 - timedelta(seconds=seconds_ago)
    return Alert(1, 1, "anaphylaxis", AlertPriority.HIGH, AlertState.ACTIVE, raised)


def test_an_alert_that_arrives_late_still_sounds_while_the_interburst_silence_allows(
    qtbot: QtBot,
) -> None:
    """Raised on another workstation 2 s ago: the burst starts now (5 s interburst minus the
    standard's shortest 2.5 s leaves room); 3 s ago it would crowd the next burst: skipped."""
    mixer, output = _mixer(FakeClock(T0))
    mixer.show_alerts([_high(2.0)])
    assert output.requested == [PromptSound.ALARM_HIGH]
    mixer, output = _mixer(FakeClock(T0))
    mixer.show_alerts([_high(3.0)])
    assert output.requested == []


def test_a_burst_that_ran_its_course_is_left_to_finish_and_a_cut_one_is_stopped(
    qtbot: QtBot,
) -> None:
    clock = FakeClock(T0)
    mixer, output = _mixer(clock)
    alert = _high(0)
    mixer.show_alerts([alert])
    clock.advance(timedelta(seconds=HIGH_S + 0.1))
    mixer.show_alerts([alert])
    assert output.stops == 0
    clock.advance(timedelta(seconds=5))
    mixer.show_alerts([alert])
    assert output.requested == [PromptSound.ALARM_HIGH] * 2
    clock.advance(timedelta(seconds=1))
    acknowledged = Alert(
        1, 1, "anaphylaxis", AlertPriority.HIGH, AlertState.ACKNOWLEDGED, T0, clock.now(), "N"
    )
    mixer.show_alerts([acknowledged])
    assert output.stops == 1
    clock.advance(timedelta(minutes=1))
    mixer.show_alerts([acknowledged])
    assert output.requested == [PromptSound.ALARM_HIGH] * 2
