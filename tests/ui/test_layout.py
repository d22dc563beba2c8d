"""The composed window fits a 1280x800 screen and a 1600x1000 one; nothing is clipped or emptied."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from infusion_monitor.ui.elided_label import ElidedLabel
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.sound import SilentPlayer

from .conftest import MakeWindow

SMALL = (1280, 800)
LARGE = (1600, 1000)


def _settle(window: MainWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()


def _fits_in_scroll(window: MainWindow) -> None:
    """Scroll areas scroll only up and down: their content must fit their width."""
    area = window.board_scroll
    inner = area.widget()
    assert inner is not None
    assert inner.minimumSizeHint().width() <= area.viewport().width(), area.objectName()
    page = window.session_area.currentWidget()
    assert page.minimumSizeHint().width() <= window.session_area.width(), page


def _readable(label: QLabel) -> None:
    if isinstance(label, ElidedLabel):
        shown = label.shown_text()
        assert len(shown.rstrip("…")) >= 4, f"{label.text()!r} shown as {shown!r}"
    assert label.width() >= min(label.minimumSizeHint().width(), 40), label.text()


class _NoOutput(SilentPlayer):
    """A workstation without a loudspeaker: the header shows its NO SOUND warning."""

    def audibility_problem(self) -> str | None:
        return "no audio output device was found"


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_signed_in_demo_window_fits_with_every_tab(
    make_window: MakeWindow, qtbot: QtBot, size: tuple[int, int]
) -> None:
    """With the header at its fullest (alert chips, NO SOUND, Pause audio, user, clock)."""
    window = make_window("--demo", sound_player=_NoOutput())
    window.show()
    qtbot.waitExposed(window)
    window.board.select(0)
    tabs = window.session_view.tabs
    assert window.session_area.currentWidget() is window.session_view
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        _settle(window, size)
        hint = window.minimumSizeHint()
        assert hint.width() <= SMALL[0], (tabs.tabText(index), hint)
        assert hint.height() <= SMALL[1], (tabs.tabText(index), hint)
        assert window.width() == size[0]
        _fits_in_scroll(window)
    view = window.session_view
    care = window.care_view
    assert care is not None
    key_labels: list[QLabel] = [
        view.name,
        view.drug,
        view.infusion_timer.value,
        view.vitals_timer.value,
        care.band.words,
        care.band.condition,
        care.band.status,
        window.user_label,
    ]
    key_labels += window.statusBar().findChildren(ElidedLabel)
    for label in key_labels:
        if label.isVisibleTo(window):
            _readable(label)
    assert care.band.isVisibleTo(window)
    for button in (care.band.acknowledge, care.band.why, care.band.escalate, care.band.resolve):
        if button.isVisibleTo(care.band):
            _inside(button, care.band)
    _inside(care.band, window)
    assert care.band.visibleRegion().boundingRect().height() == care.band.height(), "not pinned"


def _inside(child: QWidget, parent: QWidget) -> None:
    """``child`` lies wholly within ``parent`` (not cut off at its edge)."""
    rect = child.geometry()
    top_left = child.parentWidget().mapTo(parent, rect.topLeft())  # type: ignore[union-attr]
    assert top_left.x() >= 0 and top_left.y() >= 0
    assert top_left.x() + rect.width() <= parent.width(), child
    assert top_left.y() + rect.height() <= parent.height(), child


def test_set_up_form_fits_the_small_screen(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window("--demo")
    window.show()
    qtbot.waitExposed(window)
    window.board.select(4)
    window.new_session()
    assert window.session_area.currentWidget() is window.setup_form
    _settle(window, SMALL)
    assert window.minimumSizeHint().width() <= SMALL[0]
    _fits_in_scroll(window)


def test_set_up_form_reflows_to_a_1280_window_and_tabs_in_reading_order(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window("--demo")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.board.select(4)
    window.new_session()
    form = window.setup_form
    assert window.session_area.currentWidget() is form
    _settle(window, (1280, 800))
    assert window.width() == 1280
    for key, field in form.fields.items():
        if not field.isVisibleTo(form):
            continue
        right = field.mapTo(form, field.rect().topRight()).x()
        assert 0 <= right <= form.width(), f"{key} cut off at the right ({right} > {form.width()})"

    assert QApplication.focusWidget() is form.mrn
    for text in ("00123", "\t", "Jo Bloggs", "\t", "01.02.1960", "\t", "none known"):
        focus = QApplication.focusWidget()
        assert focus is not None
        if text == "\t":
            QTest.keyClick(focus, Qt.Key.Key_Tab)
        else:
            QTest.keyClicks(focus, text)
    assert (form.mrn.text(), form.name.text(), form.dob.text(), form.allergies.text()) == (
        "00123",
        "Jo Bloggs",
        "01.02.1960",
        "none known",
    )
