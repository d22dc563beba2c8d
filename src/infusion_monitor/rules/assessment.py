"""The result of ``assess``: scores, criteria, derived signs, CTCAE, pathways, actions, findings."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.domain.symptoms import Brown
from infusion_monitor.rules import ctcae as ctcae_rules
from infusion_monitor.rules.ctcae import Ctcae
from infusion_monitor.rules.derived import DerivedSigns
from infusion_monitor.rules.findings import Finding
from infusion_monitor.rules.inputs import SECONDS_PER_MIN
from infusion_monitor.rules.loader import RuleSet
from infusion_monitor.rules.news2 import News2


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the rules say about one session at second ``at``."""

    at: int
    rules: RuleSet
    news2: News2
    brown: Brown
    niaid_criteria: tuple[int, ...]
    wao_criteria: tuple[int, ...]
    signs: DerivedSigns
    sbp_fall_pct: float | None
    ctcae: Ctcae
    priority: str
    pathways: tuple[str, ...]
    actions: tuple[str, ...]
    vitals_interval_min: int | None
    epinephrine_im_dose_mg: float | None
    observe_after_resolution_min: int | None
    findings: tuple[Finding, ...]

    def action_text(self) -> list[tuple[str, str]]:
        """(code, the site's text for the nurse) of every action, in order."""
        text = self.rules.definition.action_text
        return [(code, text[code]) for code in self.actions]

    def _news2_json(self) -> dict[str, object]:
        n = self.news2
        shown = n.applicable
        return {
            "applicable": n.applicable,
            "complete": n.complete,
            "score": n.score if shown else None,
            "scale": n.scale,
            "red_parameter": n.red_parameter if shown else None,
            "band": n.band if shown else None,
            "baseline_score": n.baseline_score if shown else None,
            "baseline_warning": n.baseline_warning if shown else None,
            "parameters": dict(n.parameters) if shown else None,
            "carried": list(n.carried) if shown else None,
        }

    def to_json(self, case_id: object = None) -> dict[str, object]:
        """The assessment as the JSON object of rules-spec §6."""
        minutes = self.at / SECONDS_PER_MIN
        return {
            "id": case_id,
            "at_minute": int(minutes) if minutes.is_integer() else minutes,
            "ruleset": {"name": self.rules.name, "version": self.rules.version},
            "news2": self._news2_json(),
            "brown": self.brown.label,
            "niaid_2006": bool(self.niaid_criteria),
            "niaid_criteria": list(self.niaid_criteria),
            "wao_2020": bool(self.wao_criteria),
            "wao_criteria": list(self.wao_criteria),
            "derived": {
                **{name: sign.active for name, sign in self.signs.shown().items()},
                "sbp_fall_pct": self.sbp_fall_pct,
            },
            "ctcae": {
                "version": ctcae_rules.VERSION,
                "term": self.ctcae.term,
                "grade": self.ctcae.grade,
                "cytokine_pattern": self.ctcae.cytokine_pattern,
            },
            "priority": self.priority,
            "pathways": list(self.pathways),
            "actions": list(self.actions),
            "vitals_interval_min": self.vitals_interval_min,
            "epinephrine_im_dose_mg": self.epinephrine_im_dose_mg,
            "observe_after_resolution_min": self.observe_after_resolution_min,
            "findings": [finding.to_json() for finding in self.findings],
        }
