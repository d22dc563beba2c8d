"""The fixed facts of one session that every step of the engine needs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.rules.inputs import SECONDS_PER_MIN, Patient
from infusion_monitor.rules.loader import RuleSet


@dataclass(frozen=True, slots=True)
class Setup:
    """Rule set, patient, drug and baseline, with the thresholds worked out for this patient.

    ``baseline`` reads an ACVPU or oxygen flag that was not assessed as "A" and air (rules-spec
    §2: every rule but NEWS2's baseline score); ``news2_baseline`` is the baseline as given.
    """

    rules: RuleSet
    patient: Patient
    baseline: VitalSigns
    news2_baseline: VitalSigns
    drug: str | None
    low_sbp: int
    exposure_window_s: int
    prompt_response_s: int

    @classmethod
    def of(
        cls, rules: RuleSet, patient: Patient, baseline: VitalSigns, drug: str | None = None
    ) -> Setup:
        """Work out the patient's thresholds from the rule set."""
        definition = rules.definition
        return cls(
            rules=rules,
            patient=patient,
            baseline=replace(
                baseline,
                acvpu=baseline.acvpu or Acvpu.A,
                on_oxygen=bool(baseline.on_oxygen),
            ),
            news2_baseline=baseline,
            drug=drug,
            low_sbp=definition.derived.low_sbp(patient.completed_years),
            exposure_window_s=definition.exposure.window_after_end_min * SECONDS_PER_MIN,
            prompt_response_s=definition.ctcae.prompt_response_min * SECONDS_PER_MIN,
        )

    def spo2_life_threatening(self, spo2: int) -> bool:
        """SpO2 low enough on oxygen to be a life-threatening marker (rules-spec §4, D9)."""
        ctcae = self.rules.definition.ctcae
        if self.patient.spo2_scale == 2:
            return spo2 <= ctcae.life_threatening_spo2_at_or_below_scale2
        return spo2 < ctcae.life_threatening_spo2_below_scale1
