"""The rendered sounds are kept between starts: rendered once, rendered again when they may
differ from what the designs and the renderer give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infusion_monitor import audio
from infusion_monitor.domain.prompts import PromptSound
from infusion_monitor.paths import AppPaths
from infusion_monitor.sound_files import STAMP, fingerprint, rendered_sounds


def _refuse_to_render(_folder: Path) -> dict[PromptSound, Path]:
    raise AssertionError("rendered again")


def test_the_first_start_renders_the_next_ones_find_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "sounds"
    files = rendered_sounds(kept)
    assert set(files) == set(PromptSound)
    fresh = audio.write_sounds(tmp_path / "fresh")
    for sound, path in files.items():
        assert path.parent == kept
        assert path.read_bytes() == fresh[sound].read_bytes()
    assert sorted(p.name for p in kept.iterdir()) == sorted(
        [STAMP, *(f"{sound.value}.wav" for sound in PromptSound)]
    ), "nothing is left of the rendering"
    monkeypatch.setattr(audio, "write_sounds", _refuse_to_render)
    assert rendered_sounds(kept) == files


@pytest.mark.parametrize("damage", ["cut short", "missing", "other designs", "no stamp"])
def test_files_that_may_differ_are_rendered_again(tmp_path: Path, damage: str) -> None:
    kept = tmp_path / "sounds"
    files = rendered_sounds(kept)
    whole = {sound: path.read_bytes() for sound, path in files.items()}
    alarm = files[PromptSound.ALARM_HIGH]
    if damage == "cut short":
        alarm.write_bytes(whole[PromptSound.ALARM_HIGH][:100])
    elif damage == "missing":
        alarm.unlink()
    elif damage == "other designs":
        stamp = json.loads((kept / STAMP).read_text(encoding="utf-8"))
        (kept / STAMP).write_text(json.dumps({**stamp, "fingerprint": "older"}), "utf-8")
    else:
        (kept / STAMP).unlink()
    assert rendered_sounds(kept) == files
    assert {sound: path.read_bytes() for sound, path in files.items()} == whole
    assert json.loads((kept / STAMP).read_text(encoding="utf-8"))["fingerprint"] == fingerprint()


def test_the_app_keeps_them_in_its_data_folder(tmp_path: Path) -> None:
    files = rendered_sounds(AppPaths.in_folder(tmp_path).sound_dir)
    assert {path.parent for path in files.values()} == {tmp_path / "sounds"}
