"""Which test modules share the machine's sound server (``tests/conftest.py`` schedules them)."""

from __future__ import annotations

#: The test modules that reach the machine's sound server: they start the whole app, whose alarm
#: plays on the real loudspeaker code, or record from the server (``.ci/run`` starts one). The
#: suite runs in several processes (pytest-xdist); these run one after another in the same one,
#: so no other test's alarm is recorded, or mutes the output, while the recording runs.
SOUND_SERVER_MODULES = frozenset(
    {
        "tests/test_cli_errors.py",
        "tests/test_packaging.py",
        "tests/test_privacy.py",
        "tests/test_smoke.py",
        "tests/test_start_after_crash.py",
        "tests/ui/test_alarm_audio.py",
        "tests/ui/test_alarm_recording.py",
        "tests/ui/test_two_workstations.py",
    }
)
