"""The alarm as a microphone would hear it: the app plays into a real PulseAudio null sink and
the sink's monitor is recorded with ``parec``.

A nurse ticks anaphylaxis symptoms (shared case V03) in the running app, with the real clock
and the real loudspeaker code (``QtSoundPlayer``). For 30 s nobody answers: the recording must
hold at least two complete high-priority bursts (ten pulses each, IEC 60601-1-8 rhythm), the
interburst silence in between, and not one clipped sample. After the nurse acknowledges, the
sink is silent.

Needs a PulseAudio server (``pactl info`` answers) and ``parec``: ``.ci/run`` installs and
starts one. Without it the test is skipped locally and fails under ``CI=true``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from care_world import case, running_chair
from infusion_monitor.app import build_main_window
from infusion_monitor.config import Config
from infusion_monitor.domain.clock import FakeClock, SystemClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.ruleset import RuleSetService
from infusion_monitor.storage.database import open_database
from infusion_monitor.ui.main_window import MainWindow
from infusion_monitor.ui.sound import QtSoundPlayer, pactl, system_output_problem
from session_helpers import NURSE

RATE = 44100
RECORD_S = 30
SINK = "infusion_monitor_test_sink"
#: Dropouts shorter than this inside a pulse (the sound server on a busy test machine) do not
#: split it; the gap between two pulses of a high burst is about 60 ms at -40 dBFS.
MERGE_S = 0.03

pytestmark = pytest.mark.qt_log_ignore(
    "pipewire", "Using Qt multimedia with FFmpeg", "QSoundEffect", "PulseAudio"
)


def _server_problem() -> str | None:
    if shutil.which("pactl") is None or shutil.which("parec") is None:
        return "pactl/parec are not installed (Debian: pulseaudio-utils)"
    try:
        pactl("info")
    except (OSError, subprocess.SubprocessError) as exc:
        return f"no PulseAudio server is reachable ({exc}); .ci/run starts one"
    return None


@pytest.fixture
def null_sink() -> Iterator[str]:
    """A fresh null sink, made the default output while the test runs."""
    problem = _server_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must record the alarm from a real sound server: {problem}")
        pytest.skip(problem)
    before = pactl("get-default-sink").strip()
    module = pactl("load-module", "module-null-sink", f"sink_name={SINK}").strip()
    pactl("set-default-sink", SINK)
    try:
        yield SINK
    finally:
        if before:
            subprocess.run(["pactl", "set-default-sink", before], check=False)
        subprocess.run(["pactl", "unload-module", module], check=False)


class _Recorder:
    """``parec`` from the sink's monitor into a raw 16-bit mono file."""

    def __init__(self, sink: str, path: Path) -> None:
        self.path = path
        self._file = path.open("wb")
        self._process = subprocess.Popen(
            [
                "parec",
                f"--device={sink}.monitor",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "--raw",
            ],
            stdout=self._file,
        )

    def running(self) -> bool:
        """Samples arrive (a fifth of a second is in the file)."""
        return self.path.stat().st_size >= RATE * 2 // 5

    def stop(self) -> np.ndarray:
        self._process.terminate()
        self._process.wait(timeout=10)
        self._file.close()
        return np.frombuffer(self.path.read_bytes(), dtype="<i2").astype(np.int32)


def _pulses(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) in seconds of every stretch louder than -40 dBFS (10 ms resolution): a
    stray click or a stale tail of an earlier burst counts as a pulse too."""
    window = RATE // 100
    blocks = np.abs(samples[: samples.size // window * window]).reshape(-1, window).max(axis=1)
    loud = np.concatenate(([False], blocks > 328, [False]))
    edges = np.diff(loud.astype(int))
    pulses: list[tuple[float, float]] = []
    for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if pulses and start / 100 - pulses[-1][1] < MERGE_S:
            pulses[-1] = (pulses[-1][0], end / 100)
        else:
            pulses.append((start / 100, end / 100))
    return pulses


def _bursts(pulses: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Pulses grouped into bursts: a gap over 1.5 s starts a new burst."""
    bursts: list[list[tuple[float, float]]] = []
    for pulse in pulses:
        if bursts and pulse[0] - bursts[-1][-1][1] < 1.5:
            bursts[-1].append(pulse)
        else:
            bursts.append([pulse])
    return bursts


