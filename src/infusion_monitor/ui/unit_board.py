"""The charge nurse's unit board window: every chair of the unit, alerting chairs on top.

Each chair's vitals schedule shows as on its tile (DUE, OVERDUE in their badge colours). Each
alert needing the unit's attention (unacknowledged, or escalated by a nurse) shows in its
alarm colour with words and icon: priority, condition, how long it has waited and whether it is
escalated. The window mirrors the unit model's unit-board tiles (re-read off the GUI thread
at every commit of any workstation, while a unit board is open) and redraws every second from
them, so waiting times, escalation and staleness stay right; it never reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.alerts import Alert, AlertPolicy, AlertState, condition_label
from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.domain.monitor import DEFAULT_STALE_AFTER
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.model.unit import UnitModel
from infusion_monitor.services.sessions.unit_board import UnitTile
from infusion_monitor.ui.latest_vitals import provenance_text, values_text
from infusion_monitor.ui.mirroring import mirror_while_open
from infusion_monitor.ui.session_text import vitals_cue
from infusion_monitor.ui.theme import (
    ALARM_STYLES,
    LABEL_PX,
    STALE_FILL,
    STALE_INK,
    VITALS_BADGES,
)

#: Redraw from the last tiles this often (waiting times, escalation, staleness).
REDRAW_MS = 1000
_COLUMNS = ("Chair", "State", "Patient", "Drug", "Vitals", "Alerts", "Latest values")
VITALS_COLUMN = _COLUMNS.index("Vitals")
ALERT_COLUMN = _COLUMNS.index("Alerts")
LATEST_COLUMN = _COLUMNS.index("Latest values")
TABLE_PX = LABEL_PX + 1


def alert_text(alert: Alert, now: datetime, policy: AlertPolicy) -> str:
    """``!!! HIGH ▲ Anaphylaxis criteria met`` and, below, how long it waited and escalation."""
    icon = ALARM_STYLES[alert.priority.code][0]
    if alert.state is AlertState.ACTIVE:
        status = f"NOT ACKNOWLEDGED for {format_duration(now - alert.raised_at)}"
    else:
        status = f"acknowledged by {alert.acknowledged_by}"
    if alert.escalated(now, policy):
        status += " · ESCALATED"
    return f"{alert.priority.words} {icon} {condition_label(alert.condition)}\n{status}"


class UnitBoardWindow(QWidget):
    """Shows unit-board tiles (``show_tiles``) and redraws them every second."""

    def __init__(
        self,
        tiles: Sequence[UnitTile],
        now: Callable[[], datetime],
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        policy: AlertPolicy | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unit board — Infusion Monitor")
        self.resize(1280, 760)
        self._now = now
        self._stale_after = stale_after
        self._policy = policy or AlertPolicy()
        self._tiles: Sequence[UnitTile] = tiles
        self.summary = QLabel()
        self.summary.setObjectName("UnitBoardSummary")
        self.summary.setStyleSheet(f"font-size: {LABEL_PX + 4}px; font-weight: 700;")
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        font = QFont(self.table.font())
        font.setPixelSize(TABLE_PX)
        self.table.setFont(font)
        self.table.setStyleSheet(
            f"QTableWidget {{ font-size: {TABLE_PX}px; }}"
            f" QTableWidget::item {{ padding: 4px 6px; }}"
            f" QHeaderView::section {{ font-size: {LABEL_PX}px; font-weight: 700; padding: 4px; }}"
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for column in range(ALERT_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self.redraw()
        self._timer.start()

    def chair_names(self) -> list[str]:
        """The chairs shown, top to bottom."""
        names = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            assert item is not None  # every row shows its chair's name
            names.append(item.text())
        return names

    def show_tiles(self, tiles: Sequence[UnitTile]) -> None:
        """Show tiles as just read."""
        self._tiles = tiles
        self.redraw()

    def redraw(self) -> None:
        """Show the last snapshot as of now (waiting times, escalation, staleness)."""
        now = self._now()
        tiles = self._tiles
        self.table.setRowCount(len(tiles))
        waiting = 0
        for row, tile in enumerate(tiles):
            session = tile.chair.session
            latest = session.latest_vitals if session is not None else None
            cue = vitals_cue(session, now) if session is not None else None
            waiting += sum(alert.state is AlertState.ACTIVE for alert in tile.alerts)
            cells = [
                tile.chair.name,
                tile.chair.state.value,
                f"{session.patient.initials} …{session.patient.short_id}" if session else "",
                session.drug_name if session else "",
                cue[1] if cue else "",
                "\n".join(alert_text(alert, now, self._policy) for alert in tile.alerts),
                ""
                if latest is None
                else f"{values_text(latest)}\n{provenance_text(latest, now, self._stale_after)}",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == ALERT_COLUMN and tile.alerts:
                    worst = max(tile.alerts, key=lambda alert: alert.priority)
                    _, ink, fill, _, _ = ALARM_STYLES[worst.priority.code]
                    item.setForeground(QBrush(QColor(ink)))
                    item.setBackground(QBrush(QColor(fill)))
                    bold = QFont(self.table.font())
                    bold.setBold(True)
                    item.setFont(bold)
                if column == VITALS_COLUMN and cue is not None:
                    kind = cue[0]
                    if kind != "not_yet_due":  # due, overdue, nothing recorded: the tile's badge
                        symbol, ink, fill, _ = VITALS_BADGES[kind]
                        item.setText(f"{symbol} {text}")
                        item.setForeground(QBrush(QColor(ink)))
                        item.setBackground(QBrush(QColor(fill)))
                if (
                    column == LATEST_COLUMN
                    and latest is not None
                    and latest.stale(now, self._stale_after)
                ):
                    item.setForeground(QBrush(QColor(STALE_INK)))
                    item.setBackground(QBrush(QColor(STALE_FILL)))
                self.table.setItem(row, column, item)
        occupied = sum(tile.chair.session is not None for tile in tiles)
        self.summary.setText(
            f"{len(tiles)} chairs · {occupied} with a patient · "
            + (f"{waiting} alert(s) not acknowledged" if waiting else "no alert waiting")
            + f" · {now.astimezone():%H:%M:%S}"
        )

    def closeEvent(self, event: object) -> None:
        """Stop redrawing."""
        self._timer.stop()
        super().closeEvent(event)  # type: ignore[arg-type]


def mirror_unit_board(
    window: UnitBoardWindow, model: UnitModel, reread: Callable[[Changes], None]
) -> UnitBoardWindow:
    """Let ``window`` follow the model's unit-board tiles while it exists (read at once)."""
    return mirror_while_open(
        window,
        model.unit_board_changed,
        window.show_tiles,
        model.watch_unit_board,
        lambda: reread(NOTHING),
    )
