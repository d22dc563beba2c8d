"""What the speaker plays over a minute, as a pure function of alerts, pauses, chimes and time.

No audio device: ``plan`` returns the signals and the tests check their counts, intervals,
priorities and that no two of them ever overlap.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.alarm_signals import DESIGNS, AlarmTiming
from infusion_monitor.domain.alerts import Alert, AlertPriority, AlertState
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.domain.sound_plan import (
    CHIME_MAX_WAIT,
    AudioPause,
    ChimeRequest,
    PlannedSignal,
    Sounding,
    plan,
    soundings,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MINUTE = T0 + timedelta(minutes=1)
TIMING = AlarmTiming(high_interburst_s=5.0, medium_interburst_s=15.0)
HIGH = DESIGNS[PromptSound.ALARM_HIGH].duration_s
MEDIUM = DESIGNS[PromptSound.ALARM_MEDIUM].duration_s


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seconds(moment: datetime) -> float:
    return (moment - T0).total_seconds()


def alarm(priority: AlertPriority, since: float, until: float | None = None, alert_id: int = 1):
    return Sounding(alert_id, priority, s(since), None if until is None else s(until))


def one_minute(
    alarms: list[Sounding],
    pauses: tuple[AudioPause, ...] = (),
    chimes: tuple[ChimeRequest, ...] = (),
    timing: AlarmTiming = TIMING,
) -> tuple[PlannedSignal, ...]:
    signals = plan(alarms, pauses, chimes, timing, T0, MINUTE)
    for earlier, later in itertools.pairwise(signals):
        assert earlier.end <= later.start, f"{earlier} overlaps {later}"
    return signals


def starts(signals: tuple[PlannedSignal, ...], sound: PromptSound) -> list[float]:
    return [round(seconds(signal.start), 3) for signal in signals if signal.sound is sound]


def test_an_unanswered_high_alarm_repeats_its_burst_after_each_interburst_interval() -> None:
    signals = one_minute([alarm(AlertPriority.HIGH, 0)])
    period = HIGH + 5.0
    assert starts(signals, PromptSound.ALARM_HIGH) == [
        round(k * period, 3) for k in range(int(60 // period) + 1)
    ]
    assert all(not signal.cut for signal in signals[:-1])
    for earlier, later in itertools.pairwise(signals):
        assert seconds(later.start) - seconds(earlier.end) == pytest.approx(5.0)
    assert len(signals) == 8  # 60 s / 8.2 s: the 8th burst starts at 57.6 s


def test_acknowledging_stops_the_sound_at_once_and_for_good() -> None:
    signals = one_minute([alarm(AlertPriority.HIGH, 0, until=10)])
    assert starts(signals, PromptSound.ALARM_HIGH) == [0.0, round(HIGH + 5.0, 3)]
    assert signals[-1].end == s(10) and signals[-1].cut


def test_high_takes_the_speaker_from_medium_at_once_and_medium_returns_after_it() -> None:
    signals = one_minute(
        [
            alarm(AlertPriority.MEDIUM, 0, alert_id=1),
            alarm(AlertPriority.HIGH, 0.5, until=20, alert_id=2),
        ]
    )
    assert [signal.sound for signal in signals[:2]] == [
        PromptSound.ALARM_MEDIUM,
        PromptSound.ALARM_HIGH,
    ]
    assert signals[0].cut and signals[0].end == s(0.5) == signals[1].start
    during_high = [x for x in signals if s(0.5) <= x.start < s(20)]
    assert {x.sound for x in during_high} == {PromptSound.ALARM_HIGH}
    assert starts(signals, PromptSound.ALARM_MEDIUM)[1:] == [
        20.0,
        round(20 + MEDIUM + 15, 3),
        round(20 + 2 * (MEDIUM + 15), 3),
    ]


def test_medium_repeats_until_answered_and_low_sounds_once() -> None:
    medium = one_minute([alarm(AlertPriority.MEDIUM, 0)])
    assert starts(medium, PromptSound.ALARM_MEDIUM) == [
        0.0,
        round(MEDIUM + 15, 3),
        round(2 * (MEDIUM + 15), 3),
        round(3 * (MEDIUM + 15), 3),
    ]
    low = one_minute([alarm(AlertPriority.LOW, 3)])
    assert starts(low, PromptSound.ALARM_LOW) == [3.0]
    repeating = one_minute([alarm(AlertPriority.LOW, 0)], timing=AlarmTiming(low_interburst_s=20))
    low_length = DESIGNS[PromptSound.ALARM_LOW].duration_s
    assert starts(repeating, PromptSound.ALARM_LOW) == [
        0.0,
        round(low_length + 20, 3),
        round(2 * (low_length + 20), 3),
    ]


def test_a_pause_silences_the_alarms_it_found_ends_by_itself_and_never_hides_a_new_one() -> None:
    pause = AudioPause(s(2), s(32), "DEMO")
    signals = one_minute([alarm(AlertPriority.HIGH, 0)], pauses=(pause,))
    assert signals[0].cut and signals[0].end == s(2)
    assert not [x for x in signals if s(2) <= x.start < s(32)]
    assert starts(signals, PromptSound.ALARM_HIGH)[1:3] == [32.0, round(32 + HIGH + 5, 3)]

    raised_during = one_minute(
        [alarm(AlertPriority.MEDIUM, 0, alert_id=1), alarm(AlertPriority.HIGH, 10, alert_id=2)],
        pauses=(pause,),
    )
    assert starts(raised_during, PromptSound.ALARM_HIGH)[0] == 10.0
    assert next(x for x in raised_during if s(2) <= x.start < s(32)).start == s(10)


def test_the_vitals_chime_waits_for_silence_and_never_plays_over_or_between_alarm_bursts() -> None:
    chimes = (ChimeRequest(PromptSound.DUE, s(1)), ChimeRequest(PromptSound.OVERDUE, s(1)))
    signals = one_minute([alarm(AlertPriority.MEDIUM, 0, until=12)], chimes=chimes)
    chimed = [x for x in signals if x.priority is None]
    assert [(x.sound, x.start) for x in chimed] == [(PromptSound.OVERDUE, s(12))]

    quiet = one_minute([], chimes=(ChimeRequest(PromptSound.DUE, s(5)),))
    assert [(x.sound, x.start, x.cut) for x in quiet] == [(PromptSound.DUE, s(5), False)]

    too_late = one_minute(
        [alarm(AlertPriority.HIGH, 0, until=50)], chimes=(ChimeRequest(PromptSound.DUE, s(2)),)
    )
    assert {x.sound for x in too_late} == {PromptSound.ALARM_HIGH}
    assert timedelta(seconds=48) > CHIME_MAX_WAIT


def test_an_alarm_cuts_a_chime_that_is_playing() -> None:
    signals = one_minute(
        [alarm(AlertPriority.HIGH, 5.3)], chimes=(ChimeRequest(PromptSound.DUE, s(5)),)
    )
    assert signals[0].sound is PromptSound.DUE and signals[0].cut and signals[0].end == s(5.3)
    assert signals[1].sound is PromptSound.ALARM_HIGH and signals[1].start == s(5.3)


def test_the_answer_does_not_depend_on_the_window_asked_for() -> None:
    alarms = [alarm(AlertPriority.HIGH, 0, until=45), alarm(AlertPriority.MEDIUM, 2, alert_id=2)]
    whole = plan(alarms, (), (), TIMING, T0, s(63))
    pieces = {
        signal
        for offset in range(0, 63, 7)
        for signal in plan(alarms, (), (), TIMING, s(offset), s(offset + 7))
    }
    assert set(whole) == pieces


def test_alerts_sound_until_acknowledged() -> None:
    active = Alert(1, 10, "anaphylaxis", AlertPriority.HIGH, AlertState.ACTIVE, s(0))
    acked = Alert(
        2, 11, "mild_reaction", AlertPriority.LOW, AlertState.ACKNOWLEDGED, s(0), s(9), "DEMO"
    )
    assert soundings([active, acked]) == (
        Sounding(1, AlertPriority.HIGH, s(0), None),
        Sounding(2, AlertPriority.LOW, s(0), s(9)),
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"high_interburst_s": 60}, "2.5-15 s"),
        ({"high_interburst_s": 1}, "2.5-15 s"),
        ({"medium_interburst_s": 31}, "2.5-30 s"),
        ({"low_interburst_s": 15}, "more than 15 s"),
    ],
)
def test_repetition_is_configurable_only_inside_the_standards_limits(
    kwargs: dict[str, float], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        AlarmTiming(**kwargs)
