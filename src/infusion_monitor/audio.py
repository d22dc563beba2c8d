"""Render the sounds of ``domain/alarm_signals`` to samples and WAV files (numpy).

The app renders every sound at start into a folder of its own and plays those files; the tests
measure the same samples. 16-bit mono at 44.1 kHz; each sound is scaled to its design peak, so
no sample reaches full scale.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np

from infusion_monitor.domain.alarm_signals import DESIGNS, Envelope, SoundDesign, Tone
from infusion_monitor.domain.prompts import PromptSound

RATE = 44100
FULL_SCALE = 32767
#: Silence written after every sound in its file: an audio output that holds back its last
#: buffer until the next start then plays silence there, never a stale tail of the last pulse.
FILE_TAIL_S = 0.2
#: A bell ends with this short fade, so its last sample is silence (no click).
_BELL_FADE_S = 0.01
#: A bell has faded by this many time constants at its end (about -43 dB).
_BELL_TIME_CONSTANTS = 5.0


def envelope(tone: Tone, rate: int = RATE) -> np.ndarray:
    """The tone's loudness, sample by sample, between 0 and 1."""
    count = round(tone.length_s * rate)
    t = np.arange(count) / rate
    if tone.envelope is Envelope.TRAPEZOID:
        shape = np.minimum(t / tone.ramp_s, (tone.length_s - t) / tone.ramp_s)
        return np.clip(shape, 0.0, 1.0)
    attack = np.clip(t / tone.ramp_s, 0.0, 1.0)
    tau = tone.duration_s / _BELL_TIME_CONSTANTS
    decay = np.exp(-np.clip(t - tone.ramp_s, 0.0, None) / tau)
    fade = np.clip((tone.length_s - t) / _BELL_FADE_S, 0.0, 1.0)
    return attack * decay * fade


def render(design: SoundDesign, rate: int = RATE) -> np.ndarray:
    """The sound as float samples in [-1, 1], its peak at ``design.peak``."""
    samples = np.zeros(math.ceil(design.duration_s * rate) + 1)
    for tone in design.tones:
        shape = envelope(tone, rate)
        t = np.arange(shape.size) / rate
        partials = sum(
            10 ** (level / 20) * np.sin(2 * np.pi * multiple * tone.f0_hz * t)
            for multiple, level in tone.harmonics
        )
        start = round(tone.onset_s * rate)
        samples[start : start + shape.size] += 10 ** (tone.level_db / 20) * shape * partials
    loudest: float = np.max(np.abs(samples))
    return samples * (design.peak / loudest)


def to_pcm(samples: np.ndarray) -> np.ndarray:
    """16-bit signed samples (little-endian), as a WAV file holds them."""
    return np.round(samples * FULL_SCALE).astype("<i2")


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Write mono 16-bit samples."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(to_pcm(samples).tobytes())


def write_sounds(folder: Path) -> dict[PromptSound, Path]:
    """Render every sound into ``folder`` (``<name>.wav``, followed by ``FILE_TAIL_S`` of
    silence); return where each one is."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[PromptSound, Path] = {}
    tail = np.zeros(round(FILE_TAIL_S * RATE))
    for sound, design in DESIGNS.items():
        path = folder / f"{sound.value}.wav"
        write_wav(path, np.concatenate((render(design), tail)))
        written[sound] = path
    return written
