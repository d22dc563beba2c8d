"""The rule-set file schema: site thresholds, exposure window, pathways, actions, their text."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from infusion_monitor.domain.symptoms import SYMPTOMS

Priority = Literal["low", "medium", "high"]
PRIORITY_RANK: dict[str, int] = {"none": 0, "low": 1, "medium": 2, "high": 3}

#: Guidance action codes (rules-spec §5): a fixed vocabulary; only their text is the site's.
ACTION_CODES = (
    "stop_infusion",
    "keep_line_open",
    "call_emergency_team",
    "epinephrine_im",
    "prepare_epinephrine",
    "position_patient",
    "oxygen",
    "iv_fluid_bolus",
    "bronchodilator",
    "vitals_q5min",
    "vitals_q15min",
    "continuous_spo2",
    "continuous_monitoring",
    "no_restart_today",
    "document_reaction",
    "notify_provider_now",
    "notify_provider",
    "standing_order_medication",
    "watch_airway",
    "hold_escalation",
    "stay_with_patient",
    "check_line_site",
    "refractory_anaphylaxis",
)
#: Derived signs an action may be made conditional on (rules-spec §3).
SIGN_NAMES = ("hypotension", "hypoxia", "desaturation", "reduced_consciousness", "fever")
#: Conditions that are neither a sign nor a symptom: two or more IM epinephrine doses given.
REFRACTORY = "refractory"


def _action_code(code: str) -> str:
    if code not in ACTION_CODES:
        raise ValueError(f"'{code}' is not an action code (see docs/rules.md for the list)")
    return code


def _symptom_code(code: str) -> str:
    if code not in SYMPTOMS:
        raise ValueError(f"'{code}' is not a symptom code (see docs/rules.md for the list)")
    return code


def _condition(name: str) -> str:
    if name not in SIGN_NAMES and name not in SYMPTOMS and name != REFRACTORY:
        raise ValueError(f"'{name}' is neither a derived sign, a symptom code nor '{REFRACTORY}'")
    return name


ActionCode = Annotated[str, AfterValidator(_action_code)]
SymptomCode = Annotated[str, AfterValidator(_symptom_code)]
Condition = Annotated[str, AfterValidator(_condition)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DerivedThresholds(_Strict):
    """``[derived]``: thresholds of the derived signs (rules-spec §3)."""

    sbp_fall_pct: int = Field(ge=1, le=90)
    low_sbp_adult_mmhg: int = Field(ge=40, le=140)
    low_sbp_infant_mmhg: int = Field(ge=40, le=140)
    low_sbp_child_base_mmhg: int = Field(ge=40, le=140)
    low_sbp_child_per_year_mmhg: int = Field(ge=0, le=10)
    child_formula_from_age_years: int = Field(ge=0, le=17)
    child_formula_to_age_years: int = Field(ge=0, le=17)
    hypoxia_spo2_max: int = Field(ge=50, le=99)
    hypoxia_fall_points: int = Field(ge=1, le=50)
    desaturation_fall_points: int = Field(ge=1, le=50)
    desaturation_spo2_max: int = Field(ge=50, le=99)
    fever_temp_c: float = Field(ge=36.0, le=42.0)

    def low_sbp(self, age_years: int) -> int:
        """The low-SBP threshold for an age in completed years."""
        if age_years < self.child_formula_from_age_years:
            return self.low_sbp_infant_mmhg
        if age_years <= self.child_formula_to_age_years:
            return self.low_sbp_child_base_mmhg + self.low_sbp_child_per_year_mmhg * age_years
        return self.low_sbp_adult_mmhg


class Exposure(_Strict):
    """``[exposure]``: how long after the infusion ended the drug is still a likely allergen,
    and whether inside that window it is a highly probable one (WAO 2020 criterion 2)."""

    window_after_end_min: int = Field(ge=0, le=10080)
    infused_drug_highly_probable: bool


class DoseBand(_Strict):
    """One row of the IM epinephrine dose table: the dose from an age (in years) upwards."""

    from_age_years: float = Field(ge=0, le=120)
    dose_mg: float = Field(gt=0, le=1)


class Epinephrine(_Strict):
    """``[epinephrine]``: the IM dose by age (rules-spec §5 ``epinephrine_im_dose_mg``)."""

    im_dose: list[DoseBand] = Field(min_length=1)

    @field_validator("im_dose")
    @classmethod
    def _bands_cover_every_age(cls, bands: list[DoseBand]) -> list[DoseBand]:
        ages = [band.from_age_years for band in bands]
        if ages != sorted(ages, reverse=True) or len(set(ages)) != len(ages):
            raise ValueError("list the bands from the oldest age down, each age once")
        if ages[-1] != 0:
            raise ValueError("the last band must start at age 0 so that every age has a dose")
        return bands

    def dose_mg(self, age_years: float) -> float:
        """The dose of the first band whose age the patient has reached."""
        return next(band.dose_mg for band in self.im_dose if age_years >= band.from_age_years)


class Observation(_Strict):
    """``[observation]``: the least observation after an anaphylaxis has resolved (minutes)."""

    after_resolution_min: int = Field(ge=0, le=4320)
    after_two_doses_or_biphasic_min: int = Field(ge=0, le=4320)
    after_three_doses_or_vasopressor_min: int = Field(ge=0, le=4320)


class News2Settings(_Strict):
    """``[news2]``: when the baseline itself asks for acknowledgement."""

    baseline_warning_score: int = Field(ge=1, le=20)


class CtcaeSettings(_Strict):
    """``[ctcae]``: the prompt-response hour and the life-threatening SpO2 on oxygen."""

    prompt_response_min: int = Field(ge=1, le=1440)
    life_threatening_spo2_below_scale1: int = Field(ge=50, le=100)
    life_threatening_spo2_at_or_below_scale2: int = Field(ge=50, le=100)


class Pathway(_Strict):
    """One pathway: its priority, its actions in order, and the signs some actions depend on."""

    priority: Priority
    actions: list[ActionCode] = Field(min_length=1)
    only_if: dict[ActionCode, Condition | list[Condition]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _conditions_name_listed_actions(self) -> Self:
        unlisted = [code for code in self.only_if if code not in self.actions]
        if unlisted:
            raise ValueError(f"only_if names actions that are not listed: {', '.join(unlisted)}")
        return self

    def conditions(self, code: str) -> list[str]:
        """The conditions of which any one must hold for ``code`` (empty: unconditional)."""
        condition = self.only_if.get(code, [])
        return [condition] if isinstance(condition, str) else condition


class MildPathway(Pathway):
    """The mild pathway; for the drugs in ``stop_for_any_reaction`` it stops the infusion
    instead of holding the next rate step."""

    stop_for_any_reaction: list[str] = Field(default_factory=list)

    def stops_for(self, drug: str | None) -> bool:
        """True when ``drug`` (compared case-insensitively) is listed."""
        return drug is not None and drug.casefold() in {
            d.casefold() for d in self.stop_for_any_reaction
        }


class SymptomPathway(Pathway):
    """A pathway that fires while one of ``symptoms`` is active."""

    symptoms: list[SymptomCode] = Field(min_length=1)


class ScorePathway(Pathway):
    """A NEWS2 deterioration pathway that fires from ``min_score`` upwards."""

    min_score: int = Field(ge=1, le=20)


class Pathways(_Strict):
    """``[pathways.*]``: every pathway of rules-spec §5, in the table's order (ties keep it)."""

    anaphylaxis: Pathway
    severe_reaction: Pathway
    moderate_reaction: Pathway
    airway_watch: SymptomPathway
    mild_reaction: MildPathway
    deterioration_emergency: ScorePathway
    deterioration_urgent: ScorePathway
    site_reaction: SymptomPathway

    def in_order(self) -> list[tuple[str, Pathway]]:
        """(name, pathway) pairs in table order."""
        return [(name, getattr(self, name)) for name in type(self).model_fields]


class RuleDefinition(_Strict):
    """The whole rule-set file."""

    name: str = Field(min_length=1)
    derived: DerivedThresholds
    exposure: Exposure
    news2: News2Settings
    ctcae: CtcaeSettings
    epinephrine: Epinephrine
    observation: Observation
    pathways: Pathways
    action_text: dict[ActionCode, str]

    @field_validator("action_text")
    @classmethod
    def _every_action_has_text(cls, text: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        pathways = info.data.get("pathways")
        if isinstance(pathways, Pathways):
            used = {code for _, pathway in pathways.in_order() for code in pathway.actions}
            missing = sorted(used - text.keys())
            if missing:
                raise ValueError(f"no text for the action codes {', '.join(missing)}")
        return text
