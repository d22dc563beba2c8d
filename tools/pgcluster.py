"""A throwaway PostgreSQL cluster on 127.0.0.1 for CI, tests and benchmarks (never for patients).

    python tools/pgcluster.py start DIR   # prints the URL (postgresql+psycopg://...) and exits
    python tools/pgcluster.py stop DIR    # stops it (the caller removes DIR)

The cluster listens on 127.0.0.1 only, on a free port, with ``trust`` authentication for one
local user, and keeps PostgreSQL's default durability (``fsync``, ``synchronous_commit`` on).
``initdb`` refuses to run as root, so as root the data folder is handed to the ``postgres``
system user and the server runs as that user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

USER = "infusion"
#: Seconds ``pg_ctl`` waits for the server to start or stop.
TIMEOUT_S = 60


def bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest Debian version first, or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def start(folder: Path) -> str:
    """Create and start a cluster in ``folder`` (created, must be empty); return its URL."""
    binaries = bin_dir()
    if binaries is None:
        raise SystemExit(
            "PostgreSQL is not installed (no initdb found); apt-get install postgresql"
        )
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                str(TIMEOUT_S),
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    url = f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
    (folder / "url").write_text(url, encoding="utf-8")
    return url


def stop(folder: Path) -> None:
    """Stop the cluster in ``folder`` (fast shutdown); do nothing if it is not running."""
    binaries = bin_dir()
    data = folder / "data"
    if binaries is None or not (data / "postmaster.pid").exists():
        return
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "fast",
                "-w",
                "-t",
                str(TIMEOUT_S),
                "stop",
            ]
        ),
        check=False,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def running(folder: Path) -> Iterator[str]:
    """Start a cluster in ``folder`` for the ``with`` block; yield its URL; always stop it."""
    try:
        yield start(folder)
    finally:
        stop(folder)


def main(argv: list[str]) -> int:
    """``start DIR`` or ``stop DIR``."""
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "start":
        print(start(Path(argv[1])))
    else:
        stop(Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
