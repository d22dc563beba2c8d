"""The mixer: plays what ``domain/sound_plan.plan`` says, when it says, one sound at a time.

It is told the unit's open alerts (every poll), the vitals chimes the prompt bar asks for, and
the nurse's audio pauses; at every change, and at every planned start or end, it asks the pure
plan what should be playing now and starts or stops the loudspeaker to match. Locking the screen
changes none of this: alarms keep sounding while nobody is signed in.

"Pause alarm audio" silences the alarms sounding now for ``[sound] alarm_pause_min`` minutes;
it is recorded in the audit trail before it silences anything, ends by itself, and never covers
an alarm raised after it began. It is not an acknowledgement: the alert stays unanswered, keeps
flashing, and sounds again when the pause ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from infusion_monitor.domain.alarm_signals import AlarmTiming, shortest_interburst_s
from infusion_monitor.domain.alerts import Alert
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.domain.sound_plan import (
    CHIME_MAX_WAIT,
    AudioPause,
    ChimeRequest,
    PlannedSignal,
    Sounding,
    plan,
    soundings,
    winning_priority,
)
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.ui.sound import SoundOutput

log = logging.getLogger(__name__)

#: A planned signal is always started this late (the GUI thread was busy, or the alert reached
#: this workstation through the database a moment after it was raised). Later than that, an
#: alarm burst still starts as long as the silence before the next one stays inside IEC
#: 60601-1-8's shortest interburst interval; otherwise it is skipped.
LATE_START = timedelta(milliseconds=250)
#: The plan is asked for this far ahead to know when to look again (at most every second).
_LOOK_AHEAD = timedelta(seconds=20)
_LONGEST_WAIT_MS = 1000
_SHORTEST_WAIT_MS = 5
#: Ended pauses are kept this long (the plan replays the alarms' history through them).
_KEEP_PAUSES = timedelta(hours=12)
_TICK = timedelta(microseconds=1)

PauseRecorder = Callable[[Actor, AudioPause, list[int]], None]
ResumeRecorder = Callable[[Actor, AudioPause], None]

#: Why a pause is refused while the database opens (it could not be recorded).
NOT_RECORDED_YET = (
    "The database is still opening: a pause cannot be recorded yet, so the alarms keep "
    "sounding. Try again in a moment."
)


class AlarmSoundMixer(QObject):
    """Drives one ``SoundOutput`` from the alerts, the chimes and the pauses."""

    #: The mixer looked at the plan again (at least every second): the header's countdown and
    #: pause button follow.
    refreshed = Signal()

    def __init__(
        self,
        output: SoundOutput,
        clock: Clock,
        timing: AlarmTiming,
        pause_length: timedelta,
        record_pause: PauseRecorder | None,
        record_resume: ResumeRecorder | None,
        parent: QObject | None = None,
    ) -> None:
        """Without recorders (the app's start, before the database is open) the alarms sound
        and a pause is refused until ``record_with`` gives them."""
        super().__init__(parent)
        self.output = output
        self.pause_length = pause_length
        self._clock = clock
        self._timing = timing
        self._record_pause = record_pause
        self._record_resume = record_resume
        self._alarms: tuple[Sounding, ...] = ()
        self._chimes: list[ChimeRequest] = []
        self._pauses: list[AudioPause] = []
        self._current: PlannedSignal | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.refresh)

    def record_with(self, record_pause: PauseRecorder, record_resume: ResumeRecorder) -> None:
        """Record pauses and resumes with these from now on (the database is open)."""
        self._record_pause = record_pause
        self._record_resume = record_resume

    @property
    def available(self) -> bool:
        """Whether the loudspeaker works (the vitals prompt bar says so when not)."""
        return self.output.available

    def play(self, sound: PromptSound) -> None:
        """A vitals chime is asked for now; it plays when no alarm is sounding."""
        self._chimes.append(ChimeRequest(sound, self._clock.now()))
        self.refresh()

    def show_alerts(self, alerts: Iterable[Alert]) -> None:
        """The unit's open alerts as just read (the care controller's poll, every second)."""
        self._alarms = soundings(alerts)
        self.refresh()

    def pause_in_force(self, now: datetime) -> AudioPause | None:
        """The audio pause running at ``now``, or None."""
        return next((p for p in reversed(self._pauses) if p.since <= now < p.until), None)

    def sounding(self, now: datetime) -> bool:
        """Whether an alarm is sounding (asking for sound, not paused) at ``now``."""
        return winning_priority(self._alarms, self._pauses, now) is not None

    def pause(self, actor: Actor) -> AudioPause:
        """Pause the sound of the alarms sounding now, once the pause is recorded.

        Raises ``UserError`` when nothing is sounding or the pause could not be recorded (or
        cannot be yet: the database is still opening); the sound then carries on.
        """
        now = self._clock.now()
        if not self.sounding(now):
            raise UserError("No alarm is sounding: there is nothing to pause.")
        if self._record_pause is None:
            raise UserError(NOT_RECORDED_YET)
        pause = AudioPause(now, now + self.pause_length, actor.staff_id)
        covered = [
            alarm.alert_id for alarm in self._alarms if alarm.asks(now) and alarm.since <= now
        ]
        self._record_pause(actor, pause, covered)
        self._pauses.append(pause)
        log.info("alarm audio paused by %s until %s", actor.staff_id, pause.until)
        self.refresh()
        return pause

    def resume(self, actor: Actor) -> None:
        """End the running pause now: the alarms sound again at once."""
        now = self._clock.now()
        running = self.pause_in_force(now)
        if running is None:
            return
        index = self._pauses.index(running)
        self._pauses[index] = AudioPause(running.since, max(now, running.since + _TICK), running.by)
        self.refresh()
        if self._record_resume is not None:
            self._record_resume(actor, running)

    def refresh(self) -> None:
        """Start or stop the loudspeaker to match the plan at this moment; look again later."""
        now = self._clock.now()
        self._forget_old(now)
        signals = plan(
            self._alarms,
            self._pauses,
            self._chimes,
            self._timing,
            now - LATE_START,
            now + _LOOK_AHEAD,
        )
        now_playing = next((s for s in signals if s.start <= now < s.end), None)
        self._follow(now_playing, now)
        self._timer.start(self._wait_ms(signals, now))
        self.refreshed.emit()

    def _follow(self, now_playing: PlannedSignal | None, now: datetime) -> None:
        """Start the signal the plan plays now; stop the one before only if it was cut (one
        that ran its course is left to finish, so a late start never loses its last pulse)."""
        if _key(now_playing) == _key(self._current):
            return
        previous, self._current = self._current, now_playing
        if previous is not None and now < previous.natural_end:
            self.output.stop()
        if now_playing is not None and self._may_start(now_playing, now):
            self.output.play(now_playing.sound)

    def _may_start(self, signal: PlannedSignal, now: datetime) -> bool:
        """Whether ``signal``, due at its start, may still start at ``now``."""
        late = now - signal.start
        if late <= LATE_START:
            return True
        if signal.priority is None:
            return True  # a chime: nothing follows it that it could crowd
        interval = self._timing.interburst_s(signal.priority)
        if interval is None:
            return True  # sounds once
        spare = interval - shortest_interburst_s(signal.priority)
        return late <= timedelta(seconds=spare)

    def _wait_ms(self, signals: tuple[PlannedSignal, ...], now: datetime) -> int:
        moments = [s.start for s in signals if s.start > now] + [
            s.end for s in signals if s.end > now
        ]
        running = self.pause_in_force(now)
        if running is not None:
            moments.append(running.until)
        if not moments:
            return _LONGEST_WAIT_MS
        wait = (min(moments) - now).total_seconds() * 1000
        return int(min(max(wait, _SHORTEST_WAIT_MS), _LONGEST_WAIT_MS))

    def _forget_old(self, now: datetime) -> None:
        self._chimes = [c for c in self._chimes if now - c.at <= 2 * CHIME_MAX_WAIT]
        self._pauses = [p for p in self._pauses if now - p.until <= _KEEP_PAUSES]


def _key(signal: PlannedSignal | None) -> tuple[PromptSound, datetime] | None:
    """A signal's identity: the same sound starting at the same moment (its end may be cut)."""
    return None if signal is None else (signal.sound, signal.start)
