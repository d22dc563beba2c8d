"""Alert benchmark: milliseconds from the commit that raised an alert to the alert band showing it.

``alert_after_commit_ms`` (this workstation): a running session on a temp database is shown in
the main window (offscreen). Each round the nurse ticks "Collapse / fainting" on the symptom
panel (a high-priority reaction): the care service stores it, assesses, raises the alert and
commits; the time of that commit is taken from SQLAlchemy's ``after_commit`` event, and the end
time when the session view's alert band has been updated and repainted. Then the alert is
acknowledged and the symptom resolved, which resolves the alert for the next round.

``remote_alert_ms_sqlite`` and ``remote_alert_ms_postgres`` (a commit by another process): the
window (the app's own ``build_main_window``, database watch included, system clock) shows the
running session of Chair 1 in its session view, and the monitor gateway runs in its own process
(``infusion-monitor gateway``) on the same database: an SQLite file, or PostgreSQL. Each round a
bedside monitor sends an IHE PCD-01 ORU^R01 for Chair 1 whose values raise a high-priority alert
(NEWS2 of 7 or more); the gateway stores, assesses, raises the alert, commits, then ACKs. The
time runs from the ACK's arrival (just after that commit) until the session view's alert band in
this window shows the alert's "!!! HIGH" words (checked every millisecond while the window's
event loop runs). Then, untimed, the nurse acknowledges the alert here and types a normal set,
which resolves it, and the round waits until the band has cleared. The medians of ``--rounds``
are reported (each round's figure and the time from sending are printed above).

PostgreSQL: ``--postgres URL`` (a server the bench may create a throwaway database on, e.g.
``$(cat /work/pg/url)``), else a throwaway cluster on 127.0.0.1 is started for the run and
removed (``tools/pgcluster.py``). ``--only sqlite|postgres|local`` runs one part. The machine is
shared: figures are noisy; run it more than once.

The last line is ``{"alert_after_commit_ms": median, "remote_alert_ms_sqlite": median,
"remote_alert_ms_postgres": median}``.

Run: ``QT_QPA_PLATFORM=offscreen uv run python bench/alert.py [--rounds 30]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infusion_monitor.domain.clock import Clock
    from infusion_monitor.domain.users import Actor
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.storage.database import Database
    from infusion_monitor.ui.main_window import MainWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

#: How long a round waits for the band before it counts as missed.
WAIT_S = 10.0
#: Monitor values that raise a high-priority alert (NEWS2 7 or more).
ALARMING = (132, 84, 50, 28, 87, 38.9)


def main() -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--only", choices=("local", "sqlite", "postgres"), default=None)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    if args.only in (None, "local"):
        figures["alert_after_commit_ms"] = local_alert_ms(args.rounds)
    with tempfile.TemporaryDirectory(prefix="im-bench-alert-") as folder:
        os.chmod(folder, 0o755)  # noqa: PTH101 - the postgres user must reach its cluster folder
        base = Path(folder)
        if args.only in (None, "sqlite"):
            print("remote, SQLite:", flush=True)
            url = f"sqlite:///{base / 'remote.sqlite3'}"
            figures["remote_alert_ms_sqlite"] = remote_alert_ms(url, base / "s", args.rounds)
        if args.only in (None, "postgres"):
            print("remote, PostgreSQL:", flush=True)
            with postgres_database(args.postgres, base / "pg") as url:
                figures["remote_alert_ms_postgres"] = remote_alert_ms(url, base / "p", args.rounds)
    print(json.dumps(figures), flush=True)
    sys.stderr.flush()
    # PySide6 can crash while finalising widgets at interpreter exit; the figures are printed.
    os._exit(0)


@contextlib.contextmanager
def postgres_database(server: str | None, folder: Path) -> Iterator[str]:
    """A throwaway database: created on ``server`` and dropped after, else a cluster of its own."""
    import pgcluster

    if server is None:
        with pgcluster.running(folder) as url:
            yield url
        return
    from backends import fresh_postgres_database

    with fresh_postgres_database(server) as url:
        yield url


def chair_window(database: Database, paths: AppPaths, clock: Clock, nurse: Actor) -> MainWindow:
    """The app's main window over ``database`` (built as the app builds it, database watch
    included), ``nurse`` signed in, shown, with Chair 1's session in its session view."""
    from infusion_monitor.app import build_main_window
    from infusion_monitor.config import Config
    from infusion_monitor.services.messages import MessageFunnel
    from infusion_monitor.services.ruleset import RuleSetService

    funnel = MessageFunnel()
    window = build_main_window(
        config=Config(),
        paths=paths,
        database=database,
        funnel=funnel,
        rules=RuleSetService(None, funnel),
        clock=clock,
        actor=nurse,
    )
    window.show()
    window.open_chair(0)
    return window


