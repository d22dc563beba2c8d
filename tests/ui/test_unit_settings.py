"""View ▸ Unit settings: the unit's chairs, the gateway's settings and the bed mappings.

The mappings mirror the unit model: shown once it has read them, changed when it reads a
change (made here or at another workstation, see ``test_commits_elsewhere``), with no refresh.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from infusion_monitor.config import Config, GatewaySection, UnitSection
from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.unit import Fresh, UnitModel
from infusion_monitor.services.monitor.beds import BedEntry
from infusion_monitor.ui.unit_settings import UnitSettingsWindow, mirror_unit_settings


def test_the_window_shows_the_mappings_and_the_source_order_and_follows_the_model(
    qtbot: QtBot,
) -> None:
    mappings = [BedEntry(1, "BED 01", "ONC", "", "Chair 1")]
    config = Config(
        unit=UnitSection(name="Day unit", chairs=["Chair 1", "Chair 2"]),
        gateway=GatewaySection(heart_rate_sources=["oximeter", "ecg"]),
    )
    model = UnitModel((), {})
    asked: list[Changes] = []
    window = mirror_unit_settings(UnitSettingsWindow(config), model, asked.append)
    qtbot.addWidget(window)
    window.show()
    assert asked == [Changes(settings=True)] and model.wanted.unit_settings
    assert window.message.text() == "Reading the bed mappings…"
    model.apply(asked[0], Fresh(beds=tuple(mappings)))
    cells = [window.table.item(0, column).text() for column in range(5)]
    assert cells == ["1", "BED 01", "ONC", "any", "Chair 1"]
    texts = [label.text() for label in window.findChildren(type(window.message))]
    assert "pulse oximeter → ECG" in texts and "Chair 1, Chair 2" in texts
    mappings.append(BedEntry(2, "5", "", "XYZ HOSPITAL", "Chair 2"))
    model.apply(Changes(settings=True), Fresh(beds=tuple(mappings)))
    assert window.table.rowCount() == 2
    assert window.message.text() == "2 mappings."
    model.apply(Changes(settings=True), Fresh(beds=()))
    assert window.table.rowCount() == 0
    assert "No bed mappings" in window.message.text()


def test_a_closed_window_stops_the_reads_and_the_next_one_never_shows_an_old_read(
    qtbot: QtBot,
) -> None:
    model = UnitModel((), {})
    window = mirror_unit_settings(UnitSettingsWindow(Config()), model, lambda _c: None)
    model.apply(Changes(settings=True), Fresh(beds=(BedEntry(1, "B", "", "", "Chair 1"),)))
    window.close()  # deleted on close
    qtbot.waitUntil(lambda: not model.wanted.unit_settings)
    assert model.beds is None
    again = mirror_unit_settings(UnitSettingsWindow(Config()), model, lambda _c: None)
    qtbot.addWidget(again)
    assert again.table.rowCount() == 0
    assert again.message.text() == "Reading the bed mappings…"
