"""Two-phase start: the locked first screen paints first, the rest is built right after."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from infusion_monitor.ui.deferred_build import DeferredBuild
from infusion_monitor.ui.first_paint import FirstPaintWatcher

from .conftest import MakeWindow


def test_window_paints_before_phase_two_and_then_completes(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    deferred = DeferredBuild()
    window = make_window("--demo", later=deferred.add)
    # Phase 1: the real window with the real chair board, nothing of the session view's extras.
    assert any(
        tile.status is not None and tile.status.session is not None for tile in window.board.tiles
    )
    assert window.care_view is None
    assert not hasattr(window, "vitals_panel")
    assert window.review_menu is None
    seen_at_paint: list[bool] = []
    watcher = FirstPaintWatcher(window)
    watcher.painted.connect(lambda: seen_at_paint.append(deferred.done))
    watcher.painted.connect(deferred.start)
    with qtbot.waitSignal(deferred.ready, timeout=10_000):
        window.show()
    assert seen_at_paint == [False]  # painted before phase 2 ran
    assert deferred.done
    assert window.care_view is not None
    assert window.vitals_panel is not None  # type: ignore[attr-defined]
    assert window.review_menu is not None
    assert window.vitals_prompt is not None  # type: ignore[attr-defined]


def test_a_chair_selected_before_phase_two_is_shown_once_built(make_window: MakeWindow) -> None:
    deferred = DeferredBuild()
    window = make_window("--demo", later=deferred.add)
    index = next(
        i
        for i, tile in enumerate(window.board.tiles)
        if tile.status is not None and tile.status.session is not None
    )
    window.board.select(index)
    window.open_chair(index)
    shown = window.session_view.detail
    assert shown is not None
    deferred.finish()
    deferred.finish()  # once only
    panel = window.vitals_panel  # type: ignore[attr-defined]
    assert panel._session_id == shown.id
    assert window.care_view is not None
    assert window.care_view.session_id == shown.id


def test_steps_added_after_phase_two_run_at_once() -> None:
    deferred = DeferredBuild()
    ran: list[str] = []
    deferred.add(lambda: ran.append("first"))
    deferred.finish()
    deferred.add(lambda: ran.append("late"))
    assert ran == ["first", "late"]
