"""500 simulated messages, gateway SIGKILLed midway and restarted: each ACK'd one stored once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from infusion_monitor.integrations.hl7.simulator import play
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import GatewayMessage, VitalSigns

MESSAGES = 500
KILL_AFTER = 250
READY_TIMEOUT_S = 60


class GatewayProcess:
    """``infusion-monitor gateway`` as a real child process."""

    def __init__(self, url: str, data_dir: Path, listen: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infusion_monitor",
                "--db",
                url,
                "--data-dir",
                str(data_dir),
                "gateway",
                "--listen",
                listen,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until it listens (or dies: "")
        assert line.startswith("Gateway listening on "), line
        self.port = int(line.rsplit(":", 1)[1])

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(READY_TIMEOUT_S) == -signal.SIGKILL
        self._close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(READY_TIMEOUT_S)
        self._close()

    def _close(self) -> None:
        if self.process.stdout is not None:
            self.process.stdout.close()


def test_every_acknowledged_message_is_stored_exactly_once_across_a_sigkill(
    unit_db: Database, data_dir: Path, backend_url: str
) -> None:
    gateway = GatewayProcess(backend_url, data_dir, "127.0.0.1:0")
    port = gateway.port
    acknowledged: list[str] = []
    restarted: list[GatewayProcess] = []

    def on_ack(index: int, control_id: str, code: str) -> None:
        assert code == "AA"
        acknowledged.append(control_id)
        if index + 1 == KILL_AFTER:
            gateway.kill()
            restarted.append(GatewayProcess(backend_url, data_dir, f"127.0.0.1:{port}"))

    try:
        sent = play(
            "stable",
            host="127.0.0.1",
            port=port,
            bed="Chair 1",
            count=MESSAGES,
            speed=0,
            on_ack=on_ack,
            run_id="crash",
        )
        # Resend the last ten, as a monitor that lost their ACKs would: still stored once.
        resent = play(
            "stable", host="127.0.0.1", port=port, bed="Chair 1", count=10, speed=0, run_id="crash"
        )
    finally:
        gateway.stop()
        for process in restarted:
            process.stop()
    assert restarted, "the gateway was never killed"
    assert (sent, resent) == (MESSAGES, 10)
    assert len(set(acknowledged)) == MESSAGES
    with unit_db.sessions() as db:
        stored = db.scalars(select(GatewayMessage.control_id)).all()
        vitals = db.scalar(select(func.count()).where(VitalSigns.source == "monitor"))
    assert sorted(stored) == sorted(acknowledged)
    assert vitals == MESSAGES
