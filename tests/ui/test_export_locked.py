"""Print to PDF from the session window onto a file a PDF viewer holds open (Windows).

The nurse clicks the button, types the file name into the save dialog and presses Enter; the
replace fails as Windows fails it (PermissionError): the window says so and never "Exported".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from infusion_monitor import files
from infusion_monitor.storage.database import Database
from infusion_monitor.ui.review.session_detail import SessionDetailWindow
from ui.test_review_ui import CHARGE, _menu, _window, database

__all__ = ["database"]


def _save_as(qtbot: QtBot, detail: SessionDetailWindow, button_text: str, path: Path) -> None:
    button = next(b for b in detail.findChildren(QPushButton) if b.text() == button_text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in detail.findChildren(QFileDialog)))
    dialog = next(d for d in detail.findChildren(QFileDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()))  # the file name
    field = QApplication.focusWidget()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, str(path))
    if path.exists():  # the dialog asks "replace it?" (default No): the nurse presses Y
        press_y = lambda: QTest.keyClick(QApplication.activeModalWidget(), Qt.Key.Key_Y)  # noqa: E731
        QTimer.singleShot(300, press_y)
    QTest.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


@pytest.fixture
def detail(qtbot: QtBot, database: Database, data_dir: Path) -> SessionDetailWindow:
    window = _window(qtbot, database, data_dir, CHARGE)
    review = _menu(window).open_review()
    assert review is not None
    review.since.setDate(review.since.date().fromString("2026-02-01", "yyyy-MM-dd"))
    review.refresh()
    review.table.selectRow(0)
    opened = review.open_selected()
    assert isinstance(opened, SessionDetailWindow)
    qtbot.waitExposed(opened)
    return opened


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # "replace it?"
def test_a_pdf_held_open_by_a_viewer_is_reported_not_exported(
    qtbot: QtBot, detail: SessionDetailWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "session.pdf"
    target.write_bytes(b"%PDF-1.4 yesterday's copy")
    monkeypatch.setattr(files, "REPLACE_WAIT_S", 0.0)

    def held_open(self: Path, _target: Path) -> Path:
        raise PermissionError(13, "The process cannot access the file (used by another process)")

    with monkeypatch.context() as locked:
        locked.setattr(Path, "replace", held_open)
        _save_as(qtbot, detail, "Print to PDF…", target)
    message = detail.message.text()
    assert "is open in another program (a PDF viewer or Excel?)" in message
    assert "Exported" not in message
    assert target.read_bytes() == b"%PDF-1.4 yesterday's copy"
    _save_as(qtbot, detail, "Print to PDF…", target)  # the viewer closed: it works
    assert detail.message.text() == f"Exported to {target}."
    assert target.read_bytes().startswith(b"%PDF-")
