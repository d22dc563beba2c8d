"""The chair board with no chairs to show says when they come, and never sits empty."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from infusion_monitor.services.sessions.board import ChairState, ChairStatus
from infusion_monitor.ui.chair_board import CHAIRS_NOT_READ_YET, ChairBoard

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
FREE = tuple(ChairStatus(f"Chair {n}", ChairState.FREE) for n in (1, 2, 3))


def test_the_words_stand_until_the_chairs_are_read_and_come_back_if_none_are(
    qtbot: QtBot,
) -> None:
    board = ChairBoard()
    qtbot.addWidget(board)
    board.resize(700, 500)
    board.show()
    assert board.not_read_yet.isVisible() and board.not_read_yet.text() == CHAIRS_NOT_READ_YET
    board.show_statuses(FREE, NOW)
    qtbot.waitUntil(lambda: [tile.isVisible() for tile in board.tiles] == [True, True, True])
    assert not board.not_read_yet.isVisible()
    board.show_statuses((), NOW)
    assert board.tiles == () and board.not_read_yet.isVisible()
