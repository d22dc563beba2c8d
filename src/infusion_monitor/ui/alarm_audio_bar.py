"""The header's alarm-audio controls: "Pause alarm audio", its countdown, and the warning when
alarms cannot be heard (no output device, muted, below the volume floor).

The pause is a button and Ctrl+Shift+M, never a bare letter; it asks for a signed-in nurse (the
audit row names who paused) and acknowledges nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.ui.alarm_sound import AlarmSoundMixer

PAUSE_KEY = "Ctrl+Shift+M"


def minutes_words(length: timedelta) -> str:
    """``2 min`` or ``90 s``."""
    seconds = round(length.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


class AlarmAudioBar(QWidget):
    """Pause / resume button, "AUDIO PAUSED m:ss" indicator, and the inaudible-alarm warning."""

    def __init__(
        self,
        mixer: AlarmSoundMixer,
        clock: Clock,
        actor: Callable[[], Actor],
        funnel: MessageFunnel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AlarmAudioBar")
        self._mixer = mixer
        self._clock = clock
        self._actor = actor
        self._funnel = funnel
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(8)
        self.warning = QLabel("⚠ NO SOUND")
        self.warning.setObjectName("AlarmAudioWarning")
        self.warning.setStyleSheet(
            "color: #FFFFFF; background: #8E0B20; border-radius: 6px; padding: 4px 8px;"
            " font-size: 14px; font-weight: 800;"
        )
        self.paused = QLabel()
        self.paused.setObjectName("AudioPaused")
        self.paused.setStyleSheet(
            "color: #111820; background: #FFD21F; border: 2px solid #8A6100;"
            " border-radius: 6px; padding: 0px 8px; font-size: 14px; font-weight: 800;"
        )
        self.paused.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.warning, self.paused):
            label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.button = QPushButton()
        self.button.setObjectName("PauseAlarmAudio")
        self.button.clicked.connect(self.toggle)
        shortcut = QShortcut(QKeySequence(PAUSE_KEY), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.toggle)
        layout.addWidget(self.warning)
        layout.addWidget(self.paused)
        layout.addWidget(self.button)
        mixer.refreshed.connect(self.refresh)
        audibility = getattr(mixer.output, "audibility_changed", None)
        if audibility is not None:
            audibility.connect(self.refresh)
        self.refresh()

    def toggle(self) -> None:
        """Pause the sounding alarms' audio, or let them sound again if paused."""
        now = self._clock.now()
        try:
            actor = self._actor()
            if self._mixer.pause_in_force(now) is None:
                self._mixer.pause(actor)
            else:
                self._mixer.resume(actor)
        except UserError as exc:
            self._funnel.error(exc.message)

    def refresh(self) -> None:
        """Show the countdown, the button's state and any reason alarms cannot be heard."""
        now = self._clock.now()
        running = self._mixer.pause_in_force(now)
        length = minutes_words(self._mixer.pause_length)
        if running is None:
            self.paused.setVisible(False)
            self.button.setText(f"Pause audio {length}\n{PAUSE_KEY}")
            self.button.setToolTip(
                f"Silence the alarms sounding now for {length}; they stay unacknowledged and "
                "sound again by themselves. An alarm raised meanwhile still sounds."
            )
            self.button.setEnabled(self._mixer.sounding(now))
        else:
            left = int(running.left(now).total_seconds())
            self.paused.setText(f"AUDIO PAUSED\n{left // 60}:{left % 60:02d} left")
            self.paused.setToolTip(
                f"Paused by {running.by} until {running.until.astimezone().strftime('%H:%M:%S')}"
            )
            self.paused.setVisible(True)
            self.button.setText(f"Resume audio\n{PAUSE_KEY}")
            self.button.setToolTip("Let the paused alarms sound again now")
            self.button.setEnabled(True)
        problem = self._mixer.output.audibility_problem()
        self.warning.setVisible(problem is not None)
        if problem is not None:
            self.warning.setToolTip(
                f"Alarms cannot be heard: {problem}. They show on screen only: watch it, and"
                " call IT or fix the speakers."
            )
