"""The charge nurse's unit board window: every chair of the unit, alerting chairs on top."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from infusion_monitor.domain.monitor import DEFAULT_STALE_AFTER
from infusion_monitor.services.unit_board import UnitTile
from infusion_monitor.ui.latest_vitals import provenance_text, values_text
from infusion_monitor.ui.theme import STALE_FILL, STALE_INK

#: How often to ask whether another workstation changed something (cheap: no query).
POLL_MS = 500
#: Repaint at least this often so elapsed times and staleness stay right.
REPAINT_MS = 30_000
_COLUMNS = ("Chair", "State", "Patient", "Drug", "Alerts", "Latest values")


class UnitBoardWindow(QWidget):
    """Shows unit-board snapshots; re-reads within a poll of any workstation's commit."""

    def __init__(
        self,
        load: Callable[[], Sequence[UnitTile]],
        changed: Callable[[], bool],
        now: Callable[[], datetime],
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unit board — Infusion Monitor")
        self.resize(1100, 700)
        self._load, self._changed, self._now = load, changed, now
        self._stale_after = stale_after
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._repaint = QTimer(self)
        self._repaint.setInterval(REPAINT_MS)
        self._repaint.timeout.connect(self.refresh)
        self.refresh()
        self._poll.start()
        self._repaint.start()

    def chair_names(self) -> list[str]:
        """The chairs shown, top to bottom."""
        return [self.table.item(row, 0).text() for row in range(self.table.rowCount())]

    def refresh(self) -> None:
        """Read and show a fresh snapshot."""
        now = self._now()
        tiles = self._load()
        self.table.setRowCount(len(tiles))
        for row, tile in enumerate(tiles):
            session = tile.chair.session
            latest = session.latest_vitals if session is not None else None
            stale = latest is not None and latest.stale(now, self._stale_after)
            alerts = ", ".join(
                f"{a.priority.upper()} {a.condition}{' (escalated)' if a.escalated else ''}"
                for a in tile.alerts
            )
            cells = [
                tile.chair.name,
                tile.chair.state.value,
                f"{session.patient.initials} …{session.patient.short_id}" if session else "",
                session.drug_name if session else "",
                alerts,
                ""
                if latest is None
                else f"{values_text(latest)}\n{provenance_text(latest, now, self._stale_after)}",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == len(cells) - 1 and stale:
                    item.setForeground(QBrush(QColor(STALE_INK)))
                    item.setBackground(QBrush(QColor(STALE_FILL)))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def _on_poll_timeout(self) -> None:
        if self._changed():
            self.refresh()

    def closeEvent(self, event: object) -> None:
        """Stop polling."""
        self._poll.stop()
        self._repaint.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
