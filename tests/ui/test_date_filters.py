"""Every date filter refuses a date before 1970 (Windows cannot convert it to local time).

Typed by hand into the review, quality and audit windows' From and To fields: the field keeps a
date records can exist on, its tooltip says which, and the window still shows its list.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateEdit, QWidget
from pytestqt.qtbot import QtBot

from infusion_monitor.storage.database import Database
from ui.test_review_ui import CHARGE, _menu, _window, database

__all__ = ["database"]


def _type_date(qtbot: QtBot, field: QDateEdit, text: str) -> None:
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    typed_into = QApplication.focusWidget()
    QTest.keyClick(typed_into, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(typed_into, text)
    QTest.keyClick(typed_into, Qt.Key.Key_Tab)


@pytest.mark.parametrize("which", ["review", "quality", "audit"])
def test_a_date_before_1970_cannot_be_typed_into_a_date_filter(
    qtbot: QtBot, database: Database, data_dir: Path, which: str
) -> None:
    window = _window(qtbot, database, data_dir, CHARGE)
    opened: QWidget = {
        "review": lambda: _menu(window).open_review(),
        "quality": lambda: _menu(window).open_quality(),
        "audit": window.open_audit_window,
    }[which]()
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitExposed(opened)
    for field in (opened.since, opened.until):  # type: ignore[attr-defined]
        assert "01 Jan 2000" in field.toolTip()
        _type_date(qtbot, field, "31 Dec 1969")
        assert field.date().toPython() >= date(2000, 1, 1)
        _type_date(qtbot, field, "01 Jan 1900")
        assert field.date().toPython() >= date(2000, 1, 1)
    opened.refresh()  # type: ignore[attr-defined]
    assert "may not" not in opened.message.text()  # type: ignore[attr-defined]
