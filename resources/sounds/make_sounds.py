"""Regenerate the prompt sounds (16-bit mono 44.1 kHz WAV): ``python make_sounds.py``.

``vitals_due.wav``: a soft two-tone chime (schedule prompt, ui.md "Sound").
``vitals_overdue.wav``: three firmer pulses, repeated by the app while a check is overdue.
``alarm_high.wav``: a burst of ten fast pulses (high-priority alarm, IEC 60601-1-8 spirit, ui.md).
``alarm_medium.wav``: three slower pulses (medium-priority alarm).
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 44100


def tone(freq: float, seconds: float, volume: float) -> list[float]:
    count = int(RATE * seconds)
    return [
        volume
        * math.sin(2 * math.pi * freq * i / RATE)
        * min(1.0, (count - i) / (0.3 * count))
        * min(1.0, i / (0.01 * RATE))
        for i in range(count)
    ]


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


def main() -> None:
    here = Path(__file__).parent
    write(here / "vitals_due.wav", tone(660, 0.35, 0.35) + tone(880, 0.5, 0.3))
    pulses: list[float] = []
    for _ in range(3):
        pulses += tone(988, 0.15, 0.6) + silence(0.1)
    write(here / "vitals_overdue.wav", pulses)
    write(here / "alarm_high.wav", _pulses(10, 880, on=0.1, off=0.06, volume=0.8))
    write(here / "alarm_medium.wav", _pulses(3, 660, on=0.2, off=0.15, volume=0.7))


def _pulses(count: int, freq: float, *, on: float, off: float, volume: float) -> list[float]:
    samples: list[float] = []
    for _ in range(count):
        samples += tone(freq, on, volume) + silence(off)
    return samples


if __name__ == "__main__":
    main()
