"""The quality page through its widgets: a background read, then every number opens its sessions.

On the hand-built unit of ``quality_world`` (answers worked out there): clicks and key presses
sent to whatever has focus open the sessions behind a figure, and a session from that list opens
in the review detail. The page prints to PDF and exports CSV with its period and filters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabWidget
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.review.gate import ReviewService
from infusion_monitor.services.review.quality import QualityService
from infusion_monitor.storage.database import open_database
from infusion_monitor.ui.db_worker import DatabaseWorker
from infusion_monitor.ui.review.quality_tables import MeasureTableView
from infusion_monitor.ui.review.quality_window import QualityWindow
from infusion_monitor.ui.review.session_detail import SessionDetailWindow
from infusion_monitor.ui.review.session_list import ReviewWindow
from quality_world import SETTINGS, World, build

CHARGE = Actor("Q9", "Cy Charge", Role.CHARGE_NURSE)
WAIT_MS = 20_000


@pytest.fixture
def page(
    qtbot: QtBot, data_dir: Path, database_worker: DatabaseWorker
) -> Iterator[tuple[QualityWindow, World]]:
    """The quality page on the hand-built unit, showing January and February 2026."""
    with open_database(None, AppPaths.resolve(data_dir)) as database:
        world = build(database.sessions)
        clock = SystemClock()
        window = QualityWindow(
            QualityService(database.sessions, SETTINGS),
            database_worker.serve(ReviewService(database.sessions, clock)),
            lambda: CHARGE,
            clock,
        )
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
        window.show()
        window.since.setDate(QDate(2026, 1, 1))
        window.until.setDate(QDate(2026, 2, 28))
        with qtbot.waitSignal(window.report_shown, timeout=WAIT_MS):
            qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
        yield window, world
        for opened in window.lists:
            for detail in opened.details:
                detail.close()
        window.close()


def _show_table(window: QualityWindow, key: str) -> MeasureTableView:
    view = window.tables[key]
    inner = view.parentWidget()
    while inner is not None and not isinstance(inner, QTabWidget):
        inner = inner.parentWidget()
    assert inner is not None
    inner.setCurrentWidget(view)
    outer = window.tabs
    for index in range(outer.count()):
        if outer.widget(index).isAncestorOf(view):
            outer.setCurrentIndex(index)
    QApplication.processEvents()
    return view


def _cell(view: MeasureTableView, labels: tuple[str, ...], column: str) -> QPoint:
    table = view.model.table
    row = [r.labels for r in table.rows].index(labels)
    index = view.model.index(row, len(table.groups) + table.columns.index(column))
    view.view.scrollTo(index)
    return view.view.visualRect(index).center()


def test_the_page_reads_in_the_background_and_shows_its_scope(
    page: tuple[QualityWindow, World],
) -> None:
    window, _ = page
    assert window.report is not None and window.report.sessions == 24
    assert "01 Jan 2026 to 28 Feb 2026" in window.scope.text()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Alarm response",
        "Reaction response",
        "Reactions",
        "Vitals on time",
    ]
    assert window.nurse.count() == 3  # "Any nurse", Ann, Bob: filled from the background read
    chart = window.charts["on_time"]
    assert {"Ann Able", "Bob Baker", "Unit", "Target 95%"} <= set(chart.series)


def test_a_click_on_a_number_lists_its_sessions_and_enter_opens_one(
    qtbot: QtBot, page: tuple[QualityWindow, World]
) -> None:
    window, world = page
    view = _show_table(window, "alarm_unit")
    with qtbot.waitSignal(window.sessions_opened, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(
            view.view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=_cell(view, ("! LOW",), "Never acknowledged"),
        )
    listing = opened.args[0]
    assert isinstance(listing, ReviewWindow)
    qtbot.addWidget(listing)
    assert listing.model.total == 1 and listing.model.row(0).id == world.s3
    assert "Never acknowledged" in listing.heading.text()
    listing.activateWindow()
    listing.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is listing.table)
    with qtbot.waitSignal(listing.session_opened, timeout=WAIT_MS) as shown:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    detail = shown.args[0]
    assert isinstance(detail, SessionDetailWindow)
    qtbot.addWidget(detail)
    assert detail.review.detail.id == world.s3


def test_arrow_keys_and_enter_open_the_sessions_behind_a_rate(
    qtbot: QtBot, page: tuple[QualityWindow, World]
) -> None:
    window, world = page
    view = _show_table(window, "on_time_unit")
    qtbot.mouseClick(
        view.view.viewport(), Qt.MouseButton.LeftButton, pos=_cell(view, ("Unit",), "Checks")
    )  # the first click opens the checks' sessions too
    window.activateWindow()  # that list came to the front: back to the quality page
    view.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.view)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    with qtbot.waitSignal(window.sessions_opened, timeout=WAIT_MS) as opened:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    listing = opened.args[0]
    qtbot.addWidget(listing)
    assert "On time" in listing.heading.text()
    ids = {listing.model.row(i).id for i in range(listing.model.rowCount())}
    assert ids == {world.s1, world.s2, world.s3, world.s4}


def test_a_label_or_an_empty_count_opens_nothing(
    qtbot: QtBot, page: tuple[QualityWindow, World]
) -> None:
    window, _ = page
    view = _show_table(window, "alarm_unit")
    before = len(window.lists)
    row = [r.labels for r in view.model.table.rows].index(("!!! HIGH",))
    label = view.view.visualRect(view.model.index(row, 0)).center()
    qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=label)
    qtbot.mouseClick(
        view.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=_cell(view, ("!!! HIGH",), "Never acknowledged"),
    )
    assert len(window.lists) == before


def test_print_and_export_carry_the_period_and_filters(
    qtbot: QtBot, page: tuple[QualityWindow, World], tmp_path: Path
) -> None:
    window, _ = page
    window.drug.setCurrentIndex(window.drug.findText("Rituximab"))
    with qtbot.waitSignal(window.report_shown, timeout=WAIT_MS):
        qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert window.report is not None and window.report.sessions == 3
    rows = list(
        csv.DictReader(
            io.StringIO(window.export_csv(tmp_path / "q.csv").read_text(encoding="utf-8-sig"))
        )
    )
    heading = {row["row"]: row["shown"] for row in rows if row["table"] == "report"}
    assert heading["period"] == "01 Jan 2026 to 28 Feb 2026"
    assert heading["filters"] == "drug Rituximab"
    pdf = PdfReader(str(window.print_pdf(tmp_path / "q.pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "01 Jan 2026" in text and "drug Rituximab" in text
    assert "Vitals on time by nurse" in text and "Alarm response" in text
