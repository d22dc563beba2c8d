"""Pausing the alarms' audio from the header, the way a nurse's hands do it, on a fake clock.

The demo's Chair 3 has an unacknowledged high alert; a silent loudspeaker records every burst
the mixer starts. The pause is a button and Ctrl+Shift+M (never a bare letter), shows a
countdown, ends by itself, is in the audit trail, and is not an acknowledgement.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.paths import AppPaths
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.sound import QtSoundPlayer, SilentPlayer

from .conftest import MakeWindow

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _demo(make_window: MakeWindow, qtbot: QtBot) -> tuple[MainWindow, FakeClock, SilentPlayer]:
    player = SilentPlayer()
    clock = FakeClock(datetime.now(UTC))
    window = make_window("--demo", sound_player=player, clock=clock)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.board.setFocus()
    return window, clock, player


def _let_pass(window: MainWindow, clock: FakeClock, player: SilentPlayer, seconds: int) -> int:
    """Seconds of fake time, each one a poll as the window's tick does; the number of high
    bursts started meanwhile."""
    assert window.care is not None
    player.requested.clear()
    for _ in range(seconds):
        clock.advance(timedelta(seconds=1))
        window.check_inactivity()  # the window's tick
    return player.requested.count(PromptSound.ALARM_HIGH)


def _header(window: MainWindow) -> tuple[QPushButton, QLabel]:
    button = window.findChild(QPushButton, "PauseAlarmAudio")
    paused = window.findChild(QLabel, "AudioPaused")
    assert button is not None and paused is not None
    return button, paused


def test_pause_silences_for_two_minutes_counts_down_resumes_by_itself_and_is_audited(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    window, clock, player = _demo(make_window, qtbot)
    button, paused = _header(window)
    assert window.alarm_sound is not None
    assert _let_pass(window, clock, player, 10) >= 1
    player.requested.clear()
    while not player.requested:  # to the next burst
        clock.advance(timedelta(seconds=1))
        window.check_inactivity()  # the window's tick
    stops = player.stops
    assert button.isEnabled() and button.text() == "Pause audio 2 min\nCtrl+Shift+M"
    assert not paused.isVisible()

    # A bare M does nothing; Ctrl+Shift+M pauses.
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_M)
    assert not paused.isVisible()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, CTRL_SHIFT)
    assert paused.isVisible() and paused.text() == "AUDIO PAUSED\n2:00 left"
    assert player.stops == stops + 1, "the burst playing is cut at once"

    assert _let_pass(window, clock, player, 90) == 0
    assert paused.text() == "AUDIO PAUSED\n0:30 left"
    band = window.care_view.band if window.care_view is not None else None
    high = [b for b in window.chair_alert_buttons if b.text().startswith("!!! Chair")]
    assert high and "not acknowledged" in high[0].toolTip(), "paused is not acknowledged"

    # The pause ends by itself: the burst is back at once, the indicator gone.
    assert _let_pass(window, clock, player, 31) == 1
    assert not paused.isVisible() and button.text().startswith("Pause audio")
    assert band is None or band.alert is None or band.alert.acknowledged_by is None

    database = AppPaths.resolve(data_dir).demo_database_file
    with closing(sqlite3.connect(database)) as db:
        ((actor, after),) = db.execute(
            "SELECT actor, after FROM audit_entry WHERE action = 'alarm.audio_pause'"
        ).fetchall()
    recorded = json.loads(after)
    assert actor == "DEMO" and recorded["by"] == "DEMO" and recorded["seconds"] == 120
    since = datetime.fromisoformat(recorded["since"])
    assert datetime.fromisoformat(recorded["until"]) - since == timedelta(minutes=2)
    assert recorded["alerts"], "the paused alerts are named"


def test_the_button_resumes_early_and_a_locked_screen_can_neither_pause_nor_silence(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window, clock, player = _demo(make_window, qtbot)
    button, paused = _header(window)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert paused.isVisible() and button.text().startswith("Resume audio")
    assert _let_pass(window, clock, player, 20) == 0
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not paused.isVisible()
    # (the vitals prompt's timer ticks while the resume is stored, so a due chime may be
    # asked for as well: the alarm's burst is what counts here)
    assert player.requested.count(PromptSound.ALARM_HIGH) == 1, "it sounds again at once"

    window.lock()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, CTRL_SHIFT)
    assert not paused.isVisible()
    assert "sign in" in window.messages.banners[-1].message.text
    assert _let_pass(window, clock, player, 20) >= 2


class _MutedOutput(SilentPlayer):
    """A loudspeaker whose system output is muted."""

    def audibility_problem(self) -> str | None:
        return "the computer's sound output is muted"


def test_the_header_says_when_alarms_cannot_be_heard(make_window: MakeWindow) -> None:
    window = make_window(sound_player=_MutedOutput())
    warning = window.findChild(QLabel, "AlarmAudioWarning")
    assert warning is not None and not warning.isHidden()
    assert warning.text() == "⚠ NO SOUND"
    assert "the computer's sound output is muted" in warning.toolTip()
    quiet = make_window(sound_player=SilentPlayer())
    assert quiet.findChild(QLabel, "AlarmAudioWarning").isHidden()


@pytest.mark.qt_log_ignore(
    "pipewire", "Using Qt multimedia with FFmpeg", "QSoundEffect", "PulseAudio"
)
def test_a_data_folder_where_the_sounds_cannot_be_kept_still_gives_every_alarm_sound(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "sounds"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    owner = QLabel()  # the player is deleted with its owner, on this thread
    qtbot.addWidget(owner)
    player = QtSoundPlayer(0.8, 0.5, owner, kept_in=blocked)
    assert set(player._effects) == set(PromptSound)  # rendered for this run instead
    assert blocked.read_text(encoding="utf-8").startswith("a file")
    assert "the sounds cannot be kept in" in caplog.text
