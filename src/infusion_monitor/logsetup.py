"""Application log files in the data folder's ``logs/`` (never a patient identifier)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "infusion-monitor.log"
LOG_FILE_MAX_BYTES = 1_000_000
LOG_FILES_KEPT = 5
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def file_logging(log_dir: Path, level: int = logging.INFO) -> Iterator[Path]:
    """Log to a rotating file in ``log_dir`` while the block runs; yield the file's path."""
    path = log_dir / LOG_FILE_NAME
    handler = RotatingFileHandler(
        path, maxBytes=LOG_FILE_MAX_BYTES, backupCount=LOG_FILES_KEPT, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
