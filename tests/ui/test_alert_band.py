"""The alert band's flash: the fill and the words' ink change twice a second, by painting.

A new style sheet at every flash restyled the band and laid the session view out again; the
flash must only repaint, and still show the IEC colours of each phase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.alerts import Alert, AlertPriority, AlertState
from infusion_monitor.ui.alert_band import AlertBand
from infusion_monitor.ui.theme import ALARM_PALE_INK, ALARM_STYLES, STYLE_SHEET

RAISED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _shown(qtbot: QtBot, priority: AlertPriority) -> tuple[QWidget, AlertBand]:
    page = QWidget()
    page.setStyleSheet(STYLE_SHEET)  # as in the window: every label gets the page's ink
    band = AlertBand(parent=page)
    QVBoxLayout(page).addWidget(band)
    qtbot.addWidget(page)
    page.resize(900, 200)
    alert = Alert(1, 1, "anaphylaxis", priority, AlertState.ACTIVE, RAISED)
    band.show_alert(alert, RAISED + timedelta(minutes=1), first_step="Stop the infusion now.")
    page.show()
    qtbot.waitExposed(page)
    return page, band


class _Restyles(QObject):
    """Counts the style changes and layout requests a widget receives."""

    def __init__(self, *watched: QObject) -> None:
        super().__init__()
        self.seen: list[QEvent.Type] = []
        for each in watched:
            each.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.LayoutRequest):
            self.seen.append(event.type())
        return False


def _drawn_in(label: QWidget, ink: str) -> bool:
    """Whether the label's text is drawn in ``ink`` on the band (pixels of that exact colour)."""
    band = label.parentWidget()
    assert band is not None
    image = band.grab().toImage()
    area = label.geometry()
    wanted = QColor(ink).rgb()
    return any(
        image.pixel(x, y) == wanted
        for x in range(area.left(), area.right())
        for y in range(area.top(), area.bottom())
    )


def _pixel_inside(band: AlertBand) -> QColor:
    """The band's colour just inside its edge (no text there)."""
    image = band.grab().toImage()
    return QColor(image.pixel(6, image.height() - 6))


@pytest.mark.parametrize("priority", [AlertPriority.HIGH, AlertPriority.MEDIUM])
def test_each_flash_phase_shows_its_fill_and_ink_without_restyling(
    qtbot: QtBot, priority: AlertPriority
) -> None:
    page, band = _shown(qtbot, priority)
    _, ink, fill, pale_fill, _ = ALARM_STYLES[priority.code]
    assert band.flash_interval_ms is not None, "an unacknowledged alert flashes"
    assert not band.pale
    assert _pixel_inside(band) == QColor(fill)
    assert band.words.ink == QColor(ink)
    assert _drawn_in(band.words, ink) and _drawn_in(band.condition, ink)
    sheet = band.styleSheet()
    qtbot.wait(100)  # the band's first layout settles
    restyles = _Restyles(band, band.words, band.condition, band.first_step, band.status)

    qtbot.waitUntil(lambda: band.pale, timeout=2000)
    assert _pixel_inside(band) == QColor(pale_fill)
    for label in (band.words, band.condition, band.first_step, band.status):
        assert label.ink == QColor(ALARM_PALE_INK), "dark words on the pale phase"
    assert _drawn_in(band.words, ALARM_PALE_INK)
    assert band.styleSheet() == sheet, "a flash does not restyle"
    assert restyles.seen == [], "nor lays the band out again"

    qtbot.waitUntil(lambda: not band.pale, timeout=2000)
    assert _pixel_inside(band) == QColor(fill)
    assert band.words.ink == QColor(ink)
    assert page.isVisible()


def test_the_words_keep_the_alarm_ink_when_the_window_is_restyled(qtbot: QtBot) -> None:
    page, band = _shown(qtbot, AlertPriority.HIGH)
    _, ink, _, _, _ = ALARM_STYLES["high"]
    page.setStyleSheet(STYLE_SHEET + " QLabel { font-size: 17px; }")
    assert band.words.ink == QColor(ink), "white on red, not the page's dark ink"
    assert band.condition.ink == QColor(ink)
    assert _drawn_in(band.words, ink) and not _drawn_in(band.words, ALARM_PALE_INK)
