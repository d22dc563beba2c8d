"""View ▸ Unit settings: the unit's chairs, the gateway's settings and the bed mappings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from infusion_monitor.config import Config, GatewaySection, UnitSection
from infusion_monitor.services.monitor.beds import BedEntry
from infusion_monitor.ui.unit_settings import UnitSettingsWindow


def test_the_window_shows_the_mappings_and_the_source_order_and_refreshes(qtbot: QtBot) -> None:
    mappings = [BedEntry(1, "BED 01", "ONC", "", "Chair 1")]
    config = Config(
        unit=UnitSection(name="Day unit", chairs=["Chair 1", "Chair 2"]),
        gateway=GatewaySection(heart_rate_sources=["oximeter", "ecg"]),
    )
    window = UnitSettingsWindow(config, lambda: tuple(mappings))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.table.rowCount() == 1)
    cells = [window.table.item(0, column).text() for column in range(5)]
    assert cells == ["1", "BED 01", "ONC", "any", "Chair 1"]
    texts = [label.text() for label in window.findChildren(type(window.message))]
    assert "pulse oximeter → ECG" in texts and "Chair 1, Chair 2" in texts
    mappings.append(BedEntry(2, "5", "", "XYZ HOSPITAL", "Chair 2"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.table.rowCount() == 2)
    assert window.message.text() == "2 mappings."
