"""A reaction played end to end through the widgets: shared case V03 (anaphylaxis)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from care_world import Chair, case, running_chair, vitals_draft
from infusion_monitor.config import Config, SecuritySection
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.domain.reaction import Disposition
from infusion_monitor.domain.session import SessionState
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage import models
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.sound import SilentPlayer
from session_helpers import NURSE, T0

from .conftest import MakeWindow, composed_window


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A fresh database in the test's data folder."""
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


def _window(qtbot: QtBot, chair: Chair, data_dir: Path) -> MainWindow:
    # The fake clock jumps minutes while the window's tick runs (waiting for commits made
    # through the services to show): no inactivity lock meanwhile.
    awake = Config(security=SecuritySection(lock_after_minutes=240))
    window = composed_window(qtbot, chair, data_dir, config=awake)
    window.open_chair(0)
    return window


def test_anaphylaxis_from_symptoms_to_outcome(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    data = case("V03")
    clock = FakeClock(T0)
    chair = running_chair(database, clock, data)
    window = _window(qtbot, chair, data_dir)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    care = window.care_view
    assert care is not None and window.care is not None
    assert care.session_id == chair.session_id
    assert not care.band.isVisible()

    # Minute 10: the nurse ticks the case's symptoms, one click each.
    clock.advance(timedelta(minutes=10))
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    codes = [s["code"] for s in data["symptoms"]]
    mixer = window.alarm_sound
    assert mixer is not None and isinstance(mixer.output, SilentPlayer)
    for code in codes:
        qtbot.mouseClick(care.symptoms.buttons[code], Qt.MouseButton.LeftButton)
    assert mixer.output.requested[-1] is PromptSound.ALARM_HIGH
    assert all(care.symptoms.buttons[code].isChecked() for code in codes)
    band = care.band
    assert band.isVisible()
    assert band.words.text().startswith("!!! HIGH")
    assert band.condition.text() == "Anaphylaxis criteria met"
    assert band.flash_interval_ms == 250  # 2 Hz
    assert band.first_step.text() == "→ Stop the infusion now."
    # The nurse is working in the Symptoms tab: it stays; the band and the tab title say it.
    tabs = window.session_view.tabs
    assert tabs.currentWidget() is care.symptoms
    assert tabs.tabText(tabs.indexOf(care.guidance)) == "Guidance (G) · !!! HIGH"
    tabs.setCurrentWidget(care.guidance)
    assert care.guidance.rows[0].text.text() == "1. Stop the infusion now."
    tile_band = window._tile_bands[0]
    assert tile_band.isVisible() and tile_band.words.text().startswith("!!! HIGH")
    assert [b.text() for b in window.chair_alert_buttons] == ["!!! Chair 1"]
    assert not window.unit_alerts.isVisible()  # no alert on another workstation's chairs

    # The vitals of minute 10 (the vitals form is its own issue): one alert, updated.
    alert_id = band.alert.id if band.alert else None
    assessed = care.picture.guidance.assessment_id if care.picture else None
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(data["observations"][0]), clock.now()
    )
    qtbot.waitUntil(  # the commit reaches the care view through the change feed
        lambda: care.picture is not None and care.picture.guidance.assessment_id != assessed
    )
    assert band.alert is not None and band.alert.id == alert_id

    # Why? opens the findings without blocking anything.
    findings = care.show_why()
    assert findings.isVisible() and not findings.isModal()
    why = findings.browser.toPlainText()
    assert "NIAID/FAAN 2006: criterion 1 → anaphylaxis" in why
    assert "Hives (urticaria) since 09:10, 10 min after the start" in why.replace(
        T0.replace(minute=10).astimezone().strftime("%H:%M"), "09:10"
    )
    assert "niaid_2006" not in why and "minute 10" not in why
    findings.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is findings)
    QTest.keyClick(findings.browser, Qt.Key.Key_Escape)
    assert not findings.isVisible(), "Esc closes Why?"
    findings = care.show_why()

    # Two minutes without acknowledgement: the unit sees it escalated, and it still sounds.
    clock.advance(timedelta(minutes=2))
    window.check_inactivity()  # the window's tick
    assert mixer.sounding(clock.now())
    assert [b.text() for b in window.chair_alert_buttons] == ["!!! Chair 1 · escalated"]
    assert "ESCALATED" in band.status.text()

    # Ctrl+Shift+A: acknowledged in the nurse's name; the band stops flashing.
    findings.close()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    band.acknowledge.setFocus()
    qtbot.keyClick(
        band.acknowledge,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert band.alert is not None and band.alert.acknowledged_by == NURSE.name
    assert band.flash_interval_ms is None
    assert [b.text() for b in window.chair_alert_buttons] == ["!!! Chair 1"]
    assert not mixer.sounding(clock.now())

    # Guidance: stop (pauses the session), call the team, epinephrine.
    for code in ("stop_infusion", "call_emergency_team", "epinephrine_im"):
        clock.advance(timedelta(seconds=20))
        row = next(r for r in care.guidance.rows if r.step.code == code)
        qtbot.mouseClick(row.done, Qt.MouseButton.LeftButton)
    assert chair.sessions.detail(chair.session_id).state is SessionState.PAUSED
    stop = next(r for r in care.guidance.rows if r.step.code == "stop_infusion")
    assert "Done" in stop.state.text() and NURSE.name in stop.state.text()
    assert care.reaction.to_stopped.text() == "2 min 20 s"
    assert care.reaction.to_notified.text() == "2 min 40 s"
    assert care.reaction.to_first_drug.text() == "3 min 00 s"

    # Twenty minutes later everything has settled: resolve each symptom with one click.
    clock.advance(timedelta(minutes=20))
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    for code in codes:
        qtbot.mouseClick(care.symptoms.buttons[code], Qt.MouseButton.LeftButton)
    assert not any(care.symptoms.buttons[code].isChecked() for code in codes)
    assert band.isVisible()  # the minute-10 vitals still show hypoxia
    chair.vitals.record_vitals(NURSE, chair.session_id, vitals_draft(data["baseline"]), clock.now())
    qtbot.waitUntil(lambda: not band.isVisible() and not tile_band.isVisible())
    assert window.chair_alert_buttons == [] and not window.unit_alerts.isVisible()

    # Outcome: pre-filled with the suggestion (anaphylaxis grade 3); discontinued.
    form = care.reaction
    assert form.term.currentData() == "anaphylaxis" and form.grade.value() == 3
    form.disposition.setCurrentIndex(form.disposition.findData(Disposition.DISCONTINUED.value))
    form.resolved.setChecked(True)
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    assert "Recorded by" in form.recorded.text()

    with database.sessions() as db:
        alert = db.get(models.Alert, alert_id)
        assert alert is not None
        assert alert.raised_at == T0 + timedelta(minutes=10)
        assert alert.acknowledged_at == T0 + timedelta(minutes=12)
        assert alert.state == "resolved" and alert.resolved_at is not None
        done = {
            row.action: row.at
            for row in db.scalars(select(models.Intervention)).all()
            if row.declined_reason is None
        }
        assert done["stop_infusion"] == T0 + timedelta(minutes=12, seconds=20)
        assert done["epinephrine_im"] == T0 + timedelta(minutes=13)
        symptoms = db.scalars(select(models.SymptomRecord)).all()
        assert all(s.onset_at == T0 + timedelta(minutes=10) for s in symptoms)
        assert {s.resolved_at for s in symptoms if s.amends_id} == {T0 + timedelta(minutes=33)}
        record = db.scalars(select(models.ReactionRecord)).one()
        assert record.ctcae_term == "anaphylaxis" and record.ctcae_grade == 3
        assert record.onset_at == T0 + timedelta(minutes=10)
        assert record.resolved_at is not None
        pause = db.scalars(
            select(models.SessionEvent).where(models.SessionEvent.type == "pause")
        ).one()
        assert pause.at == T0 + timedelta(minutes=12, seconds=20)


def _bursts_over(window: MainWindow, clock: FakeClock, seconds: int) -> list[PromptSound]:
    """Let ``seconds`` pass on the fake clock, polling every second as the window's tick does."""
    assert window.care is not None and window.alarm_sound is not None
    output = window.alarm_sound.output
    assert isinstance(output, SilentPlayer)
    output.requested.clear()
    for _ in range(seconds):
        clock.advance(timedelta(seconds=1))
        window.check_inactivity()  # the window's tick
    return list(output.requested)


def test_an_unacknowledged_high_alert_repeats_its_burst_locked_or_not_with_the_prompts_muted(
    make_window: MakeWindow,
) -> None:
    """The demo's Chair 3 is in an unacknowledged high-priority reaction: its burst (not the
    vitals chime) repeats every 8.2 s (3.2 s burst, 5 s interburst interval), with the prompts
    muted and with the screen locked."""
    player = SilentPlayer()
    clock = FakeClock(datetime.now(UTC))
    window = make_window("--demo", sound_player=player, clock=clock)
    assert window.care is not None and window.vitals_prompt is not None
    window.vitals_prompt.mute_reason.setText("family meeting at chair 5")
    window.vitals_prompt.mute()
    heard = _bursts_over(window, clock, 60)
    assert heard.count(PromptSound.ALARM_HIGH) in (7, 8)
    assert PromptSound.DUE not in heard and PromptSound.OVERDUE not in heard
    window.lock()
    assert window.locked
    assert _bursts_over(window, clock, 60).count(PromptSound.ALARM_HIGH) in (7, 8)
