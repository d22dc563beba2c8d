"""How long this process has been running, for the startup figure of ``--quit-after-start``."""

from __future__ import annotations

import os
import time
from pathlib import Path

_IMPORTED_AT = time.perf_counter()


def seconds_since_process_start() -> float:
    """Return seconds since the operating system started this process.

    On Linux this is read from ``/proc`` (process start in clock ticks since boot, against the
    boot-time clock), so interpreter start-up and imports are counted. Elsewhere it falls back to
    the time since this module was first imported.
    """
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        # Field 22 (starttime) counts from the end of the parenthesised command name.
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED_AT
