"""The rendered sound files, kept between starts: a start that finds them needs no numpy.

``audio.write_sounds`` renders every sound of ``domain.alarm_signals`` with numpy, whose import
alone takes about a fifth of a second of the app's start. The files depend only on the designs
and on how ``audio`` renders them, so the app keeps them in a folder of the data folder with a
stamp: a fingerprint of both (the designs as written, the source of ``audio``) and the size of
each file. A start whose stamp matches plays those files; any other (the first, new designs or a
new renderer, a file missing or cut short, an unreadable stamp) renders them again first.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from infusion_monitor.domain.alarm_signals import DESIGNS
from infusion_monitor.domain.prompts import PromptSound

#: The stamp beside the files: ``{"fingerprint": ..., "sizes": {file name: bytes}}``.
STAMP = "rendered.json"
#: The renderer (``audio``), read as text: importing it would import numpy.
RENDERER = Path(__file__).with_name("audio.py")


def fingerprint() -> str:
    """What the files are rendered from: the designs and the renderer's source."""
    digest = hashlib.sha256(repr(DESIGNS).encode())
    digest.update(RENDERER.read_bytes())
    return digest.hexdigest()


def rendered_sounds(folder: Path) -> dict[PromptSound, Path]:
    """Every sound's file in ``folder``, rendered there first unless a start already did."""
    files = {sound: folder / f"{sound.value}.wav" for sound in DESIGNS}
    expected = fingerprint()
    if _stamped(folder, files, expected):
        return files
    from infusion_monitor.audio import write_sounds

    folder.mkdir(parents=True, exist_ok=True)
    # Rendered aside and moved in whole: another start never plays a file half written.
    with tempfile.TemporaryDirectory(prefix="rendering-", dir=folder) as aside:
        written = write_sounds(Path(aside))
        sizes = {path.name: path.stat().st_size for path in written.values()}
        for sound, path in written.items():
            path.replace(files[sound])
        stamp = Path(aside) / STAMP
        stamp.write_text(json.dumps({"fingerprint": expected, "sizes": sizes}), encoding="utf-8")
        stamp.replace(folder / STAMP)
    return files


def _stamped(folder: Path, files: dict[PromptSound, Path], expected: str) -> bool:
    """Whether ``folder`` holds every file as rendered from ``expected``."""
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        sizes = stamp["sizes"]
        return stamp["fingerprint"] == expected and all(
            path.stat().st_size == sizes[path.name] for path in files.values()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False
