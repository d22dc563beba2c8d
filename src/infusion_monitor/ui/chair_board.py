"""The chair board: one tile per configured chair, showing each chair's state at a glance."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from infusion_monitor.domain.monitor import DEFAULT_STALE_AFTER
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.services.sessions.board import ChairState, ChairStatus
from infusion_monitor.ui.latest_vitals import LatestVitalsView
from infusion_monitor.ui.session_text import STEP_ON_HOLD, step_cue, treatment_cue, vitals_cue
from infusion_monitor.ui.theme import (
    RATE_STEP_STYLE,
    STATE_BADGES,
    STEP_HOLD_STYLE,
    VITALS_BADGES,
    restyle,
)

MAX_COLUMNS = 4
#: The usual tile width: a wide window makes the board this wide per column.
TILE_WIDTH_PX = 330
#: The narrowest a wrapping line of a tile gets (it wraps rather than widen the tile).
WRAPPED_MIN_PX = 160
TILE_MIN_HEIGHT_PX = 200
#: Shown instead of initials and MRN digits while the screen is locked.
LOCKED_IDENTITY = "Locked"
#: The board before its chairs are read (a start after a crash paints before the database is
#: checked and open): never an empty grey page that looks like a unit without chairs.
CHAIRS_NOT_READ_YET = (
    "The chairs are shown as soon as the database is open (the status bar below says what it"
    " is doing)."
)


def _label(object_name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


NO_BREAK = "\u00a0"
JOINER = "\u2060"


def _unbroken(part: str) -> str:
    """One piece of a tile line that wraps only between pieces ("125 mL/h" stays whole)."""
    return part.replace(" ", NO_BREAK).replace("/", "/" + JOINER)


def _repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used by a selector changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ChairTile(QFrame):
    """One chair: state word, short identity, drug and cycle, infusion time, vitals due, rate
    step, alert, the latest values."""

    clicked = Signal()
    activated = Signal()

    def __init__(
        self,
        number: int,
        parent: QWidget | None = None,
        *,
        identity_hidden: bool = False,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ChairTile")
        # The width follows the content (badges and cues are never clipped); never narrower.
        self.setMinimumHeight(TILE_MIN_HEIGHT_PX)
        self.setProperty("selected", False)
        self._number = number
        self._status: ChairStatus | None = None
        self._identity_hidden = identity_hidden

        self._chair = _label("TileChair")
        self._badge = _label("TileBadge")
        self._identity = _label("TileIdentity")
        self._drug = _label("TileDrug")
        self._drug.setWordWrap(True)
        self._time = _label("TileTime")
        self._time_caption = _label("TileTimeLabel")
        self._time_caption.setWordWrap(True)
        self._vitals = _label("TileVitals")
        #: The latest set: typed or monitor, when measured, greyed out once stale.
        self.latest = LatestVitalsView(stale_after)
        self._step = _label("TileStep")
        self._step.setStyleSheet(RATE_STEP_STYLE)
        self._step.setWordWrap(True)
        self._note = _label("TileDetail")
        self._note.setWordWrap(True)
        self._note.setMinimumWidth(WRAPPED_MIN_PX)  # a long pause reason wraps, never widens
        #: The treatment the rules name: epinephrine repeat timer, observation after anaphylaxis.
        self.treatment = _label("TileTreatment")
        self.treatment.setWordWrap(True)
        self.treatment.setVisible(False)
        #: Filled by the alerts issue (words + icon + colour); empty and hidden until then.
        self.alert_slot = _label("TileAlert")
        self.alert_slot.setVisible(False)
        self._free = _label("TileFree")

        top = QHBoxLayout()
        top.addWidget(self._chair)
        top.addStretch(1)
        top.addWidget(self._badge)
        time_row = QHBoxLayout()
        time_row.addWidget(self._time)
        time_row.addWidget(self._time_caption, 1, Qt.AlignmentFlag.AlignBottom)
        cues = QHBoxLayout()
        cues.addWidget(self._vitals)
        cues.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self._identity)
        layout.addWidget(self._drug)
        layout.addLayout(time_row)
        layout.addLayout(cues)
        layout.addWidget(self._step, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._note)
        layout.addWidget(self.treatment)
        layout.addWidget(self.alert_slot)
        layout.addWidget(self.latest)  # under the alert band, which must stay high on the tile
        layout.addWidget(self._free)
        layout.addStretch(1)

    @property
    def status(self) -> ChairStatus | None:
        """The snapshot this tile shows."""
        return self._status

    def show_status(self, status: ChairStatus, now: datetime) -> None:
        """Show a new snapshot of the chair."""
        self._status = status
        symbol, ink, fill, edge = STATE_BADGES[status.state]
        self._chair.setText(status.name)
        self._badge.setText(f"{symbol} {status.state.value.upper()}")
        restyle(self._badge, f"color: {ink}; background: {fill}; border: 2px solid {edge};")
        state = status.state.name.lower()
        if self.property("state") != state:  # a repolish restyles the whole tile
            self.setProperty("state", state)
            _repolish(self)
        session = status.session
        occupied = session is not None
        for widget in (self._identity, self._drug, self._time, self._time_caption, self._vitals):
            widget.setVisible(occupied)
        self._free.setVisible(not occupied)
        self.latest.show_latest(session.latest_vitals if session is not None else None, now)
        hint = f" Select with Ctrl+{self._number}, open with Enter." if self._number <= 9 else ""
        if session is None:
            self._free.setText("Free — start session (N)")
            self._note.setVisible(False)
            self._step.setVisible(False)
            self.setToolTip(f"{status.name}: free. Select it and press N to set up a session.")
        else:
            self._identity.setText(
                LOCKED_IDENTITY
                if self._identity_hidden
                else f"{session.patient.initials}  {session.patient.short_id}"
            )
            self._drug.setText(
                " · ".join(
                    _unbroken(part)
                    for part in (session.drug_name, f"C{session.cycle}", session.rate_text())
                )
            )
            self._drug.setToolTip(self._drug.text().replace(NO_BREAK, " ").replace(JOINER, ""))
            reason = session.pause_reason
            self._note.setText(f"Paused: {reason}" if reason else "")
            self._note.setVisible(bool(reason))
            self.setToolTip(f"{status.name}: {status.state.value.lower()}.{hint}")
        self.refresh_times(now)

    def refresh_times(self, now: datetime) -> None:
        """Recompute the shown times from the stored events and ``now``."""
        if self._status is None or self._status.session is None:
            return
        state, session = self._status.state, self._status.session
        infused = format_duration(session.infusion_time(now))
        observed = session.observation_left(now)
        if state is ChairState.OBSERVATION and observed is not None:
            self._time.setText(format_duration(observed))
            self._time_caption.setText(f"observation left\ninfused {infused}")
        elif state is ChairState.PLANNED:
            self._time.setText("—")
            self._time_caption.setText("not started")
        elif state in (ChairState.COMPLETED, ChairState.DISCONTINUED):
            self._time.setText(infused)
            self._time_caption.setText("infused in total")
        elif state is ChairState.PAUSED:
            self._time.setText(infused)
            self._time_caption.setText("infusion time\nclock stopped")
        else:
            self._time.setText(infused)
            self._time_caption.setText("infusion time")
        treatment = treatment_cue(session, now)
        self.treatment.setText(treatment)
        self.treatment.setVisible(bool(treatment))
        kind, words = vitals_cue(session, now)
        symbol, ink, fill, edge = VITALS_BADGES[kind]
        self.latest.refresh(now)
        self._vitals.setText(f"{symbol} {words}")
        restyle(self._vitals, f"color: {ink}; background: {fill}; border: 2px solid {edge};")
        self._vitals.setProperty("schedule", kind)
        step = step_cue(session, now, hold=self._status.hold_escalation)
        self._step.setVisible(step is not None and step[0])
        self._step.setText(step[1] if step is not None else "")
        held = step is not None and step[1] == STEP_ON_HOLD
        restyle(self._step, STEP_HOLD_STYLE if held else RATE_STEP_STYLE)

    def set_identity_hidden(self, hidden: bool, now: datetime) -> None:
        """Hide the patient's initials and short ID (screen locked); state and times stay."""
        self._identity_hidden = hidden
        if self._status is not None:
            self.show_status(self._status, now)

    @property
    def identity_text(self) -> str:
        """The identity line as shown (for tests and accessibility)."""
        return self._identity.text()

    def set_selected(self, selected: bool) -> None:
        """Highlight the tile (thick blue frame and tint) or return it to normal."""
        self.setProperty("selected", selected)
        _repolish(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new width may need another height for the wrapped lines: ask the board again."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        """Never shorter than its wrapped lines need at its width (nothing is cut off)."""
        hint = super().minimumSizeHint()
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            width = max(self.width(), hint.width())
            return QSize(hint.width(), max(hint.height(), layout.totalHeightForWidth(width)))
        return hint

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click (or tap) on the tile selects its chair and opens it."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class ChairBoard(QWidget):
    """All chairs of this workstation as a grid of tiles; one may be selected."""

    chair_selected = Signal(int)

    def __init__(
        self, parent: QWidget | None = None, *, stale_after: timedelta = DEFAULT_STALE_AFTER
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ChairBoard")
        self._stale_after = stale_after
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(8, 8, 8, 8)
        self._grid.setSpacing(8)
        self._tiles: list[ChairTile] = []
        self._selected: int | None = None
        self._identity_hidden = False
        self._columns = 0
        self.not_read_yet = _label("ChairsNotReadYet", CHAIRS_NOT_READ_YET)
        self.not_read_yet.setWordWrap(True)
        self.not_read_yet.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid.addWidget(self.not_read_yet, 0, 0)
        # Focus comes back here from a hidden widget or Esc when no session is shown.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    @property
    def tiles(self) -> Sequence[ChairTile]:
        """The tiles in board order."""
        return tuple(self._tiles)

    @property
    def selected_index(self) -> int | None:
        """The index of the selected tile, or None."""
        return self._selected

    def show_statuses(self, statuses: Sequence[ChairStatus], now: datetime) -> None:
        """Show one tile per chair, in order, rebuilding the grid if the chair count changed."""
        if len(statuses) != len(self._tiles):
            self._rebuild(len(statuses))
        for tile, status in zip(self._tiles, statuses, strict=True):
            tile.show_status(status, now)

    def refresh_times(self, now: datetime) -> None:
        """Recompute every tile's times from ``now``; called by the window's once-a-second tick."""
        for tile in self._tiles:
            tile.refresh_times(now)

    def set_identity_hidden(self, hidden: bool, now: datetime) -> None:
        """Hide or show patient identity on every tile (the lock screen hides it)."""
        self._identity_hidden = hidden
        for tile in self._tiles:
            tile.set_identity_hidden(hidden, now)

    def select(self, index: int) -> None:
        """Select the chair at ``index`` (0-based); out-of-range indexes are ignored."""
        if not 0 <= index < len(self._tiles):
            return
        if index != self._selected:
            if self._selected is not None:
                self._tiles[self._selected].set_selected(False)
            self._selected = index
            self._tiles[index].set_selected(True)
        self.chair_selected.emit(index)

    def _rebuild(self, count: int) -> None:
        for tile in self._tiles:
            self._grid.removeWidget(tile)
            tile.deleteLater()
        self._tiles = []
        self._selected = None
        for index in range(count):
            tile = ChairTile(
                index + 1,
                self,
                identity_hidden=self._identity_hidden,
                stale_after=self._stale_after,
            )
            tile.clicked.connect(functools.partial(self.select, index))
            self._tiles.append(tile)
        if count:
            self._grid.removeWidget(self.not_read_yet)
        else:
            self._grid.addWidget(self.not_read_yet, 0, 0)
        self.not_read_yet.setVisible(not count)
        self._columns = 0
        self._arrange(self._fitting_columns(self.width()))

    @property
    def columns(self) -> int:
        """How many tiles stand side by side now."""
        return self._columns

    def _tile_width(self) -> int:
        """The narrowest a tile can be without clipping its content."""
        return max((tile.minimumSizeHint().width() for tile in self._tiles), default=0)

    def width_for(self, columns: int) -> int:
        """The board width that shows ``columns`` tiles of the usual width side by side."""
        spacing = self._grid.spacing()
        margins = self._grid.contentsMargins()
        return columns * (TILE_WIDTH_PX + spacing) - spacing + margins.left() + margins.right()

    def _fitting_columns(self, width: int) -> int:
        """As many columns as whole tiles fit in ``width`` (at least one, at most four)."""
        spacing = self._grid.spacing()
        margins = self._grid.contentsMargins()
        room = width - margins.left() - margins.right() + spacing
        fit = room // (self._tile_width() + spacing)
        return max(1, min(MAX_COLUMNS, len(self._tiles) or 1, fit))

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        for tile in self._tiles:
            self._grid.removeWidget(tile)
        for row in range(self._grid.rowCount()):
            self._grid.setRowStretch(row, 0)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        self._columns = columns
        for index, tile in enumerate(self._tiles):
            self._grid.addWidget(tile, index // columns, index % columns)
        for row in range(math.ceil(len(self._tiles) / columns)):
            self._grid.setRowStretch(row, 1)
        for column in range(columns):
            self._grid.setColumnStretch(column, 1)

    def minimumSizeHint(self) -> QSize:
        """One column of tiles: more stand side by side whenever the board is wide enough."""
        margins = self._grid.contentsMargins()
        hint = super().minimumSizeHint()
        return QSize(self._tile_width() + margins.left() + margins.right(), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Use as many columns as the width allows (a wide screen shows more chairs at once)."""
        super().resizeEvent(event)
        self._arrange(self._fitting_columns(event.size().width()))
