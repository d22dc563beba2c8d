"""The tests that reach the sound server run in one test process (``tests/conftest.py``)."""

from __future__ import annotations

import re
from pathlib import Path

from sound_server import SOUND_SERVER_MODULES

ROOT = Path(__file__).resolve().parents[1]
#: What in a test module reaches the sound server: the loudspeaker code, the app started whole
#: (its alarm plays through that code), or the server's own command-line tools.
REACHES_THE_SOUND_SERVER = re.compile(
    r"QtSoundPlayer|--quit-after-start|start_and_quit|workstation_driver|gui_main|\bpactl\b|\bparec\b"
)


def test_every_module_that_reaches_the_sound_server_is_in_its_group() -> None:
    reaching = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != Path(__file__).name
        and REACHES_THE_SOUND_SERVER.search(path.read_text(encoding="utf-8"))
    }
    assert reaching == SOUND_SERVER_MODULES
