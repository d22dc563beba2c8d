"""The session's stored vitals sets (with corrections) and the skipped-check control.

``VitalsRecordTable`` lists every stored set, newest first: time, values, typed or monitor, who.
A corrected set stays visible, struck through and marked superseded; its correction follows it.
"Correct selected set" asks for the entry row's amend mode (the correction is saved there, with
its reason). ``SkipCheckRow`` records that the due check was not done, with a reason from the
short list. Both forward intents only; the vitals panel runs the use cases.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.schedule import MissedCheckReason
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import Source, VitalsText
from infusion_monitor.services.vitals.recording import VitalsEntry
from infusion_monitor.ui.fitting import compact_choice
from infusion_monitor.ui.flow_layout import FlowLayout

RECORD_COLUMNS = (
    "Taken",
    "HR",
    "BP",
    "RR",
    "SpO2",
    "O2",
    "T °C",
    "ACVPU",
    "Source",
    "By",
    "Status",
)
SUPERSEDED_INK = "#4A5560"


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def entry_cells(entry: VitalsEntry, by_id: dict[int, VitalsEntry]) -> tuple[str, ...]:
    """The table cells of one stored set (status says whether it was corrected, and why)."""
    vitals = entry.signs
    bp = "—" if vitals.sbp is None or vitals.dbp is None else f"{vitals.sbp}/{vitals.dbp}"
    # A monitor's set knows neither oxygen nor consciousness: a dash, never "air" or "A".
    oxygen = "—" if vitals.on_oxygen is None else "air"
    if vitals.on_oxygen:
        oxygen = "O2" if entry.o2_flow_l_min is None else f"O2 {entry.o2_flow_l_min:g} L/min"
    status = "current"
    if entry.superseded_by is not None:
        newer = by_id.get(entry.superseded_by)
        when = newer.entered_at.astimezone().strftime("%H:%M") if newer else "?"
        status = f"SUPERSEDED — corrected {when}"
    elif entry.amends_id is not None:
        status = f"correction: {entry.amend_reason or 'no reason'}"
    if entry.incomplete_reason:
        status += f" · {entry.incomplete_reason}"
    return (
        entry.taken_at.astimezone().strftime("%H:%M"),
        _number(vitals.hr),
        bp,
        _number(vitals.rr),
        _number(vitals.spo2),
        oxygen,
        _number(vitals.temp_c, 1),
        "—" if vitals.acvpu is None else vitals.acvpu.value,
        "monitor" if entry.source is Source.MONITOR else "typed",
        entry.entered_by,
        status,
    )


def entry_text(entry: VitalsEntry) -> VitalsText:
    """A stored set as the entry row shows it, ready to correct."""
    vitals = entry.signs
    bp = "" if vitals.sbp is None or vitals.dbp is None else f"{vitals.sbp}/{vitals.dbp}"
    return VitalsText(
        hr="" if vitals.hr is None else str(vitals.hr),
        bp=bp,
        rr="" if vitals.rr is None else str(vitals.rr),
        spo2="" if vitals.spo2 is None else str(vitals.spo2),
        on_oxygen=bool(vitals.on_oxygen),
        o2_flow="" if entry.o2_flow_l_min is None else f"{entry.o2_flow_l_min:g}",
        temp="" if vitals.temp_c is None else f"{vitals.temp_c:.1f}",
        acvpu=vitals.acvpu or Acvpu.A,
        pain="" if entry.pain is None else str(entry.pain),
        source=entry.source,
    )


class VitalsRecordTable(QWidget):
    """Every stored set of the session, newest first; a current one can be corrected."""

    #: The stored set (``VitalsEntry``) the nurse wants to correct.
    correct_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[VitalsEntry] = []
        self.table = QTableWidget(0, len(RECORD_COLUMNS))
        self.table.setObjectName("VitalsRecord")
        self.table.setHorizontalHeaderLabels(list(RECORD_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(lambda _index: self._on_correct_clicked())
        self.correct = QPushButton("Correct selected set…")
        self.correct.setToolTip(
            "Load the selected set into the entry row to correct it; the original stays, marked"
            " superseded, and the reason is recorded"
        )
        self.correct.setEnabled(False)
        self.correct.clicked.connect(self._on_correct_clicked)
        self.hint = QLabel("Select a set to correct it.")
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.correct)
        buttons.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

    @property
    def entries(self) -> Sequence[VitalsEntry]:
        """The sets shown, in table order (newest first)."""
        return tuple(self._entries)

    def show_entries(self, entries: Sequence[VitalsEntry]) -> None:
        """Show the stored sets (any order given; shown newest first).

        The selected set stays selected (by its id) when a newer one arrives on top, so
        "Correct selected set" never moves to another set under the nurse's hand.
        """
        chosen = self.selected()
        self._entries = sorted(entries, key=lambda e: (e.taken_at, e.id), reverse=True)
        by_id = {entry.id: entry for entry in self._entries}
        self.table.setRowCount(len(self._entries))
        for row, entry in enumerate(self._entries):
            superseded = entry.superseded_by is not None
            for column, text in enumerate(entry_cells(entry, by_id)):
                item = QTableWidgetItem(text)
                if superseded:
                    font = QFont(item.font())
                    font.setStrikeOut(column != len(RECORD_COLUMNS) - 1)
                    item.setFont(font)
                    item.setForeground(QBrush(QColor(SUPERSEDED_INK)))
                item.setData(Qt.ItemDataRole.UserRole, entry.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(
            len(RECORD_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.table.clearSelection()
        if chosen is not None:
            self.select_entry(chosen.id)
        self._on_table_selection_changed()

    def add_entries(self, entries: Sequence[VitalsEntry]) -> bool:
        """Put sets stored since on top when they are newer than every set shown and correct
        none; else change nothing and return False (``show_entries`` shows them all)."""
        fresh = sorted(entries, key=lambda e: (e.taken_at, e.id), reverse=True)
        if not fresh:
            return True
        newest = self._entries[0] if self._entries else None
        oldest = fresh[-1]
        if any(entry.amends_id is not None for entry in fresh) or (
            newest is not None and (oldest.taken_at, oldest.id) < (newest.taken_at, newest.id)
        ):
            return False
        chosen = self.selected()
        self._entries[:0] = fresh
        by_id = {entry.id: entry for entry in fresh}
        for row, entry in enumerate(fresh):
            self.table.insertRow(row)
            for column, text in enumerate(entry_cells(entry, by_id)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, entry.id)
                self.table.setItem(row, column, item)
        if chosen is not None:
            self.select_entry(chosen.id)
        return True

    def select_entry(self, entry_id: int) -> None:
        """Select the row of a stored set (tests and keyboard users)."""
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                self.table.selectRow(row)
                return

    def selected(self) -> VitalsEntry | None:
        """The selected set, or None."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self._entries[min(rows)] if rows else None

    def _on_table_selection_changed(self) -> None:
        entry = self.selected()
        current = entry is not None and entry.current
        self.correct.setEnabled(current)
        if entry is None:
            self.hint.setText("Select a set to correct it.")
        elif not current:
            self.hint.setText("This set was corrected already; correct its newest version.")
        else:
            self.hint.setText("")

    def _on_correct_clicked(self) -> None:
        entry = self.selected()
        if entry is not None and entry.current:
            self.correct_requested.emit(entry)