def test_an_unanswered_high_alarm_recorded_from_a_real_sound_server(
    qtbot: QtBot, null_sink: str, data_dir: Path, tmp_path: Path
) -> None:
    data = case("V03")
    paths = AppPaths.resolve(data_dir)
    with open_database(None, paths) as database:
        running_chair(database, FakeClock(datetime.now(UTC) - timedelta(minutes=2)), data)
        funnel = MessageFunnel()
        window = build_main_window(
            config=Config(),
            paths=paths,
            database=database,
            funnel=funnel,
            rules=RuleSetService(None, funnel),
            clock=SystemClock(),
            actor=NURSE,
            make_sound_player=lambda: QtSoundPlayer(0.8, 0.5),
        )
        qtbot.addWidget(window, before_close_func=MainWindow.close_now)
        window.show()
        window.open_chair(0)
        assert window.vitals_prompt is not None and window.care_view is not None
        window.vitals_prompt.mute_reason.setText("recording the alarm")
        window.vitals_prompt.mute()
        output = window.alarm_sound.output if window.alarm_sound else None
        assert isinstance(output, QtSoundPlayer) and output.available, output
        assert output.audibility_problem() is None

        recorder = _Recorder(null_sink, tmp_path / "alarm.raw")
        qtbot.waitUntil(recorder.running, timeout=10_000)
        care = window.care_view
        window.session_view.tabs.setCurrentWidget(care.symptoms)
        for code in (s["code"] for s in data["symptoms"]):
            qtbot.mouseClick(care.symptoms.buttons[code], Qt.MouseButton.LeftButton)
        assert care.band.words.text().startswith("!!! HIGH")
        qtbot.wait(RECORD_S * 1000 + 2000)
        alarm = recorder.stop()

        qtbot.mouseClick(care.band.acknowledge, Qt.MouseButton.LeftButton)
        assert care.band.alert is not None and care.band.alert.acknowledged_by == NURSE.name
        qtbot.wait(1000)
        quiet = _Recorder(null_sink, tmp_path / "after.raw")
        qtbot.wait(4000)
        after = quiet.stop()
        window.close()

    assert alarm.size >= RECORD_S * RATE
    assert int(np.abs(alarm).max()) < 32767, "a sample reached full scale"
    assert int(np.count_nonzero(np.abs(alarm) >= 32767)) == 0
    bursts = _bursts(_pulses(alarm))
    # The first symptoms raise a MEDIUM alert, whose burst the HIGH one cuts at once (the first
    # burst may start with a medium pulse); every burst after it is a complete high burst.
    assert len(bursts[0]) >= 10 and bursts[0][0][0] < 3.0, "the alarm sounds as it is raised"
    assert all(len(burst) == 10 for burst in bursts[1:]), [len(burst) for burst in bursts]
    assert len(bursts[1:]) >= 2
    silences = [later[0][0] - earlier[-1][1] for earlier, later in itertools.pairwise(bursts)]
    assert all(2.5 <= silence <= 15 for silence in silences), silences  # IEC 60601-1-8
    assert all(4.5 <= silence <= 5.5 for silence in silences[1:]), silences  # configured 5 s

    assert after.size >= 3 * RATE
    assert int(np.abs(after).max()) < 100, "the sink is not silent after acknowledgement"


def test_a_muted_or_too_quiet_system_output_is_reported(null_sink: str) -> None:
    assert system_output_problem(0.5) is None
    pactl("set-sink-mute", null_sink, "1")
    assert system_output_problem(0.5) == "the computer's sound output is muted"
    pactl("set-sink-mute", null_sink, "0")
    pactl("set-sink-volume", null_sink, "30%")
    assert system_output_problem(0.5) == (
        "the computer's volume (30%) is below the alarm floor of 50%"
    )
