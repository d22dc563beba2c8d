"""The loudspeaker: plays one rendered sound at a time, and says when alarms cannot be heard.

``QtSoundPlayer`` plays every sound of ``domain/alarm_signals``, rendered by ``audio.py`` (into
the data folder's ``sounds`` once, kept there between starts: ``sound_files``; or into a
temporary folder), with one ``QSoundEffect`` per sound, at the configured volume but
never below the administrator's floor. What plays when is decided elsewhere
(``ui/alarm_sound.AlarmSoundMixer`` over ``domain/sound_plan``); this layer only starts and
stops. QtMultimedia needs the system's audio libraries (libpulse on Linux); without them, or
without an output device, ``available`` is False and ``problem`` says why. Tests use
``SilentPlayer``, which remembers what it was asked to play.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.sound_files import rendered_sounds

log = logging.getLogger(__name__)

#: How often the system's output (PulseAudio sink mute and volume) is looked at.
SYSTEM_CHECK_MS = 15_000


class SoundPlayer(Protocol):
    """Plays a named sound (never blocks; failures are not fatal)."""

    @property
    def available(self) -> bool:
        """Whether sounds can be heard at all."""
        ...

    def play(self, sound: PromptSound) -> None:
        """Start playing ``sound``."""
        ...


class SoundOutput(SoundPlayer, Protocol):
    """The loudspeaker itself: one sound at a time, stopped on demand."""

    def stop(self) -> None:
        """Stop whatever is playing."""
        ...

    def audibility_problem(self) -> str | None:
        """Why alarms cannot be heard right now (no device, muted, too quiet), or None."""
        ...


class SilentPlayer:
    """No sound (audio unavailable, or tests); remembers what it was asked to play and stop."""

    available = False

    def __init__(self) -> None:
        self.requested: list[PromptSound] = []
        self.stops = 0

    def play(self, sound: PromptSound) -> None:
        """Record the request."""
        self.requested.append(sound)

    def stop(self) -> None:
        """Record the stop."""
        self.stops += 1

    def audibility_problem(self) -> str | None:
        """A silent player is never the reason alarms cannot be heard (tests)."""
        return None


class QtSoundPlayer(QObject):
    """One ``QSoundEffect`` per rendered sound; says when the output makes alarms inaudible."""

    #: The audibility may have changed (device plugged or unplugged, system mute or volume).
    audibility_changed = Signal()
    _system_checked = Signal(object)

    def __init__(
        self,
        volume: float = 0.8,
        floor: float = 0.5,
        parent: QObject | None = None,
        *,
        kept_in: Path | None = None,
    ) -> None:
        """``kept_in``: the folder where the rendered sounds are kept between starts
        (``sound_files``); without it they are rendered into a temporary folder."""
        super().__init__(parent)
        self.requested: list[PromptSound] = []
        self.problem: str | None = None
        self._floor = floor
        self._volume = max(volume, floor)
        self._effects: dict[PromptSound, object] = {}
        self._playing: object | None = None
        self._system_problem: str | None = None
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            self.problem = f"the audio library cannot be loaded ({exc})"
            return
        self._devices = QMediaDevices(self)
        if not self._devices.audioOutputs():
            self.problem = "no audio output device was found"
        for sound, path in self._sound_files(kept_in).items():
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(self._volume)
            effect.mutedChanged.connect(self.audibility_changed)
            effect.volumeChanged.connect(self.audibility_changed)
            effect.statusChanged.connect(self.audibility_changed)
            self._effects[sound] = effect
        self._devices.audioOutputsChanged.connect(self._on_devices_changed)
        self._system_checked.connect(self._on_system_checked)
        self._system_timer = QTimer(self)
        self._system_timer.setInterval(SYSTEM_CHECK_MS)
        self._system_timer.timeout.connect(self._check_system)
        self._system_timer.start()
        self._check_system()

    def _sound_files(self, kept_in: Path | None) -> dict[PromptSound, Path]:
        """The rendered sounds: kept in ``kept_in`` between starts, else in a temporary folder
        removed with the player (also when ``kept_in`` cannot be written)."""
        if kept_in is not None:
            try:
                return rendered_sounds(kept_in)
            except OSError:
                log.exception("the sounds cannot be kept in %s; rendered for this run", kept_in)
        from infusion_monitor.audio import write_sounds

        folder = Path(tempfile.mkdtemp(prefix="infusion-monitor-sounds-"))
        weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        return write_sounds(folder)

    @property
    def available(self) -> bool:
        """Whether the audio backend started with an output device."""
        return self.problem is None

    def play(self, sound: PromptSound) -> None:
        """Play ``sound`` from its start, stopping anything else first."""
        self.requested.append(sound)
        effect = self._effects.get(sound)
        if effect is None:
            return
        self.stop()
        effect.play()  # type: ignore[attr-defined]
        self._playing = effect

    def stop(self) -> None:
        """Stop the sound playing now (if any)."""
        if self._playing is not None:
            self._playing.stop()  # type: ignore[attr-defined]
            self._playing = None

    def audibility_problem(self) -> str | None:
        """Why alarms cannot be heard now, or None when nothing is known to stop them."""
        if self.problem is not None:
            return self.problem
        for effect in self._effects.values():
            if effect.status() == effect.Status.Error:  # type: ignore[attr-defined]
                return "the alarm sounds cannot be played on this output"
            if effect.isMuted():  # type: ignore[attr-defined]
                return "the alarm sound is muted"
            if effect.volume() < self._floor:  # type: ignore[attr-defined]
                return f"the alarm volume is below the floor of {self._floor:.0%}"
        return self._system_problem

    def _on_devices_changed(self) -> None:
        from PySide6.QtMultimedia import QMediaDevices

        outputs = self._devices.audioOutputs()
        self.problem = None if outputs else "no audio output device was found"
        for effect in self._effects.values():
            effect.setAudioDevice(QMediaDevices.defaultAudioOutput())  # type: ignore[attr-defined]
        self.audibility_changed.emit()
        self._check_system()

    def _check_system(self) -> None:
        """Ask the system's sound server about mute and volume, off the GUI thread."""
        if shutil.which("pactl") is None:
            return
        floor = self._floor
        threading.Thread(
            target=self._report_system, args=(floor,), name="sound-check", daemon=True
        ).start()

    def _report_system(self, floor: float) -> None:
        """On the worker thread: ask, then hand the answer to the GUI thread."""
        problem = system_output_problem(floor)
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self._system_checked.emit(problem)

    def _on_system_checked(self, problem: str | None) -> None:
        if problem != self._system_problem:
            self._system_problem = problem
            self.audibility_changed.emit()


def system_output_problem(floor: float) -> str | None:
    """Whether PulseAudio's default output is muted or below ``floor`` (``pactl``), or None.

    None too when the question cannot be answered (no ``pactl``, no server): the app then
    relies on Qt's view of the device alone.
    """
    try:
        mute = pactl("get-sink-mute", "@DEFAULT_SINK@")
        volume = pactl("get-sink-volume", "@DEFAULT_SINK@")
    except (OSError, subprocess.SubprocessError):
        return None
    if mute.strip().endswith("yes"):
        return "the computer's sound output is muted"
    levels = [
        int(word[:-1]) for word in volume.split() if word.endswith("%") and word[:-1].isdigit()
    ]
    if levels and max(levels) < floor * 100:
        return f"the computer's volume ({max(levels)}%) is below the alarm floor of {floor:.0%}"
    return None


def pactl(*args: str) -> str:
    """Run PulseAudio's ``pactl`` in the C locale and return what it printed."""
    return subprocess.run(
        ["pactl", *args],
        capture_output=True,
        text=True,
        timeout=3,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    ).stdout
