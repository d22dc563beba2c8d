"""Two GUI processes on one PostgreSQL database see each other's sessions on the unit board.

Each workstation is the whole app in its own process (``tests/workstation_driver.py``: the
command line's start-up, offscreen), driven through its widgets. In each, a nurse signs in and
starts a session in one of that workstation's chairs through the set-up form and the session
view; the other workstation's unit board, opened by the charge nurse from the View menu, must
show that chair running with the patient within 2 s of the start's commit: A → B, then B → A.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import fresh_postgres_database
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.users import Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.staff.accounts import StaffService
from infusion_monitor.services.staff.sign_in import AuthService
from infusion_monitor.storage.database import open_database

#: The product's bound: a commit shows on every unit board within this (LISTEN/NOTIFY).
WITHIN_S = 2.0
#: How long to wait for the board at all, so a slow board fails with its figure, not a timeout.
BOARD_WAIT_S = 15.0
#: A workstation process starting (Qt, the app, the database) on a busy machine.
START_TIMEOUT_S = 90.0
COMMAND_TIMEOUT_S = 30.0
DRIVER = Path(__file__).resolve().parents[1] / "workstation_driver.py"
Message = dict[str, Any]


class Workstation:
    """One driver process: commands in, JSON lines out; every wait has a deadline."""

    def __init__(self, name: str, url: str, data_dir: Path, chairs: list[str]) -> None:
        self.name = name
        data_dir.mkdir(parents=True)
        (data_dir / "config.toml").write_text(
            f"[unit]\nname = {json.dumps(name)}\nchairs = {json.dumps(chairs)}\n"
            f"[security]\nworkstation = {json.dumps(name)}\n",
            encoding="utf-8",
        )
        self._crash_dir = AppPaths.resolve(data_dir).crash_dir
        self._stderr_path = data_dir / "driver-stderr.txt"
        self._stderr = self._stderr_path.open("w", encoding="utf-8")
        self._process = subprocess.Popen(
            [sys.executable, str(DRIVER), "--db", url, "--data-dir", str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._unclaimed: list[Message] = []
        self._reader = threading.Thread(
            target=self._read_stdout, name=f"{name} stdout", daemon=True
        )
        self._reader.start()

    def _read_stdout(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def expect(self, wanted: Callable[[Message], bool], timeout_s: float, doing: str) -> Message:
        """The first message (arrived or arriving within ``timeout_s``) that ``wanted`` accepts."""
        for message in self._unclaimed:
            if wanted(message):
                self._unclaimed.remove(message)
                return message
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"{self.name}: nothing within {timeout_s:g} s {doing}{self.evidence()}")
            if line is None:
                self._process.wait(timeout=10)
                pytest.fail(
                    f"{self.name} exited (status {self._process.returncode}) {doing}"
                    f"{self.evidence()}"
                )
            if not line.startswith("{"):
                continue  # not the driver's (the app prints nothing on stdout in this mode)
            arrived: Message = json.loads(line)
            if wanted(arrived):
                return arrived
            self._unclaimed.append(arrived)

    def send(self, cmd: str, *, refused: bool = False, **fields: object) -> Message:
        """Run one command; its reply (the test fails when it failed, or when ``refused`` and
        it did not)."""
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
        self._process.stdin.flush()
        reply = self.expect(
            lambda m: m.get("reply") == cmd, COMMAND_TIMEOUT_S, f"while running {cmd}"
        )
        if reply["ok"] == refused:
            outcome = "succeeded" if refused else f"failed:\n{reply['error']}"
            pytest.fail(f"{self.name}: {cmd} {outcome}{self.evidence()}")
        return reply

    def evidence(self) -> str:
        """The end of the process's standard error and its crash reports, for a failure message."""
        self._stderr.flush()
        files = [self._stderr_path, *sorted(f for f in self._crash_dir.glob("*") if f.is_file())]
        texts = ((f, f.read_text(encoding="utf-8", errors="replace")[-3000:]) for f in files)
        return "".join(f"\n--- {self.name}: {f.name} ---\n{text}" for f, text in texts if text)

    def stop(self) -> None:
        """Ask the app to quit; kill it if it has not exited within 10 s."""
        with contextlib.suppress(OSError):
            assert self._process.stdin is not None
            self._process.stdin.close()  # end of stdin: the driver closes the window and exits
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        finally:
            self._reader.join(timeout=10)
            assert self._process.stdout is not None
            self._process.stdout.close()
            self._stderr.close()


