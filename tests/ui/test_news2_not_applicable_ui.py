"""Where NEWS2 does not apply (pregnancy, under 16: rules-spec §4), the score's place on the
latest values (tile and session view) and the trend's NEWS2 lane say so and name the chart to use
instead (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from care_world import case, running_chair, vitals_draft
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.storage.database import Database, open_database
from session_helpers import NURSE, T0

from .conftest import composed_window


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    with open_database(None, AppPaths.resolve(data_dir)) as opened:
        yield opened


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (
            {"pregnant": True},
            "NEWS2 does not apply (pregnancy) — use your unit's obstetric early-warning chart",
        ),
        (
            {"date_of_birth": date(2019, 1, 15)},
            "NEWS2 does not apply (under 16) — use your unit's paediatric early-warning chart",
        ),
    ],
)
def test_the_latest_values_say_news2_does_not_apply_and_which_chart_to_use(
    qtbot: QtBot, database: Database, data_dir: Path, setup: dict[str, object], words: str
) -> None:
    clock = FakeClock(T0)
    chair = running_chair(database, clock, case("V03"), **setup)
    clock.advance(timedelta(minutes=15))
    chair.vitals.record_vitals(
        NURSE, chair.session_id, vitals_draft(case("V03")["observations"][0]), clock.now()
    )
    window = composed_window(qtbot, chair, data_dir)
    window.open_chair(0)
    for latest in (window.board.tiles[0].latest, window.session_view.latest):
        assert latest.score.isVisibleTo(window)
        assert latest.score.text() == words
        assert "NEWS2 does not apply" in latest.text
    plot = window.vitals_panel.plot  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: plot.plots["news2"].titleLabel.text == words)
    assert plot.plots["news2"].titleLabel.isVisible()
    assert plot.lane_labels["news2"].text == "<b>NEWS2</b><br>n/a"


def test_an_adult_shows_no_such_words(qtbot: QtBot, database: Database, data_dir: Path) -> None:
    chair = running_chair(database, FakeClock(T0), case("V03"))
    window = composed_window(qtbot, chair, data_dir)
    window.open_chair(0)
    assert not window.session_view.latest.score.isVisibleTo(window)
    assert "does not apply" not in window.session_view.latest.text
    plot = window.vitals_panel.plot  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(plot.typed_curves["hr"].getData()[0]) > 0)
    assert plot.lane_labels["news2"].text == "<b>NEWS2</b>"
    assert not plot.plots["news2"].titleLabel.isVisible()
