"""Playing the prompt sounds: a small Qt-free protocol, and the QtMultimedia player behind it.

QtMultimedia needs the system's audio libraries (libpulse on Linux). If they or the audio
device are missing, ``QtSoundPlayer`` reports ``available = False``; the caller says so once
through the message funnel and the visual prompt carries on. Tests use a recording player.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QUrl

from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.resources import resource

log = logging.getLogger(__name__)


class SoundPlayer(Protocol):
    """Plays a named prompt sound (never blocks; failures are not fatal)."""

    @property
    def available(self) -> bool:
        """Whether sounds can be heard at all."""
        ...

    def play(self, sound: PromptSound) -> None:
        """Start playing ``sound``."""
        ...


class SilentPlayer:
    """No sound (audio unavailable, or tests); remembers what it was asked to play."""

    available = False

    def __init__(self) -> None:
        self.requested: list[PromptSound] = []

    def play(self, sound: PromptSound) -> None:
        """Record the request."""
        self.requested.append(sound)


class QtSoundPlayer(QObject):
    """QSoundEffect per prompt sound, loaded from ``resources/sounds``."""

    def __init__(self, volume: float = 0.8, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.requested: list[PromptSound] = []
        self._effects: dict[PromptSound, object] = {}
        self.problem: str | None = None
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            self.problem = f"the audio library cannot be loaded ({exc})"
            return
        if QMediaDevices.defaultAudioOutput().isNull():
            self.problem = "no audio output device was found"
            return
        for sound in PromptSound:
            effect = QSoundEffect(self)
            path = Path(str(resource("sounds", f"{sound.value}.wav")))
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(volume)
            self._effects[sound] = effect

    @property
    def available(self) -> bool:
        """Whether the audio backend started."""
        return self.problem is None

    def play(self, sound: PromptSound) -> None:
        """Play ``sound``; without audio, only record the request."""
        self.requested.append(sound)
        effect = self._effects.get(sound)
        if effect is not None:
            effect.play()  # type: ignore[attr-defined]


#: The alarm of each alert priority (IEC 60601-1-8 spirit, ui.md "Sound"); a low alert is silent.
ALARM_SOUNDS = {"high": PromptSound.ALARM_HIGH, "medium": PromptSound.ALARM_MEDIUM}


def play_alarm(player: SoundPlayer, priority: str) -> None:
    """Sound the alarm of an alert of ``priority`` (the vitals-prompt mute does not apply)."""
    sound = ALARM_SOUNDS.get(priority)
    if sound is not None:
        player.play(sound)
