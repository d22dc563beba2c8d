"""The review page: finished sessions in a table, with filters, search, sorting and lazy pages.

``SessionTableModel`` holds frozen ``SessionRow`` copies and asks the review service for the
next page only when the view scrolls to the end (``canFetchMore``/``fetchMore``); clicking a
header re-queries the service sorted by that column. The service checks the role; a refusal is
shown instead of any row. Opening a session (double-click or Enter) goes through the audited
gate and shows :class:`SessionDetailWindow`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.export_file import write_text_export
from infusion_monitor.services.review.gate import ReviewService
from infusion_monitor.services.review.query import (
    PAGE_SIZE,
    SessionFilter,
    SessionPage,
    SessionRow,
    SortKey,
)
from infusion_monitor.ui.date_filter import period_edits, period_of

CurrentActor = Callable[[], Actor]
DEFAULT_DAYS = 30
_Index = QModelIndex | QPersistentModelIndex
PRIORITY_FILL = {
    AlertPriority.HIGH: "#F7C5C5",
    AlertPriority.MEDIUM: "#FFE7B3",
    AlertPriority.LOW: "#D8F1F5",
}


def _priority_words(row: SessionRow) -> str:
    return "" if row.highest_priority is None else row.highest_priority.words


def _ack(row: SessionRow) -> str:
    if row.alerts == 0:
        return ""
    worst = "" if row.max_ack_s is None else f"max {row.max_ack_s:.0f} s"
    missed = f"{row.unacknowledged} never" if row.unacknowledged else ""
    return " · ".join(part for part in (f"{row.alerts}", worst, missed) if part)


@dataclass(frozen=True)
class Column:
    """A column: its header, sort key and cell text."""

    title: str
    key: SortKey
    text: Callable[[SessionRow], str]


COLUMNS = (
    Column("Date", SortKey.DATE, lambda r: f"{r.created_at.astimezone():%d %b %Y %H:%M}"),
    Column("Chair", SortKey.CHAIR, lambda r: r.chair),
    Column("Patient", SortKey.PATIENT, lambda r: f"{r.patient_name} · {r.mrn or ''}"),
    Column("Drug", SortKey.DRUG, lambda r: r.drug),
    Column("Cycle", SortKey.CYCLE, lambda r: str(r.cycle or "")),
    Column("Nurse", SortKey.NURSE, lambda r: r.nurse),
    Column(
        "Duration",
        SortKey.DURATION,
        lambda r: (
            "" if r.duration_min is None else f"{r.duration_min // 60}h{r.duration_min % 60:02d}"
        ),
    ),
    Column("Highest", SortKey.PRIORITY, _priority_words),
    Column(
        "Reaction",
        SortKey.REACTION,
        lambda r: (
            ""
            if r.reaction_grade is None
            else f"G{r.reaction_grade} {(r.reaction_term or '').replace('_', ' ')}"
        ),
    ),
    Column(
        "Vitals on time",
        SortKey.ON_TIME,
        lambda r: "" if r.on_time_pct is None else f"{r.on_time_pct:.0f}%",
    ),
    Column("Alerts · ack", SortKey.ACK, _ack),
)


class SessionTableModel(QAbstractTableModel):
    """Pages of ``SessionRow`` fetched on demand from a function of (offset, sort)."""

    failed = Signal(str)

    def __init__(self, fetch: Callable[[int, SortKey, bool], SessionPage]) -> None:
        super().__init__()
        self._fetch = fetch
        self._rows: list[SessionRow] = []
        self.total = 0
        self.sort_key = SortKey.DATE
        self.descending = True

    def reload(self) -> None:
        """Start again from the first page (filters or sort changed)."""
        self.beginResetModel()
        self._rows = []
        self.total = 0
        try:
            page = self._fetch(0, self.sort_key, self.descending)
        except UserError as exc:
            self.endResetModel()
            self.failed.emit(exc.message)
            return
        self._rows = list(page.rows)
        self.total = page.total
        self.endResetModel()

    def row(self, index: int) -> SessionRow:
        """The session shown in row ``index``."""
        return self._rows[index]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Rows fetched so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """One per :data:`COLUMNS` entry."""
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: _Index) -> bool:
        """Whether more sessions match than are fetched."""
        return not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent: _Index) -> None:
        """Fetch the next page."""
        try:
            page = self._fetch(len(self._rows), self.sort_key, self.descending)
        except UserError as exc:
            self.failed.emit(exc.message)
            return
        if not page.rows:
            self.total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; the highest-priority cell is tinted (with its words, never colour alone)."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.BackgroundRole and column.key is SortKey.PRIORITY:
            fill = None if row.highest_priority is None else PRIORITY_FILL[row.highest_priority]
            return QColor(fill) if fill else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask the service for the list sorted by ``column``."""
        self.sort_key = COLUMNS[column].key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class ReviewWindow(QWidget):
    """The charge nurse's list of finished sessions (non-modal).

    With ``preset`` it lists exactly those sessions (the quality page's "sessions behind this
    number"): the filter bar gives way to ``heading``, and sorting and opening work as ever.
    """

    session_opened = Signal(object)

    def __init__(
        self,
        review: ReviewService,
        actor: CurrentActor,
        clock: Clock,
        preset: SessionFilter | None = None,
        heading: str = "",
    ) -> None:
        super().__init__()
        self.setWindowTitle(
            "Session review — Infusion Monitor" if preset is None else f"Sessions behind: {heading}"
        )
        self.resize(1500, 860)
        self._review = review
        self._actor = actor
        self._clock = clock
        self._preset = preset
        self.details: list[QWidget] = []
        self.since, self.until = period_edits(DEFAULT_DAYS)
        self.drug = QComboBox()
        self.nurse = QComboBox()
        self.chair = QComboBox()
        self.reaction = QComboBox()
        for text, value in (("Any", None), ("Reaction", True), ("No reaction", False)):
            self.reaction.addItem(text, value)
        self.priority = QComboBox()
        for text, floor in (
            ("Any priority", None),
            ("! LOW or higher", AlertPriority.LOW.code),
            ("!! MEDIUM or higher", AlertPriority.MEDIUM.code),
            ("!!! HIGH", AlertPriority.HIGH.code),
        ):
            self.priority.addItem(text, floor)
        self.search = QLineEdit()
        self.search.setPlaceholderText("MRN or name")
        self.search.returnPressed.connect(self.refresh)
        show = QPushButton("Show")
        show.clicked.connect(self.refresh)
        export = QPushButton("Export list as CSV…")
        export.clicked.connect(self._on_export_clicked)
        filters = QHBoxLayout()
        for label, widget in (
            ("From", self.since),
            ("To", self.until),
            ("Drug", self.drug),
            ("Nurse", self.nurse),
            ("Chair", self.chair),
            ("", self.reaction),
            ("", self.priority),
            ("Search", self.search),
        ):
            if label:
                filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(show)
        filters.setContentsMargins(0, 0, 0, 0)
        self.filter_bar = QWidget()
        self.filter_bar.setLayout(filters)
        bar = QHBoxLayout()
        bar.addWidget(self.filter_bar, 1)
        bar.addStretch(0 if preset is None else 1)
        bar.addWidget(export)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.model = SessionTableModel(self._fetch)
        self.model.failed.connect(self._on_model_failed)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 80, 240, 170, 50, 140, 80, 100, 210, 110, 150)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        QShortcut(QKeySequence("Return"), self.table, self.open_selected)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.heading.setVisible(preset is not None)
        self.filter_bar.setVisible(preset is None)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(bar)
        if preset is None:
            self._fill_choices()
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.refresh()

    def _fill_choices(self) -> None:
        try:
            choices = self._review.choices(self._actor())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.drug.addItem("Any drug", None)
        for drug in choices.drugs:
            self.drug.addItem(drug, drug)
        self.nurse.addItem("Any nurse", None)
        for nurse_id, name in choices.nurses:
            self.nurse.addItem(name, nurse_id)
        self.chair.addItem("Any chair", None)
        for chair_id, name in choices.chairs:
            self.chair.addItem(name, chair_id)

    def filter(self) -> SessionFilter:
        """The filters as typed (or the preset sessions)."""
        if self._preset is not None:
            return self._preset
        since, until = period_of(self.since, self.until)
        return SessionFilter(
            since=since,
            until=until,
            drug=self.drug.currentData(),
            nurse_id=self.nurse.currentData(),
            chair_id=self.chair.currentData(),
            reaction=self.reaction.currentData(),
            min_priority=AlertPriority.from_code(self.priority.currentData() or "none"),
            search=self.search.text() or None,
        )

    def _fetch(self, offset: int, sort: SortKey, descending: bool) -> SessionPage:
        return self._review.list_sessions(
            self._actor(), self.filter(), sort=sort, descending=descending, offset=offset
        )

    def refresh(self) -> None:
        """Query the first page again."""
        self.message.clear()
        self.model.reload()
        if self.model.rowCount():  # Enter opens the first session at once; arrows move on
            self.table.setCurrentIndex(self.model.index(0, 0))
        if not self.message.text():
            shown = self.model.rowCount()
            self.message.setText(
                f"{self.model.total} sessions match; {shown} shown (scroll for more)."
                if self.model.total > shown
                else f"{self.model.total} sessions match."
            )

    def open_selected(self) -> QWidget | None:
        """Open the selected session's detail (audited)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.open_session(self.model.row(rows[0].row()).id)

    def open_session(self, session_id: int) -> QWidget | None:
        """Open one session's detail window, through the audited gate."""
        from infusion_monitor.ui.review.session_detail import SessionDetailWindow

        try:
            record, review = self._review.open_session(self._actor(), session_id)
        except UserError as exc:
            self.message.setText(exc.message)
            return None
        window = SessionDetailWindow(record, review, self._review, self._actor, self._clock)
        self.details.append(window)
        window.show()
        self.session_opened.emit(window)
        return window

    def export_csv(self, path: Path) -> int:
        """Write every matching session (not only those fetched) to ``path``; return how many."""
        from infusion_monitor.integrations.csv_export import sessions_csv

        rows: list[SessionRow] = []
        while True:
            page = self._review.list_sessions(
                self._actor(),
                self.filter(),
                sort=self.model.sort_key,
                descending=self.model.descending,
                offset=len(rows),
                limit=PAGE_SIZE * 20,
            )
            rows += page.rows
            if not page.rows or len(rows) >= page.total:
                break
        write_text_export(path, sessions_csv(rows), excel=True)
        return len(rows)

    def _on_export_clicked(self) -> None:
        dialog = QFileDialog(self, "Export sessions as CSV", "sessions.csv", "CSV (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.fileSelected.connect(self._on_export_file_selected)
        dialog.open()

    def _on_export_file_selected(self, name: str) -> None:
        try:
            count = self.export_csv(Path(name))
        except UserError as exc:  # nothing written: the message says why and what to do
            self.message.setText(exc.message)
            return
        self.message.setText(f"{count} sessions written to {name}.")

    def _on_model_failed(self, text: str) -> None:
        self.message.setText(text)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.open_session(self.model.row(index.row()).id)

    def closeEvent(self, event: Any) -> None:
        """Close the detail windows opened from here too."""
        for window in self.details:
            window.close()
        super().closeEvent(event)
