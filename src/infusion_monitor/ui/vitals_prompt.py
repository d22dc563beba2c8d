"""The vitals prompt bar: which chairs are due or overdue, the sound, and a bounded mute.

Never a dialog: a strip of words (and colour) plus a mute control that asks for a reason. A
QTimer only asks for a refresh; what is due comes from ``load_statuses(now)`` (persisted data)
and what to sound from the Qt-free ``VitalsPrompter``. Until the schedules were first read
(``load_statuses`` gives None) the bar says it is checking, never "nothing due", and sounds
nothing; should that take longer than ``CHECKING_PATIENCE``, it says so in amber.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.prompts import Mute, PromptSound, VitalsPrompter
from infusion_monitor.domain.schedule import VitalsState, VitalsStatus
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.ui.elided_label import ElidedLabel
from infusion_monitor.ui.sound import SoundPlayer
from infusion_monitor.ui.theme import restyle

REFRESH_MS = 1000
#: How long the bar may say it is checking the schedules before it warns that it cannot tell.
CHECKING_PATIENCE = timedelta(seconds=10)
CHECKING_TEXT = "Vitals: checking schedule…"
NOT_READ_TEXT = "Vitals: schedule not read yet (database slow?) — check each chair's vitals"
PLAIN_STYLE = "font-size: 18px; padding: 2px 8px;"
#: Vitals schedule colours (ui.md): amber due, red overdue, purple nothing recorded yet.
STATE_STYLES = {
    VitalsState.DUE: ("Vitals DUE", "#7A5200", "#FFE7B3"),
    VitalsState.OVERDUE: ("Vitals OVERDUE", "#FFFFFF", "#A61B1B"),
    VitalsState.NOTHING_RECORDED: ("No vitals yet", "#FFFFFF", "#5A3E8C"),
}

#: The statuses of the unit's open sessions at a moment; None while they were never read.
StatusLoader = Callable[[datetime], Mapping[int, VitalsStatus] | None]
#: Stores a mute durably (audit row) in the actor's name; raises UserError when it could not.
MuteRecorder = Callable[[Actor, Mute], None]


def status_words(status: VitalsStatus, now: datetime) -> str:
    """How a tile or the session header says the vitals state (never colour alone)."""
    if status.check is None:
        return "Vitals: none scheduled"
    if status.state is VitalsState.NOT_YET_DUE and status.due_in is not None:
        minutes, seconds = divmod(int(status.due_in.total_seconds()), 60)
        return f"Vitals in {minutes:02d}:{seconds:02d}"
    late = int((now - status.check.at).total_seconds() // 60)
    word = STATE_STYLES[status.state][0]
    return f"{word} ({late} min)" if late > 0 else word


class VitalsPromptBar(QWidget):
    """Due/overdue words for the chairs, sound requests, and the mute control."""

    muted_changed = Signal(str)
    """The mute text shown (empty when sound is on)."""

    def __init__(
        self,
        clock: Clock,
        load_statuses: StatusLoader,
        names: Callable[[int], str],
        player: SoundPlayer,
        prompter: VitalsPrompter,
        actor: Callable[[], Actor],
        record_mute: MuteRecorder,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("VitalsPromptBar")
        self._clock = clock
        self._load = load_statuses
        self._names = names
        self._player = player
        self._prompter = prompter
        self._actor = actor
        self._record_mute = record_mute
        self._since = clock.now()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.summary = ElidedLabel()
        self.summary.setObjectName("PromptSummary")
        self.summary.setStyleSheet("font-size: 18px; font-weight: 700; padding: 2px 8px;")
        layout.addWidget(self.summary, 1)
        self.sound_state = ElidedLabel()
        self.sound_state.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.sound_state)
        self.mute_reason = QLineEdit()
        self.mute_reason.setPlaceholderText("reason to mute")
        self.mute_reason.setFixedWidth(160)
        layout.addWidget(self.mute_reason)
        self.mute_button = QPushButton(f"Mute {prompter.max_mute_min} min")
        self.mute_button.setToolTip("Mute the vitals prompt sound (a reason is required)")
        layout.addWidget(self.mute_button)
        self.mute_reason.returnPressed.connect(self.mute)
        self.mute_button.clicked.connect(self.mute)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        if not player.available:
            self.sound_state.setText("Sound unavailable")
        self.refresh()

    def refresh(self) -> None:
        """Re-read the schedule, update the words, and request any sound now due."""
        now = self._clock.now()
        statuses = self._load(now)
        if statuses is None:
            self._show_unread(now)
            self._show_mute(now)
            return
        urgent = [
            (sid, status)
            for sid, status in statuses.items()
            if status.state in (VitalsState.DUE, VitalsState.OVERDUE)
        ]
        urgent.sort(key=lambda item: item[1].state is not VitalsState.OVERDUE)
        if urgent:
            worst = urgent[0][1].state
            _, ink, fill = STATE_STYLES[worst]
            chairs = ", ".join(
                f"{self._names(sid)}: {status_words(status, now)}" for sid, status in urgent
            )
            self.summary.setText(f"{'!!' if worst is VitalsState.OVERDUE else '!'} {chairs}")
            restyle(
                self.summary,
                f"font-size: 18px; font-weight: 700; padding: 2px 8px; color: {ink};"
                f" background: {fill}; border-radius: 4px;",
            )
        else:
            self.summary.setText("Vitals: nothing due")
            restyle(self.summary, PLAIN_STYLE)
        for sound in self._prompter.tick(statuses, now):
            self._play(sound)
        self._show_mute(now)

    def _show_unread(self, now: datetime) -> None:
        """Say the schedules are being read; past ``CHECKING_PATIENCE``, that nobody can tell."""
        if now - self._since < CHECKING_PATIENCE:
            self.summary.setText(CHECKING_TEXT)
            self.summary.setStyleSheet(PLAIN_STYLE)
            return
        _, ink, fill = STATE_STYLES[VitalsState.DUE]
        self.summary.setText(NOT_READ_TEXT)
        self.summary.setStyleSheet(
            f"{PLAIN_STYLE} font-weight: 700; color: {ink}; background: {fill}; border-radius: 4px;"
        )

    def mute(self) -> None:
        """Mute with the typed reason, once the mute is recorded; else the sound stays on."""
        now = self._clock.now()
        try:
            actor = self._actor()
            mute = self._prompter.mute(self.mute_reason.text(), now, actor.staff_id)
        except UserError as exc:
            self.sound_state.setText(f"⚠ {exc.message}")
            self.mute_reason.setFocus()
            return
        try:
            self._record_mute(actor, mute)
        except UserError as exc:
            self._prompter.unmute()
            self.sound_state.setText(f"⚠ Not muted: {exc.message}")
            self.mute_reason.setFocus()
            return
        self.mute_reason.clear()
        self._show_mute(now)

    def _play(self, sound: PromptSound) -> None:
        self._player.play(sound)

    def _show_mute(self, now: datetime) -> None:
        mute = self._prompter.muted(now)
        warning = self.sound_state.text().startswith("⚠")
        if mute is None:
            if warning:
                return
            text = "" if self._player.available else "Sound unavailable"
        else:
            left = max(0, int((mute.until - now).total_seconds()))
            text = f"Muted {left // 60}:{left % 60:02d} — {mute.reason}"
        if self.sound_state.text() != text:
            self.sound_state.setText(text)
            self.muted_changed.emit(text)
