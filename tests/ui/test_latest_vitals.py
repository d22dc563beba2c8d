"""Latest values on the chair tile and in the session view: typed or monitor, when, stale.

The window runs on a fake clock; a monitor's sets come in through the gateway's own service on
its own connection to the database, as from the gateway process. The window notices the
commit at its next tick (``check_inactivity`` runs the tick now).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.monitor import MonitorReading, MonitorSet
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.monitor.feed import make_monitor_feed
from infusion_monitor.storage.database import open_database
from infusion_monitor.ui.latest_vitals import LatestVitalsView
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.vitals_panel import VitalsPanel
from session_helpers import library

from .conftest import MakeWindow
from .test_sessions_ui import act, activate, set_up_chair
from .test_vitals_panel import typed

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STALE_AFTER = timedelta(minutes=5)  # the default [gateway] stale_after_min
SendReading = Callable[..., None]


def hhmm(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M}"


@contextmanager
def monitor_gateway(data_dir: Path, clock: FakeClock) -> Iterator[SendReading]:
    """``send(hr=..., ...)``: Chair 1's monitor sends a set measured now, stored by the gateway."""
    paths = AppPaths.resolve(data_dir)
    rules = default_rules()
    numbers = itertools.count(1)
    with open_database(f"sqlite:///{paths.database_file}", paths) as database:
        feed = make_monitor_feed(database.sessions, clock, lambda: rules, library())

        def send(**values: int) -> None:
            sent = {name: Decimal(value) for name, value in values.items()}
            reading = MonitorReading(
                "MONITOR-1",
                f"MSG-{next(numbers)}",
                "Chair 1",
                None,
                (MonitorSet(clock.now(), sent),),
            )
            feed.store(reading, clock.now())

        yield send


def shown(window: MainWindow) -> tuple[LatestVitalsView, LatestVitalsView]:
    """Chair 1's latest values on its tile and in the session view (both must agree)."""
    return window.board.tiles[0].latest, window.session_view.latest


def arrived(window: MainWindow, qtbot: QtBot, values: str) -> None:
    """Wait until the gateway's commit shows on the tile and in the session view (it comes
    through the change feed, off the GUI thread: no refresh asked for)."""
    qtbot.waitUntil(lambda: all(view.text.startswith(values) for view in shown(window)))


def tick(window: MainWindow, clock: FakeClock, minutes: float = 0) -> None:
    clock.advance(timedelta(minutes=minutes))
    window.check_inactivity()


