"""The trend plot: curves made once, typed vs monitor, gaps, baselines, bands, markers, hover."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.markers import MarkerKind
from infusion_monitor.ui.trend_plot import (
    LANES,
    MARKER_STYLES,
    NEWS2_BANDS,
    TrendMarker,
    TrendPlot,
    TrendPoint,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def plot(qtbot: QtBot) -> TrendPlot:
    widget = TrendPlot()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.set_start(START)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def typed(t: float, hr: float = 80) -> TrendPoint:
    return TrendPoint(t, hr, 120, 80, 16, 97, 36.8, 1)


def test_curves_are_made_once_and_fed_with_set_data(plot: TrendPlot) -> None:
    curves = dict(plot.typed_curves)
    plot.set_points([typed(0), typed(15)])
    plot.add_point(typed(30, hr=110))
    assert plot.typed_curves == curves
    x, y = plot.typed_curves["hr"].getData()
    assert list(x) == [0, 15, 30]
    assert list(y) == [80, 80, 110]


def test_lanes_share_one_time_axis_and_label_units(plot: TrendPlot) -> None:
    for lane in LANES:
        item = plot.plots[lane.key]
        assert item.getViewBox().linkedView(pg.ViewBox.XAxis) is plot.events.getViewBox()
        label = plot.lane_labels[lane.key].text
        assert lane.title in label
        assert lane.unit == "score" or lane.unit in label
    assert "minutes since start" in plot.plots["news2"].getAxis("bottom").labelText
    assert plot.clock_axis.tickStrings([0, 30], 1, 30) == [
        START.astimezone().strftime("%H:%M"),
        START.replace(minute=30).astimezone().strftime("%H:%M"),
    ]


def test_monitor_values_are_a_thin_line_typed_values_filled_circles(plot: TrendPlot) -> None:
    plot.add_point(TrendPoint(1, hr=90, monitor=True))
    plot.add_point(typed(2))
    assert plot.monitor_curves["hr"].opts["symbol"] is None
    assert plot.typed_curves["hr"].opts["symbol"] == "o"
    assert (
        plot.monitor_curves["hr"].opts["pen"].width() < plot.typed_curves["hr"].opts["pen"].width()
    )
    assert list(plot.monitor_curves["hr"].getData()[1]) == [90]
    assert list(plot.typed_curves["hr"].getData()[1]) == [80]


def test_missed_check_is_a_gap(plot: TrendPlot) -> None:
    plot.set_points([typed(0), typed(15), TrendPoint(30), typed(45)])
    _, y = plot.typed_curves["hr"].getData()
    assert np.isnan(y[2])
    assert plot.typed_curves["hr"].opts["connect"] == "finite"


def test_baseline_dashed_in_each_lane(plot: TrendPlot) -> None:
    plot.set_baseline(TrendPoint(0, 78, 132, 84, 16, 97, 36.8, 0))
    for column, value in (("hr", 78), ("sbp", 132), ("dbp", 84), ("temp_c", 36.8)):
        line = plot.baselines[column]
        assert line.isVisible()
        assert line.value() == pytest.approx(value)
        assert line.pen.style() == Qt.PenStyle.DashLine
    plot.set_baseline(None)
    assert not plot.baselines["hr"].isVisible()


def test_news2_bands_are_shaded(plot: TrendPlot) -> None:
    regions = [item for item in plot.plots["news2"].items if isinstance(item, pg.LinearRegionItem)]
    assert sorted(region.getRegion() for region in regions) == [
        (low, high) for low, high, _ in NEWS2_BANDS
    ]


def test_markers_cross_every_lane_with_a_label(plot: TrendPlot) -> None:
    markers = [
        TrendMarker(0, MarkerKind.START, "start"),
        TrendMarker(44, MarkerKind.SYMPTOM, "urticaria"),
        TrendMarker(45, MarkerKind.ALERT, "HIGH anaphylaxis"),
        TrendMarker(46, MarkerKind.PAUSE, "pause"),
        TrendMarker(47, MarkerKind.INTERVENTION, "antihistamine"),
    ]
    plot.set_markers(markers)
    assert plot.markers == markers
    assert len(plot.marker_lines) == len(LANES) + 1, "the events lane and every value lane"
    for lane in plot.marker_lines:
        assert [t for t, _ in lane.lines] == [0, 44, 45, 46, 47]
        pens = [pen for _, pen in lane.lines]
        assert pens[1].style() == MARKER_STYLES[MarkerKind.SYMPTOM][1]
        assert pens[2].color() == QColor(MARKER_STYLES[MarkerKind.ALERT][0])
        assert lane.boundingRect().contains(QPointF(44, lane.boundingRect().center().y()))
    hr_low, hr_high = plot.plots["hr"].viewRange()[1]
    hr_lines = plot.marker_lines[1 + [lane.key for lane in LANES].index("hr")].boundingRect()
    assert (hr_lines.top(), hr_lines.bottom()) == (hr_low, hr_high), "from bottom to top"
    labels = [label for _, label in plot.event_labels]
    assert len(labels) == 5
    rows = {label.pos().y() for label in labels[1:]}
    assert len(rows) == 4, "labels close in time go to different rows"
    plot.set_markers([])
    assert plot.markers == [] and plot.event_labels == []
    assert all(lane.lines == [] for lane in plot.marker_lines)


def _scene_rects(plot: TrendPlot) -> list[QRectF]:
    return [label.mapRectToScene(label.boundingRect()) for _, label in plot.event_labels]


def _assert_apart(plot: TrendPlot, what: str) -> None:
    rects = _scene_rects(plot)
    for index, first in enumerate(rects):
        for second in rects[index + 1 :]:
            assert not first.intersects(second), (what, first, second)


def test_event_labels_never_overlap_and_the_read_out_lists_every_event(
    plot: TrendPlot,
) -> None:
    plot.set_points([typed(float(t)) for t in range(0, 125, 15)])
    markers = [
        TrendMarker(0, MarkerKind.START, "start"),
        TrendMarker(30, MarkerKind.RATE_CHANGE, "rate 100 mg/h"),
        TrendMarker(44, MarkerKind.SYMPTOM, "Flushing"),
        TrendMarker(44.2, MarkerKind.SYMPTOM, "Shortness of breath"),
        TrendMarker(44.5, MarkerKind.ALERT, "HIGH anaphylaxis"),
        TrendMarker(45, MarkerKind.SYMPTOM, "Wheeze / bronchospasm"),
        TrendMarker(46, MarkerKind.PAUSE, "pause"),
        TrendMarker(47, MarkerKind.INTERVENTION, "H1 antihistamine given"),
        TrendMarker(48, MarkerKind.INTERVENTION, "Corticosteroid given"),
        TrendMarker(50, MarkerKind.INTERVENTION, "Oxygen given"),
        TrendMarker(80, MarkerKind.RESUME, "resume 50 mg/h"),
    ]
    for width in (900, 520):
        plot.resize(width, 600)
        QApplication.processEvents()
        plot.set_markers(markers)
        _assert_apart(plot, f"{width} px wide")
        shown = [m for group, _ in plot.event_labels for m in group]
        assert sorted(shown, key=lambda m: m.t_min) == markers, "every event has a label"
    shared = next(label for group, label in plot.event_labels if len(group) > 1)
    assert "events" in shared.toPlainText()
    assert shared.toPlainText().startswith("!!!"), "the most urgent kind leads"
    text = plot.readout_at(44.4)
    for words in ("Flushing", "Shortness of breath", "HIGH anaphylaxis"):
        assert words in text


def test_hover_reads_out_the_nearest_set(plot: TrendPlot) -> None:
    plot.set_points([typed(0), typed(15, hr=101)])
    text = plot.readout_at(14)
    assert text.startswith("+15 min (09:15:00") or "+15 min" in text
    assert "HR 101" in text
    assert "typed" in text
    assert plot.readout_at(200) == "No values here"


def test_x_range_follows_new_points(plot: TrendPlot) -> None:
    plot.add_point(TrendPoint(100, hr=80, monitor=True))
    _low, high = plot.x_range()
    assert high >= 100


def test_a_monitors_nibp_sent_apart_from_its_hr_is_a_line_and_a_lone_reading_a_square(
    plot: TrendPlot,
) -> None:
    readings = [TrendPoint(t, hr=80 + t, spo2=97, monitor=True) for t in range(10)]
    readings += [TrendPoint(t, sbp=120 + t, dbp=70, monitor=True) for t in (2.5, 7.5)]
    readings += [TrendPoint(12, monitor=True), TrendPoint(14, hr=77, monitor=True)]  # drop-out
    plot.set_points(sorted(readings, key=lambda p: p.t_min))

    t, sbp = plot.monitor_curves["sbp"].getData()
    assert list(t) == [2.5, 7.5, 12] and list(sbp[:2]) == [122.5, 127.5]  # joined, then the gap
    assert plot.monitor_dots["sbp"].getData()[0] is None  # nothing drawn
    assert plot.monitor_curves["sbp"].opts["symbol"] is None
    t, hr = plot.monitor_curves["hr"].getData()
    assert np.isnan(hr[list(t).index(12)])  # the drop-out still breaks the line
    assert list(plot.monitor_dots["hr"].getData()[0]) == [14]  # alone after it: a square
    assert plot.monitor_dots["hr"].opts["symbol"] == "s"


def test_event_labels_a_minute_apart_stay_apart_as_the_trend_grows_and_is_zoomed(
    plot: TrendPlot, qtbot: QtBot
) -> None:
    # Eight events a minute apart, placed while the trend spans one hour.
    words = [
        "Flushing",
        "HIGH anaphylaxis",
        "pause",
        "Epinephrine IM given",
        "Oxygen given",
        "H1 antihistamine given",
        "Corticosteroid given",
        "IV fluid bolus given",
    ]
    kinds = [MarkerKind.SYMPTOM, MarkerKind.ALERT, MarkerKind.PAUSE] + [MarkerKind.INTERVENTION] * 5
    # Two bursts a quarter of an hour apart: at one hour shown, the second reuses the rows.
    times = [20.0, 21.0, 22.0, 23.0, 36.0, 37.0, 38.0, 39.0]
    markers = [
        TrendMarker(t, kind, text) for t, kind, text in zip(times, kinds, words, strict=True)
    ]
    plot.set_points([typed(float(t)) for t in range(0, 31, 15)])
    plot.set_markers(markers)
    _assert_apart(plot, "one hour shown")
    # Four hours of monitor values arrive one by one: the same events take fewer pixels.
    for t in range(35, 241, 5):
        plot.add_point(TrendPoint(float(t), 82, 118, 76, 16, 97, None, None, True))
    QApplication.processEvents()
    _assert_apart(plot, "four hours shown")
    assert [m for group, _ in plot.event_labels for m in group] == markers, "every event"
    # The nurse zooms in on the reaction, then out again.
    plot.events.vb.setXRange(18, 42, padding=0)
    QApplication.processEvents()
    _assert_apart(plot, "zoomed in")
    assert len(plot.event_labels) > 1, "zoomed in, the events get labels of their own"
    plot.events.vb.setXRange(-5, 600, padding=0)
    QApplication.processEvents()
    _assert_apart(plot, "zoomed out")


def test_a_new_value_keeps_the_labels_that_stay_and_a_new_start_retimes_them(
    plot: TrendPlot,
) -> None:
    """Redrawing the trend after each stored set must stay cheap: what did not move is kept."""
    markers = [
        TrendMarker(0, MarkerKind.START, "start"),
        TrendMarker(30, MarkerKind.PAUSE, "pause"),
    ]
    plot.set_points([typed(0.0), typed(15.0)])
    plot.set_markers(markers)
    labels = [id(label) for _, label in plot.event_labels]
    plot.add_point(typed(60.0))  # the span widens: the labels are laid out again
    plot.set_markers([*markers, TrendMarker(60, MarkerKind.SYMPTOM, "urticaria")])
    assert [id(label) for _, label in plot.event_labels[:2]] == labels
    assert len(plot.event_labels) == 3
    tooltip = plot.event_labels[0][1].toolTip()
    plot.set_start(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    plot.set_markers([*markers, TrendMarker(60, MarkerKind.SYMPTOM, "urticaria")])
    assert plot.event_labels[0][1].toolTip() != tooltip, "the labels tell the new clock times"
    plot.set_markers(markers[:1])
    assert len(plot.markers) == 1 and len(plot.event_labels) == 1
    left = [item for item in plot.events.items if isinstance(item, pg.TextItem)]
    assert left == [plot.event_labels[0][1]], "no other label is left in the lane"


def test_an_event_line_is_drawn_across_each_lane_in_its_kind_colour(plot: TrendPlot) -> None:
    plot.set_markers([TrendMarker(30, MarkerKind.ALERT, "HIGH anaphylaxis")])
    QApplication.processEvents()
    image = plot.graphics.grab().toImage()
    assert MARKER_STYLES[MarkerKind.ALERT][0] == "#C00000"

    def red(colour: QColor) -> bool:  # the alert's red, under the faint grid at most
        return colour.red() > 150 and colour.green() < 40 and colour.blue() < 40

    for lane in ("hr", "spo2", "news2"):
        view = plot.plots[lane].vb
        low, high = view.viewRange()[1]
        for fraction in (0.1, 0.5, 0.9):
            scene = view.mapViewToScene(QPointF(30, low + (high - low) * fraction))
            at = plot.graphics.mapFromScene(scene)
            near = [QColor(image.pixel(at.x() + dx, at.y())) for dx in (-1, 0, 1)]
            assert any(red(colour) for colour in near), f"the alert's line in the {lane} lane"
