"""A measure table on screen: group labels, then figures; every figure opens its sessions.

Click a number (or move to it and press Enter) and ``figure_opened`` says which table, row and
column and the :class:`Figure` behind it; the window opens the list of those sessions. A figure
resting on too few to compare carries the mark † and says so in its tooltip; one below the
unit's target line says that in words too.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from infusion_monitor.services.review.quality_measures import (
    SMALL_MARK,
    SMALL_N,
    Figure,
    MeasureTable,
)

_Index = QModelIndex | QPersistentModelIndex
SMALL_TIP = f"{SMALL_MARK} Fewer than {SMALL_N} behind this figure: too few to compare."
BELOW_FILL = "#FCE4E4"
DRILL_TIP = "Click (or Enter) to list the {n}sessions behind this number."


class MeasureTableModel(QAbstractTableModel):
    """One :class:`MeasureTable`: its group columns, then one column per figure."""

    def __init__(self, table: MeasureTable) -> None:
        super().__init__()
        self.table = table
        self._groups = len(table.groups)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """One per row of the table."""
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Group labels and figures."""
        return 0 if parent.isValid() else self._groups + len(self.table.columns)

    def figure(self, index: _Index) -> Figure | None:
        """The figure at ``index`` (None on a label cell)."""
        if not index.isValid() or index.column() < self._groups:
            return None
        return self.table.rows[index.row()].figures[index.column() - self._groups]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Label or figure text, with the small-number mark and the target note in words."""
        if not index.isValid():
            return None
        row = self.table.rows[index.row()]
        figure = self.figure(index)
        if figure is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.labels[index.column()]
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{figure.shown}  {figure.note}".strip()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            n = figure.behind.count
            tips = [DRILL_TIP.format(n="" if n is None else f"{n} ")] if figure.opens else []
            tips += [SMALL_TIP] if figure.small else []
            return "\n".join(tips) or None
        if role == Qt.ItemDataRole.BackgroundRole and figure.note:
            return QBrush(QColor(BELOW_FILL))
        if role == Qt.ItemDataRole.FontRole and figure.opens:
            font = QFont()
            font.setUnderline(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and figure.opens:
            return QBrush(QColor("#0B4F9C"))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Group and figure column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < self._groups:
            return self.table.groups[section]
        return self.table.columns[section - self._groups]


class MeasureTableView(QWidget):
    """A titled measure table whose numbers open the sessions behind them."""

    figure_opened = Signal(object, object, object)
    """``(MeasureTable, labels + column title, Figure)``."""

    def __init__(self, table: MeasureTable) -> None:
        super().__init__()
        self.model = MeasureTableModel(table)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.view.clicked.connect(self._on_view_clicked)
        QShortcut(QKeySequence("Return"), self.view, self.open_current)
        QShortcut(QKeySequence("Enter"), self.view, self.open_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if table.note:
            note = QLabel(table.note)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(self.view, 1)

    def open_current(self) -> None:
        """Open the sessions behind the figure that has the focus."""
        self._open(self.view.currentIndex())

    def _on_view_clicked(self, index: QModelIndex) -> None:
        self._open(index)

    def _open(self, index: QModelIndex) -> None:
        figure = self.model.figure(index)
        if figure is None or not figure.opens:
            return
        table = self.model.table
        labels = table.rows[index.row()].labels
        column = table.columns[index.column() - len(table.groups)]
        self.figure_opened.emit(table, (*labels, column), figure)
