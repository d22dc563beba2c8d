"""The app's sounds as parameters: IEC 60601-1-8 alarm bursts and the vitals chimes.

Every sound is a list of tones (an onset, a fundamental, harmonic levels and an envelope); the
waveform is rendered from these numbers at start (``infusion_monitor.audio``), never edited by
hand, so what is written here is what plays.

Figures of IEC 60601-1-8 (Table 3, burst; Table 4, pulse), with where each was checked against
public text (the standard itself is not public):

- pulse frequency f0 150-1000 Hz; at least 4 harmonic components in 300-4000 Hz; components
  within 15 dB of the amplitude at the pulse frequency: PUI Audio "IEC 60601-1-8" page, the
  elsmar.com thread "difference between table 4 and annex D" (quoting Table 4), GlobalSpec
  "IEC 60601-1-8 AMD2:2020, medical alarms and FAQs";
- effective pulse duration td: high 75-200 ms, medium and low 125-250 ms; rise time tr 10-20 %
  of td; pulse spacing ts: high x = 50-125 ms, medium and low y = 125-250 ms; high pause between
  the 5th and 6th pulse 0.35-1.30 s; interburst interval high 2.5-15 s, low more than 15 s
  (or no repetition): the open "IEC 60601-1-8 conform sounds" generator (wavtools.py and its
  high- and low-priority scripts, which cite Table 4 of IEC 60601-1-8:2007);
- pulses per burst: high 10 in two groups of five "x x x - x x" (three, a rest of one pulse,
  two), medium 3, low 1 or 2: Sydney University's alarm sound page (anaesthesia.med.usyd.edu.au,
  "C4 C4 C4 - C4 C4"), the mbed port of NXP AN10875 ("a 5 tone sequence repeated twice"),
  ui.md "Sound";
- medium interburst interval 2.5-30 s: as the issue quotes Table 3; TI's DAC53701 medical-alarm
  settings (2.60-4.00 s) lie inside it. The 30 s upper end was not found in public text.

How the ranges are measured here: td between the envelope's 50 % points, tr and tf from 10 % to
90 %, ts between one pulse's and the next pulse's 50 % points. Every design value below also
stays inside its range when td and ts are taken at the 10 % or the 90 % points instead.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.prompts import PromptSound

#: IEC 60601-1-8 Table 4.
F0_RANGE_HZ = (150.0, 1000.0)
HARMONIC_BAND_HZ = (300.0, 4000.0)
MIN_HARMONICS_IN_BAND = 4
MAX_HARMONIC_SPREAD_DB = 15.0
RISE_FRACTION_RANGE = (0.10, 0.20)
PULSE_DURATION_RANGE_S = {
    AlertPriority.HIGH: (0.075, 0.200),
    AlertPriority.MEDIUM: (0.125, 0.250),
    AlertPriority.LOW: (0.125, 0.250),
}
#: IEC 60601-1-8 Table 3: pulses per burst and spacing (x for high, y for medium and low).
PULSES_PER_BURST = {
    AlertPriority.HIGH: (10,),
    AlertPriority.MEDIUM: (3,),
    AlertPriority.LOW: (1, 2),
}
PULSE_SPACING_RANGE_S = {
    AlertPriority.HIGH: (0.050, 0.125),
    AlertPriority.MEDIUM: (0.125, 0.250),
    AlertPriority.LOW: (0.125, 0.250),
}
HIGH_MIDDLE_PAUSE_RANGE_S = (0.35, 1.30)
#: IEC 60601-1-8 Table 3: interburst interval tb (end of one burst to the start of the next).
INTERBURST_RANGE_S = {
    AlertPriority.HIGH: (2.5, 15.0),
    AlertPriority.MEDIUM: (2.5, 30.0),
}
#: A low-priority burst repeats after more than this, or not at all.
LOW_MIN_INTERBURST_S = 15.0

#: The harmonic recipe of every alarm pulse: (multiple of f0, level in dB against f0). Five
#: components, all inside 300-4000 Hz for the fundamentals used here, all within 12 dB of f0.
ALARM_HARMONICS: tuple[tuple[int, float], ...] = (
    (1, 0.0),
    (2, -3.0),
    (3, -6.0),
    (4, -9.0),
    (5, -12.0),
)


class Envelope(enum.Enum):
    """How a tone's loudness moves."""

    TRAPEZOID = "trapezoid"
    """Linear rise, flat top, linear fall (alarm pulses, IEC 60601-1-8)."""
    BELL = "bell"
    """A quick rise and a long exponential ring-out (the vitals chimes: plainly not an alarm)."""


