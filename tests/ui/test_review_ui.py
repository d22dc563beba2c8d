"""The Review menu: charge nurses open the list, a session and the quality page; nurses cannot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from infusion_monitor.app import build_main_window
from infusion_monitor.config import Config
from infusion_monitor.demo import DEMO_NURSE
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.storage.database import Database, open_database
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.review.quality_window import QualityWindow
from infusion_monitor.ui.review.session_detail import SessionDetailWindow
from infusion_monitor.ui.review.session_list import ReviewWindow
from infusion_monitor.ui.review.wiring import ReviewMenu
from review_world import small_unit

CHARGE = Actor("CHARGE", "Casey Charge", Role.CHARGE_NURSE)


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A small synthetic unit (its sessions end on 27 Feb 2026)."""
    with open_database(None, AppPaths.resolve(data_dir), busy_timeout_ms=50) as opened:
        small_unit(opened)
        yield opened


def _window(qtbot: QtBot, database: Database, data_dir: Path, actor: Actor) -> MainWindow:
    funnel = MessageFunnel()
    made = build_main_window(
        config=Config.model_validate({"unit": {"chairs": ["Chair 1", "Chair 2", "Chair 3"]}}),
        paths=AppPaths.resolve(data_dir),
        database=database,
        funnel=funnel,
        rules=RuleSetService(None, funnel),
        clock=SystemClock(),
        actor=actor,
    )
    qtbot.addWidget(made)
    return made


def _menu(window: MainWindow) -> ReviewMenu:
    menu = window.review_menu
    assert isinstance(menu, ReviewMenu)
    return menu


def test_a_nurse_finds_the_review_menu_disabled_and_is_refused(
    qtbot: QtBot, database: Database, data_dir: Path
) -> None:
    window = _window(qtbot, database, data_dir, DEMO_NURSE)
    menu = _menu(window)
    assert not menu.sessions_action.isEnabled()
    assert not menu.quality_action.isEnabled()
    review = menu.open_review()
    assert isinstance(review, ReviewWindow)
    assert review.model.rowCount() == 0
    assert "may not open the session review" in review.message.text()
    quality = menu.open_quality()
    assert isinstance(quality, QualityWindow)
    qtbot.waitUntil(lambda: not quality.busy)
    assert quality.report is None and "may not" in quality.message.text()


def test_a_charge_nurse_lists_opens_and_exports_a_session(
    qtbot: QtBot, database: Database, data_dir: Path, tmp_path: Path
) -> None:
    window = _window(qtbot, database, data_dir, CHARGE)
    menu = _menu(window)
    assert menu.sessions_action.isEnabled()
    review = menu.open_review()
    assert isinstance(review, ReviewWindow)
    review.since.setDate(review.since.date().fromString("2026-02-01", "yyyy-MM-dd"))
    review.until.setDate(review.until.date().fromString("2026-02-28", "yyyy-MM-dd"))
    review.reaction.setCurrentIndex(1)  # reactions only
    review.refresh()
    assert review.model.rowCount() > 0
    assert all(review.model.row(i).reaction_grade for i in range(review.model.rowCount()))
    review.model.sort(7)  # by highest priority
    assert review.model.sort_key.value == "priority"
    review.table.selectRow(0)
    detail = review.open_selected()
    assert isinstance(detail, SessionDetailWindow)
    assert detail.timeline.rowCount() == len(detail.review.timeline) > 5
    fhir = detail.export_to("fhir", tmp_path / "s.json")
    assert json.loads(fhir.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    count = review.export_csv(tmp_path / "list.csv")
    assert count == review.model.total


def test_the_quality_page_draws_the_period(
    qtbot: QtBot, database: Database, data_dir: Path, tmp_path: Path
) -> None:
    window = _window(qtbot, database, data_dir, CHARGE)
    quality = _menu(window).open_quality()
    assert isinstance(quality, QualityWindow)
    qtbot.waitUntil(lambda: not quality.busy)
    quality.since.setDate(quality.since.date().fromString("2026-01-01", "yyyy-MM-dd"))
    quality.until.setDate(quality.until.date().fromString("2026-02-28", "yyyy-MM-dd"))
    with qtbot.waitSignal(quality.report_shown):
        quality.refresh()
    assert quality.report is not None and quality.report.sessions > 0
    assert quality.tabs.count() == 4
    exported = quality.export_csv(tmp_path / "q.csv").read_text(encoding="utf-8-sig")
    assert exported.startswith("table,row,")  # a byte-order mark before it, for Excel
    assert quality.export_csv(tmp_path / "q.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert datetime.now(UTC)  # the page never needs the clock to be faked
