"""The drug monitoring protocol: schema of one ``resources/protocols/*.toml`` file.

A protocol says how one drug (or one infusion of a drug) is watched: when it is most likely to
react, what premedication to remind, how the rate may be escalated, when vital signs are due and
how long the patient stays for observation afterwards. Every value in a shipped file names its
source in a comment; this module only checks that the values are well-formed and consistent.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]

#: Longest post-infusion observation a protocol may ask for (RCUK 2021 goes up to 12 h).
MAX_OBSERVATION_MIN = 12 * 60


class _Strict(BaseModel):
    """Base for every table of a protocol file: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Premedication(enum.StrEnum):
    """Premedication classes a protocol can remind of (codes used in the files)."""

    H1_ANTIHISTAMINE = "h1_antihistamine"
    H2_ANTAGONIST = "h2_antagonist"
    ANTIPYRETIC = "antipyretic"
    CORTICOSTEROID = "corticosteroid"
    POST_INFUSION_CORTICOSTEROID = "post_infusion_corticosteroid"
    BRONCHODILATOR = "bronchodilator"


class Advice(enum.StrEnum):
    """How a premedication is advised: always give, consider, or avoid."""

    GIVE = "give"
    CONSIDER = "consider"
    AVOID = "avoid"


class StepCheck(enum.StrEnum):
    """What must be confirmed before each rate step is taken."""

    RECENT_VITALS = "recent_vitals"
    """A vital-signs set from the last 15 minutes; the session refuses a step without one."""

    NO_SYMPTOMS = "no_symptoms"
    """No infusion-related symptoms: escalate only in the absence of infusion toxicity."""


RateUnit = Literal["mg/h", "mL/h", "mg/kg/min", "mg/min"]


class PremedicationReminder(_Strict):
    """One premedication reminder shown before the infusion starts."""

    code: Premedication
    advice: Advice
    note: Text


class Risk(_Strict):
    """When and how this drug tends to react, as text for the nurse and data for the app."""

    profile: Text
    """Typical reaction and its timing, in a sentence or two."""

    high_risk_cycles: list[Annotated[int, Field(ge=1, le=100)]] = []
    """Cycles (doses of this drug) with the highest risk, e.g. ``[1, 2]`` for taxanes."""

    high_risk_from_cycle: Annotated[int, Field(ge=2, le=100)] | None = None
    """From this cycle on the risk is high, e.g. 6 for carboplatin."""

    notes: list[Text] = []
    """Further risk factors and management points."""

    lifetime_doses: bool = False
    """The risk follows the total number of doses of this drug over every line of treatment: the
    set-up asks for the lifetime dose number instead of the cycle of this course."""

    def is_high_risk(self, cycle: int) -> bool:
        """Whether ``cycle`` (1 = first dose of this drug) is one of the high-risk cycles."""
        if cycle in self.high_risk_cycles:
            return True
        return self.high_risk_from_cycle is not None and cycle >= self.high_risk_from_cycle


class RestartAfterReaction(_Strict):
    """The label's limit on the rate at which an infusion restarts after a reaction."""

    max_fraction: Annotated[float, Field(gt=0, lt=1)]
    """The restart rate is at most this fraction of the rate at which the reaction began."""

    source: Text
    """Where the limit comes from, in words the nurse sees (e.g. "Rituxan label")."""


class RatePlan(_Strict):
    """Starting rate, maximum rate, and (where the label gives one) the escalation step."""

    unit: RateUnit
    start: Annotated[float, Field(gt=0, le=10_000)] | None = None
    """None when the source gives only a maximum (the prescription sets the rate)."""

    max: Annotated[float, Field(gt=0, le=10_000)]
    increase_by: Annotated[float, Field(gt=0, le=10_000)] | None = None
    every_min: Minutes | None = None
    """Running minutes at one rate before the next increase may be taken."""

    step_checks: list[StepCheck] = []
    restart_after_reaction: RestartAfterReaction | None = None
    """Where the label limits the restart after a reaction (rituximab, daratumumab)."""

    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.start is not None and self.start > self.max:
            raise ValueError("start is above max; the starting rate cannot exceed the maximum")
        if (self.increase_by is None) != (self.every_min is None):
            raise ValueError("increase_by and every_min go together: give both or neither")
        if self.increase_by is not None and StepCheck.RECENT_VITALS not in self.step_checks:
            raise ValueError('a rate escalation needs "recent_vitals" in step_checks')
        if self.increase_by is None and self.step_checks:
            raise ValueError("step_checks given without an escalation (increase_by, every_min)")
        return self

    @property
    def escalates(self) -> bool:
        """Whether the protocol has timed rate steps."""
        return self.increase_by is not None

    def next_rate(self, current: float) -> float | None:
        """The rate of the next step from ``current``, or None when there is no step to take."""
        if self.increase_by is None or current >= self.max:
            return None
        return min(current + self.increase_by, self.max)


class VitalsPlan(_Strict):
    """When vital signs are due during the infusion."""

    baseline_within_min: Minutes
    """The baseline set counts only if taken this many minutes or fewer before the start."""

    early_checks_min: list[Minutes]
    """Checks at these running minutes after the start, e.g. ``[15, 30]``."""

    interval_min: Minutes
    """The regular interval after the early checks."""

    high_risk_interval_min: Minutes
    """The regular interval in a high-risk cycle (see ``risk``)."""

    after_rate_change_min: Minutes
    """A check this many minutes after every rate change."""

    end_of_infusion: bool
    """Whether a check is due when the infusion ends."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.early_checks_min != sorted(set(self.early_checks_min)):
            raise ValueError("early_checks_min must be increasing, without repeats")
        if self.high_risk_interval_min > self.interval_min:
            raise ValueError("high_risk_interval_min is longer than interval_min")
        return self


class Observation(_Strict):
    """The post-infusion observation period; ``minutes = 0`` means the session closes at once."""

    minutes: Annotated[int, Field(ge=0, le=MAX_OBSERVATION_MIN)]
    check_every_min: Minutes | None = None
    """Vital signs every this many minutes, counted from the start of observation."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.minutes == 0 and self.check_every_min is not None:
            raise ValueError("check_every_min given for an observation of 0 minutes")
        if self.minutes > 0 and self.check_every_min is None:
            raise ValueError("check_every_min is required when minutes is above 0")
        if self.check_every_min is not None and self.check_every_min > self.minutes:
            raise ValueError("check_every_min is longer than the observation itself")
        return self


class TestDose(_Strict):
    """A test dose given, and watched, before the first therapeutic dose."""

    amount: Text
    wait_min: Minutes
    note: Text


class DrugProtocol(_Strict):
    """One drug monitoring protocol, as written in its TOML file."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    name: Text
    drug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    """Protocols for different infusions of one drug share this key (e.g. ``rituximab``)."""

    applies_to: Text
    """Which infusions this protocol is for, in words (e.g. "first infusion")."""

    risk: Risk
    premedication: list[PremedicationReminder] = []
    rate: RatePlan | None = None
    """None when the rate is set by the prescription alone."""

    test_dose: TestDose | None = None
    vitals: VitalsPlan
    observation: Observation

    def regular_interval_min(self, cycle: int) -> int:
        """The regular vital-signs interval for ``cycle``: tighter in a high-risk cycle."""
        if self.risk.is_high_risk(cycle):
            return self.vitals.high_risk_interval_min
        return self.vitals.interval_min
