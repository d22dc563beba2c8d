"""Stacked trend lanes (HR, BP, RR, SpO2, temperature, NEWS2) on one time axis.

Plain data in: ``TrendPoint`` rows (minutes since the infusion start, typed or monitor) and
``TrendMarker`` events. Each curve is created once and fed with ``setData`` from growing numpy
buffers; peak downsampling and clip-to-view keep 12 hours of 1 Hz monitor data smooth. Typed
values are filled circles joined by a line; monitor values are a thin line without symbols (a
lone one, with no neighbour to join, a small open square), so a typed value never passes as
measured. A set lacking one value (a monitor's NIBP sent apart from its HR) does not break that
value's line; a missed check or a drop-out (nothing at all) does. The
patient's baseline is a dashed line in each lane and the NEWS2 lane is shaded by score band.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from infusion_monitor.domain.markers import MarkerKind
from infusion_monitor.ui.latest_vitals import news2_does_not_apply

INITIAL_CAPACITY = 256
X_MARGIN_MIN = 5.0
MIN_X_SPAN_MIN = 60.0
HOVER_MAX_DISTANCE_MIN = 10.0
EVENTS_LANE_PX = 112
EVENTS_LANE_MIN_PX = 112
DOWNSAMPLE_SAMPLES_PER_PX = 1.0
LANE_MIN_PX = 30
NEWS2_LANE_MIN_PX = 60
LABEL_COLUMN_PX = 64
AXIS_PX = 40
EVENT_LABEL_ROWS = 4
EVENT_LABEL_PX = 14
EVENT_LABEL_MARGIN_PX = 1
#: Room kept after each label (px) so that neighbours never touch.
EVENT_LABEL_GAP_PX = 10
#: Events less than this many minutes apart share one label.
SAME_MINUTE = 1.0
#: The hover read-out lists the events of a label within this many minutes of the cursor.
EVENT_HOVER_MIN = 3.0
NEWS2_TICKS = (0, 1, 5, 7, 10)


@dataclass(frozen=True)
class TrendPoint:
    """One set of vitals at ``t_min`` minutes since the start (negative before it)."""

    t_min: float
    hr: float | None = None
    sbp: float | None = None
    dbp: float | None = None
    rr: float | None = None
    spo2: float | None = None
    temp_c: float | None = None
    news2: float | None = None
    monitor: bool = False
    mean_bp: float | None = None


@dataclass(frozen=True)
class TrendMarker:
    """An event to mark on every lane: when (minutes since start), what, and a short label."""

    t_min: float
    kind: MarkerKind
    label: str


@dataclass(frozen=True)
class Lane:
    """One lane: its title, unit, the columns it draws, and its fixed y range."""

    key: str
    title: str
    unit: str
    columns: tuple[str, ...]
    y_range: tuple[float, float]


LANES = (
    Lane("hr", "HR", "/min", ("hr",), (30, 180)),
    Lane("bp", "BP", "mmHg<br>··· MAP", ("sbp", "dbp", "mean_bp"), (30, 220)),
    Lane("rr", "RR", "/min", ("rr",), (0, 40)),
    Lane("spo2", "SpO2", "%", ("spo2",), (80, 100)),
    Lane("temp", "Temp", "°C", ("temp_c",), (34, 41)),
    Lane("news2", "NEWS2", "score", ("news2",), (0, 14)),
)
COLUMNS = ("hr", "sbp", "dbp", "rr", "spo2", "temp_c", "news2", "mean_bp")
#: Monitor-only values drawn dotted between the others of their lane (MAP between SBP and DBP).
DOTTED_COLUMNS = ("mean_bp",)
DOTTED = Qt.PenStyle.DotLine
COLOURS = {
    "hr": "#1F5FAD",
    "sbp": "#8E2C48",
    "dbp": "#C0607A",
    "mean_bp": "#5A1A2E",
    "rr": "#2F7D4A",
    "spo2": "#0E6F7C",
    "temp_c": "#9A5B00",
    "news2": "#222222",
}
#: NEWS2 bands (RCP 2017 Chart 3): 0, 1-4 low, 5-6 medium (urgent), 7+ high (emergency).
NEWS2_BANDS = (
    (-0.5, 0.5, "#FFFFFF"),
    (0.5, 4.5, "#E9F3E6"),
    (4.5, 6.5, "#FFE7B3"),
    (6.5, 20.0, "#F7C5C5"),
)
MARKER_SYMBOLS = {
    MarkerKind.START: "▶",
    MarkerKind.PAUSE: "❚❚",
    MarkerKind.RESUME: "▶",
    MarkerKind.RATE_CHANGE: "↗",
    MarkerKind.SYMPTOM: "●",
    MarkerKind.ALERT: "!!!",
    MarkerKind.INTERVENTION: "✚",
    MarkerKind.END: "■",
}
MARKER_STYLES: dict[MarkerKind, tuple[str, Qt.PenStyle]] = {
    MarkerKind.START: ("#17692F", Qt.PenStyle.SolidLine),
    MarkerKind.PAUSE: ("#5A3E8C", Qt.PenStyle.DashLine),
    MarkerKind.RESUME: ("#5A3E8C", Qt.PenStyle.DotLine),
    MarkerKind.RATE_CHANGE: ("#4A5560", Qt.PenStyle.DotLine),
    MarkerKind.SYMPTOM: ("#B05E00", Qt.PenStyle.DashLine),
    MarkerKind.ALERT: ("#C00000", Qt.PenStyle.SolidLine),
    MarkerKind.INTERVENTION: ("#0B4FA8", Qt.PenStyle.DashDotLine),
    MarkerKind.END: ("#17692F", Qt.PenStyle.DashLine),
}


#: Which kind's symbol and colour a shared label takes (the most urgent first).
KIND_URGENCY = (
    MarkerKind.ALERT,
    MarkerKind.SYMPTOM,
    MarkerKind.INTERVENTION,
    MarkerKind.PAUSE,
    MarkerKind.RESUME,
    MarkerKind.RATE_CHANGE,
    MarkerKind.START,
    MarkerKind.END,
)


class _Buffer:
    """Growing numpy columns (time plus every vital) for one source, and which rows are gaps."""

    def __init__(self) -> None:
        self.size = 0
        self.data = np.full((len(COLUMNS) + 1, INITIAL_CAPACITY), np.nan)
        self.gaps = np.zeros(INITIAL_CAPACITY, dtype=bool)

    def clear(self) -> None:
        self.size = 0

    def append(self, t: float, values: Sequence[float]) -> None:
        if self.size == self.data.shape[1]:
            grown = np.full((self.data.shape[0], self.size * 2), np.nan)
            grown[:, : self.size] = self.data
            self.data = grown
            self.gaps = np.concatenate((self.gaps, np.zeros(self.size, dtype=bool)))
        self.data[0, self.size] = t
        self.data[1:, self.size] = values
        self.gaps[self.size] = bool(np.isnan(self.data[1:, self.size]).all())
        self.size += 1

    @property
    def t(self) -> np.ndarray[Any, Any]:
        return self.data[0, : self.size]

    def column(self, name: str) -> np.ndarray[Any, Any]:
        return self.data[1 + COLUMNS.index(name), : self.size]

    def series(self, name: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Times and values of one column to draw: a set that lacks this value is left out (the
        line goes on: a monitor sends its NIBP apart from its HR), a gap (a missed check, a
        drop-out: nothing at all) stays in as NaN, so the line breaks there."""
        t, values = self.t, self.column(name)
        missing = np.isnan(values)
        if not missing.any():
            return t, values
        keep = ~missing | self.gaps[: self.size]
        return t[keep], values[keep]