class SkipCheckRow(QWidget):
    """ "Check not done": a reason from the short list (details for "other"), one button."""

    #: (reason code, details): record that the due check was skipped.
    skip_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        caption = QLabel("Check not done or late:")
        caption.setObjectName("FieldLabel")
        self.reason = QComboBox()
        self.reason.setObjectName("skip_reason")
        for choice in MissedCheckReason:
            self.reason.addItem(choice.label, choice.value)
        compact_choice(self.reason, 14)
        self.details = QLineEdit()
        self.details.setPlaceholderText("details (needed for Other)")
        self.details.setMinimumWidth(180)
        self.details.returnPressed.connect(self._on_skip_clicked)
        self.skip = QPushButton("Record skipped check")
        self.skip.setToolTip("Record that the due vitals check was not done, with the reason")
        self.skip.clicked.connect(self._on_skip_clicked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        layout = FlowLayout(self, spacing=6)
        for widget in (caption, self.reason, self.details, self.skip, self.status):
            layout.addWidget(widget)

    def show_result(self, text: str, style: str) -> None:
        """Say what happened (recorded, or why not)."""
        self.status.setText(text)
        self.status.setStyleSheet(style)
        self.status.setVisible(bool(text))

    def clear(self) -> None:
        """Back to the first reason, no details."""
        self.reason.setCurrentIndex(0)
        self.details.clear()

    def _on_skip_clicked(self) -> None:
        self.skip_requested.emit(str(self.reason.currentData()), self.details.text())
