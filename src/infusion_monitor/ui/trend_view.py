"""Show a session's stored trend in a trend plot (live session view and review alike), or render
it to an image for the PDF."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from infusion_monitor.services.vitals.trend import TrendData, TrendSet
from infusion_monitor.ui.trend_plot import TrendMarker, TrendPlot, TrendPoint


def _point(item: TrendSet) -> TrendPoint:
    return TrendPoint(
        item.t_min,
        item.signs.hr,
        item.signs.sbp,
        item.signs.dbp,
        item.signs.rr,
        item.signs.spo2,
        item.signs.temp_c,
        item.news2,
        item.monitor,
        item.mean_bp,
    )


def fill_plot(plot: TrendPlot, data: TrendData) -> None:
    """Show ``data`` in ``plot``: baseline, every current set, gaps for skipped checks, events."""
    plot.set_start(data.start)
    plot.set_baseline(None if data.baseline is None else _point(data.baseline))
    points = [_point(item) for item in data.sets]
    points += [TrendPoint(t) for t in data.missed_min]
    plot.set_points(sorted(points, key=lambda p: p.t_min))
    plot.set_markers([TrendMarker(e.t_min, e.kind, e.label) for e in data.events])
    plot.set_news2_not_applicable(data.news2_not_applicable)


def update_plot(plot: TrendPlot, shown: TrendData | None, data: TrendData) -> None:
    """Show ``data`` in ``plot``, which shows ``shown``: when ``data`` extends it (the sets
    stored since appended, nothing before them changed), only the new sets are added and the
    markers replaced if they changed; otherwise everything is drawn again (``fill_plot``)."""
    if (
        shown is None
        or data.kept is None
        or data.kept != len(shown.sets)
        or (data.start, data.baseline, data.missed_min, data.news2_not_applicable)
        != (shown.start, shown.baseline, shown.missed_min, shown.news2_not_applicable)
    ):
        fill_plot(plot, data)
        return
    new = data.sets[data.kept :]
    if new:
        plot.add_points([_point(item) for item in new])
    if data.events != shown.events:
        plot.set_markers([TrendMarker(e.t_min, e.kind, e.label) for e in data.events])


def trend_for_print(data: TrendData, width: int = 1400, height: int = 1000) -> TrendPlot:
    """The trend plot of ``data`` laid out off screen for paper (needs a QApplication): no
    on-screen hint; the caller closes it."""
    plot = TrendPlot()
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    plot.resize(width, height)
    fill_plot(plot, data)
    plot.readout.hide()  # "point at the plot" means nothing on paper
    plot.show()
    QApplication.processEvents()
    return plot


def render_trend(data: TrendData, width: int = 1400, height: int = 1000) -> QImage:
    """The trend plot of ``data`` drawn off screen into an image (needs a QApplication)."""
    plot = trend_for_print(data, width, height)
    image = plot.grab().toImage()
    plot.close()
    plot.deleteLater()
    return image
