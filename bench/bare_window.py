"""The baseline for ``startup.py``: a bare PySide6 window with a pyqtgraph plot, first paint timed.

Prints ``first-paint SECONDS`` (since process start) after the first paint, then quits.
"""

from __future__ import annotations

import sys

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QMainWindow

from infusion_monitor.startup import seconds_since_process_start
from infusion_monitor.ui.first_paint import FirstPaintReporter


def main() -> int:
    """Show the window, report its first paint and quit."""
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(pg.PlotWidget())
    window.resize(1480, 920)
    FirstPaintReporter(window, seconds_since_process_start)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