@dataclass(frozen=True, slots=True)
class Tone:
    """One pulse or chime note.

    For a trapezoid, ``ramp_s`` is the 0-100 % rise (and the 100-0 % fall): the 10-90 % rise
    time is 0.8 of it, and ``duration_s`` is the effective duration between the 50 % points,
    so the envelope lasts ``duration_s + ramp_s``. A bell lasts ``duration_s`` and rises in
    ``ramp_s``.
    """

    onset_s: float
    f0_hz: float
    duration_s: float
    ramp_s: float
    harmonics: tuple[tuple[int, float], ...] = ALARM_HARMONICS
    envelope: Envelope = Envelope.TRAPEZOID
    level_db: float = 0.0
    """Loudness against the loudest tone of the sound."""

    @property
    def length_s(self) -> float:
        """From the first to the last non-zero sample."""
        if self.envelope is Envelope.TRAPEZOID:
            return self.duration_s + self.ramp_s
        return self.duration_s

    @property
    def end_s(self) -> float:
        """When the tone has died away, from the start of the sound."""
        return self.onset_s + self.length_s


@dataclass(frozen=True, slots=True)
class SoundDesign:
    """A whole sound: its tones, and the alarm priority it announces (None: a prompt chime)."""

    sound: PromptSound
    priority: AlertPriority | None
    tones: tuple[Tone, ...]
    peak: float
    """Peak sample against full scale (below 1: nothing clips even at full volume)."""

    @property
    def duration_s(self) -> float:
        """From the start of the first tone to the end of the last."""
        return max(tone.end_s for tone in self.tones)


def _burst(
    f0_hz: float, duration_s: float, ramp_s: float, spacings: list[float]
) -> tuple[Tone, ...]:
    """Pulses of one pitch: ``spacings[i]`` is the gap between pulse i and i + 1 (50 % points)."""
    onsets = [0.0]
    for gap in spacings:
        onsets.append(onsets[-1] + duration_s + gap)
    return tuple(Tone(onset, f0_hz, duration_s, ramp_s) for onset in onsets)


#: High priority: td 150 ms, tr 20 ms (13 % of td), x 90 ms, a rest of one pulse (2x + td) after
#: the third and the eighth pulse, 0.5 s between the two groups of five.
HIGH_F0_HZ = 660.0
HIGH_PULSE_S = 0.150
HIGH_RAMP_S = 0.025
HIGH_X_S = 0.090
HIGH_MIDDLE_PAUSE_S = 0.500
_HIGH_REST_S = 2 * HIGH_X_S + HIGH_PULSE_S
_HIGH_GROUP = [HIGH_X_S, HIGH_X_S, _HIGH_REST_S, HIGH_X_S]
#: Medium priority: three pulses, td 200 ms, tr 24 ms (12 % of td), y 190 ms.
MEDIUM_F0_HZ = 520.0
MEDIUM_PULSE_S = 0.200
MEDIUM_RAMP_S = 0.030
MEDIUM_Y_S = 0.190
#: Low priority: two pulses, lower, same timing as medium.
LOW_F0_HZ = 440.0

ALARM_PEAK = 0.89
"""-1 dBFS: alarm bursts are the loudest sounds the app makes, and never clip."""
CHIME_PEAK = 0.5
"""-6 dBFS: the vitals chimes stay well below the alarms."""

_CHIME_HARMONICS = ((1, 0.0), (2, -14.0), (3, -24.0))