def local_alert_ms(rounds: int) -> float:
    """Median ms from the care service's commit to the band showing, in this window."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from infusion_monitor.config import Config
    from infusion_monitor.domain.clock import FakeClock
    from infusion_monitor.domain.users import Actor, Role
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.storage.database import open_database
    from unitworld import add_running_session

    app = QApplication.instance() or QApplication(sys.argv[:1])
    nurse = Actor("B001", "Bench Nurse", Role.NURSE)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    committed: list[float] = []

    @event.listens_for(Session, "after_commit")
    def _on_commit(_session: Session) -> None:
        committed.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as folder:
        paths = AppPaths.resolve(Path(folder))
        paths.ensure()
        config = Config()
        with open_database(None, paths) as database:
            # Set up (premedications given, baseline) and started 10 minutes before "now".
            add_running_session(
                database.sessions,
                config.unit.chairs[0],
                "B0000001",
                staff_id=nurse.staff_id,
                at=clock.now() - timedelta(minutes=10),
            )
            window = chair_window(database, paths, clock, nurse)
            care = window.care_view
            assert care is not None and window.care is not None
            band = care.band
            button = care.symptoms.buttons["syncope"]
            samples: list[float] = []
            for _ in range(rounds):
                clock.advance(timedelta(minutes=1))
                committed.clear()
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                band.repaint()
                shown = time.perf_counter()
                assert band.isVisible() and band.words.text().startswith("!!! HIGH")
                samples.append((shown - committed[0]) * 1000)
                clock.advance(timedelta(seconds=30))
                assert band.alert is not None
                window.care.acknowledge(band.alert.id)
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                assert not band.isVisible()
            window.close_now()
            window.deleteLater()
            app.processEvents()
    median = statistics.median(samples)
    print(f"local: {len(samples)} rounds")
    print(f"  min {min(samples):.1f} ms, median {median:.1f} ms, max {max(samples):.1f} ms")
    return round(median, 2)


def remote_alert_ms(url: str, data_dir: Path, rounds: int) -> float:
    """Median ms from the gateway's commit (its ACK) to this window's band showing the alert."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from gateway import gateway_on
    from infusion_monitor.config import Config
    from infusion_monitor.domain.alerts import AlertPolicy
    from infusion_monitor.domain.clock import SystemClock
    from infusion_monitor.domain.protocol_library import load_library
    from infusion_monitor.domain.users import Actor, Role
    from infusion_monitor.domain.vitals import Acvpu, VitalSigns
    from infusion_monitor.domain.vitals_entry import VitalsDraft
    from infusion_monitor.integrations.hl7.simulator import (
        MllpClient,
        ack_code,
        oru_message,
    )
    from infusion_monitor.paths import AppPaths
    from infusion_monitor.rules.loader import default_rules
    from infusion_monitor.services.assessing import AssessingService
    from infusion_monitor.services.care.service import make_care_services
    from infusion_monitor.services.vitals.recording import VitalsService
    from infusion_monitor.storage.database import open_database
    from unitworld import add_running_session

    app = QApplication.instance() or QApplication(sys.argv[:1])
    nurse = Actor("N001", "Ada Nurse", Role.NURSE)
    normal = VitalsDraft(
        VitalSigns(78, 130, 82, 16, 97, 36.8, on_oxygen=False, acvpu=Acvpu.A),
        None,
        "36.8 °C",
        None,
        None,
    )
    clock = SystemClock()
    rules = default_rules()
    library = load_library()
    config = Config()
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    samples: list[float] = []
    from_send: list[float] = []
    with open_database(url, paths) as database:
        chair = config.unit.chairs[0]
        started = clock.now() - timedelta(minutes=2)  # the first check is due at 15 min
        session_id = add_running_session(database.sessions, chair, "R0000001", at=started)
        assessing = AssessingService(lambda: rules, library)
        make_care_services(database.sessions, clock, lambda: rules, AlertPolicy(), None, assessing)
        vitals = VitalsService(database.sessions, assessing, library)
        window = chair_window(database, paths, clock, nurse)
        care = window.care_view
        assert care is not None and window.care is not None
        band = care.band

        def showing() -> bool:
            return band.isVisible() and band.words.text().startswith("!!! HIGH")

        def wait_until(done: object) -> float | None:
            """Run the event loop until ``done()``; the monotonic time it was seen, or None."""
            loop = QEventLoop()
            seen: list[float] = []
            poll = QTimer()
            poll.setInterval(1)

            def check() -> None:
                if done():  # type: ignore[operator]
                    seen.append(time.monotonic())
                    loop.quit()

            poll.timeout.connect(check)
            poll.start()
            QTimer.singleShot(round(WAIT_S * 1000), loop.quit)
            check()
            if not seen:
                loop.exec()
            poll.stop()
            return seen[0] if seen else None

        with gateway_on(url, data_dir) as address, MllpClient(*address) as client:
            for index in range(rounds):
                sent: list[float] = []
                acked: list[float] = []
                message = oru_message(
                    VitalSigns(*ALARMING, on_oxygen=None, acvpu=None),
                    bed=chair,
                    control_id=f"BENCH{index}-{uuid.uuid4().hex[:8]}",
                    taken_at=clock.now() - timedelta(seconds=1),
                )

                def send(message: bytes = message, sent: list[float] = sent,
                         acked: list[float] = acked) -> None:  # fmt: skip
                    sent.append(time.monotonic())
                    code, text = ack_code(client.exchange(message))
                    acked.append(time.monotonic())
                    if code != "AA":
                        raise SystemExit(f"the gateway refused the set: {code} {text}")

                sender = threading.Thread(target=send)
                sender.start()
                shown = wait_until(showing)
                sender.join()
                if shown is None:
                    raise SystemExit(f"round {index}: the band did not show the alert")
                samples.append((shown - acked[0]) * 1000)
                from_send.append((shown - sent[0]) * 1000)
                assert band.alert is not None
                window.care.acknowledge(band.alert.id)
                window.care.resolve(band.alert.id, "Bench: the reaction is over")
                # Taken 2 s ago: the next monitor set (1 s before it is sent) is the newer one.
                typed = replace(normal, taken_at=clock.now() - timedelta(seconds=2))
                vitals.record_vitals(nurse, session_id, typed, clock.now())
                if wait_until(lambda: not band.isVisible()) is None:
                    raise SystemExit(f"round {index}: the band did not clear")
        window.close_now()
        window.deleteLater()
        app.processEvents()
    median = statistics.median(samples)
    print("  from the ACK, ms:", " ".join(f"{value:.0f}" for value in samples))
    print(
        f"  median {median:.1f} ms, max {max(samples):.1f} ms; from sending the message: "
        f"median {statistics.median(from_send):.1f} ms",
        flush=True,
    )
    return round(median, 2)


if __name__ == "__main__":
    raise SystemExit(main())
