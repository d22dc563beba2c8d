"""Screenshot the session view of the demo's reaction chair (two hours of vitals, a reaction).

Usage: ``uv run python bench/session_screenshot.py OUT.png [WxH]`` (a temporary data folder;
the window is 1700x1050 unless a size is given, e.g. 1366x768).
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from infusion_monitor.app import build_main_window, current_actor, open_app_database
from infusion_monitor.cli import build_parser
from infusion_monitor.config import configured_rules_file, load_config
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        args = build_parser().parse_args(["--demo", "--data-dir", folder])
        paths = AppPaths.resolve(args.data_dir)
        paths.ensure()
        config = load_config(paths.config_file)
        clock = SystemClock()
        funnel = MessageFunnel()
        rules = RuleSetService(configured_rules_file(config, paths.config_file), funnel)
        database = open_app_database(args, config, paths, clock, rules.rules)
        window = build_main_window(
            config=config,
            paths=paths,
            database=database,
            funnel=funnel,
            rules=rules,
            clock=clock,
            actor=current_actor(args),
        )
        width, height = (
            int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "1700x1050").split("x")
        )
        window.resize(width, height)
        window.show()
        app.processEvents()
        window.open_chair(0)
        app.processEvents()
        panel = window.vitals_panel
        panel.plot.readout.setText(panel.plot.readout_at(50))
        panel.form.focus_first()
        app.processEvents()
        window.grab().save(sys.argv[1])
        window.close()
        window.deleteLater()
        del window, panel
        gc.collect()
        app.processEvents()
        database.close()


if __name__ == "__main__":
    main()
