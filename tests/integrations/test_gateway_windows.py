"""The gateway as a Windows service meets it: one port per gateway, Ctrl+C and Ctrl+Break stop it.

A real ``infusion-monitor gateway`` process each time. Ctrl+Break (SIGBREAK, Windows only) is
played by SIGUSR1 standing in for it; SO_EXCLUSIVEADDRUSE (Windows only) by a recording socket.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infusion_monitor.integrations.hl7.gateway import exclusive_bind

TIMEOUT_S = 60
#: Run the command line with Ctrl+Break's signal defined, as on Windows (SIGUSR1 plays it).
WITH_SIGBREAK = (
    "import signal, sys; signal.SIGBREAK = signal.SIGUSR1; "
    "from infusion_monitor.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _gateway(data_dir: Path, listen: str) -> subprocess.Popen[str]:
    command = ["--data-dir", str(data_dir), "gateway", "--listen", listen]
    return subprocess.Popen(
        [sys.executable, "-c", WITH_SIGBREAK, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def running(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    process = _gateway(data_dir, "127.0.0.1:0")
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("Gateway listening on "), line
    try:
        yield process, int(line.rsplit(":", 1)[1])
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=TIMEOUT_S)


def test_a_second_gateway_on_the_same_port_fails_with_a_message(
    running: tuple[subprocess.Popen[str], int], tmp_path: Path
) -> None:
    _first, port = running
    second = _gateway(tmp_path / "other", f"127.0.0.1:{port}")
    out, err = second.communicate(timeout=TIMEOUT_S)
    assert second.returncode == 2
    assert "Gateway listening" not in out
    assert f"Cannot listen on 127.0.0.1:{port}: another program already uses that port" in err
    assert "is a gateway already running" in err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGUSR1], ids=["ctrl-c", "ctrl-break"])
def test_ctrl_c_and_ctrl_break_stop_the_gateway(
    running: tuple[subprocess.Popen[str], int], signum: int
) -> None:
    process, _port = running
    process.send_signal(signum)
    out, _err = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 0
    assert "Gateway stopped." in out


class _RecordingSocket:
    def __init__(self) -> None:
        self.options: list[tuple[int, int, int]] = []
        self.bound: tuple[str, int] | None = None

    def setsockopt(self, level: int, option: int, value: int) -> None:
        self.options.append((level, option, value))

    def bind(self, address: tuple[str, int]) -> None:
        self.bound = address


def test_on_windows_the_port_is_bound_exclusively(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' SO_REUSEADDR would let a second program take the port over: never set there."""
    exclusive = -5  # SO_EXCLUSIVEADDRUSE is ~SO_REUSEADDR on Windows
    monkeypatch.setattr(socket, "SO_EXCLUSIVEADDRUSE", exclusive, raising=False)
    sock: Any = _RecordingSocket()
    exclusive_bind(sock, ("127.0.0.1", 2575))
    assert sock.options == [(socket.SOL_SOCKET, exclusive, 1)]
    assert sock.bound == ("127.0.0.1", 2575)
