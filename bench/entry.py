"""Vitals entry benchmark: drive the REAL form with key events and count the keys of a full set.

A full set is HR 72, BP 120/80, RR 16, SpO2 98, temperature 36.8 (ACVPU stays A, air, now,
typed). Focus starts in HR (where the row puts it). Every key press is one QTest key event; the
count separates the keys that move or save (Tab, Enter) from the characters of the values, which
no form can avoid. The last line is JSON: ``{"keystrokes": ..., "seconds": ...}`` where
``keystrokes`` counts the keys after focus beyond the values' own characters, and
``total_keys`` every key press.

Run: ``uv run python bench/entry.py [--runs 20]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.ui.vitals_form import VitalsForm

FULL_SET = ("72", "120/80", "16", "98", "36.8")


def enter_once(form: VitalsForm) -> tuple[int, int, float]:
    """Type one full set; return (navigation keys, value characters, seconds)."""
    saved = []
    form.draft_ready.connect(saved.append)
    navigation = characters = 0
    started = time.perf_counter()
    for index, value in enumerate(FULL_SET):
        if index:
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            navigation += 1
        for char in value:
            QTest.keyClick(QApplication.focusWidget(), char)
            characters += 1
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    navigation += 1
    seconds = time.perf_counter() - started
    form.draft_ready.disconnect()
    if len(saved) != 1:
        raise RuntimeError(f"the form did not emit one draft: {form.status.text()}")
    form.accept_saved("saved")
    return navigation, characters, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    form = VitalsForm(FakeClock(now))
    form.set_session_start(now - timedelta(hours=1))
    form.show()
    form.activateWindow()
    app.processEvents()
    form.focus_first()
    results = [enter_once(form) for _ in range(args.runs)]
    navigation, characters, _ = results[0]
    seconds = statistics.median(r[2] for r in results)
    print(f"full set {' '.join(FULL_SET)}: {navigation} Tab/Enter + {characters} characters")
    print(f"median {seconds * 1000:.1f} ms per set to process the key events ({args.runs} runs)")
    print(
        json.dumps(
            {
                "keystrokes": navigation,
                "value_characters": characters,
                "total_keys": navigation + characters,
                "seconds": round(seconds, 4),
            }
        )
    )
    form.close()
    form.deleteLater()
    del form
    gc.collect()
    app.processEvents()


if __name__ == "__main__":
    main()