def running_chair_one(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> tuple[MainWindow, FakeClock]:
    """The window on a fake clock, a nurse signed in, Chair 1's session started through it."""
    data_dir.mkdir()
    (data_dir / "config.toml").write_text(
        "[security]\nlock_after_minutes = 240\n", encoding="utf-8"
    )
    clock = FakeClock(T0)
    window = activate(make_window(clock=clock), qtbot)
    set_up_chair(window, qtbot, 0)
    act(window, qtbot, 0, "start_button")
    return window, clock


def test_monitor_values_show_as_such_with_their_time_turn_stale_and_come_back(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    window, clock = running_chair_one(make_window, qtbot, data_dir)
    panel: VitalsPanel = window.vitals_panel  # type: ignore[attr-defined]
    for view in shown(window):  # the baseline typed in the set-up form
        assert view.isVisibleTo(window)
        assert view.text.startswith("HR 78 · BP 132/84 · RR 16 · SpO2 97% · T 36.8°C")
        assert view.text.endswith(f"Typed {hhmm(T0)} · just now") and not view.stale
    panel.record.select_entry(panel.record.entries[0].id)
    baseline_id = panel.record.entries[0].id

    with monitor_gateway(data_dir, clock) as send:
        tick(window, clock, 15)  # the first check is due
        measured = clock.now()
        assert "DUE" in window.session_view.vitals_timer.note.text()
        send(hr=112, sbp=118, dbp=70, map=86, spo2=95)  # the monitor's MAP beside its BP
        arrived(window, qtbot, "HR 112")
        qtbot.waitUntil(lambda: panel.record.entries[0].source is Source.MONITOR)
        tick(window, clock)
        # A monitor's set is no check done (no ACVPU, no oxygen): the check stays due, and the
        # score says what it carried from the nurse's baseline (issue 13).
        assert "DUE" in window.session_view.vitals_timer.note.text()
        for view in shown(window):
            assert view.text == (
                f"HR 112 · BP 118/70 (86) · RR — · SpO2 95% · T — Monitor {hhmm(measured)} · "
                "just now"
                f" NEWS2 3 · incomplete: ACVPU, O2, T and RR carried from the {hhmm(T0)} typed set"
            )
            assert view.score.isVisibleTo(window)
            assert not view.stale
        assert panel.record.entries[0].source is Source.MONITOR  # the record re-read ...
        selected = panel.record.selected()
        assert selected is not None and selected.id == baseline_id  # ... and kept the choice

        tick(window, clock, 5)  # exactly the limit: still fresh
        assert [view.stale for view in shown(window)] == [False, False]
        assert window.board.tiles[0].latest.provenance.text().endswith(" · 5 min ago")
        tick(window, clock, 1)  # past it, with nothing new: greyed out, and says so in words
        for view in shown(window):
            assert view.stale
            assert view.provenance.text() == f"STALE · monitor {hhmm(measured)} · 6 min ago"
            assert view.toolTip().startswith("The monitor has sent nothing newer")

        send(hr=96, spo2=97)
        arrived(window, qtbot, "HR 96")
        tick(window, clock)
        for view in shown(window):
            assert not view.stale
            assert view.text.startswith("HR 96 · BP — · RR — · SpO2 97% · T —")
            assert view.provenance.text() == f"Monitor {hhmm(clock.now())} · just now"

    tick(window, clock, 1)
    panel.form.reason.setCurrentIndex(1)  # the check is overdue: the monitor's sets did not do it
    typed(panel, "72", "120/80", "16", "98", "36,8")
    assert panel.form.status.text().startswith("✓ Saved"), panel.form.status.text()
    typed_at = clock.now()
    arrived(window, qtbot, "HR 72")
    tick(window, clock, 45)  # typed values never grey out: the vitals schedule says when
    for view in shown(window):
        assert not view.stale
        assert view.text.startswith("HR 72 · BP 120/80 · RR 16 · SpO2 98% · T 36.8°C")
        assert view.text.endswith(f"Typed {hhmm(typed_at)} · 45 min ago")


def test_a_monitor_set_that_changes_the_guidance_redraws_it_where_the_nurse_is(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    window, clock = running_chair_one(make_window, qtbot, data_dir)
    care = window.care_view
    assert care is not None
    tick(window, clock, 10)
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    for code in ("urticaria", "wheeze"):  # skin and breathing: anaphylaxis, a high alert
        qtbot.mouseClick(care.symptoms.buttons[code], Qt.MouseButton.LeftButton)
    assert care.picture is not None and care.picture.guidance.pathways[0] == "anaphylaxis"
    fluids = "Give an IV fluid bolus per standing order."
    assert fluids not in [row.step.text for row in care.guidance.rows]
    window.session_view.tabs.setCurrentWidget(care.symptoms)

    with monitor_gateway(data_dir, clock) as send:
        send(hr=128, sbp=78, dbp=44, spo2=95)  # hypotension: the same alert, one more step
        tick(window, clock)
        qtbot.waitUntil(lambda: fluids in [row.step.text for row in care.guidance.rows])

    assert fluids in [row.step.text for row in care.guidance.rows]
    assert window.session_view.tabs.currentWidget() is care.symptoms


def test_a_monitor_set_that_raises_an_alert_brings_the_guidance_forward(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    window, clock = running_chair_one(make_window, qtbot, data_dir)
    care = window.care_view
    assert care is not None
    window.session_view.tabs.setCurrentWidget(care.symptoms)
    with monitor_gateway(data_dir, clock) as send:
        tick(window, clock, 10)
        send(hr=135, sbp=84, dbp=50, rr=29, spo2=89)  # NEWS2 emergency score: a high alert
        tick(window, clock)
        qtbot.waitUntil(lambda: care.picture is not None and care.picture.alert is not None)

    assert care.picture is not None and care.picture.alert is not None
    assert care.band.isVisibleTo(window)
    assert window.session_view.tabs.currentWidget() is care.guidance


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_confirm_set_turns_the_monitors_set_into_a_nurses_check(
    make_window: MakeWindow, qtbot: QtBot, data_dir: Path
) -> None:
    window, clock = running_chair_one(make_window, qtbot, data_dir)
    panel: VitalsPanel = window.vitals_panel  # type: ignore[attr-defined]
    assert not panel.confirm_button.isVisibleTo(window)  # the latest set is the nurse's
    with monitor_gateway(data_dir, clock) as send:
        tick(window, clock, 15)
        measured = clock.now()
        send(hr=104, sbp=126, dbp=78, rr=18, spo2=96)
        arrived(window, qtbot, "HR 104")
        qtbot.waitUntil(lambda: panel.confirm_button.isVisibleTo(window))
        tick(window, clock, 1)
    assert "DUE" in window.session_view.vitals_timer.note.text()
    assert panel.confirm_button.isVisibleTo(window)  # beside the latest values, on any tab
    assert panel.confirm_button.text() == f"Confirm the {hhmm(measured)}\nmonitor set…"
    monitor_id = panel.record.entries[0].id

    panel.confirm_button.setFocus()
    QTest.keyClick(focused(), Qt.Key.Key_Space)  # opens the row filled with the monitor's values
    form = panel.form
    assert (form.hr.text(), form.bp.text(), form.rr.text(), form.spo2.text()) == (
        "104",
        "126/78",
        "18",
        "96",
    )
    assert form.confirming is not None and "Confirming the monitor set" in form.status.text()
    assert focused() is form.temp  # the monitor sent no temperature: the nurse adds it
    QTest.keyClicks(focused(), "37,1")
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.acvpu
    QTest.keyClick(focused(), Qt.Key.Key_C)  # new confusion, assessed by the nurse
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.on_oxygen
    QTest.keyClick(focused(), Qt.Key.Key_Space)  # on oxygen
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    assert form.status.text().startswith("✓ Saved"), form.status.text()

    newest = panel.record.entries[0]
    assert (newest.source, newest.confirms_id) == (Source.TYPED, monitor_id)
    signs = newest.signs
    assert (signs.hr, signs.acvpu, signs.on_oxygen, signs.temp_c) == (104, Acvpu.C, True, 37.1)
    assert not panel.confirm_button.isVisibleTo(window)
    tick(window, clock)
    # The check is done: the schedule follows once the commit is re-read.
    qtbot.waitUntil(lambda: "DUE" not in window.session_view.vitals_timer.note.text())
    for view in shown(window):
        assert view.provenance.text().startswith("Typed") and not view.score.isVisibleTo(window)
