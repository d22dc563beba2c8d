"""The unit settings window: this unit's chairs, the monitor gateway's settings and the bed
mappings that tell which chair each bedside monitor's bed label means (read-only here; they are
changed with ``infusion-monitor beds``). The mappings mirror the unit model, which reads them
while the window is open: a change made at another workstation shows without a refresh."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.config import Config
from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.unit import UnitModel
from infusion_monitor.services.monitor.beds import BedEntry
from infusion_monitor.ui.mirroring import mirror_while_open
from infusion_monitor.ui.theme import STYLE_SHEET

#: What the window reads when it opens: the unit's stored settings.
SETTINGS_CHANGED = Changes(settings=True)
HEADERS = ("No.", "Bed label (PV1-3)", "Point of care", "Facility", "Chair")
HOW_TO_CHANGE = (
    "A monitor's bed label that is a chair's name needs no mapping. Others are refused until "
    "mapped, with their label in the answer to the monitor. Change the mappings with "
    "<code>infusion-monitor beds add LABEL CHAIR --as STAFF_ID</code> and "
    "<code>beds remove NUMBER</code> (charge nurse or administrator)."
)
SOURCE_WORDS = {
    "ecg": "ECG",
    "oximeter": "pulse oximeter",
    "cuff": "blood-pressure cuff",
    "arterial": "arterial line",
    "unspecified": "unspecified",
}


class UnitSettingsWindow(QWidget):
    """Read-only: unit, chairs, gateway settings and the bed mappings it is shown."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.setWindowTitle("Unit settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setStyleSheet(STYLE_SHEET)
        self.resize(980, 620)
        form = QFormLayout()
        gateway = config.gateway
        form.addRow("Unit", QLabel(config.unit.name))
        form.addRow("Chairs here", QLabel(", ".join(config.unit.chairs)))
        form.addRow("Monitor gateway", QLabel(gateway.listen or "not run by this workstation"))
        form.addRow("Monitor values grey out after", QLabel(f"{gateway.stale_after_min} min"))
        order = " → ".join(SOURCE_WORDS[s] for s in gateway.heart_rate_sources)
        form.addRow("Heart rate used, by source", QLabel(order))
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.message = QLabel("Reading the bed mappings…")
        self.message.setWordWrap(True)
        help_text = QLabel(HOW_TO_CHANGE)
        help_text.setWordWrap(True)
        help_text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Bed mappings</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(help_text)

    def show_beds(self, result: tuple[BedEntry, ...]) -> None:
        """Show the bed mappings as stored now."""
        self.table.setRowCount(len(result))
        for row, entry in enumerate(result):
            cells = (
                str(entry.id),
                entry.bed_label,
                entry.point_of_care or "any",
                entry.facility or "any",
                entry.chair,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.message.setText(
            f"{len(result)} mapping{'s' if len(result) != 1 else ''}."
            if result
            else "No bed mappings: monitors must send a chair's name as their bed."
        )


def mirror_unit_settings(
    window: UnitSettingsWindow, model: UnitModel, reread: Callable[[Changes], None]
) -> UnitSettingsWindow:
    """Let ``window`` show the model's bed mappings while it exists (read at once)."""
    if model.beds is not None:  # another unit settings window is open: what it shows
        window.show_beds(model.beds)
    return mirror_while_open(
        window,
        model.settings_changed,
        window.show_beds,
        model.watch_unit_settings,
        lambda: reread(SETTINGS_CHANGED),
    )
