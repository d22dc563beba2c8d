"""Garbage is collected on the GUI thread only (``ui.collector``)."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from infusion_monitor.ui.collector import COLLECT_EVERY_MS, MainThreadCollector


class _Cycle:
    def __init__(self, freed_on: list[str]) -> None:
        self.me = self
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.current_thread().name)


def test_garbage_made_on_another_thread_is_freed_on_the_gui_thread(
    qtbot: QtBot, collector: MainThreadCollector
) -> None:
    assert not gc.isenabled()
    freed_on: list[str] = []

    def make_garbage() -> None:
        for _ in range(5):
            _Cycle(freed_on)
        junk = [[] for _ in range(50_000)]  # allocations past every threshold, on this thread
        del junk

    worker = threading.Thread(target=make_garbage, name="database")
    worker.start()
    worker.join()
    assert freed_on == [], "nothing collected on the other thread"
    for _ in range(3):
        gc.collect(0)  # the young generation fills the older ones' counts, as time would
    qtbot.waitUntil(lambda: len(freed_on) == 5, timeout=COLLECT_EVERY_MS * 10)
    assert set(freed_on) == {threading.main_thread().name}


def test_a_stopped_collector_hands_collection_back(collector: MainThreadCollector) -> None:
    own = MainThreadCollector()
    own.stop()
    assert gc.isenabled()
    gc.disable()  # the suite's collector still runs
    del own
    assert not gc.isenabled(), "a collector gone from memory changes nothing"