@contextlib.contextmanager
def workstation(name: str, url: str, data_dir: Path, chairs: list[str]) -> Iterator[Workstation]:
    """A running workstation process, stopped (or killed) whatever happens."""
    station = Workstation(name, url, data_dir, chairs)
    try:
        station.expect(lambda m: m.get("event") == "ready", START_TIMEOUT_S, "while starting")
        yield station
    finally:
        station.stop()


@pytest.fixture
def unit_database(data_dir: Path) -> Iterator[str]:
    """A fresh PostgreSQL database with a nurse for each workstation and a charge nurse."""
    with fresh_postgres_database() as url:
        clock = SystemClock()
        with open_database(url, AppPaths.resolve(data_dir)) as database:
            auth = AuthService(database.sessions, clock, workstation="SETUP")
            admin = auth.create_first_administrator("ADMIN", "Ann Admin", "3456")
            staff = StaffService(database.sessions, clock, hasher=auth.hasher)
            staff.add_staff(admin, "CHARGE", "Cy Charge", Role.CHARGE_NURSE, "2345")
            staff.add_staff(admin, "N001", "Ada Nurse", Role.NURSE, "1234")
            staff.add_staff(admin, "N002", "Ben Nurse", Role.NURSE, "5678")
        yield url


def start_and_watch(
    starter: Workstation, observer: Workstation, chair: str, name: str, mrn: str, initials: str
) -> float:
    """Start a session at ``starter``: seconds from commit to ``observer``'s board showing it."""
    observer.send("watch", chair=chair, patient=initials, state="Running")
    started = starter.send("start_session", chair=chair, name=name, mrn=mrn)
    shown = observer.expect(
        lambda m: m.get("event") == "board_shows" and m.get("chair") == chair,
        BOARD_WAIT_S,
        f"showing {chair} (started at {starter.name}) on the unit board",
    )
    latency = float(shown["at"]) - float(started["committed_at"])
    assert latency > 0, f"{chair} shown before its commit: the timestamps are wrong ({latency})"
    print(f"{starter.name} → {observer.name}: {chair} on the board {latency:.3f} s after commit")
    return latency


def test_two_workstations_see_each_others_sessions_on_the_unit_board_within_two_seconds(
    unit_database: str, tmp_path: Path
) -> None:
    with (
        workstation("Bay A", unit_database, tmp_path / "a", ["A1", "A2"]) as a,
        workstation("Bay B", unit_database, tmp_path / "b", ["B1", "B2"]) as b,
    ):
        b.send("open_unit_board", refused=True)  # locked: the board shows patient initials
        b.send("sign_in", staff_id="CHARGE", pin="2345")
        rows = b.send("open_unit_board")["rows"]  # its own chairs, before any session
        assert [row[:2] for row in rows] == [["B1", "Free"], ["B2", "Free"]]
        a.send("sign_in", staff_id="N001", pin="1234")
        a_to_b = start_and_watch(a, b, "A1", "Ada Lovelace", "00410001", "A.L.")

        assert b.send("switch_user")["unit_board_open"] is False  # it closes with the lock
        a.send("switch_user")
        a.send("sign_in", staff_id="CHARGE", pin="2345")
        rows = a.send("open_unit_board")["rows"]
        assert [row[:2] for row in rows] == [["A1", "Running"], ["A2", "Free"]]
        b.send("sign_in", staff_id="N002", pin="5678")
        b_to_a = start_and_watch(b, a, "B1", "Boris Bauer", "00520002", "B.B.")

        board = a.send("board")["rows"]
        assert [row[:2] for row in board] == [["A1", "Running"], ["B1", "Running"], ["A2", "Free"]]
    assert a_to_b < WITHIN_S, f"A → B took {a_to_b:.3f} s (bound {WITHIN_S:g} s)"
    assert b_to_a < WITHIN_S, f"B → A took {b_to_a:.3f} s (bound {WITHIN_S:g} s)"
