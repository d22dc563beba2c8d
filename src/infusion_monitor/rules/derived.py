"""Derived signs of the current observation against the baseline (rules-spec §3)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.rules.model import DerivedThresholds


@dataclass(frozen=True, slots=True)
class Sign:
    """One derived sign: whether it is shown and the measurement that decided it."""

    active: bool = False
    evidence: str = ""


OFF = Sign()


@dataclass(frozen=True, slots=True)
class DerivedSigns:
    """The derived signs of one observation; ``low_sbp`` is the absolute SBP-below-threshold part.

    A sign whose vital was not measured keeps the state it had on the previous observation.
    """

    hypotension: Sign = OFF
    low_sbp: Sign = OFF
    hypoxia: Sign = OFF
    desaturation: Sign = OFF
    reduced_consciousness: Sign = OFF
    fever: Sign = OFF

    def shown(self) -> dict[str, Sign]:
        """The five reaction-feature signs by name (``low_sbp`` is not one)."""
        return {
            "hypotension": self.hypotension,
            "hypoxia": self.hypoxia,
            "desaturation": self.desaturation,
            "reduced_consciousness": self.reduced_consciousness,
            "fever": self.fever,
        }


def sbp_fall_pct(current: int | None, baseline: int | None) -> float | None:
    """Fall of SBP from baseline in percent to 0.1, halves away from zero; negative for a rise."""
    if current is None or baseline is None:
        return None
    tenths, rest = divmod(abs(baseline - current) * 1000, baseline)
    if 2 * rest >= baseline:
        tenths += 1
    return (tenths if baseline >= current else -tenths) / 10


def _sbp_signs(cur: int, base: int | None, low: int, fall_pct: int, at: str) -> tuple[Sign, Sign]:
    """(hypotension, low_sbp) for a measured SBP.

    ``low_sbp`` is the Brown-severe part of hypotension: the sign is shown and the current SBP is
    below the low-SBP threshold, whatever the baseline (rules-spec §3). A baseline that was
    already below the threshold, without a fall of more than ``fall_pct``, shows neither: a
    stable chronic abnormality is not a reaction (reference.md §4.3).
    """
    below = cur < low
    below_evidence = f"SBP {cur} {at} is below {low} (low-SBP threshold)"
    if below and (base is None or base >= low):
        hypotension = Sign(True, below_evidence)
    elif base is not None and (base - cur) * 100 > fall_pct * base:
        pct = sbp_fall_pct(cur, base)
        hypotension = Sign(
            True, f"SBP {cur} {at} is {pct}% below baseline {base} (more than {fall_pct}%)"
        )
    else:
        return OFF, OFF
    return hypotension, Sign(True, below_evidence) if below else OFF


def _spo2_signs(cur: int, base: int | None, t: DerivedThresholds, at: str) -> tuple[Sign, Sign]:
    """(hypoxia, desaturation) for a measured SpO2."""
    limit = t.hypoxia_spo2_max
    if cur <= limit and (base is None or base > limit):
        return Sign(True, f"SpO2 {cur} {at} is at or below {limit} (baseline {base})"), OFF
    drop = t.hypoxia_fall_points
    if cur <= limit and base is not None and base - cur >= drop:
        evidence = (
            f"SpO2 {cur} {at} is at or below {limit} and {base - cur} points below baseline "
            f"{base} ({drop} or more)"
        )
        return Sign(True, evidence), OFF
    fall, low = t.desaturation_fall_points, t.desaturation_spo2_max
    if base is not None and base - cur >= fall and cur <= low:
        evidence = (
            f"SpO2 {cur} {at} is {base - cur} points below baseline {base} ({fall} or more) "
            f"and at or below {low}"
        )
        return OFF, Sign(True, evidence)
    return OFF, OFF


def derive(
    previous: DerivedSigns,
    current: VitalSigns,
    baseline: VitalSigns,
    low_sbp: int,
    thresholds: DerivedThresholds,
    at: str,
) -> DerivedSigns:
    """The signs ``current`` (taken ``at``, e.g. "at minute 40") shows against ``baseline``.

    ``low_sbp`` is the patient's low-SBP threshold. With a baseline value missing only the
    comparisons with the baseline are false; a current value missing keeps ``previous``.
    """
    signs = previous
    if current.sbp is not None:
        hypotension, low = _sbp_signs(
            current.sbp, baseline.sbp, low_sbp, thresholds.sbp_fall_pct, at
        )
        signs = replace(signs, hypotension=hypotension, low_sbp=low)
    if current.spo2 is not None:
        hypoxia, desaturation = _spo2_signs(current.spo2, baseline.spo2, thresholds, at)
        signs = replace(signs, hypoxia=hypoxia, desaturation=desaturation)
    if current.temp_c is not None:
        limit = thresholds.fever_temp_c
        hot = current.temp_c >= limit and (baseline.temp_c is None or baseline.temp_c < limit)
        evidence = f"temperature {current.temp_c} °C {at} is at or above {limit} °C"
        signs = replace(signs, fever=Sign(True, evidence) if hot else OFF)
    level, base = current.acvpu or Acvpu.A, baseline.acvpu or Acvpu.A  # the engine resolves both
    worse = level.rank > base.rank
    evidence = f"ACVPU {level} {at}, baseline {base}"
    return replace(signs, reduced_consciousness=Sign(True, evidence) if worse else OFF)
