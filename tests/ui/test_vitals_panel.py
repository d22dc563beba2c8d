"""The vitals row and plot inside the session view of the composed window (demo database)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from infusion_monitor.errors import UserError
from infusion_monitor.ui.vitals_panel import VitalsPanel

from .conftest import MakeWindow


def typed(panel: VitalsPanel, *values: str) -> None:
    form = panel.form
    for field, value in zip((form.hr, form.bp, form.rr, form.spo2, form.temp), values, strict=True):
        QTest.keyClicks(field, value)
    QTest.keyClick(form.temp, Qt.Key.Key_Return)


def test_demo_reaction_chair_plot_and_a_saved_set(make_window: MakeWindow) -> None:
    window = make_window("--demo")
    window.open_chair(0)
    panel: VitalsPanel = window.vitals_panel  # type: ignore[attr-defined]
    hr_x, hr_y = panel.plot.typed_curves["hr"].getData()
    assert len(hr_x) >= 11, "baseline and two hours of typed sets"
    assert max(hr_y[~(hr_y != hr_y)]) == 124
    labels = {marker.label for marker in panel.plot.markers}
    assert {"start", "pause", "check skipped"} <= labels
    before = len(hr_x)
    typed(panel, "72", "120/80", "16", "98", "36,8")
    assert panel.form.status.text().startswith("✓ Saved"), panel.form.status.text()
    assert "NEWS2 0" in panel.form.status.text()
    assert panel.form.hr.text() == ""
    assert len(panel.plot.typed_curves["hr"].getData()[0]) == before + 1


def test_failed_save_keeps_the_values_and_says_why(
    make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window("--demo")
    window.open_chair(0)
    panel: VitalsPanel = window.vitals_panel  # type: ignore[attr-defined]

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise UserError("The disk is full. Free some space, then save again.")

    monkeypatch.setattr(panel._controller._vitals, "record_vitals", disk_full)
    typed(panel, "72", "120/80", "16", "98", "36.8")
    assert "Not saved: The disk is full" in panel.form.status.text()
    assert (panel.form.hr.text(), panel.form.bp.text(), panel.form.temp.text()) == (
        "72",
        "120/80",
        "36.8",
    )
