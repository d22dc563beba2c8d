"""Busy benchmark: the largest gap between GUI-thread timer ticks while ANOTHER PROCESS holds
the SQLite write lock for 10 s and the nurse saves vitals.

The real window runs (offscreen) on the demo unit (four chairs with sessions, one with an open
reaction alert whose band flashes in the session view); the nurse opens that chair, types a set
of vitals and presses Enter while a second Python process holds ``BEGIN IMMEDIATE`` on the same
file. A 10 ms ``QTimer`` on the GUI thread records when it fires, from the lock to a second after
the save is stored; the largest gap between two firings says how long the window stopped
answering (frames, alarm flashing and sound all run on that thread). The save must wait for the
lock, then be stored and shown as saved.

The window alone first runs ``IDLE_S`` with nothing locked, for comparison. Last line:
``{"max_frame_gap_ms": …, "max_frame_gap_while_locked_ms": …, "idle_max_frame_gap_ms": …,
"save_waited_s": …, "saved": true}`` (target: ``max_frame_gap_ms`` ≤ 100).

Run: ``uv run python bench/busy.py [--lock-s 10] [--shot busy.png]`` (``--shot``: a screenshot
of the window half-way through the lock).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlite_lock import write_locked

TICK_MS = 10
#: Seconds the window runs with nothing locked first, for comparison.
IDLE_S = 3.0


def main() -> int:
    """Build the unit, lock the file from another process, save vitals, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lock-s", type=float, default=10.0)
    parser.add_argument("--shot", type=Path, default=None)
    args = parser.parse_args()

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from infusion_monitor.app import build_main_window
    from infusion_monitor.config import Config
    from infusion_monitor.demo import DEMO_NURSE, seed_demo
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.services.messages import MessageFunnel
    from infusion_monitor.services.ruleset import RuleSetService
    from infusion_monitor.storage.database import open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as folder:
        paths = AppPaths.resolve(Path(folder))
        paths.ensure()
        config = Config()
        funnel = MessageFunnel()
        rules = RuleSetService(None, funnel)
        with open_database(None, paths) as database:
            seed_demo(database.sessions, config.unit.chairs, clock.now(), rules.rules)
            window = build_main_window(
                config=config,
                paths=paths,
                database=database,
                funnel=funnel,
                rules=rules,
                clock=clock,
                actor=DEMO_NURSE,
            )
            window.resize(1600, 1000)
            window.show()
            app.processEvents()
            assert window.care is not None and window.care_view is not None

            def alerting_chairs() -> list[int]:
                return [
                    index
                    for index, tile in enumerate(window.board.tiles)
                    if tile.status is not None
                    and tile.status.session is not None
                    and tile.status.session.id in window.model.alerts
                ]

            loaded_by = time.monotonic() + 10
            while not alerting_chairs() and time.monotonic() < loaded_by:
                app.processEvents()  # the unit model's first read arrives from its loader
            alerting = alerting_chairs()
            assert alerting, "the demo unit has a chair with an open alert"
            window.board.select(alerting[0])
            window.activateWindow()
            panel = window.vitals_panel  # type: ignore[attr-defined]
            panel.focus_entry()
            for _ in range(50):
                app.processEvents()
            band = window.care_view.band
            flashing = band.isVisible() and band.flash_interval_ms > 0

            ticks: list[float] = []
            timer = QTimer()
            timer.setTimerType(Qt.TimerType.PreciseTimer)
            timer.setInterval(TICK_MS)
            timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
            if args.shot is not None:
                shot = args.shot
                QTimer.singleShot(
                    int(args.lock_s * 500), lambda: window.grab().save(str(shot), "PNG")
                )
            timer.start()
            idle_until = time.perf_counter() + IDLE_S
            while time.perf_counter() < idle_until:  # the window alone, nothing locked
                app.processEvents()
                time.sleep(0.001)
            idle = list(ticks)
            ticks.clear()
            with write_locked(paths.database_file, args.lock_s) as locker:
                released = time.perf_counter() + args.lock_s
                for index, value in enumerate(("72", "120/80", "16", "98", "36.8")):
                    if index:
                        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
                    QTest.keyClicks(QApplication.focusWidget(), value)
                started = time.perf_counter()
                QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
                waited = time.perf_counter() - started
                locker.wait()
            saved = panel.form.status.text().startswith("✓ Saved")
            until = time.perf_counter() + 1.0
            while time.perf_counter() < until:
                app.processEvents()
                time.sleep(0.001)
            timer.stop()
            window.close_now()
            window.deleteLater()
            app.processEvents()
    largest = _largest_gap(ticks)
    locked = _largest_gap([t for t in ticks if t < released])
    print(f"alarm band flashing: {flashing}; lock held {args.lock_s:.0f} s by another process")
    print(f"save waited {waited:.2f} s; saved: {saved} ({panel.form.status.text()[:60]})")
    print(f"idle window ({IDLE_S:.0f} s, nothing locked): largest gap {_largest_gap(idle):.1f} ms")
    print(f"while locked: largest gap {locked:.1f} ms")
    print(f"lock, save and redraw after the commit: largest gap {largest:.1f} ms")
    result = {
        "max_frame_gap_ms": round(largest, 1),
        "max_frame_gap_while_locked_ms": round(locked, 1),
        "idle_max_frame_gap_ms": round(_largest_gap(idle), 1),
        "save_waited_s": round(waited, 2),
    }
    print(json.dumps(result | {"saved": saved}), flush=True)
    sys.stderr.flush()
    # PySide6 can crash while finalising widgets at interpreter exit; the figures are printed.
    os._exit(0 if saved else 1)


def _largest_gap(ticks: list[float]) -> float:
    """The largest gap between two successive timer firings, in ms."""
    return max((b - a) * 1000 for a, b in itertools.pairwise(ticks))


if __name__ == "__main__":
    raise SystemExit(main())