def lone_points(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Which values have no drawn neighbour on either side (NaN or nothing): a line skips them."""
    finite = ~np.isnan(values)
    if finite.all():
        return finite if finite.size == 1 else np.zeros(finite.size, dtype=bool)
    before = np.concatenate(([False], finite[:-1]))
    after = np.concatenate((finite[1:], [False]))
    return finite & ~before & ~after


class ClockAxis(pg.AxisItem):
    """Top axis: the clock time of each tick (the bottom axis counts minutes since start)."""

    def __init__(self) -> None:
        super().__init__("top")
        self.start: datetime | None = None

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Label each tick with its local clock time."""
        if self.start is None:
            return ["" for _ in values]
        return [
            (self.start + timedelta(minutes=float(value))).astimezone().strftime("%H:%M")
            for value in values
        ]


class MarkerLines(pg.GraphicsObject):
    """Every event's vertical line in one lane, drawn by one item.

    An ``InfiniteLine`` per event per lane looked the same but cost a Python ``boundingRect``
    and ``paint`` each at every repaint and a recomputed bounding box each at every change of
    the time span (16 events in 7 lanes: most of a repaint after a save). Each line spans the
    lane's whole height in its kind's colour and pen style, as those lines did.
    """

    def __init__(self) -> None:
        super().__init__()
        #: Each line's time (minutes) and pen, in the order drawn.
        self.lines: list[tuple[float, QPen]] = []
        self._bounds = QRectF()

    def set_lines(self, lines: list[tuple[float, QPen]]) -> None:
        """Draw these lines instead of the ones shown."""
        self.lines = lines
        self._fit()
        self.update()

    def viewRangeChanged(self) -> None:
        """The lane's span changed: the lines still reach from its bottom to its top."""
        self._fit()

    def viewTransformChanged(self) -> None:
        """The lane was resized: a pixel is another number of minutes."""
        self._fit()

    def _fit(self) -> None:
        view = self.getViewBox()
        if view is None or not self.lines:
            bounds = QRectF()
        else:
            (_, _), (low, high) = view.viewRange()
            times = [t for t, _ in self.lines]
            # Room for the 2 px pens on either side of the first and last line.
            margin = 4 * (self.pixelWidth() or 0.0)
            left, right = min(times) - margin, max(times) + margin
            bounds = QRectF(left, low, right - left, high - low)
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds

    def boundingRect(self) -> QRectF:
        """The lines' extent in the lane's minutes and values."""
        return self._bounds

    def paint(self, painter: QPainter, *_args: object) -> None:
        """Draw each line from the bottom of the lane to its top."""
        low, high = self._bounds.top(), self._bounds.bottom()
        for t, pen in self.lines:
            painter.setPen(pen)
            painter.drawLine(QPointF(t, low), QPointF(t, high))


def _marker_pen(kind: MarkerKind) -> QPen:
    """The pen of a kind's event line (colour and style, 2 px)."""
    colour, style = MARKER_STYLES[kind]
    pen = pg.mkPen(colour, width=2, style=style)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def _value(value: float | None) -> float:
    return np.nan if value is None else float(value)


class TrendPlot(QWidget):
    """The stacked lanes with a hover read-out line above them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TrendPlot")
        pg.setConfigOptions(antialias=False, background="w", foreground="#111820")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.readout = QLabel("Point at the plot to read the values")
        self.readout.setObjectName("TrendReadout")
        self.readout.setStyleSheet("font-size: 15px; padding: 2px 8px;")
        self.readout.setWordWrap(True)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.readout, 1)
        legend = QLabel("●— typed   ── monitor (□ a lone reading)   - - - baseline")
        legend.setToolTip("NEWS2 lane shaded by band: 0 · 1-4 · 5-6 · 7+")
        legend.setObjectName("TrendLegend")
        legend.setStyleSheet("font-size: 14px; color: #4A5560; padding: 2px 8px;")
        top.addWidget(legend)
        layout.addLayout(top)
        self.graphics = pg.GraphicsLayoutWidget()
        layout.addWidget(self.graphics, 1)
        self._start: datetime | None = None
        self._typed = _Buffer()
        self._monitor = _Buffer()
        self._x_max = MIN_X_SPAN_MIN
        self._x_min = -5.0
        self.plots: dict[str, pg.PlotItem] = {}
        self.typed_curves: dict[str, pg.PlotDataItem] = {}
        self.monitor_curves: dict[str, pg.PlotDataItem] = {}
        #: Monitor values with no neighbour to draw a line to (one set, or between drop-outs).
        self.monitor_dots: dict[str, pg.PlotDataItem] = {}
        self.baselines: dict[str, pg.InfiniteLine] = {}
        #: The events marked, by time.
        self.markers: list[TrendMarker] = []
        #: The events' lines of each lane (the events lane first), one item per lane.
        self.marker_lines: list[MarkerLines] = []
        #: The labels of the events lane: the events each one stands for, and its text item.
        self.event_labels: list[tuple[tuple[TrendMarker, ...], pg.TextItem]] = []
        #: The start time the labels' tooltips were written with.
        self._labels_start: datetime | None = None
        self._event_font = QFont()
        self._event_font.setPixelSize(EVENT_LABEL_PX)
        self.cursors: list[pg.InfiniteLine] = []
        self.clock_axis = ClockAxis()
        self._build()
        self._hover = pg.SignalProxy(
            self.graphics.scene().sigMouseMoved, rateLimit=30, slot=self._on_scene_mouse_moved
        )

    def _build(self) -> None:
        label_font = QFont()
        label_font.setPixelSize(13)
        self.lane_labels: dict[str, pg.LabelItem] = {}
        self.graphics.addLabel("events", row=0, col=0, size="10pt", color="#4A5560")
        self.graphics.ci.layout.setColumnFixedWidth(0, LABEL_COLUMN_PX)
        events = self.graphics.addPlot(row=0, col=1, axisItems={"top": self.clock_axis})
        events.setMenuEnabled(False)
        events.hideButtons()
        events.setMouseEnabled(x=True, y=False)
        events.setMaximumHeight(EVENTS_LANE_PX)
        events.setMinimumHeight(EVENTS_LANE_MIN_PX)
        events.setYRange(0, EVENT_LABEL_ROWS, padding=0)
        events.enableAutoRange(x=False, y=False)
        events.showAxis("top")
        events.getAxis("top").setTickFont(label_font)
        events.getAxis("left").setTicks([[]])
        events.getAxis("left").setWidth(AXIS_PX)
        events.getAxis("bottom").setStyle(showValues=False)
        self.events = events
        self._cache_axes(events)
        self._add_marker_lines(events)
        # A zoom, a pan or new values change the minutes per pixel: the labels are laid out
        # again so that none overlaps.
        events.sigXRangeChanged.connect(self._on_x_range_changed)
        first = events
        for index, lane in enumerate(LANES):
            row = index + 1
            last = index == len(LANES) - 1
            unit = "" if lane.unit == "score" else f"<br>{lane.unit}"
            self.lane_labels[lane.key] = self.graphics.addLabel(
                f"<b>{lane.title}</b>{unit}",
                row=row,
                col=0,
                size="11pt",
                color=COLOURS[lane.columns[0]],
            )
            plot = self.graphics.addPlot(row=row, col=1)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMinimumHeight(NEWS2_LANE_MIN_PX if lane.key == "news2" else LANE_MIN_PX)
            plot.getAxis("left").setWidth(AXIS_PX)
            plot.getAxis("left").setTickFont(label_font)
            if last:
                plot.setLabel("bottom", "minutes since start (min)")
                plot.getAxis("bottom").setTickFont(label_font)
            else:
                plot.getAxis("bottom").setStyle(showValues=False)
            plot.setYRange(*lane.y_range, padding=0.02)
            plot.enableAutoRange(x=False, y=False)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setXLink(first)
            if lane.key == "news2":
                plot.getAxis("left").setTicks([[(edge, str(edge)) for edge in NEWS2_TICKS]])
                for low, high, colour in NEWS2_BANDS:
                    band = pg.LinearRegionItem(
                        (low, high),
                        orientation="horizontal",
                        movable=False,
                        brush=pg.mkBrush(colour),
                        pen=pg.mkPen(None),
                    )
                    band.setZValue(-20)
                    plot.addItem(band, ignoreBounds=True)
            for column in lane.columns:
                colour = COLOURS[column]
                style = DOTTED if column in DOTTED_COLUMNS else Qt.PenStyle.SolidLine
                monitor = plot.plot(
                    pen=pg.mkPen(colour, width=1, style=style),
                    connect="finite",
                    name=f"{column} monitor",
                )
                typed = plot.plot(
                    pen=pg.mkPen(colour, width=2),
                    symbol="o",
                    symbolSize=8,
                    symbolBrush=pg.mkBrush(colour),
                    symbolPen=pg.mkPen(colour),
                    connect="finite",
                    name=f"{column} typed",
                )
                dots = plot.plot(
                    pen=None,
                    symbol="s",
                    symbolSize=6,
                    symbolBrush=None,
                    symbolPen=pg.mkPen(colour, width=1),
                    name=f"{column} monitor (lone)",
                )
                self.monitor_dots[column] = dots
                # Peak downsampling keeps every extreme; one pair per pixel is plenty to see
                # them and keeps a 12-hour 1 Hz series cheap to repaint (pyqtgraph draws 5).
                monitor.opts["autoDownsampleFactor"] = DOWNSAMPLE_SAMPLES_PER_PX
                self.monitor_curves[column] = monitor
                self.typed_curves[column] = typed
                line = pg.InfiniteLine(
                    angle=0,
                    movable=False,
                    pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine),
                )
                line.hide()
                plot.addItem(line, ignoreBounds=True)
                self.baselines[column] = line
            cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", width=1))
            cursor.hide()
            plot.addItem(cursor, ignoreBounds=True)
            self.cursors.append(cursor)
            self._cache_axes(plot)
            self._add_marker_lines(plot)
            self.plots[lane.key] = plot
        self._apply_x_range()

    # Public API -------------------------------------------------------------------------------

    def set_start(self, start: datetime | None) -> None:
        """The infusion start (aware): the clock axis and read-out show times from it."""
        self._start = start
        self.clock_axis.start = start
        self.clock_axis.picture = None
        self.clock_axis.update()

    def set_news2_not_applicable(self, why: str | None) -> None:
        """Say in the NEWS2 lane that NEWS2 does not apply (``why``: "pregnancy", "under 16")
        and which chart to use instead; None: NEWS2 applies, the lane is as usual."""
        lane = next(lane for lane in LANES if lane.key == "news2")
        label = f"<b>{lane.title}</b>" if why is None else f"<b>{lane.title}</b><br>n/a"
        self.lane_labels["news2"].setText(label, color=COLOURS[lane.columns[0]])
        self.plots["news2"].setTitle(
            None if why is None else news2_does_not_apply(why), size="10pt", color="#7A1712"
        )

    def set_baseline(self, baseline: TrendPoint | None) -> None:
        """Draw the patient's baseline as a dashed line in each lane (None hides them)."""
        for column, line in self.baselines.items():
            value = None if baseline is None else getattr(baseline, column)
            if value is None:
                line.hide()
            else:
                line.setValue(float(value))
                line.show()

    def set_points(self, points: Sequence[TrendPoint]) -> None:
        """Replace every point (sorted by time is expected)."""
        self._typed.clear()
        self._monitor.clear()
        for point in points:
            self._buffer(point).append(point.t_min, self._values(point))
        if points:
            self._x_min = min(self._x_min, points[0].t_min - 1)
            self._x_max = max(self._x_max, points[-1].t_min + X_MARGIN_MIN)
        self._refresh(typed=True, monitor=True)

    def add_point(self, point: TrendPoint) -> None:
        """Append one point (a new set, or the monitor's next reading) and redraw its curves."""
        self.add_points([point])

    def add_points(self, points: Sequence[TrendPoint]) -> None:
        """Append points later than every point shown (sorted by time) and redraw the curves
        they go to, once."""
        for point in points:
            self._buffer(point).append(point.t_min, self._values(point))
            if point.t_min + 1 > self._x_max:
                self._x_max = point.t_min + X_MARGIN_MIN
        self._refresh(
            typed=any(not point.monitor for point in points),
            monitor=any(point.monitor for point in points),
        )

    def add_gap(self, t_min: float, *, monitor: bool = False) -> None:
        """Break the line at ``t_min`` (a missed check, or a monitor drop-out)."""
        buffer = self._monitor if monitor else self._typed
        buffer.append(t_min, [np.nan] * len(COLUMNS))
        self._refresh(typed=not monitor, monitor=monitor)

    def set_markers(self, markers: Sequence[TrendMarker]) -> None:
        """Replace the event markers: a line across every lane, labels in the events lane.

        Events in the same minute share one label ("3 events"); labels close in time go to
        different rows, and when the rows are full a label joins its neighbour's, so no two
        labels ever overlap. The hover read-out and each label's tooltip list every event.
        """
        self.markers = sorted(markers, key=lambda m: m.t_min)
        lines = [(marker.t_min, _marker_pen(marker.kind)) for marker in self.markers]
        for lane in self.marker_lines:
            lane.set_lines(lines)
        self._place_labels()

    @staticmethod
    def _cache_axes(plot: pg.PlotItem) -> None:
        """Keep ``plot``'s value axis (ticks, labels and the grid lines across the lane) as
        pixels.

        pyqtgraph replays an axis's recorded drawing, text and all, at every repaint of the
        plot; the value axes' replay was most of a repaint. Their range is fixed, so kept as
        pixels they are drawn again only when the lane is resized. (The time axes change with
        every new value and cost little; kept as pixels, their edge line could be cut off.)
        """
        plot.getAxis("left").setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def _add_marker_lines(self, plot: pg.PlotItem) -> None:
        """Give ``plot`` its item of event lines, above what it draws (as lines added last)."""
        lines = MarkerLines()
        plot.addItem(lines, ignoreBounds=True)
        self.marker_lines.append(lines)

    def _place_labels(self) -> None:
        """Lay the event labels out for the time span shown now (rows and shared labels depend
        on how many minutes a pixel is: new values, a zoom or a pan change it).

        A label whose events, row and start time stay is kept as it is (a new value that widens
        the span moves few labels, and making a text item is slow)."""
        if self._labels_start != self._start:  # their tooltips say clock times from the start
            for _, label in self.event_labels:
                self.events.removeItem(label)
            self.event_labels = []
            self._labels_start = self._start
        shown = {(group, label.pos().y()): label for group, label in self.event_labels}
        self.event_labels = []
        ordered = self.markers
        metrics = QFontMetricsF(self._event_font)
        # As many rows as whole labels fit in the lane's height (labels never overlap upwards).
        label_px = metrics.height() + 2 * EVENT_LABEL_MARGIN_PX + 2
        rows = max(1, min(EVENT_LABEL_ROWS, int(self.events.vb.height() // label_px)))
        self.events.setYRange(0, rows, padding=0)
        minutes_per_px = self._minutes_per_px()

        def width_min(text: str) -> float:
            return (metrics.horizontalAdvance(text) + EVENT_LABEL_GAP_PX) * minutes_per_px

        placed = place_event_labels(ordered, width_min, rows)
        for group, row in placed:
            y = rows - row - 0.5
            label = shown.pop((tuple(group), y), None)
            if label is None:
                kind = leading_kind(group)
                label = pg.TextItem(
                    event_label_text(group), color=MARKER_STYLES[kind][0], anchor=(0, 0.5)
                )
                label.setFont(self._event_font)
                label.textItem.document().setDocumentMargin(EVENT_LABEL_MARGIN_PX)
                label.setToolTip(event_list_text(group, self._start))
                label.setPos(group[0].t_min, y)
                self.events.addItem(label, ignoreBounds=True)
            self.event_labels.append((tuple(group), label))
        for label in shown.values():
            self.events.removeItem(label)

    def _on_x_range_changed(self) -> None:
        if self.markers:
            self._place_labels()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Lay the event labels out again for the new size (their rows depend on it; the lines
        do not)."""
        super().resizeEvent(event)
        if self.markers:
            self.graphics.ci.layout.activate()
            self._place_labels()

    def readout_at(self, t_min: float) -> str:
        """The read-out text for the set nearest to ``t_min`` (typed preferred over monitor)."""
        found = self._nearest(t_min)
        if found is None:
            events = self.events_near(t_min)
            return f"Events: {event_list_text(events, self._start)}" if events else "No values here"
        buffer, index = found
        values = {name: buffer.column(name)[index] for name in COLUMNS}
        t = float(buffer.t[index])
        when = f"{t:+.0f} min"
        if self._start is not None:
            clock = (self._start + timedelta(minutes=t)).astimezone().strftime("%H:%M:%S")
            when += f" ({clock})"
        source = "monitor" if buffer is self._monitor else "typed"

        def shown(name: str, digits: int = 0) -> str:
            value = values[name]
            return "—" if np.isnan(value) else f"{value:.{digits}f}"

        events = self.events_near(t_min)
        return (
            f"{when} · {source} · HR {shown('hr')} · "
            f"BP {shown('sbp')}/{shown('dbp')} ({shown('mean_bp')}) · "
            f"RR {shown('rr')} · SpO2 {shown('spo2')} · T {shown('temp_c', 1)} °C · "
            f"NEWS2 {shown('news2')}"
            + (f"\nEvents: {event_list_text(events, self._start)}" if events else "")
        )

    def events_near(self, t_min: float) -> tuple[TrendMarker, ...]:
        """Every event of the label group nearest ``t_min`` (within a few minutes)."""
        best: tuple[float, tuple[TrendMarker, ...]] | None = None
        for group, _ in self.event_labels:
            low, high = group[0].t_min, group[-1].t_min
            distance = max(low - t_min, t_min - high, 0.0)
            if distance <= EVENT_HOVER_MIN and (best is None or distance < best[0]):
                best = (distance, group)
        return best[1] if best is not None else ()

    def x_range(self) -> tuple[float, float]:
        """The visible minutes (for tests)."""
        low, high = self.plots["hr"].viewRange()[0]
        return float(low), float(high)

    # Internals --------------------------------------------------------------------------------

    def _buffer(self, point: TrendPoint) -> _Buffer:
        return self._monitor if point.monitor else self._typed

    @staticmethod
    def _values(point: TrendPoint) -> list[float]:
        return [_value(getattr(point, name)) for name in COLUMNS]

    def _refresh(self, *, typed: bool, monitor: bool) -> None:
        for flag, buffer, curves in (
            (typed, self._typed, self.typed_curves),
            (monitor, self._monitor, self.monitor_curves),
        ):
            if not flag:
                continue
            for column, curve in curves.items():
                t, values = buffer.series(column)
                if len(values) and np.isnan(values).all():
                    # Nothing to draw (NEWS2 not applicable in pregnancy or under 16).
                    t, values = t[:0], values[:0]
                curve.setData(t, values)
                if buffer is self._monitor:
                    # A monitor value with a gap on both sides has no line: a small open square.
                    lone = lone_points(values)
                    self.monitor_dots[column].setData(t[lone], values[lone])
        self._apply_x_range()

    def _minutes_per_px(self) -> float:
        low, high = self.events.vb.viewRange()[0]
        width = max(self.events.vb.width(), 400.0)
        return (high - low) / width

    def _apply_x_range(self) -> None:
        low, high = self._x_min, max(self._x_max, self._x_min + MIN_X_SPAN_MIN)
        plot = self.events
        if (low, high) != getattr(self, "_applied", None):
            plot.setXRange(low, high, padding=0)
            self._applied = (low, high)

    def _nearest(self, t_min: float) -> tuple[_Buffer, int] | None:
        best: tuple[float, _Buffer, int] | None = None
        for buffer in (self._typed, self._monitor):
            if buffer.size == 0:
                continue
            t = buffer.t
            index = int(np.clip(np.searchsorted(t, t_min), 0, buffer.size - 1))
            for candidate in (index - 1, index):
                if candidate < 0 or np.isnan(buffer.data[1:, candidate]).all():
                    continue
                distance = abs(float(t[candidate]) - t_min)
                if best is None or distance < best[0]:
                    best = (distance, buffer, candidate)
        if best is None or best[0] > HOVER_MAX_DISTANCE_MIN:
            return None
        return best[1], best[2]

    def _on_scene_mouse_moved(self, event: tuple[QPointF]) -> None:
        position = event[0]
        for plot in (self.events, *self.plots.values()):
            if plot.sceneBoundingRect().contains(position):
                t_min = float(plot.vb.mapSceneToView(position).x())
                for cursor in self.cursors:
                    cursor.setValue(t_min)
                    cursor.show()
                self.readout.setText(self.readout_at(t_min))
                return


def marker_colour(kind: MarkerKind) -> QColor:
    """The colour of a marker kind (for legends)."""
    return QColor(MARKER_STYLES[kind][0])


def leading_kind(group: Sequence[TrendMarker]) -> MarkerKind:
    """The most urgent kind in a group of events (its symbol and colour label the group)."""
    order = list(KIND_URGENCY)
    return min((m.kind for m in group), key=order.index)


def event_label_text(group: Sequence[TrendMarker]) -> str:
    """One event's symbol and words, or "● 3 events" for a group."""
    if len(group) == 1:
        return f"{MARKER_SYMBOLS[group[0].kind]} {group[0].label}"
    return f"{MARKER_SYMBOLS[leading_kind(group)]} {len(group)} events"


def event_list_text(group: Sequence[TrendMarker], start: datetime | None) -> str:
    """Every event of a group with its time: "06:03 ● flushing; 06:03 !!! HIGH anaphylaxis"."""

    def when(marker: TrendMarker) -> str:
        if start is None:
            return f"{marker.t_min:+.0f} min"
        return (start + timedelta(minutes=marker.t_min)).astimezone().strftime("%H:%M")

    return "; ".join(f"{when(m)} {MARKER_SYMBOLS[m.kind]} {m.label}" for m in group)


def place_event_labels(
    markers: Sequence[TrendMarker], width_min: Callable[[str], float], rows: int
) -> list[tuple[list[TrendMarker], int]]:
    """Group events into labels and give each label a row so that no two labels overlap.

    ``markers`` are sorted by time; ``width_min(text)`` is a label's width in minutes. Events
    in the same minute share a label. A label goes to the first row free at its time; when no
    row is free it joins the label before it, and the layout starts again (each join leaves one
    label fewer, so this ends; a single label always fits).
    """
    groups: list[list[TrendMarker]] = []
    for marker in markers:
        if groups and marker.t_min - groups[-1][0].t_min < SAME_MINUTE:
            groups[-1].append(marker)
        else:
            groups.append([marker])
    while True:
        free_from = [-np.inf] * rows
        placed: list[tuple[list[TrendMarker], int]] = []
        for index, group in enumerate(groups):
            start = group[0].t_min
            free = [row for row in range(rows) if free_from[row] <= start]
            if not free:
                groups[index - 1].extend(group)
                del groups[index]
                break
            free_from[free[0]] = start + width_min(event_label_text(group))
            placed.append((group, free[0]))
        else:
            return placed
