"""The bridge between the change feed, the loader and the unit model on the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from infusion_monitor.domain.changes import NOTHING, Changes
from infusion_monitor.model.loader import Stop
from infusion_monitor.model.unit import Fresh, UnitModel, Wanted
from infusion_monitor.ui.model_bridge import ModelBridge
from model.test_unit_model import alert


def test_a_record_from_the_feed_thread_is_read_at_once_and_applied_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    """The feed's thread queues its record for the loader itself (a busy GUI thread never
    holds the read of a remote alarm back); the model changes on the GUI thread only."""
    reads: list[str] = []
    applied: list[str] = []

    def read(changes: Changes, _wanted: Wanted, _stop: Stop) -> Any:
        reads.append(threading.current_thread().name)
        yield changes, Fresh(alerts={1: alert(1)})

    model = UnitModel((), {})
    model.alerts_changed.connect(lambda _alerts: applied.append(threading.current_thread().name))
    bridge = ModelBridge(model, read)
    try:
        for nothing_to_read in (lambda: bridge.submit(NOTHING), lambda: bridge.reread(NOTHING)):
            nothing_to_read()
            assert bridge.settled, "an empty record queues nothing"
        feed = threading.Thread(
            target=bridge.submit, args=(Changes(alerts=frozenset({1})),), name="change-feed"
        )
        feed.start()
        feed.join()
        qtbot.waitUntil(lambda: bool(applied) and bridge.settled)
    finally:
        bridge.close()
    assert reads == ["unit-loader"]
    assert applied == ["MainThread"]
    assert model.alerts == {1: alert(1)}


def test_a_read_that_fails_shows_nothing_new_and_still_settles(qtbot: QtBot) -> None:
    """The database went away during a read (the loader logs it): the model keeps what it
    shows, and the record counts as answered, so the app does not wait on it for ever."""
    applied: list[object] = []

    def read(_changes: Changes, _wanted: Wanted, _stop: Stop) -> Any:
        raise OSError("the database went away")
        yield  # (a generator, as the app's reads are)

    model = UnitModel((), {1: alert(1)})
    model.alerts_changed.connect(applied.append)
    bridge = ModelBridge(model, read)
    try:
        bridge.submit(Changes(alerts=frozenset({1})))
        qtbot.waitUntil(lambda: bridge.settled)
        qtbot.wait(50)
    finally:
        bridge.close()
    assert applied == []
    assert model.alerts == {1: alert(1)}
