"""The main window as composed by the app: title, tiles, selection, About, messages, crashes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from infusion_monitor import crashlog
from infusion_monitor.demo import _DEMOS as _SESSIONS
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.resources import resource
from infusion_monitor.services.messages import Level, MessageFunnel
from infusion_monitor.services.sessions.board import ChairState
from infusion_monitor.ui.chair_board import ChairTile
from infusion_monitor.ui.crash import CrashReportViewer
from infusion_monitor.ui.main_window import MainWindow

from .conftest import MakeWindow


def tile_text(tile: ChairTile) -> str:
    """Everything a tile shows, visible labels only."""
    return " ".join(label.text() for label in tile.findChildren(QLabel) if label.isVisibleTo(tile))


def test_window_title_and_six_tiles_by_default(make_window: MakeWindow) -> None:
    window = make_window()
    assert window.windowTitle() == "Infusion Monitor"
    assert len(window.board.tiles) == 6
    assert all(tile.status and tile.status.state is ChairState.FREE for tile in window.board.tiles)
    assert "Free — start session (N)" in tile_text(window.board.tiles[0])


def test_configured_chair_list_gives_that_many_tiles(
    make_window: MakeWindow, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "config.toml").write_text(
        '[unit]\nname = "Day unit"\nchairs = ["Bay A", "Bay B", "Bay C"]\n', encoding="utf-8"
    )
    window = make_window()
    assert [tile.status.name for tile in window.board.tiles if tile.status] == [
        "Bay A",
        "Bay B",
        "Bay C",
    ]


def test_demo_tiles_show_initials_mrn_tail_and_drug_never_the_full_name(
    make_window: MakeWindow,
) -> None:
    window = make_window("--demo")
    assert window.sign_in_panel is not None
    window.sign_in_panel.staff_id.setText("DEMO")
    window.sign_in_panel.pin.setText("1234")
    window.sign_in_panel.submit.click()
    assert not window.locked
    for tile, demo in zip(window.board.tiles, _SESSIONS, strict=False):
        text = tile_text(tile)
        given, family = demo.patient.split()[0], demo.patient.split()[-1]
        assert f"{given[0]}.{family[0]}." in text
        assert demo.mrn[-4:] in text
        assert demo.mrn not in text
        assert demo.drug.capitalize() in text
        assert given not in text
        assert family not in text
    states = [tile.status.state for tile in window.board.tiles if tile.status]
    assert states == [
        ChairState.RUNNING,
        ChairState.PAUSED,
        ChairState.RUNNING,
        ChairState.OBSERVATION,
        ChairState.FREE,
        ChairState.FREE,
    ]
    assert "1:31:" in tile_text(window.board.tiles[0])
    assert "Patient to the bathroom" in tile_text(window.board.tiles[1])


def test_ctrl_2_selects_the_second_tile(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    with qtbot.waitSignal(window.board.chair_selected) as selected:
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert selected.args == [1]
    assert window.board.selected_index == 1
    assert window.board.tiles[1].property("selected") is True
    assert window.board.tiles[0].property("selected") is False


def test_about_says_it_supports_and_does_not_replace_clinical_judgement(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    box = window.show_about()
    assert not box.isModal()
    assert "supports and does not replace clinical judgement" in box.text()
    assert "0.1.0" in box.text()
    assert isinstance(box, QMessageBox)
    box.close()


def test_a_message_sent_before_the_window_exists_appears_in_it(make_window: MakeWindow) -> None:
    funnel = MessageFunnel()
    funnel.warning("Printer offline: reports will be printed later.")
    window = make_window(funnel=funnel)
    banners = window.messages.banners
    assert [(b.message.level, b.message.text) for b in banners] == [
        (Level.WARNING, "Printer offline: reports will be printed later.")
    ]
    funnel.info("Later message")
    assert len(window.messages.banners) == 2


def test_a_crash_report_from_the_last_run_is_offered_at_the_next_start(
    make_window: MakeWindow, data_dir: Path, qtbot: QtBot
) -> None:
    try:
        raise KeyError("Smith")  # an exception text that must not reach the report
    except KeyError as exc:
        report = crashlog.save_exception_report(
            data_dir / "crashes", type(exc), exc, exc.__traceback__, SystemClock().now()
        )
    text = report.path.read_text(encoding="utf-8")
    assert "KeyError" in text
    assert "Smith" not in text.replace('raise KeyError("Smith")', "")

    window = make_window()
    [banner] = window.messages.banners
    assert "The app closed unexpectedly at" in banner.message.text
    assert str(report.path) in banner.message.text
    assert banner.message.action is not None
    banner.message.action.run()
    viewer = window.findChild(CrashReportViewer)
    assert viewer is not None
    assert not viewer.isModal()
    menu_items = [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    assert "Show last &crash report" in menu_items

    second = make_window()
    assert second.messages.banners == ()
    menu_items = [a.text() for a in second.menuBar().actions()[-1].menu().actions()]
    assert "Show last &crash report" in menu_items


def test_no_crash_report_means_no_menu_item(make_window: MakeWindow) -> None:
    window = make_window()
    menu_items = [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    assert menu_items == ["&About Infusion Monitor"]


def status_bar_rules(window: MainWindow) -> str:
    return next(
        label.text()
        for label in window.statusBar().findChildren(QLabel)
        if label.text().startswith("Rules:")
    )


def test_status_bar_shows_the_rule_set_in_force(make_window: MakeWindow) -> None:
    window = make_window()
    assert status_bar_rules(window).startswith("Rules: default · sha256 ")


def test_a_bad_site_rule_set_is_refused_and_the_default_stays_in_force(
    make_window: MakeWindow, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    site = data_dir / "site.toml"
    good = resource("rules", "default.toml").read_text(encoding="utf-8")
    site.write_text(good.replace('name = "default"', 'nme = "site"'), encoding="utf-8")
    (data_dir / "config.toml").write_text('[rules]\nfile = "site.toml"\n', encoding="utf-8")
    window = make_window()

    [banner] = window.messages.banners
    assert banner.message.level is Level.ERROR
    assert f"The rule set {site} was refused" in banner.message.text
    assert "2 problems; first: " in banner.message.text
    assert "default · sha256" in banner.message.text and "stays in force" in banner.message.text
    assert status_bar_rules(window).startswith("Rules: default · sha256 ")

    site.write_text(good.replace('name = "default"', 'name = "site"'), encoding="utf-8")
    reload_action = window.menuBar().actions()[0].menu().actions()[0]
    assert reload_action.text() == "&Reload rule set"
    reload_action.trigger()
    assert status_bar_rules(window).startswith("Rules: site · sha256 ")
    assert window.messages.banners[-1].message.text.startswith("Rule set now in force: site")


def test_a_due_rate_step_is_on_hold_while_the_rules_hold_escalation(
    make_window: MakeWindow,
) -> None:
    window = make_window("--demo")
    chair_1 = window.board.tiles[0]
    assert chair_1.status is not None and chair_1.status.hold_escalation
    step = chair_1.findChild(QLabel, "TileStep")
    assert step is not None and step.text() == "❚❚ Step on hold (reaction)"
    assert "Step DUE" not in step.text()
    window.open_chair(0)
    assert window.session_view.step_cue.text() == "❚❚ Step on hold (reaction)"
    assert window.session_view.rate_timer.note.text() == "❚❚ on hold"