DESIGNS: dict[PromptSound, SoundDesign] = {
    PromptSound.ALARM_HIGH: SoundDesign(
        PromptSound.ALARM_HIGH,
        AlertPriority.HIGH,
        _burst(
            HIGH_F0_HZ,
            HIGH_PULSE_S,
            HIGH_RAMP_S,
            [*_HIGH_GROUP, HIGH_MIDDLE_PAUSE_S, *_HIGH_GROUP],
        ),
        ALARM_PEAK,
    ),
    PromptSound.ALARM_MEDIUM: SoundDesign(
        PromptSound.ALARM_MEDIUM,
        AlertPriority.MEDIUM,
        _burst(MEDIUM_F0_HZ, MEDIUM_PULSE_S, MEDIUM_RAMP_S, [MEDIUM_Y_S, MEDIUM_Y_S]),
        ALARM_PEAK,
    ),
    PromptSound.ALARM_LOW: SoundDesign(
        PromptSound.ALARM_LOW,
        AlertPriority.LOW,
        _burst(LOW_F0_HZ, MEDIUM_PULSE_S, MEDIUM_RAMP_S, [MEDIUM_Y_S]),
        ALARM_PEAK,
    ),
    # A soft rising two-note chime when a check falls due (ui.md "Sound").
    PromptSound.DUE: SoundDesign(
        PromptSound.DUE,
        None,
        (
            Tone(0.0, 660.0, 0.6, 0.008, _CHIME_HARMONICS, Envelope.BELL),
            Tone(0.25, 880.0, 0.8, 0.008, _CHIME_HARMONICS, Envelope.BELL, level_db=-2.0),
        ),
        CHIME_PEAK,
    ),
    # Overdue: the same bell, three notes falling and rising again; never a pulse train that
    # could pass for an alarm.
    PromptSound.OVERDUE: SoundDesign(
        PromptSound.OVERDUE,
        None,
        (
            Tone(0.0, 880.0, 0.5, 0.008, _CHIME_HARMONICS, Envelope.BELL),
            Tone(0.2, 660.0, 0.5, 0.008, _CHIME_HARMONICS, Envelope.BELL),
            Tone(0.4, 880.0, 0.7, 0.008, _CHIME_HARMONICS, Envelope.BELL),
        ),
        CHIME_PEAK,
    ),
}

#: The alarm sound of each alert priority.
ALARM_SOUNDS: dict[AlertPriority, PromptSound] = {
    design.priority: design.sound for design in DESIGNS.values() if design.priority is not None
}


@dataclass(frozen=True, slots=True)
class AlarmTiming:
    """How often an unanswered alarm's burst repeats: the interburst interval of each priority.

    Only values inside IEC 60601-1-8 Table 3 are accepted; ``low_interburst_s`` None means a
    low-priority alarm sounds once.
    """

    high_interburst_s: float = 5.0
    medium_interburst_s: float = 15.0
    low_interburst_s: float | None = None

    def __post_init__(self) -> None:
        for priority, value in (
            (AlertPriority.HIGH, self.high_interburst_s),
            (AlertPriority.MEDIUM, self.medium_interburst_s),
        ):
            low, high = INTERBURST_RANGE_S[priority]
            if not low <= value <= high:
                raise ValueError(interburst_problem(priority, value))
        if self.low_interburst_s is not None and not self.low_interburst_s > LOW_MIN_INTERBURST_S:
            raise ValueError(interburst_problem(AlertPriority.LOW, self.low_interburst_s))

    def interburst_s(self, priority: AlertPriority) -> float | None:
        """Seconds of silence between two bursts of ``priority`` (None: it does not repeat)."""
        if priority is AlertPriority.HIGH:
            return self.high_interburst_s
        if priority is AlertPriority.MEDIUM:
            return self.medium_interburst_s
        return self.low_interburst_s


def shortest_interburst_s(priority: AlertPriority) -> float:
    """The shortest silence IEC 60601-1-8 Table 3 allows between two bursts of ``priority``."""
    if priority is AlertPriority.LOW:
        return LOW_MIN_INTERBURST_S
    return INTERBURST_RANGE_S[priority][0]


def interburst_problem(priority: AlertPriority, value: float) -> str:
    """What is wrong with an interburst interval, in the words of the standard's limits."""
    if priority is AlertPriority.LOW:
        return (
            f"{value:g} s is not allowed for a low-priority alarm: it repeats after more than "
            f"{LOW_MIN_INTERBURST_S:g} s, or not at all (0) (IEC 60601-1-8 Table 3)"
        )
    low, high = INTERBURST_RANGE_S[priority]
    return (
        f"{value:g} s is outside {low:g}-{high:g} s, the interburst interval IEC 60601-1-8 "
        f"Table 3 allows for a {priority.name.lower()}-priority alarm"
    )
