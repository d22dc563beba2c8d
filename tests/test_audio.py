"""The rendered alarm sounds, measured as a sound engineer would: envelope and spectrum.

The figures come from the samples (the WAV files the app plays), not from the design numbers:
pulse counts, effective pulse durations, rise and fall times, spacing, the fundamental and the
level of every harmonic, and the peak against full scale (IEC 60601-1-8 Tables 3 and 4).
"""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import numpy as np
import pytest

from infusion_monitor.audio import FILE_TAIL_S, FULL_SCALE, RATE, render, to_pcm, write_sounds
from infusion_monitor.domain.alarm_signals import DESIGNS
from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.prompts import PromptSound

ALARMS = {
    AlertPriority.HIGH: PromptSound.ALARM_HIGH,
    AlertPriority.MEDIUM: PromptSound.ALARM_MEDIUM,
    AlertPriority.LOW: PromptSound.ALARM_LOW,
}
PULSES = {AlertPriority.HIGH: 10, AlertPriority.MEDIUM: 3, AlertPriority.LOW: 2}
DURATION_S = {
    AlertPriority.HIGH: (0.075, 0.200),
    AlertPriority.MEDIUM: (0.125, 0.250),
    AlertPriority.LOW: (0.125, 0.250),
}
SPACING_S = {
    AlertPriority.HIGH: (0.050, 0.125),
    AlertPriority.MEDIUM: (0.125, 0.250),
    AlertPriority.LOW: (0.125, 0.250),
}


def envelope(samples: np.ndarray, f0: float) -> np.ndarray:
    """Amplitude envelope: RMS over one period of the fundamental, scaled to the flat top."""
    period = round(RATE / f0)
    power = np.convolve(samples**2, np.ones(period) / period, mode="same")
    amplitude = np.sqrt(power)
    return amplitude / np.percentile(amplitude[amplitude > 0.5 * amplitude.max()], 50)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of every run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(int), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def fundamental(samples: np.ndarray) -> float:
    """The lowest strong spectral peak of the whole sound (Hz)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, 1 / RATE)
    strong = np.flatnonzero(spectrum > 0.3 * spectrum.max())
    first = strong[0]
    top = first + int(np.argmax(spectrum[first : first + 50]))
    return float(freqs[top])


def level_db(samples: np.ndarray, frequency: float) -> float:
    """Level of the component at ``frequency`` in one flat-topped stretch (Hann window)."""
    windowed = samples * np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(windowed, 8 * samples.size))
    freqs = np.fft.rfftfreq(8 * samples.size, 1 / RATE)
    near = (freqs > frequency * 0.97) & (freqs < frequency * 1.03)
    return float(20 * np.log10(spectrum[near].max()))


@pytest.mark.parametrize("priority", list(ALARMS))
def test_alarm_pulses_have_the_standards_count_duration_rise_fall_and_spacing(
    priority: AlertPriority,
) -> None:
    samples = render(DESIGNS[ALARMS[priority]])
    f0 = fundamental(samples)
    env = envelope(samples, f0)
    pulses = runs(env > 0.5)
    assert len(pulses) == PULSES[priority]

    low, high = DURATION_S[priority]
    for first, last in pulses:
        td = (last - first) / RATE
        assert low <= td <= high
        rise_10 = first - np.argmax(env[first::-1] < 0.1)
        rise_90 = first + np.argmax(env[first:] > 0.9)
        fall_90 = last - np.argmax(env[last::-1] > 0.9)
        fall_10 = last + np.argmax(env[last:] < 0.1)
        tr = (rise_90 - rise_10) / RATE
        tf = (fall_10 - fall_90) / RATE
        # Whichever points td is taken at (10 %, 50 % or 90 %), tr stays 10-20 % of it.
        for duration in (td, (fall_10 - rise_10) / RATE, (fall_90 - rise_90) / RATE):
            assert low <= duration <= high
            assert 0.10 <= tr / duration <= 0.20
        assert tf == pytest.approx(tr, abs=0.002)

    gaps = [(b[0] - a[1]) / RATE for a, b in itertools.pairwise(pulses)]
    low, high = SPACING_S[priority]
    if priority is AlertPriority.HIGH:
        td = (pulses[0][1] - pulses[0][0]) / RATE
        x = gaps[0]
        assert low <= x <= high
        # x x [rest] x | pause | x x [rest] x: the rest is one missing pulse, 2x + td.
        for index in (0, 1, 3, 5, 6, 8):
            assert gaps[index] == pytest.approx(x, rel=0.05)
        for index in (2, 7):
            assert gaps[index] == pytest.approx(2 * x + td, rel=0.05)
        assert 0.35 <= gaps[4] <= 1.30
    else:
        assert all(low <= gap <= high for gap in gaps)


@pytest.mark.parametrize("priority", list(ALARMS))
def test_alarm_pulses_have_the_standards_fundamental_and_harmonics(
    priority: AlertPriority,
) -> None:
    samples = render(DESIGNS[ALARMS[priority]])
    f0 = fundamental(samples)
    assert 150 <= f0 <= 1000
    env = envelope(samples, f0)
    first, last = runs(env > 0.9)[0]
    flat = samples[first:last]
    reference = level_db(flat, f0)
    in_band = [level_db(flat, n * f0) - reference for n in range(2, 20) if 300 <= n * f0 <= 4000]
    within = [level for level in in_band if abs(level) <= 15]
    assert len(within) >= 4, in_band
    amplitudes = [np.abs(samples[a:b]).max() for a, b in runs(env > 0.5)]
    assert 20 * np.log10(max(amplitudes) / min(amplitudes)) <= 10  # Table 3: at most 10 dB


@pytest.mark.parametrize("sound", list(PromptSound))
def test_no_sound_reaches_full_scale_and_chimes_stay_below_the_alarms(sound: PromptSound) -> None:
    pcm = to_pcm(render(DESIGNS[sound]))
    peak = int(np.abs(pcm.astype(int)).max())
    assert peak < FULL_SCALE
    if DESIGNS[sound].priority is None:
        assert peak <= 0.6 * FULL_SCALE


def test_the_wav_files_hold_exactly_the_rendered_samples_then_silence(tmp_path: Path) -> None:
    written = write_sounds(tmp_path)
    assert set(written) == set(PromptSound)
    for sound, path in written.items():
        with wave.open(str(path)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
            stored = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        sound_samples = to_pcm(render(DESIGNS[sound]))
        assert np.array_equal(stored[: sound_samples.size], sound_samples)
        assert not stored[sound_samples.size :].any()
        assert stored.size - sound_samples.size == round(FILE_TAIL_S * RATE)
